"""Alert rules: per kind, the thresholds, scope, severity, quiet hours, dedupe window and
escalation of the tenant's alerts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.alerts.rules.schemas import (
    AlertKindInfo,
    AlertRule,
    AlertRuleCreate,
    AlertRuleUpdate,
    rule_out,
)
from fleetyard.alerts.rules.service import AlertRuleService, kinds
from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
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

router = APIRouter(prefix="/alert-rules", tags=["alert rules"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]
Manager = Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))]


@router.get("/kinds", response_model=list[AlertKindInfo], responses=responses(PermissionDenied))
async def list_alert_kinds(_: Reader) -> list[AlertKindInfo]:
    """Every alert kind a rule can be written for, with its thresholds and their defaults."""
    return kinds()


@router.get("", response_model=Page[AlertRule], responses=responses(PermissionDenied))
async def list_alert_rules(
    session: DbSession,
    actor: Reader,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    sort: Annotated[str, Query(max_length=20)] = "name",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[AlertRule]:
    items, next_cursor = await AlertRuleService(session, actor).list(
        kind, sort=sort, cursor=cursor, limit=limit
    )
    return Page[AlertRule](items=[rule_out(r) for r in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=AlertRule,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, ValidationFailed, LimitExceeded),
)
async def create_alert_rule(body: AlertRuleCreate, session: DbSession, actor: Manager) -> AlertRule:
    """A rule for one kind; without one, a kind runs on its defaults for every vehicle."""
    return rule_out(await AlertRuleService(session, actor).create(body))


@router.get("/{rule_id}", response_model=AlertRule, responses=responses(PermissionDenied, NotFound))
async def get_alert_rule(rule_id: uuid.UUID, session: DbSession, actor: Reader) -> AlertRule:
    return rule_out(await AlertRuleService(session, actor).get(rule_id))


@router.patch(
    "/{rule_id}",
    response_model=AlertRule,
    responses=responses(
        PermissionDenied, NotFound, ValidationFailed, VersionConflict, PreconditionInvalid
    ),
)
async def update_alert_rule(
    rule_id: uuid.UUID,
    body: AlertRuleUpdate,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> AlertRule:
    return rule_out(await AlertRuleService(session, actor).update(rule_id, body, if_match))


@router.delete(
    "/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_alert_rule(
    rule_id: uuid.UUID, session: DbSession, actor: Manager, if_match: IfMatch
) -> Response:
    """The kind falls back to the next matching rule, or its defaults."""
    await AlertRuleService(session, actor).delete(rule_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
