from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.cache.http import AppCache, json_answer
from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.devices.schemas import DeviceProtocol
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    ValidationFailed,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from fleetyard.places.dependencies import Places
from fleetyard.tracking.activity import Activity
from fleetyard.vehicles.repository import SORT_COLUMNS, OverviewFilters
from fleetyard.vehicles.schemas import (
    FuelType,
    Vehicle,
    VehicleCreate,
    VehicleOverview,
    VehicleOverviewPage,
    VehiclePage,
    VehicleStatusState,
    VehicleType,
    VehicleUpdate,
    overview_from_row,
    overview_page,
    vehicle_json,
    vehicle_out,
    vehicle_page_json,
)
from fleetyard.vehicles.service import VehicleFilters, VehicleService

router = APIRouter(prefix="/vehicles", tags=["vehicles"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]


# Each route returns its response_model's own type, validated once from rows; FastAPI sees
# the instance and only serializes it (no second validation). The list and the record, the
# hottest reads, are JSON bytes made from rows and cached (docs/cache.md): a change to any
# vehicle of the tenant drops its lists, a change to one vehicle drops its record.
# Dependencies are coroutines: FastAPI runs a plain ``def`` one in a worker thread, a hand-off
# that costs more than the function.
ENTITY = "vehicle"
LIST_TTL_S = 60.0
MAX_IDS = 100  # a page of search hits
RECORD_TTL_S = 300.0


async def vehicle_filters(
    status: VehicleStatusState | None = None,
    group_id: uuid.UUID | None = None,
    type: VehicleType | None = None,
    fuel_type: FuelType | None = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search plate, name, VIN, make, model")
    ] = None,
) -> VehicleFilters:
    return VehicleFilters(
        status=status,
        group_id=group_id,
        type=type.value if type else None,
        fuel_type=fuel_type.value if fuel_type else None,
        tag=tag,
        q=q,
    )


async def overview_filters(
    id: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=MAX_IDS, description="Any of these vehicles (repeat the parameter)"),
    ] = None,
    activity: Annotated[
        list[Activity] | None,
        Query(max_length=len(Activity), description="Any of these (repeat the parameter)"),
    ] = None,
    driver_id: Annotated[uuid.UUID | None, Query(description="Its active driver")] = None,
    has_driver: Annotated[bool | None, Query(description="With or without a driver")] = None,
    device_id: Annotated[uuid.UUID | None, Query(description="Its tracker")] = None,
    tracker_protocol: Annotated[DeviceProtocol | None, Query(description="Its protocol")] = None,
    has_tracker: Annotated[bool | None, Query(description="With or without a tracker")] = None,
) -> OverviewFilters:
    return OverviewFilters(
        vehicle_ids=frozenset(id or ()),
        activity=frozenset(activity or ()),
        driver_id=driver_id,
        has_driver=has_driver,
        device_id=device_id,
        tracker_protocol=tracker_protocol.value if tracker_protocol else None,
        has_tracker=has_tracker,
    )


Filters = Annotated[VehicleFilters, Depends(vehicle_filters)]
Sort = Annotated[str, Query(max_length=32, description="Field, '-' prefix for descending")]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]


@router.get("", response_model=VehiclePage, responses=responses(PermissionDenied))
async def list_vehicles(
    session: DbSession,
    actor: Reader,
    filters: Filters,
    cache: AppCache,
    sort: Sort = "id",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    async def page() -> bytes:
        rows, next_cursor = await VehicleService(session, actor).list(
            filters, sort=sort, cursor=cursor, limit=limit
        )
        return vehicle_page_json(rows, next_cursor)

    params = [*filters.params(), ("sort", sort), ("cursor", cursor or ""), ("limit", str(limit))]
    tenant_id = actor.tenant_id
    key = CacheKey.listing(tenant_id, ENTITY, params)
    tags = (Tag.lists(tenant_id, ENTITY), Tag.entity(tenant_id, ENTITY))
    return json_answer(await cache.fetch(key, tags, page, ttl=LIST_TTL_S))


@router.get(
    "/overview",
    response_model=VehicleOverviewPage,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def list_vehicle_overview(
    session: DbSession,
    actor: Reader,
    places: Places,
    filters: Filters,
    live: Annotated[OverviewFilters, Depends(overview_filters)],
    sort: Annotated[
        str,
        Query(
            max_length=32,
            description=f"One of {', '.join(SORT_COLUMNS)}; '-' prefix for descending. "
            "activity sorts moving, idle, parked, offline, no_position.",
        ),
    ] = "plate",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> VehicleOverviewPage:
    """The vehicles list with live context: each vehicle's activity, last fix, the place it
    is at (a depot, or the street from the offline map data), its driver and its tracker;
    sorted and filtered by them. With an activity filter, retired vehicles are left out (as
    the dashboard counts) unless status=retired asks for them. Sorting or filtering by
    drivers needs drivers:read, by trackers devices:read. Activity is computed at each
    request, so a vehicle whose state changes between two pages of an activity sort may show
    on both or neither."""
    service = VehicleService(session, actor)
    rows, next_cursor = await service.overview(
        filters, live, places, sort=sort, cursor=cursor, limit=limit
    )
    return overview_page(
        rows, next_cursor, drivers=service.sees_drivers, trackers=service.sees_trackers
    )


@router.post(
    "",
    response_model=Vehicle,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, LimitExceeded),
)
async def create_vehicle(
    body: VehicleCreate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_CREATE))],
) -> Vehicle:
    return vehicle_out(await VehicleService(session, actor).create(body))


@router.get(
    "/{vehicle_id}", response_model=Vehicle, responses=responses(PermissionDenied, NotFound)
)
async def get_vehicle(
    vehicle_id: uuid.UUID, session: DbSession, actor: Reader, cache: AppCache
) -> Response:
    async def record() -> bytes:
        return vehicle_json(await VehicleService(session, actor).get_row(vehicle_id))

    tenant_id = actor.tenant_id
    key = CacheKey.record(tenant_id, ENTITY, vehicle_id)
    tags = (Tag.record(tenant_id, ENTITY, vehicle_id), Tag.entity(tenant_id, ENTITY))
    return json_answer(await cache.fetch(key, tags, record, ttl=RECORD_TTL_S))


@router.get(
    "/{vehicle_id}/overview",
    response_model=VehicleOverview,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_overview(
    vehicle_id: uuid.UUID, session: DbSession, actor: Reader, places: Places
) -> VehicleOverview:
    """One vehicle with its live context, as a row of the overview."""
    service = VehicleService(session, actor)
    row, place = await service.overview_of(vehicle_id, places)
    return overview_from_row(
        row, place, drivers=service.sees_drivers, trackers=service.sees_trackers
    )


@router.patch(
    "/{vehicle_id}",
    response_model=Vehicle,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, AlreadyExists, PreconditionInvalid
    ),
)
async def update_vehicle(
    vehicle_id: uuid.UUID,
    body: VehicleUpdate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_UPDATE))],
    if_match: IfMatch,
) -> Vehicle:
    return vehicle_out(await VehicleService(session, actor).update(vehicle_id, body, if_match))


@router.delete(
    "/{vehicle_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, Conflict, PreconditionInvalid),
)
async def delete_vehicle(
    vehicle_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_DELETE))],
    if_match: IfMatch,
) -> Response:
    await VehicleService(session, actor).delete(vehicle_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
