from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from fleetyard.alerts.repository import AlertFilters, AlertRow
from fleetyard.alerts.schemas import (
    Alert,
    AlertAssign,
    AlertComment,
    AlertCommentCreate,
    AlertSort,
    StateFilter,
    alert_out,
)
from fleetyard.alerts.service import AlertService
from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.telematics.rules.conditions import Severity

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("", response_model=Page[Alert], responses=responses(PermissionDenied))
async def list_alerts(
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
    vehicle_id: uuid.UUID | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    severity: Severity | None = None,
    state: StateFilter = StateFilter.ALL,
    acknowledged: bool | None = None,
    sort: Annotated[
        AlertSort,
        Query(
            description="severity: critical first, then newest opened first (the default); "
            "-opened_at: newest first; opened_at: oldest first"
        ),
    ] = AlertSort.SEVERITY,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Alert]:
    """Alerts, critical first and the newest first within a severity (``sort`` picks another
    order; a cursor belongs to the order it came from). Each says who acknowledged it, by
    name. ``state`` defaults to ``all`` (open and cleared)."""
    filters = AlertFilters(
        vehicle_id=vehicle_id,
        kind=kind,
        severity=severity.value if severity else None,
        state=state,
        acknowledged=acknowledged,
    )
    items, next_cursor = await AlertService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Alert](items=[_out(row) for row in items], next_cursor=next_cursor)


@router.get("/{alert_id}", response_model=Alert, responses=responses(PermissionDenied, NotFound))
async def get_alert(
    alert_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
) -> Alert:
    return _out(await AlertService(session, actor).get(alert_id))


@router.post(
    "/{alert_id}/acknowledge",
    response_model=Alert,
    responses=responses(PermissionDenied, NotFound),
)
async def acknowledge_alert(
    alert_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.ALERTS_ACKNOWLEDGE))],
) -> Alert:
    """Mark the alert as seen by someone; acknowledging it again answers the same alert."""
    return _out(await AlertService(session, actor).acknowledge(alert_id))


@router.post(
    "/{alert_id}/assign",
    response_model=Alert,
    responses=responses(PermissionDenied, NotFound, ValidationFailed),
)
async def assign_alert(
    alert_id: uuid.UUID,
    body: AlertAssign,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.ALERTS_ACKNOWLEDGE))],
) -> Alert:
    """Give the alert to a member (null: to nobody); they are notified in the app."""
    return _out(await AlertService(session, actor).assign(alert_id, body.user_id))


@router.get(
    "/{alert_id}/comments",
    response_model=list[AlertComment],
    responses=responses(PermissionDenied, NotFound),
)
async def list_alert_comments(
    alert_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT,
) -> list[AlertComment]:
    """The alert's comments, oldest first, each with its author in words."""
    return await AlertService(session, actor).comments(alert_id, limit)


@router.post(
    "/{alert_id}/comments",
    response_model=AlertComment,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, NotFound),
)
async def comment_alert(
    alert_id: uuid.UUID,
    body: AlertCommentCreate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.ALERTS_ACKNOWLEDGE))],
) -> AlertComment:
    return await AlertService(session, actor).comment(alert_id, body.body)


def _out(row: AlertRow) -> Alert:
    return alert_out(row.alert, row.acknowledged_by_name)
