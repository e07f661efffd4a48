"""Reservation rules: one vehicle is never booked twice for the same moment, final statuses stay
final, only an active driver is put on a booking, and drivers only ever see and change their
own reservations.

Overlaps are prevented without an exclusion constraint (no btree_gist in the embedded build):
every write that puts a reservation onto a vehicle's calendar first locks that vehicle's row
(``FOR NO KEY UPDATE``), then looks for overlaps, then writes. Concurrent bookings of one
vehicle therefore run one after another; each sees the ones committed before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, select

from fleetyard.auth.roles import Role
from fleetyard.errors import (
    InvalidTransition,
    PermissionDenied,
    ReservationOverlap,
    ValidationFailed,
    VehicleRetired,
)
from fleetyard.kit.records import RecordService
from fleetyard.models import Driver, Membership, Reservation, Vehicle
from fleetyard.reservations.errors import DriverInactive
from fleetyard.reservations.schemas import (
    FINAL_STATUSES,
    ReservationCreate,
    ReservationStatus,
    ReservationUpdate,
    period_problem,
)

S = ReservationStatus
TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.COMPLETED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
    S.COMPLETED: frozenset(),
}
SLOT_FIELDS = frozenset({"vehicle_id", "starts_at", "ends_at"})
MAX_CONFLICTS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class ReservationFilters:
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    status: str | None = None
    window_from: datetime | None = None
    window_to: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        if self.window_from and self.window_to and self.window_from >= self.window_to:
            raise ValidationFailed("'from' must be before 'to'.", details={"field": "from"})
        clauses: list[ColumnElement[bool]] = []
        if self.vehicle_id is not None:
            clauses.append(Reservation.vehicle_id == self.vehicle_id)
        if self.driver_id is not None:
            clauses.append(Reservation.driver_id == self.driver_id)
        if self.user_id is not None:
            clauses.append(Reservation.user_id == self.user_id)
        if self.status is not None:
            clauses.append(Reservation.status == self.status)
        if self.window_from is not None:  # overlapping the window, half-open
            clauses.append(Reservation.ends_at > self.window_from)
        if self.window_to is not None:
            clauses.append(Reservation.starts_at < self.window_to)
        return clauses


class ReservationService(RecordService[Reservation]):
    entity_type = "reservation"
    model = Reservation
    sort_fields = ("starts_at", "ends_at", "created_at", "id")

    @property
    def own_only(self) -> bool:
        """Drivers deal with their own reservations only; everyone else sees the tenant's."""
        return self.actor.role is Role.DRIVER

    def _scoped(self) -> Any:
        stmt = super()._scoped()
        if self.own_only:
            user_id = self.actor.user_id
            stmt = stmt.where(false() if user_id is None else Reservation.user_id == user_id)
        return stmt

    async def list(
        self, filters: ReservationFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Reservation], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: ReservationCreate) -> Reservation:
        values = data.model_dump()
        if "user_id" not in data.model_fields_set:
            values["user_id"] = self.actor.user_id
        await self._check_user(values["user_id"])
        await self._check_driver(values["driver_id"])
        await self._claim_slot(values["vehicle_id"], data.starts_at, data.ends_at, exclude=None)
        return await self.insert(values)

    async def update(
        self, reservation_id: uuid.UUID, data: ReservationUpdate, expected_version: int | None
    ) -> Reservation:
        version = expected_version if expected_version is not None else data.version
        record = await self.get(reservation_id, for_update=True)
        self.check_version(record, version)
        changes = {
            field: value
            for field, value in data.model_dump(exclude_unset=True, exclude={"version"}).items()
            if getattr(record, field) != value
        }
        if not changes:
            return record
        self._check_transition(record, changes)
        if "user_id" in changes:
            await self._check_user(changes["user_id"])
        if "driver_id" in changes:
            await self._check_driver(changes["driver_id"])
        starts_at = changes.get("starts_at", record.starts_at)
        ends_at = changes.get("ends_at", record.ends_at)
        problem = period_problem(starts_at, ends_at)
        if problem and not {"starts_at", "ends_at"}.isdisjoint(changes):
            raise ValidationFailed(problem, details={"field": "ends_at"})
        if self._takes_new_slot(record, changes):
            vehicle_id = changes.get("vehicle_id", record.vehicle_id)
            await self._claim_slot(vehicle_id, starts_at, ends_at, exclude=record.id)
        return await self.apply_update(reservation_id, changes, version)

    async def delete(self, reservation_id: uuid.UUID, expected_version: int | None) -> None:
        await self.remove(reservation_id, expected_version)

    # rules -------------------------------------------------------------------------------
    async def _check_user(self, user_id: uuid.UUID | None) -> None:
        if self.own_only and (self.actor.user_id is None or user_id != self.actor.user_id):
            raise PermissionDenied(
                "Drivers may only reserve for themselves, from their own user session.",
                details={"field": "user_id"},
            )
        if user_id is None:
            return
        stmt = select(Membership.user_id).where(
            Membership.tenant_id == self.actor.tenant_id, Membership.user_id == user_id
        )
        if (await self.session.execute(stmt)).first() is None:
            raise ValidationFailed("No such member in this tenant.", details={"field": "user_id"})

    async def _check_driver(self, driver_id: uuid.UUID | None) -> None:
        """A driver put on a booking must be one of the tenant's, and active. (Bookings a
        driver already had are left alone when they stop being active.)"""
        if driver_id is None:
            return
        stmt = select(Driver.status).where(
            Driver.tenant_id == self.actor.tenant_id, Driver.id == driver_id
        )
        status: str | None = (await self.session.execute(stmt)).scalar_one_or_none()
        if status is None:
            raise ValidationFailed("No such driver in this tenant.", details={"field": "driver_id"})
        if status != "active":
            raise DriverInactive(
                f"This driver is {status}: only an active driver can be booked.",
                details={"field": "driver_id", "driver_id": str(driver_id), "status": status},
            )

    @staticmethod
    def _check_transition(record: Reservation, changes: Mapping[str, Any]) -> None:
        current = record.status
        if current in FINAL_STATUSES:
            raise InvalidTransition(
                f"A {current} reservation can't be changed.",
                details={"status": current, "fields": sorted(changes)},
            )
        new = changes.get("status")
        if new is not None and new not in TRANSITIONS[current]:
            raise InvalidTransition(
                f"A {current} reservation can't become {new}.",
                details={"from": current, "to": new, "allowed": sorted(TRANSITIONS[current])},
            )

    @staticmethod
    def _takes_new_slot(record: Reservation, changes: Mapping[str, Any]) -> bool:
        """Will the record occupy calendar time it did not hold before?"""
        if changes.get("status", record.status) == S.CANCELLED:
            return False
        return record.status == S.CANCELLED or not SLOT_FIELDS.isdisjoint(changes)

    async def _claim_slot(
        self,
        vehicle_id: uuid.UUID,
        starts_at: datetime,
        ends_at: datetime,
        *,
        exclude: uuid.UUID | None,
    ) -> None:
        """Lock the vehicle, then refuse a retired one or a period another booking holds."""
        status = await self._lock_vehicle(vehicle_id)
        if status == "retired":
            raise VehicleRetired(details={"vehicle_id": str(vehicle_id)})
        conflicts = await self._overlapping(vehicle_id, starts_at, ends_at, exclude)
        if conflicts:
            raise ReservationOverlap(
                details={
                    "vehicle_id": str(vehicle_id),
                    "conflicts": [
                        {
                            "id": str(c.id),
                            "starts_at": c.starts_at.isoformat(),
                            "ends_at": c.ends_at.isoformat(),
                            "status": c.status,
                        }
                        for c in conflicts
                    ],
                }
            )

    async def _lock_vehicle(self, vehicle_id: uuid.UUID) -> str:
        """The vehicle's status, its row locked until commit (serialises its bookings)."""
        stmt = (
            select(Vehicle.status)
            .where(Vehicle.tenant_id == self.actor.tenant_id, Vehicle.id == vehicle_id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE: FK checks still pass
        )
        status: str | None = (await self.session.execute(stmt)).scalar_one_or_none()
        if status is None:
            raise ValidationFailed(
                "No such vehicle in this tenant.", details={"field": "vehicle_id"}
            )
        return status

    async def _overlapping(
        self,
        vehicle_id: uuid.UUID,
        starts_at: datetime,
        ends_at: datetime,
        exclude: uuid.UUID | None,
    ) -> Sequence[Any]:
        """Live bookings of the vehicle overlapping ``[starts_at, ends_at)`` (any member's)."""
        stmt = (
            select(Reservation.id, Reservation.starts_at, Reservation.ends_at, Reservation.status)
            .where(
                Reservation.tenant_id == self.actor.tenant_id,
                Reservation.vehicle_id == vehicle_id,
                Reservation.status != S.CANCELLED.value,
                Reservation.starts_at < ends_at,
                Reservation.ends_at > starts_at,
            )
            .order_by(Reservation.starts_at, Reservation.id)
            .limit(MAX_CONFLICTS_SHOWN)
        )
        if exclude is not None:
            stmt = stmt.where(Reservation.id != exclude)
        return (await self.session.execute(stmt)).all()
