"""How each domain's record becomes a search document, and the registry of them all.

Weights: what identifies a record (plate, VIN, name, IMEI, licence number) is A; what
describes it (make, model, its group and depot) is B; what else it says (type, tags, the
assigned driver, a reservation's purpose) is C; notes (why a vehicle is in the shop) are D.
A later domain writes a loader like these and adds its source to ``SOURCES``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Permission
from fleetyard.geofences.search import geofence_documents
from fleetyard.inspections.search import defect_documents, inspection_documents
from fleetyard.kit.ids import TenantId
from fleetyard.maintenance.search import part_documents, work_order_documents
from fleetyard.models import (
    Alert,
    Device,
    Driver,
    Group,
    Inspection,
    InspectionDefect,
    Integration,
    Reservation,
    RoutePlan,
    Vehicle,
)
from fleetyard.models.geofence import Geofence
from fleetyard.models.part import Part
from fleetyard.models.work_order import WorkOrder
from fleetyard.search.document import Document, Field, Match, Weight, field, fields_of
from fleetyard.search.groups import GroupTree
from fleetyard.search.registry import BuildContext, DocumentSource, Registry
from fleetyard.search.route_plans import route_plan_documents
from fleetyard.search.sources import AssignedDriver, RecordRows, Tracker, VehicleRef, table_of
from fleetyard.trips.repository import trips
from fleetyard.trips.search import trip_documents

A, B, C, D = Weight.A, Weight.B, Weight.C, Weight.D


def vehicle_label(row: Any) -> str:
    """As the event log names a vehicle: its plate, else its name, else its VIN."""
    for value in (row.plate, row.name, row.vin):
        if value and value.strip():
            return str(value).strip()
    return "Vehicle"


def _join(*parts: Any) -> str:
    return " · ".join(str(p).strip() for p in parts if p is not None and str(p).strip())


Ref = tuple[str, uuid.UUID]


def _placed(
    groups: GroupTree, group_id: uuid.UUID | None
) -> tuple[list[Field], dict[str, str], set[Ref]]:
    """Fields, facets and refs of a record's group: its name, its depot's (when another),
    and the ids of the whole chain (filtering by a region finds what its depots hold)."""
    chain = groups.chain(group_id)
    depot = groups.depot(group_id)
    fields = [*field("group", chain[0].name if chain else None, B)]
    if depot is not None and chain and depot.id != chain[0].id:
        fields += field("depot", depot.name, B)
    facets = {
        "group": str(chain[0].id) if chain else "",
        "depot": str(depot.id) if depot else "",
    }
    return fields, facets, {("group", node.id) for node in chain}


def _vehicle_ref(vehicle: VehicleRef | None) -> set[Ref]:
    return {("vehicle", vehicle.id)} if vehicle is not None else set()


# vehicles -----------------------------------------------------------------------------------
def vehicle_document(
    row: Row[Any], trackers: Sequence[Tracker], drivers: Sequence[AssignedDriver], groups: GroupTree
) -> Document:
    place_fields, place_facets, place_refs = _placed(groups, row.group_id)
    detail = row.status_detail or {}
    chain = groups.chain(row.group_id)
    return Document(
        entity_type="vehicle",
        entity_id=row.id,
        title=vehicle_label(row),
        subtitle=_join(
            " ".join(p.strip() for p in (row.make, row.model) if p and p.strip()),
            row.year,
            chain[0].name if chain else None,
            row.name if row.plate else None,
        ),
        fields=fields_of(
            field("plate", row.plate, A, Match.EXACT),
            field("vin", row.vin, A, Match.SUFFIX),
            field("name", row.name, A),
            field("tracker", [t.unique_id for t in trackers], A, Match.SUFFIX),
            field("make", row.make, B),
            field("model", row.model, B),
            place_fields,
            field("type", row.type.replace("_", " "), C),
            field("fuel_type", row.fuel_type.replace("_", " "), C),
            field("year", row.year, C),
            field("tags", list(row.tags or []), C),
            field("driver", [d.name for d in drivers], C),
            field("notes", [detail.get("shop"), detail.get("reason")], D),
        ),
        facets={
            "status": row.status,
            "make": (row.make or "").strip(),
            "model": (row.model or "").strip(),
            "type": row.type,
            "fuel_type": row.fuel_type,
            **place_facets,
        },
        refs=frozenset(
            place_refs | {("device", t.id) for t in trackers} | {("driver", d.id) for d in drivers}
        ),
    )


async def vehicle_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = RecordRows(session, tenant_id)
    vehicles = await rows.vehicles(ids)
    found = [v.id for v in vehicles]
    trackers = await rows.trackers_of(found)
    drivers = await rows.drivers_of(found)
    return [
        vehicle_document(v, trackers.get(v.id, []), drivers.get(v.id, []), ctx.groups)
        for v in vehicles
    ]


# drivers ------------------------------------------------------------------------------------
def driver_document(row: Row[Any], vehicle: VehicleRef | None, groups: GroupTree) -> Document:
    place_fields, place_facets, place_refs = _placed(groups, row.group_id)
    return Document(
        entity_type="driver",
        entity_id=row.id,
        title=row.name,
        subtitle=_join(row.licence_number, vehicle_label(vehicle) if vehicle else None),
        fields=fields_of(
            field("name", row.name, A),
            field("licence_number", row.licence_number, A, Match.EXACT),
            field("email", row.email, B),
            field("phone", row.phone, B, Match.EXACT),
            place_fields,
            field("vehicle", vehicle_label(vehicle) if vehicle else None, C),
            field("licence_class", row.licence_class, C),
        ),
        facets={"status": row.status, **place_facets},
        refs=frozenset(place_refs | _vehicle_ref(vehicle)),
    )


async def driver_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = RecordRows(session, tenant_id)
    drivers = await rows.drivers(ids)
    vehicles = await rows.vehicle_refs([d.assigned_vehicle_id for d in drivers])
    return [driver_document(d, vehicles.get(d.assigned_vehicle_id), ctx.groups) for d in drivers]


# devices ------------------------------------------------------------------------------------
def device_document(row: Row[Any], vehicle: VehicleRef | None, groups: GroupTree) -> Document:
    place_fields, place_facets, place_refs = _placed(groups, vehicle.group_id if vehicle else None)
    on = vehicle_label(vehicle) if vehicle else None
    return Document(
        entity_type="device",
        entity_id=row.id,
        title=(row.name or "").strip() or row.unique_id,
        subtitle=_join(row.protocol, row.unique_id if (row.name or "").strip() else None, on),
        fields=fields_of(
            field("unique_id", row.unique_id, A, Match.SUFFIX),
            field("name", row.name, A),
            field("vehicle", on, B),
            field("phone", row.phone, B, Match.EXACT),
            field("protocol", row.protocol.replace("_", " "), C),
            place_fields,
        ),
        facets={
            "protocol": row.protocol,
            "status": "attached" if vehicle else "unattached",
            **place_facets,
        },
        refs=frozenset(place_refs | _vehicle_ref(vehicle)),
    )


async def device_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = RecordRows(session, tenant_id)
    devices = await rows.devices(ids)
    vehicles = await rows.vehicle_refs([d.vehicle_id for d in devices])
    return [device_document(d, vehicles.get(d.vehicle_id), ctx.groups) for d in devices]


# reservations -------------------------------------------------------------------------------
def _period(starts: datetime, ends: datetime) -> str:
    start = f"{starts:%Y-%m-%d %H:%M}"
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{start}–{end} UTC"


def reservation_document(
    row: Row[Any], vehicle: VehicleRef | None, driver: str | None, groups: GroupTree
) -> Document:
    place_fields, place_facets, place_refs = _placed(groups, vehicle.group_id if vehicle else None)
    label = vehicle_label(vehicle) if vehicle else "Vehicle"
    return Document(
        entity_type="reservation",
        entity_id=row.id,
        title=f"{label}, {_period(row.starts_at, row.ends_at)}",
        subtitle=_join(driver, row.purpose, row.status),
        fields=fields_of(
            field("vehicle", label if vehicle else None, A),
            field("driver", driver, A),
            place_fields,
            field("purpose", row.purpose, C),
            field("status", row.status, C),
        ),
        facets={"status": row.status, **place_facets},
        refs=frozenset(
            place_refs
            | _vehicle_ref(vehicle)
            | ({("driver", row.driver_id)} if row.driver_id else set())
        ),
    )


async def reservation_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = RecordRows(session, tenant_id)
    reservations = await rows.reservations(ids)
    vehicles = await rows.vehicle_refs([r.vehicle_id for r in reservations])
    drivers = await rows.driver_names([r.driver_id for r in reservations])
    return [
        reservation_document(
            r,
            vehicles.get(r.vehicle_id),
            drivers.get(r.driver_id) if r.driver_id else None,
            ctx.groups,
        )
        for r in reservations
    ]


# alerts -------------------------------------------------------------------------------------
def alert_state(row: Row[Any]) -> str:
    return "open" if row.cleared_at is None else "cleared"


def alert_document(row: Row[Any], vehicle: VehicleRef | None, groups: GroupTree) -> Document:
    place_fields, place_facets, place_refs = _placed(groups, vehicle.group_id if vehicle else None)
    label = vehicle_label(vehicle) if vehicle else None
    return Document(
        entity_type="alert",
        entity_id=row.id,
        title=row.message,
        subtitle=_join(label, row.severity, alert_state(row)),
        fields=fields_of(
            field("message", row.message, A),
            field("code", row.code, A, Match.EXACT),
            field("vehicle", label, A),
            field("kind", row.kind.replace("_", " "), B),
            place_fields,
            field("severity", row.severity, C),
        ),
        facets={
            "status": alert_state(row),
            "severity": row.severity,
            "kind": row.kind,
            **place_facets,
        },
        refs=frozenset(place_refs | _vehicle_ref(vehicle)),
    )


async def alert_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = RecordRows(session, tenant_id)
    alerts = await rows.alerts(ids)
    vehicles = await rows.vehicle_refs([a.vehicle_id for a in alerts])
    return [alert_document(a, vehicles.get(a.vehicle_id), ctx.groups) for a in alerts]


# groups -------------------------------------------------------------------------------------
def group_document(group_id: uuid.UUID, groups: GroupTree) -> Document | None:
    chain = groups.chain(group_id)
    if not chain:
        return None
    group, ancestors = chain[0], chain[1:]
    depot = groups.depot(group_id)
    return Document(
        entity_type="group",
        entity_id=group.id,
        title=group.name,
        subtitle=_join(group.kind, f"in {ancestors[0].name}" if ancestors else None),
        fields=fields_of(
            field("name", group.name, A),
            field("parent", [a.name for a in ancestors], B),
            field("kind", group.kind, C),
        ),
        facets={"kind": group.kind, "depot": str(depot.id) if depot else ""},
        refs=frozenset(("group", a.id) for a in ancestors),
    )


async def group_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    built = (group_document(group_id, ctx.groups) for group_id in ids)
    return [doc for doc in built if doc is not None]


# integrations -------------------------------------------------------------------------------
def integration_document(row: Any) -> Document:
    return Document(
        entity_type="integration",
        entity_id=row.id,
        title=row.name,
        subtitle=_join(row.provider.replace("_", " "), "paused" if row.paused else None),
        fields=fields_of(
            field("name", row.name, A),
            field("provider", row.provider.replace("_", " "), B),
        ),
        facets={"provider": row.provider, "status": "paused" if row.paused else "active"},
    )


async def integration_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    rows = await RecordRows(session, tenant_id).integrations(ids)
    return [integration_document(row) for row in rows]


SOURCES: Final = Registry(
    [
        DocumentSource("vehicle", Permission.VEHICLES_READ, table_of(Vehicle), vehicle_documents),
        DocumentSource(
            "driver",
            Permission.DRIVERS_READ,
            table_of(Driver),
            driver_documents,
            shown_in=frozenset({"vehicle"}),
        ),
        DocumentSource(
            "device",
            Permission.DEVICES_READ,
            table_of(Device),
            device_documents,
            shown_in=frozenset({"vehicle"}),
        ),
        DocumentSource(
            "reservation",
            Permission.RESERVATIONS_READ,
            table_of(Reservation),
            reservation_documents,
        ),
        # alerts are read with vehicles:read, as the alerts API does
        DocumentSource("alert", Permission.VEHICLES_READ, table_of(Alert), alert_documents),
        DocumentSource("group", Permission.GROUPS_READ, table_of(Group), group_documents),
        DocumentSource(
            "integration",
            Permission.INTEGRATIONS_MANAGE,
            table_of(Integration),
            integration_documents,
        ),
        # registered by the geofences domain (its loader lives there)
        DocumentSource(
            "geofence", Permission.GEOFENCES_READ, table_of(Geofence), geofence_documents
        ),
        # registered by the trips domain (its loader lives there); read as vehicles are
        DocumentSource("trip", Permission.VEHICLES_READ, trips, trip_documents),
        # registered by the maintenance domain (its loaders live there)
        DocumentSource(
            "work_order",
            Permission.MAINTENANCE_READ,
            table_of(WorkOrder),
            work_order_documents,
        ),
        DocumentSource("part", Permission.MAINTENANCE_READ, table_of(Part), part_documents),
        # registered by the inspections domain (its loaders live there)
        DocumentSource(
            "inspection",
            Permission.INSPECTIONS_READ,
            table_of(Inspection),
            inspection_documents,
        ),
        DocumentSource(
            "defect", Permission.INSPECTIONS_READ, table_of(InspectionDefect), defect_documents
        ),
        # route plans: found by name, job id or planned vehicle (see search/route_plans.py)
        DocumentSource(
            "route_plan",
            Permission.ROUTE_PLANS_READ,
            table_of(RoutePlan),
            route_plan_documents,
        ),
    ]
)
