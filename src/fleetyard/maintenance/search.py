"""Work orders and parts as search documents (registered in
``fleetyard.search.documents.SOURCES``): a work order is found by its number ("WO-12"), its
title, its vehicle, its shop and its lines; a part by its number and name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Part, WorkOrder, WorkOrderLine
from fleetyard.search.document import Document, Match, Weight, field, fields_of
from fleetyard.search.registry import BuildContext
from fleetyard.search.sources import RecordRows, VehicleRef

A, B, C, D = Weight.A, Weight.B, Weight.C, Weight.D


def work_order_label(number: int) -> str:
    return f"WO-{number}"


def _vehicle_label(vehicle: VehicleRef | None) -> str | None:
    if vehicle is None:
        return None
    for value in (vehicle.plate, vehicle.name, vehicle.vin):
        if value and value.strip():
            return str(value).strip()
    return None


def work_order_document(row: Any, vehicle: VehicleRef | None, lines: Sequence[str]) -> Document:
    label = _vehicle_label(vehicle)
    return Document(
        entity_type="work_order",
        entity_id=row.id,
        title=f"{work_order_label(row.number)} · {row.title}",
        subtitle=" · ".join(p for p in (label, row.status.replace("_", " "), row.vendor) if p),
        fields=fields_of(
            field("number", work_order_label(row.number), A, Match.EXACT),
            field("title", row.title, A),
            field("vehicle", label, B),
            field("vendor", row.vendor, B),
            field("component", row.component.replace("_", " "), C),
            field("kind", row.kind, C),
            field("lines", list(lines), C),
            field("description", row.description, D),
        ),
        facets={
            "status": row.status,
            "component": row.component,
            "kind": row.kind,
            "priority": row.priority,
        },
        refs=frozenset({("vehicle", vehicle.id)} if vehicle else set()),
    )


async def work_order_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    w = WorkOrder.__table__.c
    stmt = select(
        w.id,
        w.number,
        w.title,
        w.status,
        w.vendor,
        w.component,
        w.kind,
        w.priority,
        w.description,
        w.vehicle_id,
    ).where(w.tenant_id == tenant_id, w.id.in_(list(ids)))
    rows = (await session.execute(stmt)).all()
    line = WorkOrderLine.__table__.c
    texts: dict[uuid.UUID, list[str]] = {r.id: [] for r in rows}
    line_rows = await session.execute(
        select(line.work_order_id, line.description).where(
            line.tenant_id == tenant_id, line.work_order_id.in_(list(texts)), line.description != ""
        )
    )
    for work_order_id, description in line_rows:
        texts[work_order_id].append(description)
    vehicles = await RecordRows(session, tenant_id).vehicle_refs([r.vehicle_id for r in rows])
    return [work_order_document(r, vehicles.get(r.vehicle_id), texts[r.id]) for r in rows]


def part_document(row: Any) -> Document:
    low = row.quantity_on_hand <= row.reorder_level
    return Document(
        entity_type="part",
        entity_id=row.id,
        title=f"{row.name} ({row.part_number})",
        subtitle=f"{row.quantity_on_hand.normalize():f} in stock" + (" · low" if low else ""),
        fields=fields_of(
            field("part_number", row.part_number, A, Match.EXACT),
            field("name", row.name, A),
        ),
        facets={"low_stock": "yes" if low else "no"},
    )


async def part_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    p = Part.__table__.c
    stmt = select(p.id, p.part_number, p.name, p.quantity_on_hand, p.reorder_level).where(
        p.tenant_id == tenant_id, p.id.in_(list(ids))
    )
    return [part_document(row) for row in (await session.execute(stmt)).all()]
