"""Work orders: created from a schedule, a (DTC) alert, an inspection defect or by hand; their
labour and part lines priced in the tenant's currency (Decimal, exact to the cent); status
open → in_progress → completed, open or in_progress → cancelled, nothing after (409). While
one holds its vehicle out of service the vehicle is ``in_maintenance``. Completing one records
the live meters, resets the schedule it came from and draws its parts from stock.

Other domains open work orders through :meth:`WorkOrderService.create` with a ``source``
(``{"kind": "defect", "id": …}`` for an inspection defect)."""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select

from fleetyard.errors import InvalidTransition, ValidationFailed
from fleetyard.kit.records import RecordService, jsonable
from fleetyard.maintenance.errors import InsufficientStock
from fleetyard.maintenance.evaluate import Evaluator, today_in
from fleetyard.maintenance.parts import PartService
from fleetyard.maintenance.repository import MaintenanceRepository
from fleetyard.maintenance.schemas import (
    Component,
    LabourLine,
    PartLine,
    SourceKind,
    WorkOrderCreate,
    WorkOrderKind,
    WorkOrderStatus,
    WorkOrderUpdate,
    downtime_problem,
)
from fleetyard.maintenance.schemas import WorkOrder as WorkOrderOut
from fleetyard.maintenance.schemas import WorkOrderLine as LineOut
from fleetyard.models import Alert, Membership, ServiceSchedule, Vehicle, WorkOrder
from fleetyard.vehicles.schemas import Active, InMaintenance, VehicleUpdate
from fleetyard.vehicles.service import VehicleService

S = WorkOrderStatus
TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
FINAL: Final = frozenset({S.COMPLETED.value, S.CANCELLED.value})
CENT: Final = Decimal("0.01")
DEFAULT_SHOP: Final = "Workshop"
# A trouble code's system → the component it names (SAE J2012: P powertrain, B body,
# C chassis, U network); the second digit picks within P0.
_P0_COMPONENT: Final = {
    "0": Component.ENGINE,
    "1": Component.ENGINE,
    "2": Component.ENGINE,
    "3": Component.ENGINE,
    "4": Component.ENGINE,
    "5": Component.ENGINE,
    "6": Component.ELECTRICAL,
    "7": Component.TRANSMISSION,
    "8": Component.TRANSMISSION,
    "9": Component.TRANSMISSION,
    "A": Component.ELECTRICAL,
}
_ALERT_COMPONENT: Final = {
    "coolant_high": Component.ENGINE_COOLING,
    "fuel_low": Component.OTHER,
}


def component_of_alert(kind: str, code: str) -> Component:
    if kind == "dtc" and code:
        code = code.upper()
        if code.startswith("C"):
            return Component.BRAKES if code[1:3] in {"00", "01", "02"} else Component.OTHER
        if code.startswith(("B", "U")):
            return Component.ELECTRICAL
        if code.startswith("P0") and len(code) >= 3:
            return _P0_COMPONENT.get(code[2], Component.ENGINE)
        return Component.ENGINE
    return _ALERT_COMPONENT.get(kind, Component.OTHER)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class WorkOrderFilters:
    vehicle_id: uuid.UUID | None = None
    status: WorkOrderStatus | None = None
    component: str | None = None
    kind: str | None = None
    assigned_to: uuid.UUID | None = None
    source_kind: str | None = None
    source_id: uuid.UUID | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        w = WorkOrder
        pairs: list[tuple[Any, Any]] = [
            (w.vehicle_id, self.vehicle_id),
            (w.status, self.status.value if self.status else None),
            (w.component, self.component),
            (w.kind, self.kind),
            (w.assigned_to, self.assigned_to),
            (w.source_kind, self.source_kind),
            (w.source_id, self.source_id),
        ]
        return [column == value for column, value in pairs if value is not None]


class WorkOrderService(RecordService[WorkOrder]):
    entity_type = "work_order"
    model = WorkOrder
    sort_fields = ("created_at", "updated_at", "number", "id")

    @property
    def repo(self) -> MaintenanceRepository:
        return MaintenanceRepository(self.session, self.actor.tenant_id)

    def snapshot(self, record: WorkOrder) -> dict[str, Any]:
        snap = super().snapshot(record)
        lines = getattr(record, "lines_snapshot", None)
        snap["lines"] = lines if lines is not None else getattr(self, "_new_lines", [])
        return snap

    # reads ---------------------------------------------------------------------------------
    async def list(
        self, filters: WorkOrderFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[builtins.list[WorkOrderOut], str | None]:
        rows, next_cursor = await self.list_page(
            filters.clauses(), sort=sort, cursor=cursor, limit=limit
        )
        return await self.out(rows), next_cursor

    async def out(self, rows: Sequence[WorkOrder]) -> builtins.list[WorkOrderOut]:
        lines = await self.repo.lines_of([r.id for r in rows])
        result = []
        for row in rows:
            fields = {c.key: getattr(row, c.key) for c in WorkOrder.__table__.columns}
            fields["source"] = {"kind": row.source_kind, "id": row.source_id}
            fields["lines"] = [LineOut.model_validate(line) for line in lines[row.id]]
            result.append(WorkOrderOut.model_validate(fields))
        return result

    async def read(self, work_order_id: uuid.UUID) -> WorkOrderOut:
        [out] = await self.out([await self.get(work_order_id)])
        return out

    # create --------------------------------------------------------------------------------
    async def create(self, data: WorkOrderCreate, now: datetime | None = None) -> WorkOrderOut:
        now = now or datetime.now(UTC)
        values = await self._from_source(data)
        await self._check_vehicle(values["vehicle_id"])
        await self._check_member(data.assigned_to)
        _, currency = await self.repo.zone_and_currency()
        priced = await self._price(data.lines)
        values.update(
            number=await self.repo.next_number(),
            description=data.description,
            priority=data.priority.value,
            vendor=data.vendor or None,
            assigned_to=data.assigned_to,
            out_of_service_from=data.out_of_service_from,
            out_of_service_until=data.out_of_service_until,
            currency=currency,
            status=S.OPEN.value,
            **_totals(priced),
        )
        self._new_lines = [jsonable(line) for line in priced]
        record = await self.insert(values)
        await self.repo.replace_lines(record.id, priced)
        if record.out_of_service_from is not None:
            await self._follow_downtime(record, now)
        return await self.read(record.id)

    async def _from_source(self, data: WorkOrderCreate) -> dict[str, Any]:
        """The vehicle, title, component and kind, from the source where not given."""
        source = data.source
        vehicle_id = data.vehicle_id
        title, component, kind = data.title, data.component, data.kind
        if source.kind is SourceKind.SCHEDULE:
            assert source.id is not None
            schedule = await self._schedule(source.id)
            vehicle_id = vehicle_id or schedule.vehicle_id
            if vehicle_id is None:
                raise ValidationFailed(
                    "A group's schedule needs the vehicle the work is for.",
                    details={"field": "vehicle_id"},
                )
            covered = await self.repo.schedule_ids_of_vehicle(vehicle_id)
            if schedule.id not in covered:
                raise ValidationFailed(
                    "This schedule does not cover this vehicle.", details={"field": "vehicle_id"}
                )
            title = title or schedule.name
            component = component or Component(schedule.component)
            kind = kind or WorkOrderKind.PREVENTIVE
        elif source.kind is SourceKind.ALERT:
            assert source.id is not None
            alert = await self._alert(source.id)
            if vehicle_id is not None and vehicle_id != alert.vehicle_id:
                raise ValidationFailed(
                    "The alert is about another vehicle.", details={"field": "vehicle_id"}
                )
            vehicle_id = alert.vehicle_id
            title = title or alert.message[:200]
            component = component or component_of_alert(alert.kind, alert.code)
            kind = kind or WorkOrderKind.CORRECTIVE
        elif source.kind is SourceKind.DEFECT:
            kind = kind or WorkOrderKind.CORRECTIVE
        if vehicle_id is None:
            raise ValidationFailed(
                "A work order needs its vehicle.", details={"field": "vehicle_id"}
            )
        if not title:
            raise ValidationFailed("A work order needs a title.", details={"field": "title"})
        return {
            "vehicle_id": vehicle_id,
            "title": title,
            "component": (component or Component.OTHER).value,
            "kind": (kind or WorkOrderKind.CORRECTIVE).value,
            "source_kind": source.kind.value,
            "source_id": source.id,
        }

    async def _schedule(self, schedule_id: uuid.UUID) -> ServiceSchedule:
        stmt = select(ServiceSchedule).where(
            ServiceSchedule.tenant_id == self.actor.tenant_id, ServiceSchedule.id == schedule_id
        )
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        if found is None:
            raise ValidationFailed("No such schedule in this tenant.", details={"field": "source"})
        return found

    async def _alert(self, alert_id: uuid.UUID) -> Alert:
        stmt = select(Alert).where(Alert.tenant_id == self.actor.tenant_id, Alert.id == alert_id)
        found = (await self.session.execute(stmt)).scalar_one_or_none()
        if found is None:
            raise ValidationFailed("No such alert in this tenant.", details={"field": "source"})
        return found

    async def _check_vehicle(self, vehicle_id: uuid.UUID) -> None:
        if not await self.exists(Vehicle, vehicle_id):
            raise ValidationFailed(
                "No such vehicle in this tenant.", details={"field": "vehicle_id"}
            )

    async def _check_member(self, user_id: uuid.UUID | None) -> None:
        if user_id is None:
            return
        stmt = select(Membership.user_id).where(
            Membership.tenant_id == self.actor.tenant_id, Membership.user_id == user_id
        )
        if (await self.session.execute(stmt)).first() is None:
            raise ValidationFailed(
                "No such member in this tenant.", details={"field": "assigned_to"}
            )

    async def _price(self, lines: Sequence[LabourLine | PartLine]) -> builtins.list[dict[str, Any]]:
        part_ids = [ln.part_id for ln in lines if isinstance(ln, PartLine) and ln.part_id]
        parts = await self.repo.parts(part_ids)
        priced: builtins.list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            if isinstance(line, LabourLine):
                priced.append(
                    {
                        "kind": "labour",
                        "description": line.description,
                        "hours": line.hours,
                        "rate": line.rate,
                        "amount": money(line.hours * line.rate),
                    }
                )
                continue
            part = parts.get(line.part_id) if line.part_id else None
            if line.part_id is not None and part is None:
                raise ValidationFailed(
                    "No such part in this tenant.",
                    details={"field": f"lines.{index}.part_id", "part_id": str(line.part_id)},
                )
            unit_cost = line.unit_cost if line.unit_cost is not None else part.unit_cost  # type: ignore[union-attr]
            priced.append(
                {
                    "kind": "part",
                    "description": line.description or (part.name if part else ""),
                    "part_id": line.part_id,
                    "quantity": line.quantity,
                    "unit_cost": unit_cost,
                    "amount": money(line.quantity * unit_cost),
                }
            )
        return priced

    # update --------------------------------------------------------------------------------
    async def update(
        self,
        work_order_id: uuid.UUID,
        data: WorkOrderUpdate,
        expected_version: int | None,
        now: datetime | None = None,
    ) -> WorkOrderOut:
        now = now or datetime.now(UTC)
        version = expected_version if expected_version is not None else data.version
        record = await self.get(work_order_id, for_update=True)
        self.check_version(record, version)
        sent = data.model_dump(exclude_unset=True, exclude={"version", "lines"})
        changes = {k: v.value if hasattr(v, "value") else v for k, v in sent.items()}
        changes = {k: v for k, v in changes.items() if getattr(record, k) != v}
        if data.lines is None and not changes:
            return await self.read(work_order_id)
        self._check_transition(record, changes)
        if "assigned_to" in changes:
            await self._check_member(changes["assigned_to"])
        start = changes.get("out_of_service_from", record.out_of_service_from)
        end = changes.get("out_of_service_until", record.out_of_service_until)
        problem = downtime_problem(start, end)
        if problem:
            raise ValidationFailed(problem, details={"field": "out_of_service_until"})
        old_lines = (await self.repo.lines_of([record.id]))[record.id]
        record.lines_snapshot = [jsonable(_line_values(ln)) for ln in old_lines]  # type: ignore[attr-defined]
        if data.lines is not None:
            priced = await self._price(data.lines)
            changes.update(_totals(priced), lines_snapshot=[jsonable(p) for p in priced])
            await self.repo.replace_lines(record.id, priced)
            lines = priced
        else:
            lines = [_line_values(ln) for ln in old_lines]
        new_status = changes.get("status")
        if new_status == S.IN_PROGRESS:
            changes["started_at"] = now
        elif new_status in FINAL:
            changes.update(await self._finish(record, new_status, lines, now))
        updated = await self.apply_update(work_order_id, changes, version)
        if new_status == S.COMPLETED:
            await self._reset_schedule(updated, now)
        if updated.out_of_service_from is not None or record.out_of_service_from is not None:
            await self._follow_downtime(updated, now)
        return await self.read(work_order_id)

    @staticmethod
    def _check_transition(record: WorkOrder, changes: Mapping[str, Any]) -> None:
        current = record.status
        if current in FINAL:
            raise InvalidTransition(
                f"A {current} work order can't be changed.",
                details={"status": current, "fields": sorted(changes)},
            )
        new = changes.get("status")
        if new is not None and new not in TRANSITIONS[current]:
            raise InvalidTransition(
                f"An {current} work order can't become {new}."
                if current == "open" or current == "in_progress"
                else f"A {current} work order can't become {new}.",
                details={"from": current, "to": new, "allowed": sorted(TRANSITIONS[current])},
            )

    async def _finish(
        self, record: WorkOrder, status: str, lines: Sequence[Mapping[str, Any]], now: datetime
    ) -> dict[str, Any]:
        """Closing fields: when, the downtime's end, and for a completion the meters read
        from the live state and the parts drawn from stock."""
        changes: dict[str, Any] = {}
        start, end = record.out_of_service_from, record.out_of_service_until
        if start is not None and start > now:
            changes.update(out_of_service_from=None, out_of_service_until=None)
        elif start is not None and (end is None or end > now):
            changes["out_of_service_until"] = now
        if status == S.CANCELLED:
            changes["cancelled_at"] = now
            return changes
        changes["completed_at"] = now
        meter = (await self.repo.meters([record.vehicle_id])).get(record.vehicle_id)
        changes["completion_odometer_km"] = meter.km if meter else None
        changes["completion_engine_hours"] = meter.hours if meter else None
        await self._draw_stock(record, lines, now)
        return changes

    async def _draw_stock(
        self, record: WorkOrder, lines: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        needed: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in lines:
            if line.get("part_id") is not None:
                needed[line["part_id"]] += Decimal(line["quantity"])
        if not needed:
            return
        parts = await self.repo.parts_for_update(list(needed))
        short = [
            {
                "part_id": str(part_id),
                "part_number": parts[part_id].part_number,
                "on_hand": str(parts[part_id].quantity_on_hand),
                "needed": str(quantity),
            }
            for part_id, quantity in needed.items()
            if part_id in parts and parts[part_id].quantity_on_hand < quantity
        ]
        if short:
            raise InsufficientStock(
                "Not enough in stock to complete this work order: "
                + ", ".join(f"{s['part_number']} ({s['on_hand']} of {s['needed']})" for s in short)
                + ".",
                details={"parts": short},
            )
        stock = PartService(self.session, self.actor)
        for part_id, quantity in needed.items():
            if part_id in parts:
                await stock.draw(parts[part_id], quantity, record.vehicle_id, now)

    async def _reset_schedule(self, record: WorkOrder, now: datetime) -> None:
        """A completed work order from a schedule is its last service, at these meters."""
        if record.source_kind != SourceKind.SCHEDULE or record.source_id is None:
            return
        zone, _ = await self.repo.zone_and_currency()
        on = today_in(zone, record.completed_at or now)
        done = await self.repo.reset_state(
            record.source_id,
            record.vehicle_id,
            record.completion_odometer_km,
            record.completion_engine_hours,
            on,
            record.id,
        )
        if not done:
            await self.repo.add_states(
                [
                    {
                        "schedule_id": record.source_id,
                        "vehicle_id": record.vehicle_id,
                        "last_done_km": record.completion_odometer_km,
                        "last_done_hours": record.completion_engine_hours,
                        "last_done_on": on,
                        "last_work_order_id": record.id,
                    }
                ]
            )
        await Evaluator(self.session, self.actor.tenant_id).run(now, [record.source_id])

    async def _follow_downtime(self, record: WorkOrder, now: datetime) -> None:
        """The vehicle is in maintenance while a work order holds it out of service."""
        await follow_downtime(self.session, self.actor, record.vehicle_id, now)


def shop_of(vendor: str | None) -> str:
    """The shop a work order's downtime names on its vehicle's status."""
    return (vendor or DEFAULT_SHOP)[:200]


async def follow_downtime(session: Any, actor: Any, vehicle_id: uuid.UUID, now: datetime) -> bool:
    """Set the vehicle's status from the work orders holding it out of service now; True when
    it changed (a vehicle_updated event, as any status change). A vehicle put in a shop by
    anything else (by hand, an inspection's critical defect) is left where it is: only a
    status naming one of its work orders' shops is ended here."""
    repo = MaintenanceRepository(session, actor.tenant_id)
    holding = await repo.active_downtime(vehicle_id, now)
    status, detail = await repo.vehicle_status(vehicle_id)
    vehicles = VehicleService(session, actor)
    if holding and status == "active":
        first = min(holding, key=lambda w: (w.out_of_service_from, w.number))
        zone, _ = await repo.zone_and_currency()
        until = first.out_of_service_until
        expected = until.astimezone(ZoneInfo(zone)).date() if until else None
        await vehicles.update(
            vehicle_id,
            VehicleUpdate(
                status=InMaintenance(shop=shop_of(first.vendor), expected_return=expected)
            ),
            None,
        )
        return True
    if not holding and status == "in_maintenance":
        shops = {shop_of(vendor) for vendor in await repo.downtime_shops(vehicle_id)}
        if detail.get("shop") in shops:
            await vehicles.update(vehicle_id, VehicleUpdate(status=Active()), None)
            return True
    return False


def _line_values(line: Any) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "description": line.description,
        **({"hours": line.hours, "rate": line.rate} if line.kind == "labour" else {}),
        **(
            {"part_id": line.part_id, "quantity": line.quantity, "unit_cost": line.unit_cost}
            if line.kind == "part"
            else {}
        ),
        "amount": line.amount,
    }


def _totals(priced: Sequence[Mapping[str, Any]]) -> dict[str, Decimal]:
    labour = sum((p["amount"] for p in priced if p["kind"] == "labour"), Decimal("0.00"))
    parts = sum((p["amount"] for p in priced if p["kind"] == "part"), Decimal("0.00"))
    return {"labour_total": labour, "parts_total": parts, "total": labour + parts}
