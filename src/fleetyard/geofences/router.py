"""Geofences: circles and polygons a vehicle enters, leaves, dwells in or speeds in."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    ValidationFailed,
    VersionConflict,
    responses,
)
from fleetyard.geofences.schemas import Geofence, GeofenceCreate, GeofenceUpdate, VehicleInside
from fleetyard.geofences.service import GeofenceFilters, GeofenceService, geofence_out
from fleetyard.geofences.shapes import Shape
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/geofences", tags=["geofences"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.GEOFENCES_READ))]
Manager = Annotated[Principal, Depends(require(Permission.GEOFENCES_MANAGE))]


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        raise ValidationFailed(
            "bbox is west,south,east,north in degrees.", details={"field": "bbox"}
        ) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationFailed(
            "bbox is west,south,east,north in degrees.", details={"field": "bbox"}
        )
    return west, south, east, north


@router.get("", response_model=Page[Geofence], responses=responses(PermissionDenied))
async def list_geofences(
    session: DbSession,
    actor: Reader,
    shape: Shape | None = None,
    group_id: Annotated[
        uuid.UUID | None, Query(description="Those applying to this group (or to all vehicles)")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Name contains")] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=100, description="west,south,east,north: those meeting this box"),
    ] = None,
    sort: Annotated[
        str, Query(max_length=32, description="name, created_at, updated_at or id; '-' descends")
    ] = "name",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Geofence]:
    filters = GeofenceFilters(
        shape=shape.value if shape else None, group_id=group_id, name=q, bbox=_bbox(bbox)
    )
    items, next_cursor = await GeofenceService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Geofence](items=[geofence_out(g) for g in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=Geofence,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, LimitExceeded),
)
async def create_geofence(body: GeofenceCreate, session: DbSession, actor: Manager) -> Geofence:
    """A circle is a GeoJSON Point with ``radius_m`` (5 m to 100 km); a polygon a closed,
    simple GeoJSON Polygon at most 200 km across. A geometry that is not is refused with 422
    ``invalid_geometry`` and the reason in ``details.reason`` (``self_intersecting``,
    ``unclosed``, ``too_few_points``, ``too_large``, ``too_small``, ``out_of_range`` …)."""
    return geofence_out(await GeofenceService(session, actor).create(body))


@router.get(
    "/{geofence_id}", response_model=Geofence, responses=responses(PermissionDenied, NotFound)
)
async def get_geofence(geofence_id: uuid.UUID, session: DbSession, actor: Reader) -> Geofence:
    return geofence_out(await GeofenceService(session, actor).get(geofence_id))


@router.get(
    "/{geofence_id}/vehicles",
    response_model=Page[VehicleInside],
    responses=responses(PermissionDenied, NotFound),
)
async def list_vehicles_inside(
    geofence_id: uuid.UUID,
    session: DbSession,
    actor: Reader,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[VehicleInside]:
    """Who is inside the geofence now (longest there first): the evaluator's own state, so a
    vehicle counts from the fix that took it more than the margin inside."""
    rows, next_cursor = await GeofenceService(session, actor).vehicles_inside(
        geofence_id, cursor=cursor, limit=limit
    )
    return Page[VehicleInside](
        items=[VehicleInside.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.patch(
    "/{geofence_id}",
    response_model=Geofence,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, AlreadyExists, PreconditionInvalid
    ),
)
async def update_geofence(
    geofence_id: uuid.UUID,
    body: GeofenceUpdate,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> Geofence:
    """Only the fields sent change; sending null clears the speed limit, active hours or
    dwell time."""
    service = GeofenceService(session, actor)
    return geofence_out(await service.update(geofence_id, body, if_match))


@router.delete(
    "/{geofence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_geofence(
    geofence_id: uuid.UUID, session: DbSession, actor: Manager, if_match: IfMatch
) -> Response:
    await GeofenceService(session, actor).delete(geofence_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
