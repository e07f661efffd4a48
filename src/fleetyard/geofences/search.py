"""Geofences as search documents (registered in ``fleetyard.search.documents.SOURCES``):
found by name, faceted by shape, showing the groups they apply to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models.geofence import Geofence
from fleetyard.search.document import Document, Weight, field, fields_of
from fleetyard.search.registry import BuildContext


def _size(row: Any) -> str:
    if row.radius_m is not None:
        return f"circle · {row.radius_m:g} m"
    area = row.area_m2
    return f"polygon · {area / 1e6:.2f} km²" if area >= 100_000 else f"polygon · {area:,.0f} m²"


def geofence_document(row: Any, ctx: BuildContext) -> Document:
    groups = [ctx.groups.chain(g)[0] for g in row.group_ids or () if ctx.groups.chain(g)]
    applies = "all vehicles" if row.all_vehicles else ", ".join(g.name for g in groups)
    limit = f"{row.speed_limit_kmh} km/h" if row.speed_limit_kmh else None
    return Document(
        entity_type="geofence",
        entity_id=row.id,
        title=row.name,
        subtitle=" · ".join(p for p in (_size(row), limit, applies) if p),
        fields=fields_of(
            field("name", row.name, Weight.A),
            field("group", [g.name for g in groups], Weight.B),
            field("shape", row.shape, Weight.C),
        ),
        facets={"shape": row.shape, "speed_limit": "yes" if row.speed_limit_kmh else "no"},
        refs=frozenset(("group", g.id) for g in groups),
    )


async def geofence_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    g = Geofence.__table__.c
    stmt = select(
        g.id,
        g.name,
        g.shape,
        g.radius_m,
        g.area_m2,
        g.all_vehicles,
        g.group_ids,
        g.speed_limit_kmh,
    ).where(g.tenant_id == tenant_id, g.id.in_(list(ids)))
    rows = (await session.execute(stmt)).all()
    return [geofence_document(row, ctx) for row in rows]
