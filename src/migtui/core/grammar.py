"""PostgreSQL's own parser (pglast), loaded on first use.

Importing pglast costs a noticeable part of a short command's run; a folder
whose analysis is cached, or a command that never reads SQL, does not need
it. ``parser`` stands for ``pglast.parser`` and imports it when first asked
for a name.
"""

from __future__ import annotations

from typing import Any


class _Parser:
    def __getattr__(self, name: str) -> Any:
        from pglast import parser as loaded

        value = getattr(loaded, name)
        setattr(self, name, value)  # the next lookup is a plain attribute
        return value


parser: Any = _Parser()
