"""Webhook rules: a bounded number per tenant, the secret shown once and never logged, and
deliveries that can be pinged, listed and redelivered."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import Conflict, NotFound
from fleetyard.kit.ids import uuid7
from fleetyard.kit.pagination import page_of
from fleetyard.kit.records import RecordService
from fleetyard.kit.sealing import Keyring
from fleetyard.models import Webhook, WebhookDelivery
from fleetyard.webhooks import sealing
from fleetyard.webhooks.repository import DeliveryRepository
from fleetyard.webhooks.retry import DeliveryStatus
from fleetyard.webhooks.schemas import WebhookCreate, WebhookUpdate
from fleetyard.webhooks.signature import new_secret

MAX_WEBHOOKS = 20  # per tenant: every event of the tenant is matched against each
PING = "webhook_ping"
_SECRET_FIELDS = frozenset(
    {
        "secret",
        "previous_secret",
        "previous_secret_expires_at",
        "secret_sealed",
        "previous_secret_sealed",
        "secret_key_id",
    }
)


class WebhookInactive(Conflict):
    code = "webhook_inactive"
    message = "The webhook is inactive; activate it first."


class DeliveryPending(Conflict):
    code = "delivery_pending"
    message = "The delivery is still pending; it will be tried again at next_attempt_at."


def _utc_iso(moment: datetime) -> str:
    """The event timestamp format of deliveries (as the trigger writes it)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WebhookService(RecordService[Webhook]):
    entity_type = "webhook"
    model = Webhook

    def __init__(self, session: AsyncSession, actor: Principal, keyring: Keyring) -> None:
        super().__init__(session, actor)
        self.keyring = keyring
        self.deliveries = DeliveryRepository(session, actor.tenant_id)

    def snapshot(self, record: Webhook) -> dict[str, Any]:
        """What events record of a webhook: everything but its secrets."""
        return {k: v for k, v in super().snapshot(record).items() if k not in _SECRET_FIELDS}

    # webhooks ------------------------------------------------------------------------------
    async def list(self, *, cursor: str | None, limit: int) -> tuple[list[Webhook], str | None]:
        return await self.list_page([], sort="-created_at", cursor=cursor, limit=limit)

    async def create(self, data: WebhookCreate) -> tuple[Webhook, str]:
        """The webhook and its secret (the one time it is shown)."""
        await self.enforce_limit(MAX_WEBHOOKS, "webhooks")
        secret = new_secret()
        webhook_id = uuid7()
        sealed = sealing.seal(self.keyring, self.actor.tenant_id, webhook_id, secret)
        values = {"id": webhook_id, "secret_sealed": sealed, "secret_key_id": self.keyring.key_id}
        record = await self.insert({**data.model_dump(), **values})
        return record, secret

    async def update(
        self, webhook_id: uuid.UUID, data: WebhookUpdate, expected_version: int | None
    ) -> Webhook:
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        version = expected_version if expected_version is not None else data.version
        record = await self.apply_update(webhook_id, changes, version)
        if changes.get("active") is False:
            await self.deliveries.fail_pending(webhook_id, "The webhook was deactivated.")
        return record

    async def delete(self, webhook_id: uuid.UUID, expected_version: int | None) -> None:
        """Its delivery log goes with it."""
        await self.remove(webhook_id, expected_version)

    async def rotate_secret(
        self, webhook_id: uuid.UUID, previous_secret_ttl_s: int
    ) -> tuple[Webhook, str]:
        """A new secret; the previous one keeps signing too for ``previous_secret_ttl_s``."""
        record = await self.get(webhook_id, for_update=True)
        secret = new_secret()
        keep = previous_secret_ttl_s > 0
        tenant_id = self.actor.tenant_id
        current = sealing.open_secret(
            self.keyring, tenant_id, record.id, record.secret_sealed, record.secret
        )
        record.previous_secret = None
        record.previous_secret_sealed = (
            sealing.seal(self.keyring, tenant_id, record.id, current, sealing.PREVIOUS)
            if keep and current
            else None
        )
        record.previous_secret_expires_at = (
            func.now() + timedelta(seconds=previous_secret_ttl_s) if keep else None
        )
        record.secret = None
        record.secret_sealed = sealing.seal(self.keyring, tenant_id, record.id, secret)
        record.secret_key_id = self.keyring.key_id
        record.version += 1
        record.updated_at = func.now()
        await self.flush()
        await self.session.refresh(record)
        self.events.record(self.entity_type, "secret_rotated", record.id, None, None)
        return record, secret

    # deliveries ----------------------------------------------------------------------------
    async def list_deliveries(
        self,
        webhook_id: uuid.UUID,
        status: DeliveryStatus | None,
        *,
        cursor: str | None,
        limit: int,
    ) -> tuple[builtins.list[WebhookDelivery], str | None]:
        await self.get(webhook_id)
        rows: Sequence[WebhookDelivery] = await self.deliveries.list_newest_first(
            webhook_id, status, cursor=cursor, limit=limit
        )
        return page_of(rows, limit, "id")

    async def get_delivery(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
        delivery = await self.deliveries.get(webhook_id, delivery_id)
        if delivery is None:
            raise NotFound(
                "No such webhook delivery.",
                details={"entity_type": "webhook_delivery", "id": str(delivery_id)},
            )
        return delivery

    async def redeliver(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
        """A new delivery of the same event, due now; the original stays in the log."""
        webhook = await self.get(webhook_id)
        original = await self.get_delivery(webhook_id, delivery_id)
        self._check_active(webhook)
        if original.status == DeliveryStatus.PENDING.value:
            raise DeliveryPending(
                details={"next_attempt_at": _utc_iso(original.next_attempt_at)}
                if original.next_attempt_at
                else None
            )
        return await self.deliveries.enqueue(
            webhook_id,
            event_id=original.event_id,
            event_type=original.event_type,
            payload=original.payload,
            redelivery_of=original.id,
        )

    async def ping(self, webhook_id: uuid.UUID) -> WebhookDelivery:
        """A ``webhook_ping`` delivery to this webhook only, due now (no event is written)."""
        webhook = await self.get(webhook_id)
        self._check_active(webhook)
        actor_id = self.actor.actor_id
        payload: dict[str, Any] = {
            "id": None,
            "type": PING,
            "entity_type": self.entity_type,
            "entity_id": str(webhook.id),
            "occurred_at": _utc_iso(datetime.now(UTC)),
            "actor_type": self.actor.actor_type.value,
            "actor_id": str(actor_id) if actor_id else None,
            "changes": {},
            "tenant_id": str(self.actor.tenant_id),
        }
        return await self.deliveries.enqueue(
            webhook_id, event_id=None, event_type=PING, payload=payload
        )

    @staticmethod
    def _check_active(webhook: Webhook) -> None:
        if not webhook.active:
            raise WebhookInactive(details={"id": str(webhook.id)})
