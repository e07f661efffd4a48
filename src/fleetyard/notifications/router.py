"""Notifications: a member's in-app list and preferences; the tenant's channels (SMTP with a
test send, Web Push keys) and members' push subscriptions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.config import Settings
from fleetyard.errors import Conflict, NotFound, PermissionDenied, responses
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.kit.sealing import Keyring, keyring_of
from fleetyard.notifications.schemas import (
    EmailChannelUpdate,
    EmailTest,
    EmailTestResult,
    NotificationChannels,
    NotificationRead,
    NotificationSettings,
    NotificationSettingsUpdate,
    PushChannelUpdate,
    PushSubscribe,
    PushSubscriptionRead,
    PushUnsubscribe,
    ReadAllResult,
    UnreadCount,
    VapidPublicKey,
)
from fleetyard.notifications.service import (
    ChannelService,
    EmailNotSetUp,
    MemberOnly,
    NotificationService,
)

router = APIRouter(tags=["notifications"])
Member = Annotated[Principal, Depends(require(Permission.TENANT_READ))]
Manager = Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))]
Seals = Annotated[Keyring, Depends(keyring_of)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]
MEMBER_ONLY = responses(PermissionDenied, MemberOnly)


# a member's notifications ----------------------------------------------------------------------
@router.get("/notifications", response_model=Page[NotificationRead], responses=MEMBER_ONLY)
async def list_notifications(
    session: DbSession,
    actor: Member,
    unread: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[NotificationRead]:
    """Your in-app notifications, newest first. Identical alerts are one notification with
    ``alert_count``; held ones (gathering, quiet hours) appear when they are released."""
    items, next_cursor = await NotificationService(session, actor).list(
        unread=unread, cursor=cursor, limit=limit
    )
    return Page[NotificationRead](items=items, next_cursor=next_cursor)


@router.get("/notifications/unread-count", response_model=UnreadCount, responses=MEMBER_ONLY)
async def count_unread_notifications(session: DbSession, actor: Member) -> UnreadCount:
    return UnreadCount(unread=await NotificationService(session, actor).unread())


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationRead,
    responses=responses(PermissionDenied, MemberOnly, NotFound),
)
async def read_notification(
    notification_id: uuid.UUID, session: DbSession, actor: Member
) -> NotificationRead:
    return await NotificationService(session, actor).mark(notification_id, read=True)


@router.post(
    "/notifications/{notification_id}/unread",
    response_model=NotificationRead,
    responses=responses(PermissionDenied, MemberOnly, NotFound),
)
async def unread_notification(
    notification_id: uuid.UUID, session: DbSession, actor: Member
) -> NotificationRead:
    return await NotificationService(session, actor).mark(notification_id, read=False)


@router.post("/notifications/read-all", response_model=ReadAllResult, responses=MEMBER_ONLY)
async def read_all_notifications(session: DbSession, actor: Member) -> ReadAllResult:
    return ReadAllResult(marked=await NotificationService(session, actor).mark_all())


# what a member receives ------------------------------------------------------------------------
@router.get("/notification-settings", response_model=NotificationSettings, responses=MEMBER_ONLY)
async def get_notification_settings(session: DbSession, actor: Member) -> NotificationSettings:
    """Per channel (in-app, e-mail, push): on or off, which alert kinds, from which severity."""
    return await NotificationService(session, actor).settings()


@router.put("/notification-settings", response_model=NotificationSettings, responses=MEMBER_ONLY)
async def update_notification_settings(
    body: NotificationSettingsUpdate, session: DbSession, actor: Member
) -> NotificationSettings:
    """The channels sent are replaced; channels left out keep their current choice."""
    return await NotificationService(session, actor).update_settings(body)


# the tenant's channels ---------------------------------------------------------------------
@router.get("/notification-channels", response_model=NotificationChannels, responses=MEMBER_ONLY)
async def get_notification_channels(
    session: DbSession, actor: Manager, keyring: Seals, settings: AppSettings
) -> NotificationChannels:
    """The organisation's SMTP server and Web Push setup; never the password or private key."""
    return await ChannelService(session, actor, keyring, settings).get()


@router.put(
    "/notification-channels/email", response_model=NotificationChannels, responses=MEMBER_ONLY
)
async def update_email_channel(
    body: EmailChannelUpdate,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    settings: AppSettings,
) -> NotificationChannels:
    return await ChannelService(session, actor, keyring, settings).update_email(body)


@router.post(
    "/notification-channels/email/test",
    response_model=EmailTestResult,
    responses=responses(PermissionDenied, MemberOnly, EmailNotSetUp),
)
async def send_test_email(
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    settings: AppSettings,
    body: EmailTest | None = None,
) -> EmailTestResult:
    """Send a test e-mail now (to you, or ``to``); the answer says whether the server took it."""
    service = ChannelService(session, actor, keyring, settings)
    return await service.test_email(str(body.to) if body and body.to else None)


@router.put(
    "/notification-channels/push", response_model=NotificationChannels, responses=MEMBER_ONLY
)
async def update_push_channel(
    body: PushChannelUpdate,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    settings: AppSettings,
) -> NotificationChannels:
    """The contact push services see; the VAPID keys are made if there are none yet."""
    return await ChannelService(session, actor, keyring, settings).update_push(body)


@router.get(
    "/notification-channels/push/vapid-public-key",
    response_model=VapidPublicKey,
    responses=MEMBER_ONLY,
)
async def get_vapid_public_key(
    session: DbSession, actor: Member, keyring: Seals, settings: AppSettings
) -> VapidPublicKey:
    """The key a browser subscribes with (``applicationServerKey``)."""
    service = ChannelService(session, actor, keyring, settings)
    return VapidPublicKey(public_key=await service.vapid_public_key())


@router.post(
    "/notification-channels/push/subscriptions",
    response_model=PushSubscriptionRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, MemberOnly, Conflict),
)
async def subscribe_push(
    body: PushSubscribe,
    request: Request,
    session: DbSession,
    actor: Member,
    keyring: Seals,
    settings: AppSettings,
) -> PushSubscriptionRead:
    """This browser's push subscription (``PushSubscription.toJSON()``), for you."""
    service = ChannelService(session, actor, keyring, settings)
    subscription_id = await service.subscribe(body, request.headers.get("user-agent", ""))
    row = await service.repo.subscription_by_endpoint(body.endpoint)
    assert row is not None and row.id == subscription_id
    return PushSubscriptionRead.model_validate(row)


@router.post(
    "/notification-channels/push/unsubscribe",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, MemberOnly, NotFound),
)
async def unsubscribe_push(
    body: PushUnsubscribe,
    session: DbSession,
    actor: Member,
    keyring: Seals,
    settings: AppSettings,
) -> Response:
    await ChannelService(session, actor, keyring, settings).unsubscribe(body.endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
