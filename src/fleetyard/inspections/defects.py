"""Defects: a failed inspection item as an issue. open → acknowledged → work order created →
resolved, or no repair needed; a mechanic signs it off (who, when, note). Each step is an
event; the defect's ``defect_reported`` alert opens with it and clears at its sign-off; a
critical one holds its vehicle out of service until the last such defect is signed off.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from sqlalchemy import ColumnElement, false, func, select

from fleetyard.auth.roles import Role
from fleetyard.errors import InvalidTransition, NotFound
from fleetyard.inspections.photos import CheckedPhoto
from fleetyard.inspections.repository import InspectionRepository, PhotoMeta, VehicleFacts
from fleetyard.inspections.schemas import SIGNED_OFF, DefectSignOff, DefectStatus
from fleetyard.inspections.work_orders import create_work_order
from fleetyard.kit.records import RecordService, jsonable
from fleetyard.models import Alert, Inspection, InspectionDefect
from fleetyard.vehicles.schemas import Active, InMaintenance, VehicleUpdate
from fleetyard.vehicles.service import VehicleService

S = DefectStatus
# The shop name that says a critical defect, not a workshop visit, holds the vehicle.
OUT_OF_SERVICE_SHOP: Final = "Out of service: critical defect"
TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    S.OPEN: frozenset({S.ACKNOWLEDGED, S.WORK_ORDER_CREATED, S.RESOLVED, S.NO_REPAIR_NEEDED}),
    S.ACKNOWLEDGED: frozenset({S.WORK_ORDER_CREATED, S.RESOLVED, S.NO_REPAIR_NEEDED}),
    S.WORK_ORDER_CREATED: frozenset({S.RESOLVED, S.NO_REPAIR_NEEDED}),
    S.RESOLVED: frozenset(),
    S.NO_REPAIR_NEEDED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class DefectFilters:
    status: str | None = None
    open_only: bool = False
    vehicle_id: uuid.UUID | None = None
    inspection_id: uuid.UUID | None = None
    critical: bool | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        d = InspectionDefect
        clauses: list[ColumnElement[bool]] = []
        if self.status is not None:
            clauses.append(d.status == self.status)
        if self.open_only:
            clauses.append(d.signed_off_at.is_(None))
        if self.vehicle_id is not None:
            clauses.append(d.vehicle_id == self.vehicle_id)
        if self.inspection_id is not None:
            clauses.append(d.inspection_id == self.inspection_id)
        if self.critical is not None:
            clauses.append(d.critical.is_(self.critical))
        return clauses


def _now() -> datetime:
    return datetime.now(UTC)


class OutOfService:
    """The vehicle's status while critical defects hold it: ``in_maintenance`` at the
    :data:`OUT_OF_SERVICE_SHOP`, changed through the vehicle service (its own event)."""

    def __init__(self, session: Any, actor: Any) -> None:
        self.vehicles = VehicleService(session, actor)
        self.repo = InspectionRepository(session, actor.tenant_id)

    @staticmethod
    def held(vehicle: VehicleFacts) -> bool:
        return (
            vehicle.status == "in_maintenance"
            and vehicle.status_detail.get("shop") == OUT_OF_SERVICE_SHOP
        )

    async def take(self, vehicle_id: uuid.UUID) -> bool:
        """Take an active vehicle out of service; True when a defect now holds it (a vehicle
        already in a workshop or retired is left as it is)."""
        vehicle = await self.repo.vehicle(vehicle_id, lock=True)
        if vehicle is None:
            return False
        if self.held(vehicle):
            return True
        if vehicle.status != "active":
            return False
        await self.vehicles.update(
            vehicle_id, VehicleUpdate(status=InMaintenance(shop=OUT_OF_SERVICE_SHOP)), None
        )
        return True

    async def release(self, vehicle_id: uuid.UUID, signed_off: uuid.UUID) -> None:
        """Back in service once no other defect holds it (and nobody changed its status)."""
        vehicle = await self.repo.vehicle(vehicle_id, lock=True)
        if vehicle is None or not self.held(vehicle):
            return
        if await self.repo.open_out_of_service(vehicle_id, other_than=signed_off):
            return
        await self.vehicles.update(vehicle_id, VehicleUpdate(status=Active()), None)


class DefectService(RecordService[InspectionDefect]):
    # events: reported, then its steps (never created, updated or deleted plainly)
    entity_type: ClassVar[str] = "defect"
    model = InspectionDefect
    sort_fields = ("created_at", "updated_at", "id")

    @property
    def repo(self) -> InspectionRepository:
        return InspectionRepository(self.session, self.actor.tenant_id)

    def _scoped(self) -> Any:
        """Drivers see the defects of their own inspections."""
        stmt = super()._scoped()
        if self.actor.role is Role.DRIVER:
            user_id = self.actor.user_id
            if user_id is None:
                return stmt.where(false())
            own = select(Inspection.id).where(
                Inspection.tenant_id == self.actor.tenant_id, Inspection.user_id == user_id
            )
            stmt = stmt.where(InspectionDefect.inspection_id.in_(own))
        return stmt

    async def list_by(
        self, filters: DefectFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[InspectionDefect], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def photos(self, defects: list[InspectionDefect]) -> dict[uuid.UUID, list[PhotoMeta]]:
        return await self.repo.photos_of([d.id for d in defects])

    async def photo(self, defect_id: uuid.UUID, photo_id: uuid.UUID) -> tuple[str, bytes]:
        await self.get(defect_id)  # the caller may see the defect
        found = await self.repo.photo(defect_id, photo_id)
        if found is None:
            raise NotFound("No such photo.", details={"entity_type": "photo", "id": str(photo_id)})
        return found

    # reporting ----------------------------------------------------------------------------
    async def report(
        self,
        inspection: Inspection,
        vehicle: VehicleFacts,
        answer: Mapping[str, Any],
        photos: list[CheckedPhoto],
        *,
        out_of_service: bool,
    ) -> InspectionDefect:
        defect = InspectionDefect(
            tenant_id=self.actor.tenant_id,
            version=1,
            inspection_id=inspection.id,
            vehicle_id=vehicle.id,
            item_id=answer["item_id"],
            section=answer["section"],
            label=answer["label"],
            critical=answer["critical"],
            note=answer["note"],
            status=S.OPEN.value,
            out_of_service=out_of_service,
        )
        self.session.add(defect)
        await self.flush()
        for photo in photos:
            self.repo.add_photo(defect.id, photo.content_type, photo.data, photo.sha256)
        defect.alert_id = await self._open_alert(defect, vehicle)
        await self.flush()
        after = {**self.snapshot(defect), "photos": len(photos)}
        self.events.record(self.entity_type, "reported", defect.id, None, after)
        return defect

    async def _open_alert(self, defect: InspectionDefect, vehicle: VehicleFacts) -> uuid.UUID:
        severity = "critical" if defect.critical else "warning"
        what = f"{defect.section}: {defect.label}" if defect.section else defect.label
        note = f" ({defect.note})" if defect.note else ""
        alert = self.repo.open_alert(
            vehicle.id,
            code=defect.id.hex,
            severity=severity,
            message=f"Defect on {vehicle.label}: {what}{note}",
            details={
                "defect_id": str(defect.id),
                "inspection_id": str(defect.inspection_id),
                "item_id": defect.item_id,
                "critical": defect.critical,
                "out_of_service": defect.out_of_service,
            },
            at=_now(),
        )
        await self.flush()
        self.events.record("alert", "opened", alert.id, None, _alert_snapshot(alert))
        return alert.id

    # the mechanic's steps -----------------------------------------------------------------
    async def acknowledge(self, defect_id: uuid.UUID, version: int | None) -> InspectionDefect:
        changes = {
            "status": S.ACKNOWLEDGED.value,
            "acknowledged_by": self.actor.actor_id,
            "acknowledged_at": _now(),
        }
        return await self._step(defect_id, version, changes, "acknowledged")

    async def start_work_order(
        self, defect_id: uuid.UUID, version: int | None, note: str
    ) -> InspectionDefect:
        defect = await self.get(defect_id, for_update=True)
        self.check_version(defect, version)
        self._check_transition(defect, S.WORK_ORDER_CREATED)
        work_order_id = await create_work_order(self.session, self.actor, defect, note)
        changes: dict[str, Any] = {
            "status": S.WORK_ORDER_CREATED.value,
            "work_order_id": work_order_id,
        }
        if defect.acknowledged_at is None:
            changes |= {"acknowledged_by": self.actor.actor_id, "acknowledged_at": _now()}
        return await self._step(defect_id, None, changes, "work_order_created")

    async def sign_off(
        self, defect_id: uuid.UUID, data: DefectSignOff, version: int | None
    ) -> InspectionDefect:
        at = _now()
        changes = {
            "status": data.outcome,
            "signed_off_by": self.actor.actor_id,
            "signed_off_at": at,
            "sign_off_note": data.note,
        }
        defect = await self._step(defect_id, version, changes, "signed_off")
        if defect.alert_id is not None:
            cleared = await self.repo.clear_alert(defect.alert_id, at)
            if cleared is not None:
                self.events.record(
                    "alert",
                    "cleared",
                    cleared.id,
                    {"cleared_at": None},
                    {"cleared_at": jsonable(cleared.cleared_at)},
                )
        if defect.out_of_service:
            await OutOfService(self.session, self.actor).release(defect.vehicle_id, defect.id)
        return defect

    async def _step(
        self, defect_id: uuid.UUID, version: int | None, changes: Mapping[str, Any], action: str
    ) -> InspectionDefect:
        defect = await self.get(defect_id, for_update=True)
        self.check_version(defect, version)
        self._check_transition(defect, S(changes["status"]))
        before = self.snapshot(defect)
        for field, value in changes.items():
            setattr(defect, field, value)
        defect.version += 1
        defect.updated_at = func.now()
        await self.flush()
        await self.session.refresh(defect)
        self.events.record(self.entity_type, action, defect.id, before, self.snapshot(defect))
        return defect

    @staticmethod
    def _check_transition(defect: InspectionDefect, new: DefectStatus) -> None:
        current = defect.status
        if new not in TRANSITIONS[current]:
            final = current in SIGNED_OFF
            raise InvalidTransition(
                f"A defect that is {current.replace('_', ' ')} can't become "
                f"{new.value.replace('_', ' ')}." + (" It is signed off." if final else ""),
                details={"from": current, "to": new.value, "allowed": sorted(TRANSITIONS[current])},
            )


def _alert_snapshot(alert: Alert) -> dict[str, Any]:
    return {
        column.key: jsonable(getattr(alert, column.key))
        for column in Alert.__table__.columns
        if column.key != "tenant_id" and getattr(alert, column.key) is not None
    }
