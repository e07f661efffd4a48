"""The one place the inspection domain meets maintenance: a defect's work order is created by
the maintenance service (``source: {kind: "defect", id}``) in the same transaction, so the
defect's step and the work order commit together or not at all."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.maintenance.schemas import Component, Priority, Source, SourceKind, WorkOrderCreate
from fleetyard.maintenance.work_orders import WorkOrderService
from fleetyard.models import InspectionDefect

# A checklist item's id → the component the work order (and the failure prediction) names.
COMPONENTS: Final = {
    "brakes-service": Component.BRAKES,
    "brakes-parking": Component.BRAKES,
    "air-leaks": Component.BRAKES,
    "tyres": Component.TYRES,
    "wheel-nuts": Component.TYRES,
    "leaks": Component.ENGINE,
    "fluids": Component.ENGINE_COOLING,
    "lights-head": Component.ELECTRICAL,
    "lights-brake": Component.ELECTRICAL,
    "horn": Component.ELECTRICAL,
    "warning-lights": Component.ELECTRICAL,
}


async def create_work_order(
    session: AsyncSession, actor: Principal, defect: InspectionDefect, note: str
) -> uuid.UUID:
    what = f"{defect.section}: {defect.label}" if defect.section else defect.label
    description = "\n".join(p for p in (defect.note, note) if p)
    data = WorkOrderCreate(
        vehicle_id=defect.vehicle_id,
        title=f"Defect: {what}"[:200],
        description=description[:5000],
        component=COMPONENTS.get(defect.item_id, Component.OTHER),
        priority=Priority.URGENT if defect.critical else Priority.NORMAL,
        source=Source(kind=SourceKind.DEFECT, id=defect.id),
    )
    created = await WorkOrderService(session, actor).create(data)
    work_order_id: uuid.UUID = created.id
    return work_order_id
