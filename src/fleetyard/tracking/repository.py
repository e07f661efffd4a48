"""Every line of SQL for tracking: positions of one device or vehicle in a time window, their
readings downsampled into time buckets, and the vehicles of a tenant left-joined to their
latest state. All of it scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Double,
    Interval,
    Numeric,
    Row,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Device, PositionRecord, Vehicle, VehicleState
from fleetyard.telematics import attributes as attr

P = PositionRecord
_FIX_COLUMNS = (
    P.device_id,
    P.vehicle_id,
    P.fix_time,
    P.server_time,
    P.latitude,
    P.longitude,
    P.speed_kmh,
    P.course,
    P.altitude_m,
    P.satellites,
    P.hdop,
    P.ignition,
    P.odometer_m,
    P.valid,
    P.invalid_reason,
    P.attributes,
)


@dataclass(frozen=True, slots=True)
class Fix:
    """One stored position, as read for the API and the exports."""

    device_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    fix_time: datetime
    server_time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    altitude_m: float | None
    satellites: int | None
    hdop: float | None
    ignition: bool | None
    odometer_m: float | None
    valid: bool
    invalid_reason: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Track:
    """Which fixes: one device's or one vehicle's, ``start <= fix_time < end``."""

    device_id: uuid.UUID | None
    vehicle_id: uuid.UUID | None
    start: datetime
    end: datetime
    valid_only: bool = False


@dataclass(frozen=True, slots=True)
class Spread:
    """One metric's readings in one bucket: mean, extremes and how many there were."""

    avg: float
    min: float
    max: float
    count: int


@dataclass(frozen=True, slots=True)
class Bucket:
    """The fixes from ``start`` to ``start`` + the bucket width; a metric is None when none of
    them carried a reading of it."""

    start: datetime
    fixes: int
    speed_kmh: Spread | None
    fuel_level_pct: Spread | None
    coolant_temp_c: Spread | None
    rpm: Spread | None


SPEED: Final = "speed_kmh"
READINGS: Final = (attr.FUEL_LEVEL_PCT, attr.COOLANT_TEMP_C, attr.RPM)
_AGGREGATES: Final = ("avg", "min", "max", "count")


def _reading(key: str) -> ColumnElement[float]:
    """``attributes[key]`` as a float8, or NULL when it is missing, not a JSON number, or
    absurd. CASE tries its branches in order, so the casts only ever see a number, and the
    bound is compared as numeric, so float8 only ever sees a number it can hold."""
    value = P.attributes[key]
    return case(
        (func.jsonb_typeof(value) != "number", None),
        (
            func.abs(cast(value, Numeric)) <= literal(attr.MAX_READING, Numeric()),
            cast(value, Double),
        ),
        else_=None,
    )


def _spread(row: Row[Any], metric: str) -> Spread | None:
    count = row._mapping[f"{metric}_count"]
    if not count:
        return None
    return Spread(
        avg=row._mapping[f"{metric}_avg"],
        min=row._mapping[f"{metric}_min"],
        max=row._mapping[f"{metric}_max"],
        count=count,
    )


@dataclass(frozen=True, slots=True)
class Subject:
    """The device or vehicle a track belongs to, with a human name for exports."""

    id: uuid.UUID
    label: str


class PositionRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get_device(self, device_id: uuid.UUID) -> Subject | None:
        stmt = select(Device.id, Device.name, Device.unique_id).where(
            Device.tenant_id == self.tenant_id, Device.id == device_id
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Subject(row.id, row.name or row.unique_id)

    async def get_vehicle(self, vehicle_id: uuid.UUID) -> Subject | None:
        stmt = select(Vehicle.id, Vehicle.plate, Vehicle.name).where(
            Vehicle.tenant_id == self.tenant_id, Vehicle.id == vehicle_id
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Subject(row.id, row.plate or row.name or str(row.id))

    def _of(self, track: Track) -> list[ColumnElement[bool]]:
        clauses = [P.tenant_id == self.tenant_id, P.fix_time >= track.start, P.fix_time < track.end]
        if track.device_id is not None:
            clauses.append(P.device_id == track.device_id)
        if track.vehicle_id is not None:
            clauses.append(P.vehicle_id == track.vehicle_id)
        if track.valid_only:
            clauses.append(P.valid.is_(True))
        return clauses

    def _ordered(self, track: Track) -> Select[Any]:
        return select(*_FIX_COLUMNS).where(*self._of(track)).order_by(P.fix_time, P.device_id)

    async def list_after(
        self, track: Track, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Fix]:
        """Up to ``limit`` fixes in time order, after the (fix_time, device_id) keyset."""
        stmt = self._ordered(track)
        if after is not None:
            stmt = stmt.where(tuple_(P.fix_time, P.device_id) > tuple_(*after))
        rows = (await self.session.execute(stmt.limit(limit))).all()
        return [Fix(**row._mapping) for row in rows]

    async def count_up_to(self, track: Track, cap: int) -> int:
        """How many fixes the track holds, counting no further than ``cap``."""
        capped = select(P.fix_time).where(*self._of(track)).limit(cap).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(capped)) or 0)

    async def stream(self, track: Track, batch: int = 2000) -> AsyncIterator[Sequence[Fix]]:
        """The whole track in time order, read through a server-side cursor in batches."""
        result = await self.session.stream(self._ordered(track).execution_options(yield_per=batch))
        async for rows in result.partitions(batch):
            yield [Fix(**row._mapping) for row in rows]

    async def buckets(self, track: Track, width: timedelta) -> list[Bucket]:
        """The track's fixes in ``width``-wide buckets counted from ``track.start`` (date_bin),
        oldest first, only the buckets that hold fixes. Speed is read from valid fixes only;
        the other readings from every fix (a fix flagged for its position, such as one with no
        GPS lock, still carries true engine readings)."""
        start = func.date_bin(
            literal(width, Interval()), P.fix_time, literal(track.start, DateTime(timezone=True))
        )
        fixes = (
            select(
                start.label("start"),
                P.valid,
                cast(P.speed_kmh, Double).label(SPEED),
                *(_reading(key).label(key) for key in READINGS),
            )
            .where(*self._of(track))
            .subquery("fixes")
        )
        columns: list[ColumnElement[Any]] = [fixes.c.start, func.count().label("fixes")]
        for metric in (SPEED, *READINGS):
            for name in _AGGREGATES:
                column = getattr(func, name)(fixes.c[metric])
                if metric == SPEED:
                    column = column.filter(fixes.c.valid)
                columns.append(column.label(f"{metric}_{name}"))
        stmt = select(*columns).group_by(fixes.c.start).order_by(fixes.c.start)
        rows = (await self.session.execute(stmt)).all()
        return [
            Bucket(
                start=row.start,
                fixes=row.fixes,
                speed_kmh=_spread(row, SPEED),
                fuel_level_pct=_spread(row, attr.FUEL_LEVEL_PCT),
                coolant_temp_c=_spread(row, attr.COOLANT_TEMP_C),
                rpm=_spread(row, attr.RPM),
            )
            for row in rows
        ]


@dataclass(frozen=True, slots=True)
class FleetFilters:
    group_id: uuid.UUID | None = None
    status: str | None = None


class VehicleStateRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _with_state(self) -> Select[Vehicle, VehicleState]:
        joined = and_(
            VehicleState.tenant_id == Vehicle.tenant_id, VehicleState.vehicle_id == Vehicle.id
        )
        return (
            select(Vehicle, VehicleState)
            .outerjoin(VehicleState, joined)
            .where(Vehicle.tenant_id == self.tenant_id)
        )

    async def get(self, vehicle_id: uuid.UUID) -> tuple[Vehicle, VehicleState | None] | None:
        row = (
            await self.session.execute(self._with_state().where(Vehicle.id == vehicle_id))
        ).first()
        return None if row is None else (row[0], row[1])

    async def list_after(
        self, filters: FleetFilters, after: uuid.UUID | None, limit: int
    ) -> list[tuple[Vehicle, VehicleState | None]]:
        """Up to ``limit`` vehicles in id order, after the vehicle id ``after``."""
        stmt = self._with_state()
        if filters.group_id is not None:
            stmt = stmt.where(Vehicle.group_id == filters.group_id)
        if filters.status is not None:
            stmt = stmt.where(Vehicle.status == filters.status)
        if after is not None:
            stmt = stmt.where(Vehicle.id > after)
        rows = (await self.session.execute(stmt.order_by(Vehicle.id).limit(limit))).all()
        return [(vehicle, state) for vehicle, state in rows]
