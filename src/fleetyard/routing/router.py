"""The route-plan API: queue a plan (202), follow it, cancel or delete it, check and save
edited routes. Thin: parse, call the service, answer (docs/routing.md)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    InvalidTransition,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    ValidationFailed,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.routing.schemas import (
    PlanStatus,
    RoutePlan,
    RoutePlanAccepted,
    RoutePlanCreate,
    RoutePlanSummary,
    RoutesCheck,
    RoutesChecked,
    RoutesSave,
)
from fleetyard.routing.service import RoutePlanService

router = APIRouter(tags=["route plans"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.ROUTE_PLANS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.ROUTE_PLANS_WRITE))]
PLANS = "/route-plans"


@router.post(
    PLANS,
    response_model=RoutePlanAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(PermissionDenied, ValidationFailed, LimitExceeded),
)
async def create_route_plan(
    body: RoutePlanCreate, session: DbSession, actor: Writer
) -> RoutePlanAccepted:
    """Queue a plan; it is solved in the background (follow it with GET or the live
    ``route_plan.progress`` / ``route_plan.solved`` / ``route_plan.failed`` items)."""
    return await RoutePlanService(session, actor).create(body)


@router.get(PLANS, response_model=Page[RoutePlanSummary], responses=responses(PermissionDenied))
async def list_route_plans(
    session: DbSession,
    actor: Reader,
    status: PlanStatus | None = None,
    sort: Annotated[str, Query(max_length=32)] = "-created_at",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[RoutePlanSummary]:
    """Plans, newest first, without their requests and solutions."""
    items, next_cursor = await RoutePlanService(session, actor).list(
        status, sort=sort, cursor=cursor, limit=limit
    )
    return Page[RoutePlanSummary](items=items, next_cursor=next_cursor)


@router.get(
    PLANS + "/{plan_id}",
    response_model=RoutePlan,
    responses=responses(PermissionDenied, NotFound),
)
async def get_route_plan(
    plan_id: uuid.UUID,
    session: DbSession,
    actor: Reader,
    include: Annotated[
        Literal["matrix"] | None,
        Query(description="``matrix``: the travel matrices and each job's and vehicle's index"),
    ] = None,
) -> RoutePlan:
    return await RoutePlanService(session, actor).read(plan_id, include_matrix=include == "matrix")


@router.post(
    PLANS + "/{plan_id}/cancel",
    response_model=RoutePlan,
    responses=responses(
        PermissionDenied, NotFound, InvalidTransition, VersionConflict, PreconditionInvalid
    ),
)
async def cancel_route_plan(
    plan_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> RoutePlan:
    """Stop a queued or solving plan (a solve stops within about a second; the best routes
    it had found are kept on the plan)."""
    return await RoutePlanService(session, actor).cancel(plan_id, if_match)


@router.delete(
    PLANS + "/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_route_plan(
    plan_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    await RoutePlanService(session, actor).delete(plan_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    PLANS + "/{plan_id}/check",
    response_model=RoutesChecked,
    responses=responses(PermissionDenied, NotFound, ValidationFailed, InvalidTransition),
)
async def check_route_plan_routes(
    plan_id: uuid.UUID, body: RoutesCheck, session: DbSession, actor: Reader
) -> RoutesChecked:
    """Each route's schedule (arrival, departure, load per stop) and the rules it breaks,
    over the plan's own travel matrix. Changes nothing."""
    return await RoutePlanService(session, actor).check(plan_id, body)


@router.put(
    PLANS + "/{plan_id}/routes",
    response_model=RoutePlan,
    responses=responses(
        PermissionDenied,
        NotFound,
        ValidationFailed,
        InvalidTransition,
        VersionConflict,
        PreconditionInvalid,
    ),
)
async def save_route_plan_routes(
    plan_id: uuid.UUID, body: RoutesSave, session: DbSession, actor: Writer, if_match: IfMatch
) -> RoutePlan:
    """Replace the plan's routes with edited ones; routes that break a rule are refused (422
    ``routes_infeasible``) unless ``accept_violations``."""
    return await RoutePlanService(session, actor).save_routes(plan_id, body, if_match)
