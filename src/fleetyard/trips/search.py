"""Trips as search documents (registered in ``fleetyard.search.documents.SOURCES``): found by
the vehicle's plate or name and the driver's name, titled with when and how far."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Driver, Vehicle
from fleetyard.search.document import Document, Weight, field, fields_of
from fleetyard.search.registry import BuildContext
from fleetyard.trips.repository import trips


def trip_document(row: Any) -> Document:
    vehicle = (row.plate or row.vehicle_name or "Vehicle").strip()
    when = row.started_at.strftime("%Y-%m-%d %H:%M")
    until = row.ended_at.strftime("%H:%M") if row.ended_at else "now"
    refs = {("vehicle", row.vehicle_id)}
    if row.driver_id is not None:
        refs.add(("driver", row.driver_id))
    return Document(
        entity_type="trip",
        entity_id=row.id,
        title=f"{vehicle} · {when}–{until}",
        subtitle=" · ".join(
            p for p in (f"{row.distance_m / 1000:.1f} km", row.driver_name, row.status) if p
        ),
        fields=fields_of(
            field("vehicle", [row.plate, row.vehicle_name], Weight.A),
            field("driver", row.driver_name, Weight.B),
            field("date", row.started_at.date().isoformat(), Weight.C),
        ),
        facets={"vehicle": str(row.vehicle_id), "status": row.status},
        refs=frozenset(refs),
    )


async def trip_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    vehicles, drivers = Vehicle.__table__, Driver.__table__
    t, v, d = trips.c, vehicles.c, drivers.c
    stmt = (
        select(
            t.id,
            t.vehicle_id,
            t.driver_id,
            t.status,
            t.started_at,
            t.ended_at,
            t.distance_m,
            v.plate,
            v.name.label("vehicle_name"),
            d.name.label("driver_name"),
        )
        .join(vehicles, (v.tenant_id == t.tenant_id) & (v.id == t.vehicle_id))
        .outerjoin(drivers, (d.tenant_id == t.tenant_id) & (d.id == t.driver_id))
        .where(t.tenant_id == tenant_id, t.id.in_(list(ids)))
    )
    return [trip_document(row) for row in (await session.execute(stmt)).all()]
