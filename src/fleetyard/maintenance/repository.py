"""Every line of maintenance SQL that is more than a record's get/list: the live meters, who a
schedule covers, each vehicle's state under its schedules, work order numbers and lines, and
the stock a completed work order draws on. All scoped to one tenant (RLS is the second lock)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import (
    Part,
    ServiceSchedule,
    ServiceScheduleVehicle,
    Tenant,
    Vehicle,
    WorkOrder,
    WorkOrderLine,
)

# vehicle_state keeps the latest odometer (m) and merges attributes (``engine_hours`` is
# telematics.attributes.ENGINE_HOURS; past MAX_READING it is garbage), so engine hours stay
# whichever fix last carried them; a vehicle without live state answers its typed odometer.
_METERS = text(
    """
select v.id as vehicle_id,
    coalesce(round((s.odometer_m / 1000)::numeric, 1), v.odometer_km) as km,
    case when jsonb_typeof(s.attributes -> 'engine_hours') = 'number'
          and (s.attributes ->> 'engine_hours')::float8 between 0 and 1e12
         then round((s.attributes ->> 'engine_hours')::numeric, 1) end as hours,
    s.fix_time as read_at
from vehicles v
left join vehicle_state s on s.tenant_id = v.tenant_id and s.vehicle_id = v.id
where v.tenant_id = :tenant_id and v.id = any(:vehicle_ids)
"""
)

# A group's schedule covers the vehicles of the group and of every group below it.
_GROUP_VEHICLES = text(
    """
with recursive tree as (
    select id from groups where tenant_id = :tenant_id and id = :group_id
    union
    select g.id from groups g join tree t on g.parent_id = t.id where g.tenant_id = :tenant_id
)
select v.id from vehicles v
where v.tenant_id = :tenant_id and v.group_id in (select id from tree) and v.status <> 'retired'
"""
)

# Schedules covering a vehicle: its own, and those of its group and the groups above it.
_SCHEDULES_OF_VEHICLE = text(
    """
with recursive chain as (
    select g.id, g.parent_id from groups g join vehicles v
        on v.tenant_id = g.tenant_id and v.group_id = g.id
    where v.tenant_id = :tenant_id and v.id = :vehicle_id
    union
    select g.id, g.parent_id from groups g join chain c on g.id = c.parent_id
    where g.tenant_id = :tenant_id
)
select s.id from service_schedules s
where s.tenant_id = :tenant_id
  and (s.vehicle_id = :vehicle_id or s.group_id in (select id from chain))
"""
)


@dataclass(frozen=True, slots=True)
class MeterRow:
    vehicle_id: uuid.UUID
    km: Decimal | None
    hours: Decimal | None
    read_at: datetime | None


class MaintenanceRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # tenant --------------------------------------------------------------------------------
    async def zone_and_currency(self) -> tuple[str, str]:
        row = (
            await self.session.execute(
                select(Tenant.time_zone, Tenant.currency).where(Tenant.id == self.tenant_id)
            )
        ).one()
        return row.time_zone or "UTC", row.currency or "EUR"

    # meters --------------------------------------------------------------------------------
    async def meters(self, vehicle_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, MeterRow]:
        if not vehicle_ids:
            return {}
        rows = await self.session.execute(
            _METERS, {"tenant_id": self.tenant_id, "vehicle_ids": list(vehicle_ids)}
        )
        return {r.vehicle_id: MeterRow(r.vehicle_id, r.km, r.hours, r.read_at) for r in rows}

    async def vehicle_status(self, vehicle_id: uuid.UUID) -> tuple[str | None, dict[str, Any]]:
        """The vehicle's status and its detail (the shop it is in), None when there is none."""
        stmt = select(Vehicle.status, Vehicle.status_detail).where(
            Vehicle.tenant_id == self.tenant_id, Vehicle.id == vehicle_id
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return (None, {}) if row is None else (row.status, dict(row.status_detail or {}))

    async def downtime_shops(self, vehicle_id: uuid.UUID) -> set[str | None]:
        """The vendors of the vehicle's work orders that ever held it out of service."""
        stmt = select(WorkOrder.vendor).where(
            WorkOrder.tenant_id == self.tenant_id,
            WorkOrder.vehicle_id == vehicle_id,
            WorkOrder.out_of_service_from.is_not(None),
        )
        return set((await self.session.execute(stmt)).scalars())

    # who a schedule covers -----------------------------------------------------------------
    async def covered_vehicles(self, schedule: ServiceSchedule) -> list[uuid.UUID]:
        if schedule.vehicle_id is not None:
            return [schedule.vehicle_id]
        rows = await self.session.execute(
            _GROUP_VEHICLES, {"tenant_id": self.tenant_id, "group_id": schedule.group_id}
        )
        return [r.id for r in rows]

    async def schedule_ids_of_vehicle(self, vehicle_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.execute(
            _SCHEDULES_OF_VEHICLE, {"tenant_id": self.tenant_id, "vehicle_id": vehicle_id}
        )
        return [r.id for r in rows]

    async def schedules(self, ids: Sequence[uuid.UUID] | None = None) -> list[ServiceSchedule]:
        stmt = select(ServiceSchedule).where(ServiceSchedule.tenant_id == self.tenant_id)
        if ids is not None:
            stmt = stmt.where(ServiceSchedule.id.in_(list(ids)))
        return list((await self.session.execute(stmt.order_by(ServiceSchedule.id))).scalars())

    # state per vehicle ---------------------------------------------------------------------
    async def states(
        self,
        schedule_ids: Sequence[uuid.UUID] | None = None,
        vehicle_id: uuid.UUID | None = None,
    ) -> list[ServiceScheduleVehicle]:
        stmt = select(ServiceScheduleVehicle).where(
            ServiceScheduleVehicle.tenant_id == self.tenant_id
        )
        if schedule_ids is not None:
            stmt = stmt.where(ServiceScheduleVehicle.schedule_id.in_(list(schedule_ids)))
        if vehicle_id is not None:
            stmt = stmt.where(ServiceScheduleVehicle.vehicle_id == vehicle_id)
        stmt = stmt.order_by(ServiceScheduleVehicle.schedule_id, ServiceScheduleVehicle.vehicle_id)
        return list((await self.session.execute(stmt)).scalars())

    async def add_states(self, rows: Sequence[dict[str, Any]]) -> None:
        """New (schedule, vehicle) pairs; one already there (a racing evaluator) is kept."""
        if not rows:
            return
        stmt = insert(ServiceScheduleVehicle).on_conflict_do_nothing()
        await self.session.execute(stmt, [{"tenant_id": self.tenant_id, **r} for r in rows])

    async def drop_states(self, schedule_id: uuid.UUID, vehicle_ids: Sequence[uuid.UUID]) -> None:
        if not vehicle_ids:
            return
        await self.session.execute(
            delete(ServiceScheduleVehicle).where(
                ServiceScheduleVehicle.tenant_id == self.tenant_id,
                ServiceScheduleVehicle.schedule_id == schedule_id,
                ServiceScheduleVehicle.vehicle_id.in_(list(vehicle_ids)),
            )
        )

    async def counts_by_schedule(
        self, schedule_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, int]]:
        c = ServiceScheduleVehicle
        stmt = (
            select(c.schedule_id, c.status, func.count())
            .where(c.tenant_id == self.tenant_id, c.schedule_id.in_(list(schedule_ids)))
            .group_by(c.schedule_id, c.status)
        )
        found: dict[uuid.UUID, dict[str, int]] = {}
        for schedule_id, status, count in await self.session.execute(stmt):
            found.setdefault(schedule_id, {})[status] = count
        return found

    async def vehicles_by_status(self) -> dict[str, int]:
        """How many vehicles have a schedule in each not-ok status (their worst one)."""
        rows = await self.session.execute(
            text(
                """
                select worst, count(*) from (
                    select vehicle_id, max(case status when 'overdue' then 3 when 'due' then 2
                        when 'due_soon' then 1 else 0 end) as worst
                    from service_schedule_vehicles s
                    where tenant_id = :tenant_id and status <> 'ok'
                      and exists (select 1 from service_schedules d where d.tenant_id = s.tenant_id
                                  and d.id = s.schedule_id and d.enabled)
                    group by vehicle_id
                ) w group by worst
                """
            ),
            {"tenant_id": self.tenant_id},
        )
        names = {1: "due_soon", 2: "due", 3: "overdue"}
        return {names[worst]: count for worst, count in rows}

    async def open_work_orders(self, vehicle_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(
            WorkOrder.tenant_id == self.tenant_id,
            WorkOrder.vehicle_id == vehicle_id,
            WorkOrder.status.in_(("open", "in_progress")),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    # work orders ---------------------------------------------------------------------------
    async def next_number(self) -> int:
        """Work orders are numbered per tenant: serialised by an advisory lock until commit."""
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.tenant_id}:work_order_number"},
        )
        stmt = select(func.coalesce(func.max(WorkOrder.number), 0)).where(
            WorkOrder.tenant_id == self.tenant_id
        )
        return int((await self.session.execute(stmt)).scalar_one()) + 1

    async def lines_of(self, work_order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
        found: dict[uuid.UUID, list[Any]] = {i: [] for i in work_order_ids}
        if not work_order_ids:
            return found
        stmt = (
            select(WorkOrderLine)
            .where(
                WorkOrderLine.tenant_id == self.tenant_id,
                WorkOrderLine.work_order_id.in_(list(work_order_ids)),
            )
            .order_by(WorkOrderLine.work_order_id, WorkOrderLine.position)
        )
        for line in (await self.session.execute(stmt)).scalars():
            found[line.work_order_id].append(line)
        return found

    async def replace_lines(
        self, work_order_id: uuid.UUID, lines: Sequence[dict[str, Any]]
    ) -> None:
        await self.session.execute(
            delete(WorkOrderLine).where(
                WorkOrderLine.tenant_id == self.tenant_id,
                WorkOrderLine.work_order_id == work_order_id,
            )
        )
        for position, line in enumerate(lines, start=1):
            self.session.add(
                WorkOrderLine(
                    tenant_id=self.tenant_id,
                    work_order_id=work_order_id,
                    position=position,
                    **line,
                )
            )
        await self.session.flush()

    async def active_downtime(self, vehicle_id: uuid.UUID, now: datetime) -> list[WorkOrder]:
        """Unfinished work orders that hold the vehicle out of service right now."""
        stmt = select(WorkOrder).where(
            WorkOrder.tenant_id == self.tenant_id,
            WorkOrder.vehicle_id == vehicle_id,
            WorkOrder.status.in_(("open", "in_progress")),
            WorkOrder.out_of_service_from <= now,
            (WorkOrder.out_of_service_until.is_(None)) | (WorkOrder.out_of_service_until > now),
        )
        return list((await self.session.execute(stmt)).scalars())

    # parts ---------------------------------------------------------------------------------
    async def parts_for_update(self, part_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Part]:
        if not part_ids:
            return {}
        stmt = (
            select(Part)
            .where(Part.tenant_id == self.tenant_id, Part.id.in_(sorted(set(part_ids))))
            .order_by(Part.id)  # one lock order: two completions never deadlock
            .with_for_update(key_share=True)
        )
        return {p.id: p for p in (await self.session.execute(stmt)).scalars()}

    async def parts(self, part_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Part]:
        if not part_ids:
            return {}
        stmt = select(Part).where(Part.tenant_id == self.tenant_id, Part.id.in_(list(part_ids)))
        return {p.id: p for p in (await self.session.execute(stmt)).scalars()}

    async def low_stock_count(self) -> int:
        stmt = select(func.count()).where(
            Part.tenant_id == self.tenant_id, Part.quantity_on_hand <= Part.reorder_level
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def reset_state(
        self,
        schedule_id: uuid.UUID,
        vehicle_id: uuid.UUID,
        km: Decimal | None,
        hours: Decimal | None,
        on: date,
        work_order_id: uuid.UUID,
    ) -> bool:
        stmt = (
            update(ServiceScheduleVehicle)
            .where(
                ServiceScheduleVehicle.tenant_id == self.tenant_id,
                ServiceScheduleVehicle.schedule_id == schedule_id,
                ServiceScheduleVehicle.vehicle_id == vehicle_id,
            )
            .values(
                last_done_km=km,
                last_done_hours=hours,
                last_done_on=on,
                last_work_order_id=work_order_id,
            )
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]
