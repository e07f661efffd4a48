"""Dispatch over HTTP: put a solved plan on the road, the driver's day and stop progress,
the dispatcher's live view, the tenant's tolerances, re-planning mid-route. Routers parse
and answer; the services hold the rules."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.dispatch.plans import PlanNotDispatchable
from fleetyard.dispatch.replan import ReplanService
from fleetyard.dispatch.repository import DispatchRepository
from fleetyard.dispatch.schemas import (
    DispatchCreate,
    DispatchedRoute,
    DispatchOut,
    DispatchTolerances,
    DispatchTolerancesUpdate,
    LiveDispatch,
    ReplanAccepted,
    ReplanCreate,
    StopProgress,
)
from fleetyard.dispatch.service import DispatchService, PlanAlreadyDispatched, RouteClosed
from fleetyard.dispatch.views import dispatch_out, live_view, routes_out
from fleetyard.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    responses,
)
from fleetyard.inspections.errors import PhotoTooLarge, PhotoTypeMismatch, UnsupportedPhoto
from fleetyard.inspections.router import CappedBodyRoute

router = APIRouter(tags=["dispatch"], route_class=CappedBodyRoute)
Reader = Annotated[Principal, Depends(require(Permission.DISPATCH_READ))]
Driver = Annotated[Principal, Depends(require(Permission.DISPATCH_DRIVE))]
Manager = Annotated[Principal, Depends(require(Permission.DISPATCH_MANAGE))]
Day = Annotated[date | None, Query(alias="date", ge=date(1970, 1, 1), le=date(2200, 1, 1))]
Action = Literal["arrive", "complete", "fail"]


@router.post(
    "/route-plans/{plan_id}/dispatch",
    response_model=DispatchOut,
    status_code=status.HTTP_201_CREATED,
    responses=responses(
        PermissionDenied, NotFound, PlanNotDispatchable, PlanAlreadyDispatched, ValidationFailed
    ),
)
async def dispatch_plan(
    plan_id: uuid.UUID, body: DispatchCreate, session: DbSession, actor: Manager
) -> DispatchOut:
    """Put a solved plan on the road: each route to a vehicle and a driver (the plan's
    ``vehicle_id`` / ``driver_id`` unless ``routes`` says otherwise), its seconds counted
    from ``start_at``. A re-plan's plan replaces the dispatch it was made for (superseded)."""
    service = DispatchService(session, actor)
    dispatch = await service.dispatch_plan(plan_id, body)
    _, routes = await service.get_dispatch(dispatch.id)
    return await dispatch_out(service.repo, dispatch, routes)


@router.post(
    "/route-plans/{plan_id}/replan",
    response_model=ReplanAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(PermissionDenied, NotFound, Conflict),
)
async def replan(
    plan_id: uuid.UUID, body: ReplanCreate, session: DbSession, actor: Manager
) -> ReplanAccepted:
    """Re-optimise a dispatched plan mid-route: a new plan (solved in the background, like
    any) whose vehicles start where they are now, without the stops already served, each
    stop a driver is at kept first on its route. Dispatch it to replace the routes."""
    return await ReplanService(session, actor).replan(plan_id, body)


@router.get(
    "/dispatch/live", response_model=list[LiveDispatch], responses=responses(PermissionDenied)
)
async def live(session: DbSession, actor: Manager) -> list[LiveDispatch]:
    """The dispatcher's view: dispatches in progress, each route's vehicle, next stop, ETA,
    lateness in minutes and completed/total."""
    return await live_view(DispatchRepository(session, actor.tenant_id))


@router.get(
    "/dispatch/my-routes",
    response_model=list[DispatchedRoute],
    responses=responses(PermissionDenied),
)
async def my_routes(session: DbSession, actor: Driver, day: Day = None) -> list[DispatchedRoute]:
    """The signed-in driver's routes of a day (default today, in the tenant's zone): those of
    the driver records linked to their user."""
    service = DispatchService(session, actor)
    return await routes_out(service.repo, await service.my_routes(day))


@router.get(
    "/dispatch/dispatches/{dispatch_id}",
    response_model=DispatchOut,
    responses=responses(PermissionDenied, NotFound),
)
async def get_dispatch(dispatch_id: uuid.UUID, session: DbSession, actor: Reader) -> DispatchOut:
    service = DispatchService(session, actor)
    dispatch, routes = await service.get_dispatch(dispatch_id)
    return await dispatch_out(service.repo, dispatch, routes)


@router.get(
    "/dispatch/routes/{route_id}",
    response_model=DispatchedRoute,
    responses=responses(PermissionDenied, NotFound),
)
async def get_route(route_id: uuid.UUID, session: DbSession, actor: Reader) -> DispatchedRoute:
    """A route with its stops, their planned times, ETAs and progress (a driver: their own)."""
    service = DispatchService(session, actor)
    return (await routes_out(service.repo, [await service.visible_route(route_id)]))[0]


@router.post(
    "/dispatch/routes/{route_id}/stops/{stop_id}/{action}",
    response_model=DispatchedRoute,
    responses=responses(
        PermissionDenied,
        NotFound,
        InvalidTransition,
        RouteClosed,
        PhotoTooLarge,
        UnsupportedPhoto,
        PhotoTypeMismatch,
    ),
)
async def progress_stop(
    route_id: uuid.UUID,
    stop_id: uuid.UUID,
    action: Action,
    body: StopProgress,
    session: DbSession,
    actor: Driver,
) -> DispatchedRoute:
    """``arrive``, ``complete`` or ``fail`` a stop, with a note and an optional proof photo
    (JPEG, PNG, WebP or HEIC by content, ≤ 10 MB). A stop moves pending → arrived →
    completed / failed (completing or failing straight from pending is allowed); anything
    else is a 409, as is arriving while still at another stop. Send an ``Idempotency-Key``:
    an offline queue's replay answers the first response and changes nothing."""
    service = DispatchService(session, actor)
    route = await service.progress(route_id, stop_id, action, body)
    return (await routes_out(service.repo, [route]))[0]


@router.get(
    "/dispatch/routes/{route_id}/stops/{stop_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "image/heic": {}}},
        **responses(PermissionDenied, NotFound),
    },
)
async def get_stop_photo(
    route_id: uuid.UUID, stop_id: uuid.UUID, photo_id: uuid.UUID, session: DbSession, actor: Reader
) -> Response:
    content_type, data = await DispatchService(session, actor).photo(route_id, stop_id, photo_id)
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=86400, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get(
    "/dispatch/settings", response_model=DispatchTolerances, responses=responses(PermissionDenied)
)
async def get_settings(session: DbSession, actor: Reader) -> DispatchTolerances:
    return DispatchTolerances.model_validate(
        await DispatchRepository(session, actor.tenant_id).settings()
    )


@router.put(
    "/dispatch/settings", response_model=DispatchTolerances, responses=responses(PermissionDenied)
)
async def put_settings(
    body: DispatchTolerancesUpdate, session: DbSession, actor: Manager
) -> DispatchTolerances:
    """The corridor's half-width (metres, default 500), how long outside it before a
    ``route_deviation`` alert (seconds, default 60), and how far past a window's end an ETA
    may be before a ``stop_late`` alert (seconds, default 300)."""
    saved = await DispatchService(session, actor).update_settings(body.model_dump())
    return DispatchTolerances.model_validate(saved)
