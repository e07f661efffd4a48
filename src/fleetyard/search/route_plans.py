"""Route plans as search documents (registered in ``fleetyard.search.documents.SOURCES``):
found by their name, by a job's id or name, and by the plate of a vehicle they plan for;
faceted by status. The request and solution are JSON; only what a dispatcher types is read
from them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import RoutePlan
from fleetyard.search.document import Document, Match, Weight, field, fields_of
from fleetyard.search.registry import BuildContext
from fleetyard.search.sources import RecordRows, VehicleRef


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _entries(request: Any, key: str) -> list[dict[str, Any]]:
    items = request.get(key) if isinstance(request, dict) else None
    return [item for item in items or () if isinstance(item, dict)]


def _vehicle_ids(request: Any) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for vehicle in _entries(request, "vehicles"):
        try:
            found.append(uuid.UUID(str(vehicle.get("vehicle_id"))))
        except ValueError:
            continue
    return found


def _texts(items: Iterable[dict[str, Any]], key: str) -> list[str]:
    return [str(item[key]) for item in items if item.get(key)]


def route_plan_document(row: Any, vehicles: Sequence[VehicleRef]) -> Document:
    jobs = _entries(row.request, "jobs")
    plates = [v.plate or v.name or v.vin for v in vehicles]
    return Document(
        entity_type="route_plan",
        entity_id=row.id,
        title=row.name,
        subtitle=" · ".join(
            (
                row.status,
                _plural(row.job_count, "job"),
                _plural(row.vehicle_count, "vehicle"),
                f"{row.created_at:%Y-%m-%d}",
            )
        ),
        fields=fields_of(
            field("name", row.name, Weight.A),
            field("job", _texts(jobs, "id"), Weight.A, Match.EXACT),
            field("job_name", _texts(jobs, "name"), Weight.B),
            field("vehicle", [p for p in plates if p], Weight.B, Match.EXACT),
            field("status", row.status, Weight.C),
        ),
        facets={"status": row.status},
        refs=frozenset(("vehicle", v.id) for v in vehicles),
    )


async def route_plan_documents(
    session: AsyncSession, tenant_id: TenantId, ids: Sequence[uuid.UUID], ctx: BuildContext
) -> list[Document]:
    if not ids:
        return []
    p = RoutePlan.__table__.c
    stmt = select(
        p.id, p.name, p.status, p.job_count, p.vehicle_count, p.request, p.created_at
    ).where(p.tenant_id == tenant_id, p.id.in_(list(ids)))
    rows = (await session.execute(stmt)).all()
    refs = await RecordRows(session, tenant_id).vehicle_refs(
        [v for row in rows for v in _vehicle_ids(row.request)]
    )
    return [
        route_plan_document(
            row, [refs[v] for v in dict.fromkeys(_vehicle_ids(row.request)) if v in refs]
        )
        for row in rows
    ]
