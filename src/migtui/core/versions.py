"""Migration versions and their natural order.

``0013 < 0013_5 < 0014 < 0100``, ``1 < 1.1 < 1.10 < 2``, and dbmate's
14-digit timestamps are versions too. A version is compared number by number,
never as a string, so leading zeros and the width of a number don't matter.
"""

from __future__ import annotations

import re
from functools import total_ordering

_NUMBER = re.compile(r"\d+")


@total_ordering
class Version:
    """A version as written (``raw``), ordered by its numeric parts."""

    __slots__ = ("raw", "parts")

    def __init__(self, raw: str) -> None:
        raw = str(raw).strip()
        if not raw:
            raise ValueError("a version cannot be empty")
        self.raw = raw
        self.parts: tuple[int, ...] = tuple(int(n) for n in _NUMBER.findall(raw))
        if not self.parts:
            raise ValueError(f"version {raw!r} has no number in it")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.same_number(other)
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts == other.parts

    def __lt__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts < other.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __str__(self) -> str:
        return self.raw

    def __repr__(self) -> str:
        return f"Version({self.raw!r})"

    def same_number(self, text: str) -> bool:
        """True when ``text`` names this version (``14`` names ``0014``)."""
        try:
            return Version(text).parts == self.parts
        except ValueError:
            return False


def looks_like_version(text: str) -> bool:
    return bool(_NUMBER.search(text or ""))
