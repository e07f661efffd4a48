"""The demo tenant's maintenance, made through the maintenance services (so each record
writes its event): a parts shelf, an oil service every 15,000 km or 12 months and a seasonal
tyre swap per vehicle (last done at believable points, so some are due soon and one is
overdue), a brake check every 30,000 km for each top-level group, and a handful of work
orders — two completed (their parts drawn from stock, the oil schedule reset), one in
progress holding its van in the workshop, two open."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.logins import DEMO_SLUG
from fleetyard.maintenance.due import add_months
from fleetyard.maintenance.evaluate import today_in
from fleetyard.maintenance.parts import PartService
from fleetyard.maintenance.repository import MaintenanceRepository
from fleetyard.maintenance.schemas import (
    LastDone,
    PartCreate,
    ServiceScheduleCreate,
    Source,
    WorkOrderCreate,
    WorkOrderStatus,
    WorkOrderUpdate,
)
from fleetyard.maintenance.service import ScheduleService
from fleetyard.maintenance.work_orders import WorkOrderService
from fleetyard.models import Group, Part, ServiceSchedule, Vehicle, WorkOrder

# part number, name, on hand, unit cost, reorder level
PARTS: Final = (
    ("MANN-W712/95", "Oil filter W 712/95", "14", "9.80", "4"),
    ("CASTROL-5W30-L", "Engine oil 5W-30 (litre)", "62", "8.90", "20"),
    ("BREMBO-P85020", "Brake pads, front axle (set)", "5", "64.50", "2"),
    ("BOSCH-S5A08", "Battery 12 V 77 Ah AGM", "2", "189.00", "1"),
    ("BOSCH-AR653S", "Wiper blades (pair)", "9", "24.90", "3"),
    ("MANN-CU2939", "Cabin air filter", "3", "18.40", "3"),
)
OIL: Final = "Oil service"
OIL_ORDER: Final = "Oil and filter change (15,000 km service)"
TYRES: Final = "Tyre swap (season)"
BRAKES: Final = "Brake check"
# km since the last oil service, per vehicle in turn: most fine, some due soon, one overdue
OIL_KM_AGO: Final = (3_200, 14_300, 8_900, 16_400, 11_800, 600, 14_650, 6_400)
LABOUR_RATE: Final = D("78.00")


@dataclass(frozen=True, slots=True)
class DemoVehicle:
    id: uuid.UUID
    label: str
    odometer_km: D


async def seed_maintenance(
    session: AsyncSession, actor: Principal, slug: str, now: datetime | None = None
) -> tuple[int, int]:
    """(planned, created) maintenance records of the demo tenant, each made if missing."""
    if slug != DEMO_SLUG:
        return 0, 0
    now = now or datetime.now(UTC)
    vehicles = await _vehicles(session, actor)
    if not vehicles:
        return 0, 0
    seeder = _Seeder(session, actor, now)
    await seeder.parts()
    await seeder.schedules(vehicles, await _top_groups(session, actor))
    await seeder.work_orders(vehicles)
    return seeder.planned, seeder.created


async def _vehicles(session: AsyncSession, actor: Principal) -> list[DemoVehicle]:
    stmt = (
        select(Vehicle.id, Vehicle.plate, Vehicle.odometer_km)
        .where(Vehicle.tenant_id == actor.tenant_id, Vehicle.status != "retired")
        .order_by(Vehicle.plate, Vehicle.id)
    )
    return [
        DemoVehicle(r.id, r.plate or "", D(str(r.odometer_km or 0)))
        for r in await session.execute(stmt)
    ]


async def _top_groups(session: AsyncSession, actor: Principal) -> list[uuid.UUID]:
    stmt = (
        select(Group.id)
        .where(Group.tenant_id == actor.tenant_id, Group.parent_id.is_(None))
        .order_by(Group.name)
    )
    return list((await session.execute(stmt)).scalars())


def last_tyre_swap(today: date) -> date:
    """The latest of 15 April and 15 October on or before today (summer / winter tyres)."""
    for year in (today.year, today.year - 1):
        for month in (10, 4):
            swap = date(year, month, 15)
            if swap <= today:
                return swap
    raise AssertionError("unreachable")


class _Seeder:
    def __init__(self, session: AsyncSession, actor: Principal, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.planned = 0
        self.created = 0
        self.part_ids: dict[str, uuid.UUID] = {}
        self.oil: dict[uuid.UUID, uuid.UUID] = {}  # vehicle → its oil schedule

    async def _existing(self, model: Any, column: Any) -> dict[str, uuid.UUID]:
        stmt = select(func.lower(column), model.id).where(model.tenant_id == self.actor.tenant_id)
        return {key: record_id for key, record_id in await self.session.execute(stmt)}

    async def parts(self) -> None:
        existing = await self._existing(Part, Part.part_number)
        service = PartService(self.session, self.actor)
        for number, name, on_hand, cost, reorder in PARTS:
            self.planned += 1
            if number.lower() in existing:
                self.part_ids[number] = existing[number.lower()]
                continue
            part = await service.create(
                PartCreate(
                    part_number=number,
                    name=name,
                    quantity_on_hand=D(on_hand),
                    unit_cost=D(cost),
                    reorder_level=D(reorder),
                )
            )
            self.part_ids[number] = part.id
            self.created += 1

    async def schedules(self, vehicles: list[DemoVehicle], groups: list[uuid.UUID]) -> None:
        zone, _ = await MaintenanceRepository(
            self.session, self.actor.tenant_id
        ).zone_and_currency()
        today = today_in(zone, self.now)
        stmt = select(
            ServiceSchedule.name,
            ServiceSchedule.vehicle_id,
            ServiceSchedule.group_id,
            ServiceSchedule.id,
        ).where(ServiceSchedule.tenant_id == self.actor.tenant_id)
        existing = {
            (r.name, r.vehicle_id or r.group_id): r.id for r in await self.session.execute(stmt)
        }
        service = ScheduleService(self.session, self.actor)
        swap = last_tyre_swap(today)
        for index, vehicle in enumerate(vehicles):
            km_ago = D(OIL_KM_AGO[index % len(OIL_KM_AGO)])
            months_ago = 2 + index % 9
            oil = ServiceScheduleCreate(
                name=OIL,
                description="Engine oil and filter.",
                component="engine",
                vehicle_id=vehicle.id,
                interval_km=D(15_000),
                interval_months=12,
                soon_km=D(1_000),
                soon_days=30,
                last_done=LastDone(
                    odometer_km=max(vehicle.odometer_km - km_ago, D(0)),
                    on=add_months(today, -months_ago),
                ),
            )
            self.oil[vehicle.id] = await self._schedule(service, existing, oil)
            tyres = ServiceScheduleCreate(
                name=TYRES,
                description="Summer tyres from mid-April, winter tyres from mid-October.",
                component="tyres",
                vehicle_id=vehicle.id,
                interval_months=6,
                soon_days=21,
                last_done=LastDone(on=swap),
            )
            await self._schedule(service, existing, tyres)
        for group_id in groups:
            brakes = ServiceScheduleCreate(
                name=BRAKES,
                description="Pads, discs and brake fluid inspected.",
                component="brakes",
                group_id=group_id,
                interval_km=D(30_000),
                soon_km=D(2_000),
            )
            await self._schedule(service, existing, brakes)

    async def _schedule(
        self,
        service: ScheduleService,
        existing: dict[tuple[str, uuid.UUID | None], uuid.UUID],
        data: ServiceScheduleCreate,
    ) -> uuid.UUID:
        self.planned += 1
        key = (data.name, data.vehicle_id or data.group_id)
        if key in existing:
            return existing[key]
        created = await service.create(data, self.now)
        self.created += 1
        return created.id

    async def work_orders(self, vehicles: list[DemoVehicle]) -> None:
        plans = self._work_order_plans(vehicles)
        self.planned += len(plans)
        titles = [body.title for body, _ in plans]
        count = await self.session.scalar(
            select(func.count()).where(
                WorkOrder.tenant_id == self.actor.tenant_id, WorkOrder.title.in_(titles)
            )
        )
        if count:  # other demo steps (inspections, prediction history) add their own
            return
        service = WorkOrderService(self.session, self.actor)
        for body, moves in plans:
            order = await service.create(body, self.now)
            for status in moves:
                await service.update(order.id, WorkOrderUpdate(status=status), None, self.now)
            self.created += 1

    def _work_order_plans(
        self, vehicles: list[DemoVehicle]
    ) -> list[tuple[WorkOrderCreate, list[WorkOrderStatus]]]:
        v = [vehicles[i % len(vehicles)] for i in range(5)]
        part = self.part_ids
        labour = {"kind": "labour", "rate": LABOUR_RATE}
        done = [WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED]
        return [
            (
                WorkOrderCreate.model_validate(
                    {
                        "vehicle_id": v[0].id,
                        "title": OIL_ORDER,
                        "source": Source(kind="schedule", id=self.oil[v[0].id]),
                        "vendor": "Own workshop, Vantaa",
                        "lines": [
                            {**labour, "hours": D("0.8"), "description": "Drain, refill, reset"},
                            {"kind": "part", "part_id": part["MANN-W712/95"], "quantity": D(1)},
                            {
                                "kind": "part",
                                "part_id": part["CASTROL-5W30-L"],
                                "quantity": D("5.5"),
                            },
                        ],
                    }
                ),
                done,
            ),
            (
                WorkOrderCreate.model_validate(
                    {
                        "vehicle_id": v[1].id,
                        "title": "Front brake pads worn to 3 mm",
                        "component": "brakes",
                        "kind": "corrective",
                        "priority": "high",
                        "vendor": "Vianor Pasila",
                        "lines": [
                            {
                                **labour,
                                "hours": D("1.5"),
                                "rate": D("92.00"),
                                "description": "Replace pads, clean calipers",
                            },
                            {"kind": "part", "part_id": part["BREMBO-P85020"], "quantity": D(1)},
                        ],
                    }
                ),
                done,
            ),
            (
                WorkOrderCreate.model_validate(
                    {
                        "vehicle_id": v[2].id,
                        "title": "Battery fails to hold charge overnight",
                        "component": "battery",
                        "kind": "breakdown",
                        "priority": "urgent",
                        "vendor": "Own workshop, Vantaa",
                        "out_of_service_from": self.now - timedelta(hours=3),
                        "out_of_service_until": self.now + timedelta(hours=21),
                        "lines": [
                            {**labour, "hours": D("1.0"), "description": "Load test, replace"},
                            {"kind": "part", "part_id": part["BOSCH-S5A08"], "quantity": D(1)},
                        ],
                    }
                ),
                [WorkOrderStatus.IN_PROGRESS],
            ),
            (
                WorkOrderCreate.model_validate(
                    {
                        "vehicle_id": v[3].id,
                        "title": "Stone chip in windscreen, driver's side",
                        "component": "other",
                        "kind": "corrective",
                        "priority": "low",
                        "vendor": "Carglass Vantaa",
                        "lines": [
                            {
                                "kind": "part",
                                "description": "Chip repair resin kit",
                                "quantity": D(1),
                                "unit_cost": D("39.00"),
                            },
                        ],
                    }
                ),
                [],
            ),
            (
                WorkOrderCreate.model_validate(
                    {
                        "vehicle_id": v[4].id,
                        "title": "Replace wiper blades and cabin filter",
                        "component": "other",
                        "kind": "preventive",
                        "lines": [
                            {**labour, "hours": D("0.3")},
                            {"kind": "part", "part_id": part["BOSCH-AR653S"], "quantity": D(1)},
                            {"kind": "part", "part_id": part["MANN-CU2939"], "quantity": D(1)},
                        ],
                    }
                ),
                [],
            ),
        ]
