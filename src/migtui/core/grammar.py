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


def _stdlib_loads(text: str | bytes) -> Any:
    import json

    return json.loads(text)


def _fast_loads() -> Any:
    """orjson's reader where it is installed (it reads pglast's trees about
    twice as fast), falling back to the standard library's on what it refuses."""
    try:
        import orjson
    except ImportError:
        return _stdlib_loads

    def loads(text: str | bytes) -> Any:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # an integer past 64 bits, say
            return _stdlib_loads(text)

    return loads


#: A parse tree's JSON, read into dicts and lists.
loads = _fast_loads()


def parse_tree(text: str) -> dict:
    """``text``'s parse tree (``{"version": …, "stmts": […]}``); raises
    ``parser.ParseError`` where the grammar refuses it."""
    return loads(parser.parse_sql_json(text))


def parse_plpgsql_tree(text: str) -> Any:
    """The PL/pgSQL parse tree of a ``CREATE FUNCTION``'s text."""
    return loads(parser.parse_plpgsql_json(text))
