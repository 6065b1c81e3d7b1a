"""A snapshot of the objects a database already has, as plain values.

``migtui.db.catalog`` reads one from a live server; the analysis only ever
sees this value, so it can be tested without a server.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from migtui.core.model import ObjectRef


@dataclass(frozen=True)
class CatalogSnapshot:
    objects: frozenset[ObjectRef] = frozenset()
    server_version: str = ""
    database: str = ""
    #: Extensions the server could install (pg_available_extensions); None when
    #: not read, so nothing is concluded from it.
    available_extensions: frozenset[str] | None = None
    #: Whether the server's roles (pg_roles) are among ``objects``: without
    #: them, nothing is concluded about a role.
    roles_read: bool = False
    #: The search_path a new session on the target takes (its database's and
    #: role's own settings), ``$user`` resolved; empty when not read.
    search_path: tuple[str, ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict = defaultdict(list)
        for ref in self.objects:
            index[ref.key].append(ref)
        object.__setattr__(self, "_index", dict(index))

    def has(self, ref: ObjectRef) -> bool:
        return any(ref.matches(other) for other in self._index.get(ref.key, ()))

    def find(self, ref: ObjectRef) -> ObjectRef | None:
        for other in self._index.get(ref.key, ()):
            if ref.matches(other):
                return other
        return None

    def __len__(self) -> int:
        return len(self.objects)
