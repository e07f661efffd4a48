"""The registry of document sources: every domain that is searchable says, the same way, how
its records become documents and who may read them.

A domain adds one :class:`DocumentSource` to ``fleetyard.search.documents.SOURCES``: its entity
type (the ``entity_type`` of its events), the permission that reads its records, its table,
and a loader that builds documents for a batch of ids (an id it does not return is a deleted
record, whose document is removed). Nothing else changes: the indexer follows its events, the
reindex command lists its table, and the search API offers its type to whoever may read it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.kit.ids import TenantId
from fleetyard.search.document import Document
from fleetyard.search.groups import GroupTree


@dataclass(frozen=True, slots=True)
class BuildContext:
    """Read once per batch and shared by its loaders (a batch of vehicles names its groups
    from one read of the tenant's groups)."""

    groups: GroupTree


Loader = Callable[
    [AsyncSession, TenantId, Sequence[uuid.UUID], BuildContext], Awaitable[list[Document]]
]


@dataclass(frozen=True, slots=True)
class DocumentSource:
    entity_type: str
    permission: Permission
    table: Table
    load: Loader
    # Types whose documents show this one (a vehicle shows its trackers' ids): when a record
    # of this type starts pointing at one of them, that document is rebuilt too. (Documents
    # that already point at a changed record are found through their refs.)
    shown_in: frozenset[str] = frozenset()


class Registry:
    def __init__(self, sources: Iterable[DocumentSource]) -> None:
        self._sources = {source.entity_type: source for source in sources}

    def __iter__(self) -> Iterator[DocumentSource]:
        return iter(self._sources.values())

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self._sources)

    def get(self, entity_type: str) -> DocumentSource | None:
        return self._sources.get(entity_type)

    def readable_by(self, principal: Principal) -> tuple[str, ...]:
        """The types whose records the caller may read: all they ever see in search."""
        return tuple(t for t, s in self._sources.items() if principal.can(s.permission))
