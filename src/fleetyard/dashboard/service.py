"""The home screen's figures for the caller's tenant: each section from one SQL statement,
sections the caller's role can't read left out (null), "today" counted in UTC (tenants have
no time zone setting yet)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.dashboard.paths import SETTLE, PathCache, SettledPath, add_km
from fleetyard.dashboard.repository import DashboardRepository, DeviceOdometer
from fleetyard.dashboard.schemas import (
    AlertCounts,
    Dashboard,
    DeviceCounts,
    Figure,
    MaintenanceCounts,
    ReservationOutlook,
    SeverityCounts,
    UpcomingReservation,
    VehicleActivityCounts,
)
from fleetyard.maintenance.dashboard import maintenance_counts
from fleetyard.telematics.rules.conditions import Severity
from fleetyard.tracking.activity import Activity

TIMEZONE = "UTC"
UPCOMING_SHOWN = 5
SOON = timedelta(hours=24)


def start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class DashboardService:
    def __init__(self, session: AsyncSession, actor: Principal, paths: PathCache) -> None:
        self.actor = actor
        self.paths = paths
        self.repo = DashboardRepository(session, actor.tenant_id)

    async def get(self, now: datetime | None = None) -> Dashboard:
        now = now or datetime.now(UTC)
        today = start_of_day(now)
        return Dashboard(
            generated_at=now,
            timezone=TIMEZONE,
            today_from=today,
            vehicles=await self.vehicle_activity(now),
            alerts=await self.alert_counts(),
            devices=(
                await self.device_counts(now) if self.actor.can(Permission.DEVICES_READ) else None
            ),
            reservations=(
                await self._reservations(now)
                if self.actor.can(Permission.RESERVATIONS_READ)
                else None
            ),
            figures=[await self._distance_today(today, now)],
            maintenance=await self._maintenance(),
        )

    async def _maintenance(self) -> MaintenanceCounts | None:
        if not self.actor.can(Permission.MAINTENANCE_READ):
            return None
        return await maintenance_counts(self.repo.session, self.actor.tenant_id)

    async def vehicle_activity(self, now: datetime) -> VehicleActivityCounts:
        counts = await self.repo.vehicle_counts(now)
        return VehicleActivityCounts(
            total=counts.total,
            retired=counts.retired,
            in_alert=counts.in_alert,
            moving=counts.by_activity[Activity.MOVING],
            idle=counts.by_activity[Activity.IDLE],
            parked=counts.by_activity[Activity.PARKED],
            offline=counts.by_activity[Activity.OFFLINE],
            no_position=counts.by_activity[Activity.NO_POSITION],
        )

    async def alert_counts(self) -> AlertCounts:
        rows = await self.repo.open_alerts_by_severity()
        open_by_severity = {row.severity: row.open for row in rows}
        return AlertCounts(
            # a severity no rule speaks any more still counts as open, just under no heading
            open=sum(r.open for r in rows),
            unacknowledged=sum(r.unacknowledged for r in rows),
            by_severity=SeverityCounts(
                **{severity.value: open_by_severity.get(severity.value, 0) for severity in Severity}
            ),
        )

    async def device_counts(self, now: datetime) -> DeviceCounts:
        contact = await self.repo.device_contact(now)
        return DeviceCounts(
            total=contact.total,
            online=contact.total - contact.offline - contact.never_reported,
            offline=contact.offline,
            never_reported=contact.never_reported,
        )

    async def _reservations(self, now: datetime) -> ReservationOutlook:
        upcoming = await self.repo.upcoming_reservations(now, UPCOMING_SHOWN)
        show_drivers = self.actor.can(Permission.DRIVERS_READ)
        return ReservationOutlook(
            next_24h=await self.repo.reservations_starting(now, now + SOON),
            upcoming=[
                UpcomingReservation(
                    id=r.id,
                    vehicle_id=r.vehicle_id,
                    vehicle_plate=r.vehicle_plate,
                    vehicle_name=r.vehicle_name,
                    driver_id=r.driver_id,
                    driver_name=r.driver_name if show_drivers else None,
                    starts_at=r.starts_at,
                    ends_at=r.ends_at,
                    status=r.status,
                    purpose=r.purpose,
                )
                for r in upcoming
            ],
        )

    async def distance_today(self, today: datetime, now: datetime) -> tuple[float, int]:
        """Kilometres driven since ``today`` and by how many vehicles (docs/dashboard.md)."""
        end = today + timedelta(days=1)
        odometers = await self.repo.odometers(today, end)
        need_path = frozenset(o.device_id for o in odometers if o.km is None)
        paths = await self._path_km(need_path, today, now) if need_path else {}
        return distance_by_vehicle(odometers, paths)

    async def _distance_today(self, today: datetime, now: datetime) -> Figure:
        km, vehicles = await self.distance_today(today, now)
        counted = f"{vehicles} vehicle{'' if vehicles == 1 else 's'}"
        return Figure(
            key="distance_today",
            label="Distance driven today",
            value=round(km, 1),
            unit="km",
            detail=f"{counted} since 00:00 {TIMEZONE}",
            href="/vehicles",
        )

    async def _path_km(
        self, devices: frozenset[uuid.UUID], today: datetime, now: datetime
    ) -> Mapping[uuid.UUID, float]:
        """Today's path per device: the settled part from the cache, advanced to ``now -
        SETTLE`` (:mod:`fleetyard.dashboard.paths`), plus the open tail read fresh."""
        tenant_id = self.actor.tenant_id
        settled = self.paths.get(tenant_id, devices, today, now)
        if settled is None:
            settled = SettledPath(today, today, now, devices, {})
        target = max(today, now - SETTLE)
        if target > settled.until:
            added = await self.repo.path_km(settled.devices, today, settled.until, target)
            settled = SettledPath(
                today, target, settled.built_at, settled.devices, add_km(settled.km, added)
            )
            self.paths.put(tenant_id, settled)
        tail = await self.repo.path_km(devices, today, settled.until, today + timedelta(days=1))
        return add_km(settled.km, tail)


def distance_by_vehicle(
    odometers: list[DeviceOdometer], paths: Mapping[uuid.UUID, float]
) -> tuple[float, int]:
    """Kilometres driven and how many vehicles drove. Each device counts its odometer's advance
    when it has one, else its GPS path; a vehicle with two trackers counts the longer of their
    distances, not their sum."""
    per_vehicle: dict[uuid.UUID, float] = {}
    for device in odometers:
        km = device.km if device.km is not None else paths.get(device.device_id, 0.0)
        per_vehicle[device.vehicle_id] = max(per_vehicle.get(device.vehicle_id, 0.0), km)
    return sum(per_vehicle.values()), sum(1 for km in per_vehicle.values() if km > 0)
