"""Migration versions and their natural order.

``0013 < 0013_5 < 0014 < 0100``, ``1 < 1.1 < 1.10 < 2``, and dbmate's
14-digit timestamps are versions too. A version is compared number by number,
never as a string, so leading zeros and the width of a number don't matter.

Some layouts are the exception: diesel keeps a version as a string and runs its
migrations in string order, so its versions are compared as text
(``version_for(raw, "diesel")``): ``202511190914440000`` (from a folder
``2025-11-19-091444-0000_x``) runs before ``20260120162913``. Prisma and pop do
the same, and the Supabase CLI runs its files in the order of their names
(``20240101120000_a.sql`` before ``20240101_b.sql``: ``1`` sorts before ``_``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from functools import total_ordering
from typing import TypeVar

T = TypeVar("T")

_NUMBER = re.compile(r"\d+")

#: Layouts whose own tool orders versions as text, character by character.
TEXT_ORDERED_LAYOUTS = frozenset({"diesel", "prisma", "pop", "supabase", "yoyo"})
#: What follows the version in a file name, where the tool orders the files by
#: name: the version is compared as if followed by it.
_NAME_AFTER = {"supabase": "_"}


@total_ordering
class Version:
    """A version as written (``raw``), ordered by its numeric parts, or, with
    ``as_text``, by its characters. Equal versions have equal numeric parts
    either way (``14`` names ``0014``). Only a version kept as text may hold
    no number (Prisma runs a folder called ``init`` too)."""

    __slots__ = ("raw", "parts", "order", "as_text")

    def __init__(
        self,
        raw: str,
        *,
        as_text: bool = False,
        followed_by: str = "",
        parts: tuple[int, ...] | None = None,
    ) -> None:
        raw = str(raw).strip()
        if not raw:
            raise ValueError("a version cannot be empty")
        self.raw = raw
        #: ``parts`` given: the numbers a tool orders by, where the name's own
        #: do not tell them apart (node-pg-migrate's files sharing a number).
        self.parts: tuple[int, ...] = (
            parts if parts is not None else tuple(int(n) for n in _NUMBER.findall(raw))
        )
        if not self.parts and not as_text:
            raise ValueError(f"version {raw!r} has no number in it")
        #: What ``<`` compares: the numbers, or the characters' code points.
        self.order: tuple[int, ...] = tuple(map(ord, raw + followed_by)) if as_text else self.parts
        #: Two versions kept as text are equal only as text: Prisma's
        #: ``2024_a`` and ``2024_b`` differ though their numbers agree.
        self.as_text = as_text

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.same_number(other)
        if not isinstance(other, Version):
            return NotImplemented
        if self.as_text and other.as_text:
            return self.raw == other.raw
        return self.parts == other.parts  # a number names a version of either kind

    def __lt__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.order < other.order

    def __hash__(self) -> int:
        return hash(self.parts)  # equal versions always share their numbers

    def __str__(self) -> str:
        return self.raw

    def __repr__(self) -> str:
        return f"Version({self.raw!r})"

    def same_number(self, text: str) -> bool:
        """True when ``text`` names this version (``14`` names ``0014``)."""
        try:
            return Version(text).parts == self.parts or text.strip() == self.raw
        except ValueError:
            return False


@functools.lru_cache(maxsize=65536)
def version_for(raw: str, layout: str | None) -> Version:
    """``raw`` as a version of ``layout``, ordered as that layout's own tool orders it
    (kept: a Version is never changed, and ledgers are read again and again)."""
    return Version(
        raw, as_text=layout in TEXT_ORDERED_LAYOUTS, followed_by=_NAME_AFTER.get(layout or "", "")
    )


def named(text: str, candidates: Iterable[T], version_of: Callable[[T], Version]) -> T | None:
    """The candidate ``text`` names: the one whose version is written so, else the
    first whose numbers it names (``14`` names ``0014``). Written first: Prisma's
    ``20240304123642_traces_view`` and ``…_traces_view_improvement`` share their
    numbers and are two migrations."""
    candidates = list(candidates)
    text = text.strip()
    exact = next((c for c in candidates if version_of(c).raw == text), None)
    if exact is not None:
        return exact
    return next((c for c in candidates if version_of(c).same_number(text)), None)


def looks_like_version(text: str) -> bool:
    return bool(_NUMBER.search(text or ""))
