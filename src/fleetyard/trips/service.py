"""Trips and stops for the API: filters checked, pages cut, places named, a trip's track as
GeoJSON. The detection itself runs in the ingest pipeline (``handler``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.events.service import EventLog
from fleetyard.kit.pagination import encode_cursor
from fleetyard.places.schemas import place_out
from fleetyard.tracking.service import resolve_window
from fleetyard.trips.detector import Rules
from fleetyard.trips.places import TripPlaces
from fleetyard.trips.repository import TripFilters, TripRepository, Window
from fleetyard.trips.schemas import Point, Stop, Trip, TripDetail, TripSettings, TripStatus

MAX_WINDOW: Final = timedelta(days=93)
DEFAULT_WINDOW: Final = timedelta(days=7)
DEFAULT_STOP_AFTER_S: Final = int(Rules().stop_after_s)


def window(start: datetime | None, end: datetime | None) -> Window:
    """``[from, to)``: ``to`` defaults to now, ``from`` to a week before it."""
    if start is None and end is not None and end.utcoffset() is not None:
        start = end - DEFAULT_WINDOW
    elif start is None and end is None:
        start = datetime.now(UTC) - DEFAULT_WINDOW
    start, end = resolve_window(start, end, datetime.now(UTC), MAX_WINDOW)
    return Window(start, end)


def _no_such(entity_type: str, entity_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"No such {entity_type}.", details={"entity_type": entity_type, "id": str(entity_id)}
    )


class TripService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.repo = TripRepository(session, actor.tenant_id)

    def filters(
        self,
        vehicle_id: uuid.UUID | None,
        driver_id: uuid.UUID | None,
        start: datetime | None,
        end: datetime | None,
    ) -> TripFilters:
        if vehicle_id is not None and driver_id is not None:
            raise ValidationFailed(
                "Give vehicle_id or driver_id, not both.",
                details={"fields": ["vehicle_id", "driver_id"]},
            )
        return TripFilters(window(start, end), vehicle_id, driver_id)

    async def list_trips(
        self, filters: TripFilters, places: TripPlaces, cursor: str | None, limit: int
    ) -> tuple[list[Trip], str | None]:
        rows = await self.repo.list_trips(filters, cursor, limit)
        items, next_cursor = _page(rows, limit)
        return await self._trips(items, places), next_cursor

    async def get_trip(self, trip_id: uuid.UUID, places: TripPlaces) -> TripDetail:
        row = await self.repo.get_trip(trip_id)
        if row is None:
            raise _no_such("trip", trip_id)
        (trip,) = await self._trips([row], places)
        fixes = await self.repo.track(row, datetime.now(UTC))
        return TripDetail(**trip.model_dump(), track=track_feature(row, fixes))

    async def list_stops(
        self, filters: TripFilters, places: TripPlaces, cursor: str | None, limit: int
    ) -> tuple[list[Stop], str | None]:
        rows = await self.repo.list_stops(filters, cursor, limit)
        items, next_cursor = _page(rows, limit)
        return await self._stops(items, places), next_cursor

    async def get_stop(self, stop_id: uuid.UUID, places: TripPlaces) -> Stop:
        row = await self.repo.get_stop(stop_id)
        if row is None:
            raise _no_such("stop", stop_id)
        return (await self._stops([row], places))[0]

    async def settings(self) -> TripSettings:
        seconds = await self.repo.stop_after_s()
        return TripSettings(stop_after_s=seconds or DEFAULT_STOP_AFTER_S)

    async def update_settings(self, stop_after_s: int) -> TripSettings:
        before = await self.settings()
        await self.repo.set_stop_after_s(stop_after_s)
        if before.stop_after_s != stop_after_s:
            EventLog(self.session, self.actor).record(
                "tenant",
                "updated",
                self.actor.tenant_id,
                {"trip_stop_after_s": before.stop_after_s},
                {"trip_stop_after_s": stop_after_s},
            )
        return TripSettings(stop_after_s=stop_after_s)

    async def _trips(self, rows: list[Row[Any]], places: TripPlaces) -> list[Trip]:
        points: list[tuple[float, float] | None] = []
        for row in rows:
            points.append((row.start_latitude, row.start_longitude))
            end = row.end_latitude is not None and row.end_longitude is not None
            points.append((row.end_latitude, row.end_longitude) if end else None)
        named = await places.name_all(self.session, self.actor.tenant_id, points)
        return [trip_out(row, named[2 * i], named[2 * i + 1]) for i, row in enumerate(rows)]

    async def _stops(self, rows: list[Row[Any]], places: TripPlaces) -> list[Stop]:
        points: list[tuple[float, float] | None] = [(r.latitude, r.longitude) for r in rows]
        named = await places.name_all(self.session, self.actor.tenant_id, points)
        return [
            Stop(
                id=row.id,
                vehicle_id=row.vehicle_id,
                device_id=row.device_id,
                status=TripStatus(row.status),
                started_at=row.started_at,
                ended_at=row.ended_at,
                at=Point(latitude=row.latitude, longitude=row.longitude, place=place_out(place)),
                duration_s=row.duration_s,
                idle_s=row.idle_s,
            )
            for row, place in zip(rows, named, strict=True)
        ]


def _page(rows: list[Row[Any]], limit: int) -> tuple[list[Row[Any]], str | None]:
    items = rows[:limit]
    if len(rows) <= limit or not items:
        return items, None
    return items, encode_cursor(items[-1].started_at, items[-1].id)


def trip_out(row: Row[Any], start_place: Any, end_place: Any) -> Trip:
    has_end = row.end_latitude is not None and row.end_longitude is not None
    return Trip(
        id=row.id,
        vehicle_id=row.vehicle_id,
        device_id=row.device_id,
        driver_id=row.driver_id,
        status=TripStatus(row.status),
        started_at=row.started_at,
        ended_at=row.ended_at,
        start=Point(
            latitude=row.start_latitude,
            longitude=row.start_longitude,
            place=place_out(start_place),
        ),
        end=Point(
            latitude=row.end_latitude, longitude=row.end_longitude, place=place_out(end_place)
        )
        if has_end
        else None,
        distance_m=row.distance_m,
        distance_source=row.distance_source,
        duration_s=row.duration_s,
        driving_s=row.driving_s,
        idle_s=row.idle_s,
        max_speed_kmh=row.max_speed_kmh,
        avg_speed_kmh=row.avg_speed_kmh,
        fuel_used_l=row.fuel_used_l,
        fuel_used_pct=row.fuel_used_pct,
        fixes=row.fixes,
    )


def _end_point(row: Row[Any], place: Any) -> Point:
    return Point(latitude=row.end_latitude, longitude=row.end_longitude, place=place_out(place))


def track_feature(trip: Row[Any], fixes: list[Any]) -> dict[str, Any]:
    """The track as one GeoJSON Feature (a LineString needs two points; fewer is a Point)."""
    coordinates = [[f.longitude, f.latitude] for f in fixes]
    if len(coordinates) >= 2:
        geometry: dict[str, Any] = {"type": "LineString", "coordinates": coordinates}
    elif coordinates:
        geometry = {"type": "Point", "coordinates": coordinates[0]}
    else:
        geometry = {"type": "Point", "coordinates": [trip.start_longitude, trip.start_latitude]}
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "trip_id": str(trip.id),
            "times": [f.fix_time.isoformat() for f in fixes],
            "speeds_kmh": [f.speed_kmh for f in fixes],
        },
    }
