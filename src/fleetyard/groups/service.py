"""Group rules: names unique per tenant (case-insensitive), parents in the tenant, no cycles,
and a location that is whole (a point and a radius) or absent."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, literal, select

from fleetyard.errors import ValidationFailed
from fleetyard.groups.repository import vehicle_counts
from fleetyard.groups.schemas import DEFAULT_RADIUS_M, GroupCreate, GroupUpdate
from fleetyard.groups.schemas import Group as GroupOut
from fleetyard.kit.locks import lock_until_commit
from fleetyard.kit.records import RecordService
from fleetyard.models import Group

# Deeper than any real depot/region/team tree; stops the ancestor walk on corrupt data.
MAX_DEPTH = 1000


@dataclass(frozen=True, slots=True)
class GroupFilters:
    kind: str | None = None
    parent_id: uuid.UUID | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.kind is not None:
            clauses.append(Group.kind == self.kind)
        if self.parent_id is not None:
            clauses.append(Group.parent_id == self.parent_id)
        return clauses


class GroupService(RecordService[Group]):
    entity_type = "group"
    model = Group
    sort_fields = ("id", "name", "created_at", "updated_at")
    unique_fields = {"uq_groups_name": "name"}

    async def list(
        self, filters: GroupFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Group], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def with_counts(self, groups: Sequence[Group]) -> builtins.list[GroupOut]:
        """The API shape: each group with the number of vehicles in it (one query)."""
        counts = await vehicle_counts(self.session, self.actor.tenant_id, [g.id for g in groups])
        columns = [c.key for c in Group.__table__.columns]
        return [
            GroupOut.model_validate(
                {key: getattr(g, key) for key in columns} | {"vehicle_count": counts.get(g.id, 0)}
            )
            for g in groups
        ]

    async def create(self, data: GroupCreate) -> Group:
        await self._check_parent(data.parent_id)
        radius = data.radius_m
        if data.latitude is not None and radius is None:
            radius = DEFAULT_RADIUS_M
        return await self.insert(
            {
                "name": data.name,
                "kind": data.kind.value,
                "parent_id": data.parent_id,
                "latitude": data.latitude,
                "longitude": data.longitude,
                "radius_m": radius,
            }
        )

    async def update(
        self, group_id: uuid.UUID, data: GroupUpdate, expected_version: int | None
    ) -> Group:
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        if data.kind is not None:
            changes["kind"] = data.kind.value
        parent_id = changes.get("parent_id")
        if parent_id is not None:
            # Before any row lock: the move's FK check may wait on a row another move holds.
            await lock_until_commit(self.session, f"{self.actor.tenant_id}:groups:hierarchy")
        version = expected_version if expected_version is not None else data.version
        current = await self.get(group_id, for_update=True)
        self.check_version(current, version)
        _settle_location(current, changes)
        if parent_id is not None:
            await self._check_parent(parent_id)
            await self._refuse_cycle(group_id, parent_id)
        return await self.apply_update(group_id, changes, version)

    async def delete(self, group_id: uuid.UUID, expected_version: int | None) -> None:
        """Children, vehicles and drivers of the group lose it (their group becomes NULL)."""
        await self.remove(group_id, expected_version)

    async def _check_parent(self, parent_id: uuid.UUID | None) -> None:
        if parent_id is not None and not await self.exists(Group, parent_id):
            raise ValidationFailed("No such group in this tenant.", details={"field": "parent_id"})

    async def _refuse_cycle(self, group_id: uuid.UUID, parent_id: uuid.UUID) -> None:
        """Moving a group under one of its own descendants (or itself) would close a loop.
        The caller holds the hierarchy lock, so two concurrent moves (A under B, B under A)
        take turns and the second sees the first."""
        chain = await self.ancestors_of(parent_id)
        if group_id in chain:
            loop = chain[: chain.index(group_id) + 1]
            raise ValidationFailed(
                "A group cannot become its own ancestor.",
                details={"field": "parent_id", "cycle": [str(g) for g in [group_id, *loop]]},
            )

    async def ancestors_of(self, group_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
        """``group_id`` and its ancestors, nearest first."""
        tenant = self.actor.tenant_id
        start = (
            select(Group.id, Group.parent_id, literal(0).label("depth"))
            .where(Group.tenant_id == tenant, Group.id == group_id)
            .cte("chain", recursive=True)
        )
        chain = start.union_all(
            select(Group.id, Group.parent_id, start.c.depth + 1).where(
                Group.tenant_id == tenant, Group.id == start.c.parent_id, start.c.depth < MAX_DEPTH
            )
        )
        rows = await self.session.execute(select(chain.c.id).order_by(chain.c.depth))
        return tuple(rows.scalars())


def _settle_location(current: Group, changes: dict[str, Any]) -> None:
    """Make the location that ``changes`` leave whole: a cleared point takes its radius with
    it, a new point on a group without one gets the default radius, and a radius alone needs
    a point to go round."""
    if "latitude" in changes and changes["latitude"] is None:
        changes["radius_m"] = None
        return
    has_point = changes.get("latitude", current.latitude) is not None
    if not has_point and changes.get("radius_m") is not None:
        raise ValidationFailed(
            "A radius needs a location: send latitude and longitude too.",
            details={"field": "radius_m"},
        )
    if has_point and changes.get("radius_m", current.radius_m) is None:
        changes["radius_m"] = DEFAULT_RADIUS_M
