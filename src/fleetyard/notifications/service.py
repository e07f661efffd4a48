"""Notification rules for the API: a member's own list and preferences (members only, never
an API key's), the tenant's channels with secrets sealed and never returned, VAPID keys made
on first need, and every change in the event log."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.config import Settings
from fleetyard.errors import Conflict, FleetyardError, NotFound
from fleetyard.events.service import EventLog
from fleetyard.kit.pagination import encode_cursor
from fleetyard.kit.sealing import Keyring
from fleetyard.models import Notification as NotificationRow
from fleetyard.models import NotificationChannelSettings, User
from fleetyard.notifications import sealing, vapid
from fleetyard.notifications.email import SmtpSettings, send_email
from fleetyard.notifications.preferences import Channel, Preference, effective
from fleetyard.notifications.render import grouped_body, grouped_title
from fleetyard.notifications.repository import (
    ChannelRepository,
    MemberNotifications,
    PreferenceRepository,
)
from fleetyard.notifications.schemas import (
    ChannelPreference,
    EmailChannel,
    EmailChannelUpdate,
    EmailTestResult,
    NotificationChannels,
    NotificationRead,
    NotificationSettings,
    NotificationSettingsUpdate,
    PushChannel,
    PushChannelUpdate,
    PushSubscribe,
)
from fleetyard.telematics.rules.conditions import Severity

MAX_SUBSCRIPTIONS_PER_MEMBER = 20


class EmailNotSetUp(Conflict):
    code = "email_not_set_up"
    message = "E-mail is not set up for this organisation; save the SMTP settings first."


class MemberOnly(FleetyardError):
    """Not a missing permission: an API key (or the system) is no member with an inbox."""

    status_code = 403
    code = "member_only"
    message = "Notifications belong to a signed-in member, not to an API key."


def member_of(actor: Principal) -> uuid.UUID:
    if actor.user_id is None:
        raise MemberOnly()
    return actor.user_id


def notification_out(row: NotificationRow) -> NotificationRead:
    fields = {c.key: getattr(row, c.key) for c in NotificationRow.__table__.columns}
    return NotificationRead.model_validate(
        {**fields, "title": grouped_title(fields), "body": grouped_body(fields)}
    )


class NotificationService:
    """A member's in-app notifications and what they want to receive."""

    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        # an API key has no inbox: its list is empty, any one notification a 404, its
        # settings a 403 member_only
        self.user_id = actor.user_id or uuid.UUID(int=0)
        self.inbox = MemberNotifications(session, actor.tenant_id, self.user_id)
        self.preferences = PreferenceRepository(session, actor.tenant_id, self.user_id)

    async def list(
        self, *, unread: bool | None, cursor: str | None, limit: int
    ) -> tuple[list[NotificationRead], str | None]:
        if self.actor.user_id is None:
            return [], None  # an API key has no notifications
        rows = await self.inbox.list_page(unread=unread, cursor=cursor, limit=limit)
        items = list(rows[:limit])
        next_cursor = encode_cursor(items[-1].id, items[-1].id) if len(rows) > limit else None
        return [notification_out(r) for r in items], next_cursor

    async def unread(self) -> int:
        if self.actor.user_id is None:
            return 0
        return await self.inbox.unread()

    async def mark(self, notification_id: uuid.UUID, read: bool) -> NotificationRead:
        if await self.inbox.get(notification_id) is None:
            raise NotFound("No such notification.", details={"id": str(notification_id)})
        await self.inbox.mark_read(notification_id, read)
        row = await self.inbox.get(notification_id)
        assert row is not None
        await self.session.refresh(row)
        return notification_out(row)

    async def mark_all(self) -> int:
        member_of(self.actor)
        return await self.inbox.mark_all_read()

    async def settings(self) -> NotificationSettings:
        member_of(self.actor)
        stored = [
            Preference(Channel(p.channel), p.enabled, frozenset(p.kinds), p.min_severity)
            for p in await self.preferences.all()
        ]
        chosen = effective(stored, self.actor.role.value)
        channels = ChannelRepository(self.session, self.actor.tenant_id)
        tenant = await channels.get()
        return NotificationSettings(
            channels=[
                ChannelPreference(
                    channel=p.channel,
                    enabled=p.enabled,
                    kinds=sorted(p.kinds),
                    min_severity=Severity(p.min_severity),
                )
                for p in chosen.values()
            ],
            email_available=bool(tenant and tenant.smtp_enabled and tenant.smtp_host),
            push_available=bool(tenant and tenant.vapid_private_key_sealed is not None),
            push_subscriptions=await channels.subscription_count(self.user_id),
        )

    async def update_settings(self, data: NotificationSettingsUpdate) -> NotificationSettings:
        member_of(self.actor)
        before = (await self.settings()).model_dump(mode="json")["channels"]
        for choice in data.channels:
            await self.preferences.put(
                choice.channel.value,
                choice.enabled,
                list(dict.fromkeys(choice.kinds)),
                choice.min_severity.value,
            )
        after = await self.settings()
        EventLog(self.session, self.actor).record(
            "notification_preferences",
            "updated",
            self.user_id,
            {"channels": before},
            {"channels": after.model_dump(mode="json")["channels"]},
        )
        return after


class ChannelService:
    """The tenant's e-mail and Web Push setup, and members' push subscriptions."""

    def __init__(
        self, session: AsyncSession, actor: Principal, keyring: Keyring, settings: Settings
    ) -> None:
        self.session = session
        self.actor = actor
        self.keyring = keyring
        self.settings = settings
        self.repo = ChannelRepository(session, actor.tenant_id)
        self.events = EventLog(session, actor)

    async def get(self) -> NotificationChannels:
        return channels_out(await self.repo.get())

    async def update_email(self, data: EmailChannelUpdate) -> NotificationChannels:
        row = await self.repo.get_or_create()
        before = channels_out(row).model_dump(mode="json")
        row.smtp_enabled = data.enabled
        row.smtp_host = data.host
        row.smtp_port = data.port
        row.smtp_security = data.security
        row.smtp_username = data.username or None
        row.smtp_from = str(data.from_address)
        if "password" in data.model_fields_set:
            row.key_id = self.keyring.key_id
            row.smtp_password_sealed = (
                sealing.seal(
                    self.keyring, sealing.SMTP_PASSWORD, self.actor.tenant_id, data.password
                )
                if data.password
                else None
            )
        return await self._saved(row, before)

    async def update_push(self, data: PushChannelUpdate) -> NotificationChannels:
        row = await self.repo.get_or_create()
        before = channels_out(row).model_dump(mode="json")
        row.vapid_subject = data.subject
        self._ensure_vapid(row)
        return await self._saved(row, before)

    async def vapid_public_key(self) -> str:
        """The tenant's VAPID public key, made (with its sealed private key) on first need."""
        existing = await self.repo.get()
        if existing is not None and existing.vapid_public_key:
            return existing.vapid_public_key
        row = await self.repo.get_or_create()
        before = channels_out(row).model_dump(mode="json")
        if not row.vapid_public_key:
            self._ensure_vapid(row)
            await self._saved(row, before)
        assert row.vapid_public_key is not None
        return row.vapid_public_key

    def _ensure_vapid(self, row: NotificationChannelSettings) -> None:
        if row.vapid_public_key:
            return
        keys = vapid.new_keys()
        row.vapid_public_key = keys.public_key
        row.vapid_private_key_sealed = sealing.seal(
            self.keyring, sealing.VAPID_PRIVATE_KEY, self.actor.tenant_id, keys.private_key
        )
        row.key_id = self.keyring.key_id

    async def _saved(
        self, row: NotificationChannelSettings, before: dict[str, Any]
    ) -> NotificationChannels:
        after = channels_out(row).model_dump(mode="json")
        if after != before:
            row.version += 1
            row.updated_at = func.now()
        await self.session.flush()
        await self.session.refresh(row)
        if after != before:
            self.events.record(
                "notification_channels", "updated", self.actor.tenant_id, before, after
            )
        return channels_out(row)

    async def test_email(self, to: str | None) -> EmailTestResult:
        """Send one e-mail now through the saved settings; the answer says what happened."""
        row = await self.repo.get()
        if row is None or not row.smtp_host:
            raise EmailNotSetUp()
        address = to or await self._own_email()
        password = sealing.open_sealed(
            self.keyring, sealing.SMTP_PASSWORD, self.actor.tenant_id, row.smtp_password_sealed
        )
        smtp = SmtpSettings(
            host=row.smtp_host,
            port=row.smtp_port or 25,
            security=row.smtp_security,
            username=row.smtp_username,
            password=password,
            from_address=row.smtp_from or "fleetyard@localhost",
        )
        outcome = await send_email(
            smtp,
            address,
            "[Fleetyard] Test e-mail",
            "This is a test of your organisation's e-mail settings in Fleetyard.\n"
            "Alert notifications will arrive like this one.",
            timeout_s=self.settings.notification_timeout_s,
        )
        return EmailTestResult(delivered=outcome.ok, to=address, error=outcome.error)

    async def _own_email(self) -> str:
        user_id = member_of(self.actor)
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound("No such member.")
        return user.email

    async def subscribe(self, data: PushSubscribe, user_agent: str) -> uuid.UUID:
        user_id = member_of(self.actor)
        await self.vapid_public_key()
        existing = await self.repo.subscription_by_endpoint(data.endpoint)
        if existing is not None:
            if existing.user_id == user_id:
                existing.p256dh, existing.auth = data.keys.p256dh, data.keys.auth
                await self.session.flush()
                return existing.id
            # the browser changed hands (another member signed in): it is theirs now
            await self.repo.delete_subscription(existing.id)
        if await self.repo.subscription_count(user_id) >= MAX_SUBSCRIPTIONS_PER_MEMBER:
            raise Conflict(
                f"At most {MAX_SUBSCRIPTIONS_PER_MEMBER} browsers per member; unsubscribe one.",
                details={"limit": MAX_SUBSCRIPTIONS_PER_MEMBER},
            )
        row = await self.repo.add_subscription(
            user_id=user_id,
            endpoint=data.endpoint,
            p256dh=data.keys.p256dh,
            auth=data.keys.auth,
            user_agent=user_agent[:300],
        )
        self.events.record("push_subscription", "created", row.id, None, _subscription_log(row))
        return row.id

    async def unsubscribe(self, endpoint: str) -> None:
        user_id = member_of(self.actor)
        existing = await self.repo.subscription_by_endpoint(endpoint)
        if existing is None or existing.user_id != user_id:
            raise NotFound("No such subscription of yours.")
        await self.repo.delete_subscription(existing.id)
        self.events.record(
            "push_subscription", "deleted", existing.id, _subscription_log(existing), None
        )


def _subscription_log(row: Any) -> dict[str, Any]:
    """The push service's origin only: the endpoint itself is a capability to push."""
    parts = urlsplit(row.endpoint)
    return {"user_id": str(row.user_id), "push_service": f"{parts.scheme}://{parts.netloc}"}


def channels_out(row: NotificationChannelSettings | None) -> NotificationChannels:
    if row is None:
        return NotificationChannels(
            email=EmailChannel(
                enabled=False,
                host=None,
                port=None,
                security="starttls",
                username=None,
                from_address=None,
                password_set=False,
            ),
            push=PushChannel(configured=False, public_key=None, subject=None),
        )
    return NotificationChannels(
        email=EmailChannel(
            enabled=row.smtp_enabled,
            host=row.smtp_host,
            port=row.smtp_port,
            security=row.smtp_security,
            username=row.smtp_username,
            from_address=row.smtp_from,
            password_set=row.smtp_password_sealed is not None,
        ),
        push=PushChannel(
            configured=row.vapid_private_key_sealed is not None,
            public_key=row.vapid_public_key,
            subject=row.vapid_subject,
        ),
    )
