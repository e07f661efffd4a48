"""Inspections and defects as search documents (registered in
``fleetyard.search.documents.SOURCES``): found by vehicle, checklist item and note, faceted by
kind, status and whether critical."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Inspection, InspectionDefect, Vehicle
from fleetyard.search.document import Document, Match, Weight, field, fields_of
from fleetyard.search.registry import BuildContext


async def _vehicle_labels(
    session: AsyncSession, tenant_id: TenantId, ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    v = Vehicle.__table__.c
    stmt = select(v.id, v.plate, v.name, v.vin).where(
        v.tenant_id == tenant_id, v.id.in_(sorted(ids))
    )
    return {
        r.id: next((x for x in (r.plate, r.name, r.vin) if x), "Vehicle")
        for r in (await session.execute(stmt)).all()
    }


def _kind(kind: str) -> str:
    return kind.replace("_", "-")


def inspection_document(row: Any, vehicle: str | None) -> Document:
    failed = [r for r in row.results if r.get("result") == "fail"]
    outcome = f"{len(failed)} defect{'s' * (len(failed) != 1)}" if failed else "passed"
    return Document(
        entity_type="inspection",
        entity_id=row.id,
        title=f"{vehicle or 'Vehicle'}: {_kind(row.kind)} inspection",
        subtitle=f"{row.performed_at:%Y-%m-%d %H:%M} UTC · {outcome}",
        fields=fields_of(
            field("vehicle", vehicle, Weight.A),
            field("defects", [r["label"] for r in failed], Weight.B),
            field("kind", _kind(row.kind), Weight.C),
            field("notes", [row.notes, *(r.get("note", "") for r in failed)], Weight.D),
        ),
        facets={"kind": row.kind, "outcome": "defects" if failed else "passed"},
        refs=frozenset({("vehicle", row.vehicle_id)}),
    )


def defect_document(row: Any, vehicle: str | None) -> Document:
    what = f"{row.section}: {row.label}" if row.section else row.label
    return Document(
        entity_type="defect",
        entity_id=row.id,
        title=f"{vehicle or 'Vehicle'}: {what}",
        subtitle=" · ".join(
            p for p in ("critical" if row.critical else "", row.status.replace("_", " ")) if p
        ),
        fields=fields_of(
            field("defect", row.label, Weight.A),
            field("vehicle", vehicle, Weight.A),
            field("item", row.item_id, Weight.B, Match.EXACT),
            field("section", row.section, Weight.C),
            field("note", [row.note, row.sign_off_note], Weight.D),
        ),
        facets={"status": row.status, "critical": "yes" if row.critical else "no"},
        refs=frozenset({("vehicle", row.vehicle_id)}),
    )


async def inspection_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    i = Inspection.__table__.c
    stmt = select(i.id, i.vehicle_id, i.kind, i.performed_at, i.results, i.notes).where(
        i.tenant_id == tenant_id, i.id.in_(list(ids))
    )
    rows = (await session.execute(stmt)).all()
    vehicles = await _vehicle_labels(session, tenant_id, {r.vehicle_id for r in rows})
    return [inspection_document(r, vehicles.get(r.vehicle_id)) for r in rows]


async def defect_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    d = InspectionDefect.__table__.c
    stmt = select(
        d.id,
        d.vehicle_id,
        d.item_id,
        d.section,
        d.label,
        d.note,
        d.status,
        d.critical,
        d.sign_off_note,
    ).where(d.tenant_id == tenant_id, d.id.in_(list(ids)))
    rows = (await session.execute(stmt)).all()
    vehicles = await _vehicle_labels(session, tenant_id, {r.vehicle_id for r in rows})
    return [defect_document(r, vehicles.get(r.vehicle_id)) for r in rows]
