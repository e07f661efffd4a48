"""Webhooks: tenant endpoints for events, their signing secrets and their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.kit.sealing import Keyring, keyring_of
from fleetyard.webhooks.retry import DeliveryStatus
from fleetyard.webhooks.schemas import (
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookSecretRotate,
    WebhookUpdate,
    WebhookWithSecret,
)
from fleetyard.webhooks.service import DeliveryPending, WebhookInactive, WebhookService

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Manager = Annotated[Principal, Depends(require(Permission.WEBHOOKS_MANAGE))]
Seals = Annotated[Keyring, Depends(keyring_of)]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("", response_model=Page[Webhook], responses=responses(PermissionDenied))
async def list_webhooks(
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Webhook]:
    """The tenant's webhooks, newest first; never their secrets."""
    items, next_cursor = await WebhookService(session, actor, keyring).list(
        cursor=cursor, limit=limit
    )
    return Page[Webhook](items=[Webhook.model_validate(w) for w in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=WebhookWithSecret,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, LimitExceeded),
)
async def create_webhook(
    body: WebhookCreate, session: DbSession, actor: Manager, keyring: Seals
) -> WebhookWithSecret:
    """A new endpoint for the event types named. ``secret`` is in this response only."""
    record, secret = await WebhookService(session, actor, keyring).create(body)
    return WebhookWithSecret(**Webhook.model_validate(record).model_dump(), secret=secret)


@router.get(
    "/{webhook_id}", response_model=Webhook, responses=responses(PermissionDenied, NotFound)
)
async def get_webhook(
    webhook_id: uuid.UUID, session: DbSession, actor: Manager, keyring: Seals
) -> Webhook:
    return Webhook.model_validate(await WebhookService(session, actor, keyring).get(webhook_id))


@router.patch(
    "/{webhook_id}",
    response_model=Webhook,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    if_match: IfMatch,
) -> Webhook:
    """Deactivating a webhook fails its pending deliveries; they can be redelivered."""
    record = await WebhookService(session, actor, keyring).update(webhook_id, body, if_match)
    return Webhook.model_validate(record)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_webhook(
    webhook_id: uuid.UUID, session: DbSession, actor: Manager, keyring: Seals, if_match: IfMatch
) -> Response:
    """The webhook and its delivery log; nothing more is sent to it."""
    await WebhookService(session, actor, keyring).delete(webhook_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    responses=responses(PermissionDenied, NotFound),
)
async def rotate_webhook_secret(
    webhook_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    body: WebhookSecretRotate | None = None,
) -> WebhookWithSecret:
    """A new signing secret, in this response only. The previous one stops signing at once,
    or after ``previous_secret_ttl_s`` (deliveries then carry both signatures)."""
    ttl = body.previous_secret_ttl_s if body is not None else 0
    record, secret = await WebhookService(session, actor, keyring).rotate_secret(webhook_id, ttl)
    return WebhookWithSecret(**Webhook.model_validate(record).model_dump(), secret=secret)


@router.post(
    "/{webhook_id}/ping",
    response_model=WebhookDelivery,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(PermissionDenied, NotFound, WebhookInactive),
)
async def ping_webhook(
    webhook_id: uuid.UUID, session: DbSession, actor: Manager, keyring: Seals
) -> WebhookDelivery:
    """Queue a ``webhook_ping`` delivery to this webhook, sent at once."""
    delivery = await WebhookService(session, actor, keyring).ping(webhook_id)
    return WebhookDelivery.model_validate(delivery)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[WebhookDelivery],
    responses=responses(PermissionDenied, NotFound),
)
async def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    status: DeliveryStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[WebhookDelivery]:
    """The delivery log, newest first; each with its last attempt's outcome."""
    items, next_cursor = await WebhookService(session, actor, keyring).list_deliveries(
        webhook_id, status, cursor=cursor, limit=limit
    )
    return Page[WebhookDelivery](
        items=[WebhookDelivery.model_validate(d) for d in items], next_cursor=next_cursor
    )


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=WebhookDelivery,
    responses=responses(PermissionDenied, NotFound),
)
async def get_webhook_delivery(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
) -> WebhookDelivery:
    delivery = await WebhookService(session, actor, keyring).get_delivery(webhook_id, delivery_id)
    return WebhookDelivery.model_validate(delivery)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=WebhookDelivery,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(PermissionDenied, NotFound, WebhookInactive, DeliveryPending),
)
async def redeliver_webhook_delivery(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
) -> WebhookDelivery:
    """Send a finished delivery's event again now, as a new delivery (``redelivery_of``);
    the original stays in the log as it was."""
    delivery = await WebhookService(session, actor, keyring).redeliver(webhook_id, delivery_id)
    return WebhookDelivery.model_validate(delivery)
