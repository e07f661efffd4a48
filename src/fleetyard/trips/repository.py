"""Every line of trips SQL for the API, built from one tenant-scoped base per table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Double,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import SortDirection, paginate
from fleetyard.models.position import PositionRecord

MAX_TRACK_POINTS: Final = 20_000

_metadata = MetaData()
_ID = UUID(as_uuid=True)
_TIME = DateTime(timezone=True)

trips = Table(
    "trips",
    _metadata,
    Column("tenant_id", _ID, primary_key=True),
    Column("id", _ID, primary_key=True),
    Column("version", Integer),
    Column("device_id", _ID),
    Column("vehicle_id", _ID),
    Column("driver_id", _ID),
    Column("status", String),
    Column("started_at", _TIME),
    Column("ended_at", _TIME),
    Column("start_latitude", Double),
    Column("start_longitude", Double),
    Column("end_latitude", Double),
    Column("end_longitude", Double),
    Column("distance_m", Double),
    Column("distance_source", String),
    Column("duration_s", Double),
    Column("driving_s", Double),
    Column("idle_s", Double),
    Column("max_speed_kmh", Double),
    Column("avg_speed_kmh", Double),
    Column("fuel_used_l", Double),
    Column("fuel_used_pct", Double),
    Column("fixes", Integer),
    Column("updated_at", _TIME),
)

stops = Table(
    "stops",
    _metadata,
    Column("tenant_id", _ID, primary_key=True),
    Column("id", _ID, primary_key=True),
    Column("device_id", _ID),
    Column("vehicle_id", _ID),
    Column("status", String),
    Column("started_at", _TIME),
    Column("ended_at", _TIME),
    Column("latitude", Double),
    Column("longitude", Double),
    Column("duration_s", Double),
    Column("idle_s", Double),
    Column("fixes", Integer),
)

trip_settings = Table(
    "trip_settings",
    _metadata,
    Column("tenant_id", _ID, primary_key=True),
    Column("version", Integer),
    Column("stop_after_s", Integer),
    Column("updated_at", _TIME),
)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class TripFilters:
    window: Window
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None


class TripRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def list_trips(
        self, filters: TripFilters, cursor: str | None, limit: int
    ) -> list[Row[Any]]:
        """Trips overlapping the window, the latest start first."""
        t = trips.c
        drove = t.driver_id == filters.driver_id if filters.driver_id is not None else None
        return await self._page(trips, filters, drove, cursor, limit)

    async def get_trip(self, trip_id: uuid.UUID) -> Row[Any] | None:
        t = trips.c
        stmt = select(trips).where(t.tenant_id == self.tenant_id, t.id == trip_id)
        return (await self.session.execute(stmt)).first()

    async def track(self, trip: Row[Any], until: datetime) -> list[Any]:
        """The trip's valid fixes, oldest first (one partition's index range)."""
        p = PositionRecord.__table__.c
        stmt = (
            select(p.fix_time, p.latitude, p.longitude, p.speed_kmh)
            .where(
                p.tenant_id == self.tenant_id,
                p.device_id == trip.device_id,
                p.valid,
                p.fix_time >= trip.started_at,
                p.fix_time <= (trip.ended_at or until),
            )
            .order_by(p.fix_time)
            .limit(MAX_TRACK_POINTS)
        )
        return list((await self.session.execute(stmt)).all())

    async def list_stops(
        self, filters: TripFilters, cursor: str | None, limit: int
    ) -> list[Row[Any]]:
        """Stops overlapping the window, the latest start first; a driver's are those of the
        vehicles the driver's trips were in."""
        drove = None
        if filters.driver_id is not None:
            t = trips.c
            driven = select(t.vehicle_id).where(
                t.tenant_id == self.tenant_id, t.driver_id == filters.driver_id
            )
            drove = stops.c.vehicle_id.in_(driven)
        return await self._page(stops, filters, drove, cursor, limit)

    async def _page(
        self,
        table: Table,
        filters: TripFilters,
        drove: ColumnElement[bool] | None,
        cursor: str | None,
        limit: int,
    ) -> list[Row[Any]]:
        c = table.c
        stmt = select(table).where(
            c.tenant_id == self.tenant_id,
            c.started_at < filters.window.end,
            or_(c.ended_at.is_(None), c.ended_at > filters.window.start),
        )
        if filters.vehicle_id is not None:
            stmt = stmt.where(c.vehicle_id == filters.vehicle_id)
        if drove is not None:
            stmt = stmt.where(drove)
        stmt = paginate(
            stmt,
            sort_column=c.started_at,
            id_column=c.id,
            direction=SortDirection.DESC,
            cursor=cursor,
            limit=limit + 1,
        )
        return list((await self.session.execute(stmt)).all())

    async def get_stop(self, stop_id: uuid.UUID) -> Row[Any] | None:
        s = stops.c
        stmt = select(stops).where(s.tenant_id == self.tenant_id, s.id == stop_id)
        return (await self.session.execute(stmt)).first()

    async def stop_after_s(self) -> int | None:
        c = trip_settings.c
        stmt = select(c.stop_after_s).where(c.tenant_id == self.tenant_id)
        value = (await self.session.execute(stmt)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def set_stop_after_s(self, seconds: int) -> None:
        stmt = insert(trip_settings).values(tenant_id=self.tenant_id, stop_after_s=seconds)
        stmt = stmt.on_conflict_do_update(
            index_elements=[trip_settings.c.tenant_id],
            set_={
                "stop_after_s": seconds,
                "version": trip_settings.c.version + 1,
                "updated_at": func.now(),
            },
        )
        await self.session.execute(stmt)
