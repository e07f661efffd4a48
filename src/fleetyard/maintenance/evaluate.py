"""Evaluate schedules against the live meters: keep one state row per schedule and vehicle it
covers, store each one's status and next due point, and raise or clear its reminder alert.

Reminders are alert kinds (``service_due_soon``, ``service_due``, ``service_overdue``), one
open per vehicle and schedule (the alert's code is the schedule's id), written through the
alerts' own store, so their events, notification rules and channels are those of any alert.
Called in the request that changes a schedule or completes a work order, and for every tenant
by :mod:`fleetyard.maintenance.scheduler` on a timer (so meters moving show within a loop).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.maintenance import due as rules
from fleetyard.maintenance.repository import MaintenanceRepository, MeterRow
from fleetyard.maintenance.schemas import DueStatus
from fleetyard.models import ServiceSchedule, ServiceScheduleVehicle
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore

KIND_OF: Final = {
    DueStatus.DUE_SOON: "service_due_soon",
    DueStatus.DUE: "service_due",
    DueStatus.OVERDUE: "service_overdue",
}
SEVERITY_OF: Final = {
    DueStatus.DUE_SOON: Severity.INFO,
    DueStatus.DUE: Severity.WARNING,
    DueStatus.OVERDUE: Severity.CRITICAL,
}
REMINDER_KINDS: Final = frozenset(KIND_OF.values())


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def intervals_of(schedule: ServiceSchedule) -> rules.Intervals:
    return rules.Intervals(
        km=schedule.interval_km,
        hours=schedule.interval_hours,
        days=schedule.interval_days,
        months=schedule.interval_months,
        soon_km=schedule.soon_km,
        soon_hours=schedule.soon_hours,
        soon_days=schedule.soon_days,
    )


def compute_state(
    schedule: ServiceSchedule, state: ServiceScheduleVehicle, meter: MeterRow | None, today: date
) -> rules.Due:
    done = rules.Done(state.last_done_km, state.last_done_hours, state.last_done_on)
    readings = rules.Readings(meter.km if meter else None, meter.hours if meter else None, today)
    return rules.compute(intervals_of(schedule), done, readings)


async def raw_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's own asyncpg connection, inside its transaction (the alert store's)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    return driver


def _amount(value: Decimal, unit: str) -> str:
    return f"{abs(value):,.0f} {unit}"


def reminder_message(name: str, due: rules.Due) -> str:
    parts = []
    for meter in due.due_by:
        if meter == "km" and due.remaining_km is not None:
            left = due.remaining_km
            parts.append(
                f"in {_amount(left, 'km')}" if left > 0 else f"{_amount(left, 'km')} past due"
            )
        elif meter == "hours" and due.remaining_hours is not None:
            left = due.remaining_hours
            parts.append(
                f"in {_amount(left, 'engine h')}"
                if left > 0
                else f"{_amount(left, 'engine h')} past due"
            )
        elif meter == "date" and due.remaining_days is not None and due.next_on is not None:
            days = due.remaining_days
            when = f"on {due.next_on.isoformat()}"
            parts.append(f"{when} (in {days} d)" if days > 0 else f"{when} ({-days} d ago)")
    words = {
        DueStatus.DUE_SOON: "due soon",
        DueStatus.DUE: "due",
        DueStatus.OVERDUE: "overdue",
    }[due.status]
    return f"{name} {words}: {', '.join(parts)}." if parts else f"{name} {words}."


@dataclass
class Outcome:
    evaluated: int = 0
    changed: int = 0
    raised: int = 0
    cleared: int = 0


class Evaluator:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.repo = MaintenanceRepository(session, tenant_id)

    async def run(
        self,
        now: datetime,
        schedule_ids: Sequence[uuid.UUID] | None = None,
        baselines: dict[uuid.UUID, rules.Done] | None = None,
    ) -> Outcome:
        """Evaluate these schedules (all the tenant's when None). ``baselines`` gives a new
        vehicle state its last-done point (else: the meters now, today)."""
        zone, _ = await self.repo.zone_and_currency()
        today = today_in(zone, now)
        schedules = await self.repo.schedules(schedule_ids)
        covered = {s.id: await self.repo.covered_vehicles(s) for s in schedules}
        all_vehicles = sorted({v for vs in covered.values() for v in vs})
        meters = await self.repo.meters(all_vehicles)
        states = {(s.schedule_id, s.vehicle_id): s for s in await self.repo.states(list(covered))}
        store = AlertStore(await raw_connection(self.session), self.tenant_id)
        outcome = Outcome()
        for schedule in schedules:
            await self._sync(schedule, covered[schedule.id], states, meters, today, baselines)
            gone = [v for (s, v) in states if s == schedule.id and v not in covered[schedule.id]]
            for vehicle_id in gone:
                outcome.cleared += await self._clear(store, schedule.id, vehicle_id, now, None)
            await self.repo.drop_states(schedule.id, gone)
        states = {(s.schedule_id, s.vehicle_id): s for s in await self.repo.states(list(covered))}
        by_id = {s.id: s for s in schedules}
        open_keys = await store.open_keys(sorted({v for _, v in states}))
        for (schedule_id, vehicle_id), state in states.items():
            schedule = by_id[schedule_id]
            result = compute_state(schedule, state, meters.get(vehicle_id), today)
            status = result.status if schedule.enabled else DueStatus.OK
            outcome.evaluated += 1
            values: dict[str, Any] = {
                "status": status.value,
                "next_due_km": result.next_km,
                "next_due_hours": result.next_hours,
                "next_due_on": result.next_on,
            }
            if any(getattr(state, k) != v for k, v in values.items()):
                outcome.changed += state.status != status.value
                for name, value in values.items():
                    setattr(state, name, value)
                state.evaluated_at = now
            code = schedule_id.hex
            wanted = None if status is DueStatus.OK else AlertKey(KIND_OF[status], code)
            for open_key in open_keys.get(vehicle_id, set()):
                if open_key.kind in REMINDER_KINDS and open_key.code == code and open_key != wanted:
                    outcome.cleared += await store.clear(vehicle_id, open_key, now)
            if wanted is None or wanted in open_keys.get(vehicle_id, set()):
                continue
            condition = Condition(
                wanted,
                SEVERITY_OF[status],
                reminder_message(schedule.name, result),
                {
                    "schedule_id": str(schedule_id),
                    "schedule_name": schedule.name,
                    "component": schedule.component,
                    "status": status.value,
                    "due_by": list(result.due_by),
                    "next_due_km": _num(result.next_km),
                    "next_due_hours": _num(result.next_hours),
                    "next_due_on": result.next_on.isoformat() if result.next_on else None,
                    "remaining_km": _num(result.remaining_km),
                    "remaining_hours": _num(result.remaining_hours),
                    "remaining_days": result.remaining_days,
                },
            )
            outcome.raised += await store.raise_alert(vehicle_id, None, condition, now, now)
        await self.session.flush()
        return outcome

    async def _sync(
        self,
        schedule: ServiceSchedule,
        vehicle_ids: Sequence[uuid.UUID],
        states: dict[tuple[uuid.UUID, uuid.UUID], ServiceScheduleVehicle],
        meters: dict[uuid.UUID, MeterRow],
        today: date,
        baselines: dict[uuid.UUID, rules.Done] | None,
    ) -> None:
        new = []
        for vehicle_id in vehicle_ids:
            if (schedule.id, vehicle_id) in states:
                continue
            meter = meters.get(vehicle_id)
            given = (baselines or {}).get(vehicle_id)
            new.append(
                {
                    "schedule_id": schedule.id,
                    "vehicle_id": vehicle_id,
                    "last_done_km": given.km
                    if given and given.km is not None
                    else (meter.km if meter else None),
                    "last_done_hours": given.hours
                    if given and given.hours is not None
                    else (meter.hours if meter else None),
                    "last_done_on": given.on if given else today,
                }
            )
        await self.repo.add_states(new)

    async def _clear(
        self,
        store: AlertStore,
        schedule_id: uuid.UUID,
        vehicle_id: uuid.UUID,
        now: datetime,
        keep: DueStatus | None,
    ) -> int:
        cleared = 0
        for status, kind in KIND_OF.items():
            if status is not keep:
                cleared += await store.clear(vehicle_id, AlertKey(kind, schedule_id.hex), now)
        return cleared


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
