"""Send one claimed delivery: read what to send under the tenant's row-level security (the
notification as it is now — its count included — and the tenant's channel settings), then
e-mail or push it. Never raises for anything a server or browser does."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from fleetyard.kit.sealing import Keyring, SealError
from fleetyard.notifications import outbox, queue, sealing
from fleetyard.notifications.email import SendOutcome, SmtpSettings, send_email
from fleetyard.notifications.outbox import DeliveryJob
from fleetyard.notifications.push import Subscription, send_push
from fleetyard.notifications.render import grouped_body, grouped_title


@dataclass(frozen=True, slots=True)
class Sent:
    outcome: SendOutcome
    alert_count: int | None = None


def email_text(n: asyncpg.Record, link: str) -> str:
    lines = [grouped_title(n), "", grouped_body(n), "", f"Severity: {n['severity']}"]
    lines += [
        "",
        f"Open it in Fleetyard: {link}",
        "",
        "You receive this because of your notification settings in Fleetyard.",
    ]
    return "\n".join(lines)


def push_payload(n: asyncpg.Record, link: str) -> bytes:
    document = {
        "title": grouped_title(n),
        "body": grouped_body(n)[:500],
        "severity": n["severity"],
        "count": n["alert_count"],
        "tag": str(n["id"]),
        "url": link,
    }
    return json.dumps(document, separators=(",", ":")).encode()


class Deliverer:
    def __init__(
        self,
        client: httpx.AsyncClient,
        keyring: Keyring,
        *,
        timeout_s: float,
        base_url: str,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.keyring = keyring
        self.timeout_s = timeout_s
        self.base_url = base_url.rstrip("/")
        self.extensions = extensions

    async def send(self, pool: asyncpg.Pool, job: DeliveryJob) -> Sent:
        async with pool.acquire() as conn, conn.transaction():
            await queue.scope(conn, job.tenant_id)
            notification = await outbox.notification(conn, job.tenant_id, job.notification_id)
            settings = await outbox.channel_settings(conn, job.tenant_id)
            subscription = None
            if job.channel == "push":
                subscription = await outbox.subscription(conn, job.tenant_id, _uuid(job.target))
        if notification is None:
            return Sent(SendOutcome("The notification no longer exists.", False))
        link = f"{self.base_url}/alerts/{notification['alert_id']}"
        try:
            if job.channel == "email":
                return await self._email(job, notification, settings, link)
            return await self._push(pool, job, notification, settings, subscription, link)
        except SealError as exc:
            return Sent(SendOutcome(f"A sealed secret does not open: {exc}", False))

    async def _email(
        self, job: DeliveryJob, n: asyncpg.Record, settings: asyncpg.Record | None, link: str
    ) -> Sent:
        smtp = smtp_settings(self.keyring, job.tenant_id, settings)
        if smtp is None:
            return Sent(SendOutcome("E-mail is not set up for this organisation.", False))
        subject = f"[Fleetyard] {grouped_title(n)}"
        outcome = await send_email(
            smtp, job.target, subject, email_text(n, link), timeout_s=self.timeout_s
        )
        return Sent(outcome, n["alert_count"])

    async def _push(
        self,
        pool: asyncpg.Pool,
        job: DeliveryJob,
        n: asyncpg.Record,
        settings: asyncpg.Record | None,
        subscription: asyncpg.Record | None,
        link: str,
    ) -> Sent:
        if subscription is None:
            return Sent(SendOutcome("The browser unsubscribed.", False))
        private = (
            sealing.open_sealed(
                self.keyring,
                sealing.VAPID_PRIVATE_KEY,
                job.tenant_id,
                settings["vapid_private_key_sealed"],
            )
            if settings is not None
            else None
        )
        if settings is None or private is None:
            return Sent(SendOutcome("Web Push is not set up for this organisation.", False))
        outcome = await send_push(
            self.client,
            Subscription(subscription["endpoint"], subscription["p256dh"], subscription["auth"]),
            push_payload(n, link),
            vapid_private_key=private,
            subject=settings["vapid_subject"] or "mailto:notifications@fleetyard.invalid",
            timeout_s=self.timeout_s,
            extensions=self.extensions,
        )
        if outcome.gone:
            async with pool.acquire() as conn, conn.transaction():
                await queue.scope(conn, job.tenant_id)
                await outbox.delete_subscription(conn, job.tenant_id, subscription["id"])
        return Sent(outcome, n["alert_count"])


def smtp_settings(
    keyring: Keyring, tenant_id: Any, settings: asyncpg.Record | None
) -> SmtpSettings | None:
    if settings is None or not settings["smtp_enabled"] or not settings["smtp_host"]:
        return None
    password = sealing.open_sealed(
        keyring, sealing.SMTP_PASSWORD, tenant_id, settings["smtp_password_sealed"]
    )
    return SmtpSettings(
        host=settings["smtp_host"],
        port=settings["smtp_port"] or 25,
        security=settings["smtp_security"],
        username=settings["smtp_username"],
        password=password,
        from_address=settings["smtp_from"] or "fleetyard@localhost",
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.UUID(int=0)
