"""Tracking: position history (JSON pages or GeoJSON / CSV / GPX files), downsampled telemetry
and live vehicle state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, responses
from fleetyard.kit.instants import Instant
from fleetyard.kit.pagination import Page
from fleetyard.models import Vehicle, VehicleState
from fleetyard.tracking.exports import csv_chunks, geojson_chunks, gpx_chunks
from fleetyard.tracking.repository import FleetFilters
from fleetyard.tracking.schemas import (
    Position,
    PositionFormat,
    TelemetryBucket,
    VehicleReading,
    VehicleTelemetry,
    VehicleWithState,
)
from fleetyard.tracking.service import (
    DEFAULT_BUCKETS,
    MAX_BUCKETS,
    Export,
    PositionQuery,
    PositionService,
    TelemetryService,
    TooManyPositions,
    VehicleStateService,
)
from fleetyard.vehicles.schemas import VehicleStatusState

router = APIRouter(tags=["tracking"])
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]

POSITIONS_MAX_LIMIT = 5000
FLEET_MAX_LIMIT = 1000

_MEDIA_TYPES = {
    PositionFormat.GEOJSON: ("application/geo+json", "geojson"),
    PositionFormat.CSV: ("text/csv", "csv"),  # Starlette adds "; charset=utf-8"
    PositionFormat.GPX: ("application/gpx+xml", "gpx"),
}
_FILE_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of positions, or the whole window as a GeoJSON, CSV or GPX file",
        "content": {media: {} for media, _ in _MEDIA_TYPES.values()},
    }
}


def _chunks(export: Export, fmt: PositionFormat) -> AsyncIterator[str]:
    if fmt is PositionFormat.CSV:
        return csv_chunks(export.batches)
    if fmt is PositionFormat.GPX:
        return gpx_chunks(export.batches, name=export.subject.label)
    return geojson_chunks(export.batches)


def _file(export: Export, fmt: PositionFormat) -> StreamingResponse:
    media_type, extension = _MEDIA_TYPES[fmt]
    stamp = export.track.start.strftime("%Y%m%dT%H%M%SZ")
    filename = f"positions-{export.subject.id}-{stamp}.{extension}"
    return StreamingResponse(
        _chunks(export, fmt),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/positions",
    response_model=Page[Position],
    responses={**responses(PermissionDenied, NotFound, TooManyPositions), **_FILE_CONTENT},
)
async def list_positions(
    session: DbSession,
    actor: Reader,
    device_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
    start: Annotated[
        Instant | None,
        Query(alias="from", description="Inclusive; default: 24 hours before 'to'"),
    ] = None,
    end: Annotated[Instant | None, Query(alias="to", description="Exclusive; default: now")] = None,
    valid_only: Annotated[bool, Query(description="Leave out fixes flagged invalid")] = False,
    fmt: Annotated[
        PositionFormat,
        Query(alias="format", description="json pages; the others return the whole window"),
    ] = PositionFormat.JSON,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=POSITIONS_MAX_LIMIT)] = 500,
) -> Response | Page[Position]:
    """One device's or one vehicle's fixes in time order, at most 31 days at a time.

    Invalid fixes are included and flagged (``valid``, ``invalid_reason``) unless
    ``valid_only``. GeoJSON: a Point per fix plus a LineString of the valid ones; CSV: one row
    per fix; GPX: a track of the valid fixes. Files hold at most 100,000 fixes.
    """
    query = PositionQuery(device_id, vehicle_id, start, end, valid_only)
    service = PositionService(session, actor)
    if fmt is PositionFormat.JSON:
        items, next_cursor = await service.list(query, cursor=cursor, limit=limit)
        return Page[Position](
            items=[Position.model_validate(fix) for fix in items], next_cursor=next_cursor
        )
    export = await service.export(query, valid_only=fmt is PositionFormat.GPX)
    return _file(export, fmt)


def _with_state(vehicle: Vehicle, state: VehicleState | None) -> VehicleWithState:
    return VehicleWithState(
        vehicle_id=vehicle.id,
        plate=vehicle.plate,
        name=vehicle.name,
        status=vehicle.status,
        group_id=vehicle.group_id,
        state=VehicleReading.model_validate(state) if state is not None else None,
    )


@router.get(
    "/vehicles/{vehicle_id}/state",
    response_model=VehicleWithState,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_state(
    vehicle_id: uuid.UUID, session: DbSession, actor: Reader
) -> VehicleWithState:
    """The vehicle's latest valid fix and readings; ``state`` is null before its first fix."""
    return _with_state(*await VehicleStateService(session, actor).get(vehicle_id))


@router.get(
    "/vehicles/{vehicle_id}/telemetry",
    response_model=VehicleTelemetry,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_telemetry(
    vehicle_id: uuid.UUID,
    session: DbSession,
    actor: Reader,
    start: Annotated[
        Instant | None,
        Query(alias="from", description="Inclusive; default: 24 hours before 'to'"),
    ] = None,
    end: Annotated[Instant | None, Query(alias="to", description="Exclusive; default: now")] = None,
    buckets: Annotated[
        int, Query(ge=1, le=MAX_BUCKETS, description="At most this many buckets")
    ] = DEFAULT_BUCKETS,
) -> VehicleTelemetry:
    """Speed, fuel level, coolant temperature and engine rpm, downsampled for charts: the
    window (at most 7 days) is cut into buckets of ``bucket_seconds`` = window / ``buckets``
    rounded up to whole seconds, counted from ``from``; each bucket that holds fixes gives
    each metric's avg, min, max and count (null without readings). Speed comes from valid
    fixes only; readings that are not JSON numbers are left out."""
    telemetry = await TelemetryService(session, actor).for_vehicle(vehicle_id, start, end, buckets)
    return VehicleTelemetry(
        vehicle_id=telemetry.vehicle_id,
        from_=telemetry.start,
        to=telemetry.end,
        bucket_seconds=int(telemetry.width.total_seconds()),
        buckets=[TelemetryBucket.model_validate(bucket) for bucket in telemetry.buckets],
    )


@router.get(
    "/fleet/state",
    response_model=Page[VehicleWithState],
    responses=responses(PermissionDenied),
)
async def list_fleet_state(
    session: DbSession,
    actor: Reader,
    group_id: uuid.UUID | None = None,
    status: VehicleStatusState | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=FLEET_MAX_LIMIT)] = 500,
) -> Page[VehicleWithState]:
    """Every vehicle of the tenant with its latest state (null when none yet), by vehicle id."""
    rows, next_cursor = await VehicleStateService(session, actor).list(
        FleetFilters(group_id=group_id, status=status), cursor=cursor, limit=limit
    )
    return Page[VehicleWithState](
        items=[_with_state(vehicle, state) for vehicle, state in rows], next_cursor=next_cursor
    )
