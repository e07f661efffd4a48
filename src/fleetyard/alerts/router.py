from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fleetyard.alerts.repository import AlertFilters
from fleetyard.alerts.schemas import Alert, StateFilter, alert_out
from fleetyard.alerts.service import AlertService
from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, responses
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
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Alert]:
    """Alerts, newest opened first; ``state`` defaults to ``all`` (open and cleared)."""
    filters = AlertFilters(
        vehicle_id=vehicle_id,
        kind=kind,
        severity=severity.value if severity else None,
        state=state,
        acknowledged=acknowledged,
    )
    items, next_cursor = await AlertService(session, actor).list(
        filters, cursor=cursor, limit=limit
    )
    return Page[Alert](items=[alert_out(a) for a in items], next_cursor=next_cursor)


@router.get("/{alert_id}", response_model=Alert, responses=responses(PermissionDenied, NotFound))
async def get_alert(
    alert_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
) -> Alert:
    return alert_out(await AlertService(session, actor).get(alert_id))


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
    return alert_out(await AlertService(session, actor).acknowledge(alert_id))
