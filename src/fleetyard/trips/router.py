from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.kit.instants import Instant
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.trips.places import Places
from fleetyard.trips.repository import TripFilters
from fleetyard.trips.schemas import Stop, TripDetail, TripSettings, TripSettingsUpdate
from fleetyard.trips.schemas import Trip as TripOut
from fleetyard.trips.service import TripService

router = APIRouter(tags=["trips"])
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


async def trip_filters(
    session: DbSession,
    actor: Reader,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    start: Annotated[
        Instant | None,
        Query(alias="from", description="Trips ending after this; default: 7 days before 'to'"),
    ] = None,
    end: Annotated[
        Instant | None,
        Query(alias="to", description="Trips starting before this; default: now"),
    ] = None,
) -> TripFilters:
    """At most one of vehicle_id and driver_id; a window of at most 93 days."""
    return TripService(session, actor).filters(vehicle_id, driver_id, start, end)


Filters = Annotated[TripFilters, Depends(trip_filters)]


@router.get(
    "/trips", response_model=Page[TripOut], responses=responses(PermissionDenied, ValidationFailed)
)
async def list_trips(
    session: DbSession,
    actor: Reader,
    filters: Filters,
    places: Places,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[TripOut]:
    """Trips overlapping the window, the latest first, with start and end places named."""
    items, next_cursor = await TripService(session, actor).list_trips(
        filters, places, cursor, limit
    )
    return Page[TripOut](items=items, next_cursor=next_cursor)


@router.get("/trips/settings", response_model=TripSettings, responses=responses(PermissionDenied))
async def get_trip_settings(session: DbSession, actor: Reader) -> TripSettings:
    return await TripService(session, actor).settings()


@router.put(
    "/trips/settings",
    response_model=TripSettings,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def update_trip_settings(
    body: TripSettingsUpdate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))],
) -> TripSettings:
    """How long a vehicle stands still before its trip ends; applies to trips detected from
    now on (within a minute on every node)."""
    return await TripService(session, actor).update_settings(body.stop_after_s)


@router.get(
    "/trips/{trip_id}", response_model=TripDetail, responses=responses(PermissionDenied, NotFound)
)
async def get_trip(
    trip_id: uuid.UUID, session: DbSession, actor: Reader, places: Places
) -> TripDetail:
    """The trip with its track as GeoJSON."""
    return await TripService(session, actor).get_trip(trip_id, places)


@router.get(
    "/stops", response_model=Page[Stop], responses=responses(PermissionDenied, ValidationFailed)
)
async def list_stops(
    session: DbSession,
    actor: Reader,
    filters: Filters,
    places: Places,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Stop]:
    """Stops overlapping the window, the latest first (driver_id: stops of the vehicles the
    driver drove)."""
    items, next_cursor = await TripService(session, actor).list_stops(
        filters, places, cursor, limit
    )
    return Page[Stop](items=items, next_cursor=next_cursor)


@router.get(
    "/stops/{stop_id}", response_model=Stop, responses=responses(PermissionDenied, NotFound)
)
async def get_stop(stop_id: uuid.UUID, session: DbSession, actor: Reader, places: Places) -> Stop:
    return await TripService(session, actor).get_stop(stop_id, places)
