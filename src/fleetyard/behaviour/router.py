from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.behaviour.repository import EventFilters
from fleetyard.behaviour.schemas import (
    DrivingEvent,
    DrivingEventKind,
    Leaderboard,
    LeaderboardPeriod,
    Scorecard,
    ScorePeriodKind,
)
from fleetyard.behaviour.service import BehaviourService
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.kit.instants import Day, Instant
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(tags=["driving behaviour"])
VehicleReader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]
DriverReader = Annotated[Principal, Depends(require(Permission.DRIVERS_READ))]
Start = Annotated[Instant | None, Query(alias="from")]
End = Annotated[Instant | None, Query(alias="to", description="Default: now")]


async def event_filters(
    session: DbSession,
    actor: VehicleReader,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    kind: Annotated[list[DrivingEventKind] | None, Query(max_length=6)] = None,
    start: Annotated[
        Instant | None,
        Query(alias="from", description="Events starting at or after this; default 7 days ago"),
    ] = None,
    end: End = None,
) -> EventFilters:
    """At most one of vehicle_id and driver_id; a window of at most 93 days."""
    return BehaviourService(session, actor).filters(
        vehicle_id, driver_id, [k.value for k in kind or []], start, end
    )


@router.get(
    "/driving-events",
    response_model=Page[DrivingEvent],
    responses=responses(PermissionDenied, ValidationFailed),
)
async def list_driving_events(
    session: DbSession,
    actor: VehicleReader,
    filters: Annotated[EventFilters, Depends(event_filters)],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[DrivingEvent]:
    """Harsh, speeding, idling and night-driving events, the latest first, each with the fixes
    that show it."""
    items, next_cursor = await BehaviourService(session, actor).list_events(filters, cursor, limit)
    return Page[DrivingEvent](items=items, next_cursor=next_cursor)


@router.get(
    "/driving-events/{event_id}",
    response_model=DrivingEvent,
    responses=responses(PermissionDenied, NotFound),
)
async def get_driving_event(
    event_id: uuid.UUID, session: DbSession, actor: VehicleReader
) -> DrivingEvent:
    return await BehaviourService(session, actor).get_event(event_id)


@router.get(
    "/drivers/leaderboard",
    response_model=Leaderboard,
    response_model_by_alias=True,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def driver_leaderboard(
    session: DbSession,
    actor: DriverReader,
    period: LeaderboardPeriod = LeaderboardPeriod.WEEK,
    day: Annotated[
        Day | None,
        Query(
            alias="date",
            description="The day, or a day of the week, to rank; default today (tenant's zone)",
        ),
    ] = None,
) -> Leaderboard:
    """The tenant's drivers by score over a day or an ISO week (those who drove or had events)."""
    return await BehaviourService(session, actor).leaderboard(period, day)


@router.get(
    "/drivers/{driver_id}/scorecard",
    response_model=Scorecard,
    response_model_by_alias=True,
    responses=responses(PermissionDenied, NotFound, ValidationFailed),
)
async def driver_scorecard(
    driver_id: uuid.UUID,
    session: DbSession,
    actor: DriverReader,
    period: ScorePeriodKind = ScorePeriodKind.DAY,
    start: Start = None,
    end: End = None,
) -> Scorecard:
    """The driver's score (0–100) over the window and per trip, day or week, each deduction
    with the events behind it (ids, times, positions) and how its points were reached."""
    return await BehaviourService(session, actor).scorecard(driver_id, period, start, end)
