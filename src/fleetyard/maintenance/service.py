"""Service schedules: a vehicle's or a group's, due by km, engine hours or calendar, whichever
comes first; each change an event; each change evaluated at once against the live meters."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists

from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.maintenance import due as rules
from fleetyard.maintenance.evaluate import Evaluator, compute_state, today_in
from fleetyard.maintenance.repository import MaintenanceRepository
from fleetyard.maintenance.schemas import (
    DueStatus,
    Meters,
    ScheduleCounts,
    ScheduleDue,
    ServiceScheduleCreate,
    ServiceScheduleUpdate,
    VehicleMaintenance,
    intervals_problem,
)
from fleetyard.maintenance.schemas import ServiceSchedule as ScheduleOut
from fleetyard.models import Group, ServiceSchedule, ServiceScheduleVehicle, Vehicle


@dataclass(frozen=True, slots=True)
class ScheduleFilters:
    vehicle_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    status: DueStatus | None = None
    component: str | None = None


class ScheduleService(RecordService[ServiceSchedule]):
    entity_type = "service_schedule"
    model = ServiceSchedule
    sort_fields = ("id", "name", "created_at", "updated_at")

    @property
    def repo(self) -> MaintenanceRepository:
        return MaintenanceRepository(self.session, self.actor.tenant_id)

    async def _clauses(self, filters: ScheduleFilters) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        s = ServiceSchedule
        if filters.vehicle_id is not None:
            ids = await self.repo.schedule_ids_of_vehicle(filters.vehicle_id)
            clauses.append(s.id.in_(ids))
        if filters.group_id is not None:
            clauses.append(s.group_id == filters.group_id)
        if filters.component is not None:
            clauses.append(s.component == filters.component)
        if filters.status is not None:
            state = ServiceScheduleVehicle
            match = exists().where(
                state.tenant_id == s.tenant_id,
                state.schedule_id == s.id,
                state.status == filters.status.value,
            )
            if filters.vehicle_id is not None:
                match = match.where(state.vehicle_id == filters.vehicle_id)
            clauses.append(match)
        return clauses

    async def list(
        self, filters: ScheduleFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[builtins.list[ScheduleOut], str | None]:
        clauses = await self._clauses(filters)
        rows, next_cursor = await self.list_page(clauses, sort=sort, cursor=cursor, limit=limit)
        return await self.out(rows), next_cursor

    async def out(self, rows: Sequence[ServiceSchedule]) -> builtins.list[ScheduleOut]:
        counts = await self.repo.counts_by_schedule([r.id for r in rows])
        result = []
        for row in rows:
            found = counts.get(row.id, {})
            status = rules.worst([DueStatus(k) for k, n in found.items() if n])
            out = ScheduleOut.model_validate(row)
            result.append(
                out.model_copy(update={"status": status, "vehicles": ScheduleCounts(**found)})
            )
        return result

    async def read(self, schedule_id: uuid.UUID) -> ScheduleOut:
        [out] = await self.out([await self.get(schedule_id)])
        return out

    async def create(self, data: ServiceScheduleCreate, now: datetime | None = None) -> ScheduleOut:
        if data.vehicle_id is not None and not await self.exists(Vehicle, data.vehicle_id):
            raise ValidationFailed(
                "No such vehicle in this tenant.", details={"field": "vehicle_id"}
            )
        if data.group_id is not None and not await self.exists(Group, data.group_id):
            raise ValidationFailed("No such group in this tenant.", details={"field": "group_id"})
        values = data.model_dump(exclude={"last_done"})
        record = await self.insert(values)
        baselines = None
        if data.last_done is not None and data.vehicle_id is not None:
            now_ = now or datetime.now(UTC)
            zone, _ = await self.repo.zone_and_currency()
            done = data.last_done
            baselines = {
                data.vehicle_id: rules.Done(
                    done.odometer_km, done.engine_hours, done.on or today_in(zone, now_)
                )
            }
        await Evaluator(self.session, self.actor.tenant_id).run(
            now or datetime.now(UTC), [record.id], baselines
        )
        return await self.read(record.id)

    async def update(
        self,
        schedule_id: uuid.UUID,
        data: ServiceScheduleUpdate,
        expected_version: int | None,
        now: datetime | None = None,
    ) -> ScheduleOut:
        version = expected_version if expected_version is not None else data.version
        record = await self.get(schedule_id, for_update=True)
        self.check_version(record, version)
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        merged = {
            k: changes.get(k, getattr(record, k))
            for k in ("interval_km", "interval_hours", "interval_days", "interval_months")
        }
        problem = intervals_problem(**{k.removeprefix("interval_"): v for k, v in merged.items()})
        if problem:
            raise ValidationFailed(problem, details={"field": "interval_km"})
        await self.apply_update(schedule_id, changes, version)
        await Evaluator(self.session, self.actor.tenant_id).run(
            now or datetime.now(UTC), [schedule_id]
        )
        return await self.read(schedule_id)

    async def delete(self, schedule_id: uuid.UUID, expected_version: int | None) -> None:
        record = await self.get(schedule_id, for_update=True)
        self.check_version(record, expected_version)
        # its reminders end with it: disabled, evaluated (alerts cleared), then removed
        record.enabled = False
        await self.flush()
        await Evaluator(self.session, self.actor.tenant_id).run(datetime.now(UTC), [schedule_id])
        await self.remove(schedule_id, None)

    async def vehicles(
        self, schedule_id: uuid.UUID, now: datetime | None = None
    ) -> builtins.list[ScheduleDue]:
        schedule = await self.get(schedule_id)
        return await self._dues([schedule], None, now or datetime.now(UTC))

    async def _dues(
        self,
        schedules: Sequence[ServiceSchedule],
        vehicle_id: uuid.UUID | None,
        now: datetime,
    ) -> builtins.list[ScheduleDue]:
        zone, _ = await self.repo.zone_and_currency()
        today = today_in(zone, now)
        by_id = {s.id: s for s in schedules}
        states = await self.repo.states(list(by_id), vehicle_id)
        meters = await self.repo.meters(sorted({s.vehicle_id for s in states}))
        dues = []
        for state in states:
            schedule = by_id[state.schedule_id]
            result = compute_state(schedule, state, meters.get(state.vehicle_id), today)
            dues.append(
                ScheduleDue(
                    schedule_id=schedule.id,
                    schedule_name=schedule.name,
                    component=schedule.component,
                    vehicle_id=state.vehicle_id,
                    status=result.status if schedule.enabled else DueStatus.OK,
                    due_by=list(result.due_by),
                    last_done_km=state.last_done_km,
                    last_done_hours=state.last_done_hours,
                    last_done_on=state.last_done_on,
                    next_due_km=result.next_km,
                    next_due_hours=result.next_hours,
                    next_due_on=result.next_on,
                    remaining_km=result.remaining_km,
                    remaining_hours=result.remaining_hours,
                    remaining_days=result.remaining_days,
                    last_work_order_id=state.last_work_order_id,
                )
            )
        order = {DueStatus.OVERDUE: 0, DueStatus.DUE: 1, DueStatus.DUE_SOON: 2, DueStatus.OK: 3}
        dues.sort(key=lambda d: (order[d.status], d.schedule_name, str(d.vehicle_id)))
        return dues

    async def vehicle_status(
        self, vehicle_id: uuid.UUID, now: datetime | None = None
    ) -> VehicleMaintenance:
        """A vehicle's schedules computed live (not the last evaluation) from its meters."""
        now = now or datetime.now(UTC)
        if not await self.exists(Vehicle, vehicle_id):
            raise NotFound(
                "No such vehicle.", details={"entity_type": "vehicle", "id": str(vehicle_id)}
            )
        ids = await self.repo.schedule_ids_of_vehicle(vehicle_id)
        schedules = await self.repo.schedules(ids)
        dues = await self._dues(schedules, vehicle_id, now)
        zone, _ = await self.repo.zone_and_currency()
        meter = (await self.repo.meters([vehicle_id])).get(vehicle_id)
        return VehicleMaintenance(
            vehicle_id=vehicle_id,
            status=rules.worst([d.status for d in dues]),
            meters=Meters(
                odometer_km=meter.km if meter else None,
                engine_hours=meter.hours if meter else None,
                read_at=meter.read_at if meter else None,
                today=today_in(zone, now),
            ),
            schedules=dues,
            open_work_orders=await self.repo.open_work_orders(vehicle_id),
        )
