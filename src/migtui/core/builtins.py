"""The functions PostgreSQL itself has: pg_catalog's, PostgreSQL 18's list, kept
in ``data/builtin_functions.txt`` (held to the server by a DB test), with its
types' names, which a call may name too (``jsonb(x)`` is a cast). A call of any
other name needs a function the folder, an extension or the target makes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def builtin_functions() -> frozenset[str]:
    """The names of pg_catalog's functions, procedures, aggregates and types."""
    text = resources.files("migtui.core").joinpath("data/builtin_functions.txt").read_text()
    return frozenset(text.split())


@cache
def catalog_relations() -> frozenset[str]:
    """The names of pg_catalog's tables and views (``pg_roles``, ``pg_class``):
    each is a type too, of its rows (``RETURNS SETOF pg_roles``)."""
    text = resources.files("migtui.core").joinpath("data/catalog_relations.txt").read_text()
    return frozenset(text.split())


@cache
def builtin_arities() -> dict[str, tuple[tuple[int, int | None], ...]]:
    """For each name of pg_catalog's functions, the numbers of arguments its
    overloads take: (fewest, most), most None for a VARIADIC one
    (``data/builtin_arities.txt``, held to the server by a DB test)."""
    text = resources.files("migtui.core").joinpath("data/builtin_arities.txt").read_text()
    found: dict[str, tuple[tuple[int, int | None], ...]] = {}
    for line in text.splitlines():
        name, _, ranges = line.partition(" ")
        spans = []
        for span in ranges.split(","):
            low, _, high = span.partition("-")
            spans.append((int(low), None if high == "*" else int(high)))
        found[name] = tuple(spans)
    return found


def takes_arguments(name: str, count: int) -> bool | None:
    """Whether one of pg_catalog's functions named ``name`` takes ``count``
    arguments (None: it has no function of that name)."""
    spans = builtin_arities().get(name)
    if spans is None:
        return None
    return any(low <= count and (high is None or count <= high) for low, high in spans)
