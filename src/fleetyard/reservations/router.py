from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    ReservationOverlap,
    VehicleRetired,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.instants import Instant
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.reservations.errors import DriverInactive
from fleetyard.reservations.schemas import (
    Reservation,
    ReservationCreate,
    ReservationStatus,
    ReservationUpdate,
)
from fleetyard.reservations.service import ReservationFilters, ReservationService

router = APIRouter(prefix="/reservations", tags=["reservations"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.RESERVATIONS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.RESERVATIONS_WRITE))]


@router.get("", response_model=Page[Reservation], responses=responses(PermissionDenied))
async def list_reservations(
    session: DbSession,
    actor: Reader,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    status: ReservationStatus | None = None,
    window_from: Annotated[
        Instant | None,
        Query(alias="from", description="Only reservations ending after this instant"),
    ] = None,
    window_to: Annotated[
        Instant | None,
        Query(alias="to", description="Only reservations starting before this instant"),
    ] = None,
    sort: Annotated[
        str, Query(max_length=32, description="Field, '-' prefix for descending")
    ] = "starts_at",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Reservation]:
    """Reservations (a driver sees only their own), optionally those overlapping a window."""
    filters = ReservationFilters(
        vehicle_id=vehicle_id,
        driver_id=driver_id,
        user_id=user_id,
        status=status.value if status else None,
        window_from=window_from,
        window_to=window_to,
    )
    items, next_cursor = await ReservationService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Reservation](
        items=[Reservation.model_validate(r) for r in items], next_cursor=next_cursor
    )


@router.post(
    "",
    response_model=Reservation,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, ReservationOverlap, VehicleRetired, DriverInactive),
)
async def create_reservation(
    body: ReservationCreate, session: DbSession, actor: Writer
) -> Reservation:
    """Book a vehicle for ``[starts_at, ends_at)``; back-to-back bookings are fine. A driver
    named on the booking must be active (``409 driver_inactive`` otherwise)."""
    return Reservation.model_validate(await ReservationService(session, actor).create(body))


@router.get(
    "/{reservation_id}",
    response_model=Reservation,
    responses=responses(PermissionDenied, NotFound),
)
async def get_reservation(
    reservation_id: uuid.UUID, session: DbSession, actor: Reader
) -> Reservation:
    return Reservation.model_validate(await ReservationService(session, actor).get(reservation_id))


@router.patch(
    "/{reservation_id}",
    response_model=Reservation,
    responses=responses(
        PermissionDenied,
        NotFound,
        VersionConflict,
        ReservationOverlap,
        VehicleRetired,
        DriverInactive,
        InvalidTransition,
        PreconditionInvalid,
    ),
)
async def update_reservation(
    reservation_id: uuid.UUID,
    body: ReservationUpdate,
    session: DbSession,
    actor: Writer,
    if_match: IfMatch,
) -> Reservation:
    """Change times, vehicle, driver, purpose or status; cancelled and completed are final."""
    record = await ReservationService(session, actor).update(reservation_id, body, if_match)
    return Reservation.model_validate(record)


@router.delete(
    "/{reservation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_reservation(
    reservation_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    await ReservationService(session, actor).delete(reservation_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
