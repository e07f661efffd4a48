"""The one event log: every change to a record, written in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import (
    Alert,
    ApiKey,
    Device,
    Driver,
    Event,
    Group,
    Membership,
    Part,
    Reservation,
    ServiceSchedule,
    Tenant,
    User,
    Vehicle,
    Webhook,
    WorkOrder,
)

# Session.info key: the events a transaction wrote, published live once it has committed.
COMMITTED_EVENTS = "live_events"


class Named(NamedTuple):
    name: str
    role: str | None = None


NameKey = tuple[str, uuid.UUID]


def _blank_to_null(column: Any) -> ColumnElement[Any]:
    return func.nullif(func.btrim(column), "")


def vehicle_label(vehicle: type[Vehicle] = Vehicle) -> ColumnElement[Any]:
    """How a vehicle is named in words: its plate, else its name, else its VIN."""
    return func.coalesce(_blank_to_null(vehicle.plate), _blank_to_null(vehicle.name), vehicle.vin)


def _user_label() -> ColumnElement[Any]:
    return func.coalesce(_blank_to_null(User.display_name), User.email)


class EventRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def add(self, **values: Any) -> Event:
        event = Event(tenant_id=self.tenant_id, **values)
        self.session.add(event)
        self.session.info.setdefault(COMMITTED_EVENTS, []).append(event)
        return event

    async def list(
        self,
        *,
        entity_type: str | None,
        entity_id: uuid.UUID | None,
        event_type: str | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[Event]:
        stmt = select(Event).where(Event.tenant_id == self.tenant_id)
        if entity_type is not None:
            stmt = stmt.where(Event.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(Event.entity_id == entity_id)
        if event_type is not None:
            stmt = stmt.where(Event.type == event_type)
        if after_id is not None:
            stmt = stmt.where(Event.id < after_id)
        result = await self.session.execute(stmt.order_by(Event.id.desc()).limit(limit + 1))
        return result.scalars().all()

    async def names(self, wanted: Mapping[str, set[uuid.UUID]]) -> dict[NameKey, Named]:
        """(kind, id) → the record's name (and role, for people and keys), for every id
        that is one of this tenant's records: one statement for a whole page of events.

        Kinds: the tenant's record kinds, ``member`` (a user who is a member of this tenant
        today) and ``user`` (a user by id, for ids only the server writes: who acted, which
        member a member event is about; their role is today's, or null if they left)."""
        branches = [
            _KINDS[kind](self.tenant_id, sorted(ids))
            for kind, ids in wanted.items()
            if ids and kind in _KINDS
        ]
        if not branches:
            return {}
        rows = (await self.session.execute(union_all(*branches))).all()
        return {(row.kind, row.id): Named(row.name, row.role) for row in rows if row.name}


def _simple(
    kind: str, model: Any, name: Any, role: Any = None
) -> Callable[[TenantId, list[uuid.UUID]], Select[Any]]:
    def build(tenant_id: TenantId, ids: list[uuid.UUID]) -> Select[Any]:
        return select(
            literal(kind).label("kind"),
            model.id.label("id"),
            name.label("name"),
            (role if role is not None else null()).label("role"),
        ).where(model.tenant_id == tenant_id, model.id.in_(ids))

    return build


def _members(tenant_id: TenantId, ids: list[uuid.UUID]) -> Select[Any]:
    return (
        select(
            literal("member").label("kind"),
            User.id.label("id"),
            _user_label().label("name"),
            Membership.role.label("role"),
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, User.id.in_(ids))
    )


def _users(tenant_id: TenantId, ids: list[uuid.UUID]) -> Select[Any]:
    return (
        select(
            literal("user").label("kind"),
            User.id.label("id"),
            _user_label().label("name"),
            Membership.role.label("role"),
        )
        .outerjoin(
            Membership, (Membership.user_id == User.id) & (Membership.tenant_id == tenant_id)
        )
        .where(User.id.in_(ids))
    )


def _reservations(tenant_id: TenantId, ids: list[uuid.UUID]) -> Select[Any]:
    return (
        select(
            literal("reservation").label("kind"),
            Reservation.id.label("id"),
            vehicle_label().label("name"),
            null().label("role"),
        )
        .join(
            Vehicle,
            (Vehicle.tenant_id == Reservation.tenant_id) & (Vehicle.id == Reservation.vehicle_id),
        )
        .where(Reservation.tenant_id == tenant_id, Reservation.id.in_(ids))
    )


def _tenant(tenant_id: TenantId, ids: list[uuid.UUID]) -> Any:
    stmt: Any = select(
        literal("tenant").label("kind"),
        Tenant.id.label("id"),
        Tenant.name.label("name"),
        null().label("role"),
    ).where(Tenant.id == tenant_id, Tenant.id.in_(ids))
    return stmt


_KINDS: Mapping[str, Callable[[TenantId, list[uuid.UUID]], Select[Any]]] = {
    "group": _simple("group", Group, Group.name),
    "vehicle": _simple("vehicle", Vehicle, vehicle_label()),
    "driver": _simple("driver", Driver, Driver.name),
    "device": _simple(
        "device", Device, func.coalesce(_blank_to_null(Device.name), Device.unique_id)
    ),
    "api_key": _simple("api_key", ApiKey, ApiKey.name, ApiKey.role),
    "alert": _simple("alert", Alert, Alert.message),
    "webhook": _simple(
        "webhook", Webhook, func.coalesce(_blank_to_null(Webhook.description), Webhook.url)
    ),
    "reservation": _reservations,
    "service_schedule": _simple("service_schedule", ServiceSchedule, ServiceSchedule.name),
    "work_order": _simple("work_order", WorkOrder, func.concat("WO-", WorkOrder.number)),
    "part": _simple("part", Part, Part.name),
    "member": _members,
    "user": _users,
    "tenant": _tenant,
}
