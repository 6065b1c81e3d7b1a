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
