"""The demo tenant's inspections: its checklists, a morning of pre-trip inspections, most
passed; one van with a cracked mirror waiting for a mechanic, one whose low tyre was
repaired and signed off, and one truck held out of service by a brake defect. Created
through the inspection services, so every event, alert and search document is real."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.logins import DEMO_SLUG
from fleetyard.inspections.defects import DefectService
from fleetyard.inspections.schemas import (
    AnswerIn,
    DefectSignOff,
    InspectionKind,
    InspectionSubmit,
    ItemResult,
)
from fleetyard.inspections.service import InspectionService
from fleetyard.inspections.templates import TemplateService
from fleetyard.models import Inspection, Vehicle

PASSED: Final = 6
# (vehicle type, failed item, note, signed off as)
WITH_DEFECTS: Final = (
    ("van", "mirrors", "Nearside mirror glass cracked", None),
    ("van", "tyres", "Rear left tyre soft, 1.6 bar", "Tyre repaired and inflated to 3.5 bar"),
    ("truck", "brakes-service", "Brakes pull hard to the right", None),
)


async def _vehicles(session: AsyncSession, actor: Principal) -> Sequence[tuple[uuid.UUID, str]]:
    stmt = (
        select(Vehicle.id, Vehicle.type)
        .where(Vehicle.tenant_id == actor.tenant_id, Vehicle.status == "active")
        .order_by(Vehicle.plate)
        .limit(40)
    )
    return [(row.id, row.type) for row in (await session.execute(stmt)).all()]


async def _inspect(
    service: InspectionService,
    vehicle_id: uuid.UUID,
    at: datetime,
    failed: tuple[str, str] | None,
) -> Inspection:
    form = await service.form(vehicle_id, InspectionKind.PRE_TRIP)
    answers = [
        AnswerIn(item_id=item["id"], result=ItemResult.FAIL, note=failed[1])
        if failed and item["id"] == failed[0]
        else AnswerIn(item_id=item["id"], result=ItemResult.PASS)
        for item in form.template.items
    ]
    return await service.submit(
        InspectionSubmit(
            vehicle_id=vehicle_id,
            template_id=form.template.id,
            kind=InspectionKind.PRE_TRIP,
            performed_at=at,
            answers=answers,
        )
    )


async def seed_inspections(session: AsyncSession, actor: Principal, slug: str) -> tuple[int, int]:
    """(planned, created): the demo tenant's checklists and inspections, once (a tenant that
    has any inspection is left as it is)."""
    if slug != DEMO_SLUG:
        return 0, 0
    planned = PASSED + len(WITH_DEFECTS)
    await TemplateService(session, actor).ensure_defaults()
    done = await session.scalar(select(func.count()).where(Inspection.tenant_id == actor.tenant_id))
    if done:
        return planned, 0
    vehicles = list(await _vehicles(session, actor))
    service = InspectionService(session, actor)
    morning = datetime.now(UTC).replace(hour=5, minute=40, second=0, microsecond=0)
    created = 0
    for kind, item, note, signed_off in WITH_DEFECTS:
        match = next((v for v in vehicles if v[1] == kind), None)
        if match is None:
            continue
        vehicles.remove(match)
        inspection = await _inspect(
            service, match[0], morning + timedelta(minutes=7 * created), (item, note)
        )
        created += 1
        if signed_off:
            defects = await service.defects_by_inspection([inspection])
            for defect in defects[inspection.id]:
                await DefectService(session, actor).sign_off(
                    defect.id, DefectSignOff(outcome="resolved", note=signed_off), None
                )
    for vehicle_id, _ in vehicles[:PASSED]:
        await _inspect(service, vehicle_id, morning + timedelta(minutes=7 * created), None)
        created += 1
    return planned, created
