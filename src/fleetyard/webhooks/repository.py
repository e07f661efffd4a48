"""Every line of delivery SQL for the API, built from one tenant-scoped base. (The dispatcher's
cross-tenant SQL is in ``queue``.)"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import SortDirection, paginate
from fleetyard.models import WebhookDelivery
from fleetyard.webhooks.retry import DeliveryStatus

_WAKE_DISPATCHERS = text("select pg_notify('fleetyard_webhooks', '')")


class DeliveryRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _scoped(self, webhook_id: uuid.UUID) -> Select[Any]:
        return select(WebhookDelivery).where(
            WebhookDelivery.tenant_id == self.tenant_id, WebhookDelivery.webhook_id == webhook_id
        )

    async def list_newest_first(
        self,
        webhook_id: uuid.UUID,
        status: DeliveryStatus | None,
        *,
        cursor: str | None,
        limit: int,
    ) -> Sequence[WebhookDelivery]:
        """Newest first (ids are time-ordered); one row more than ``limit`` when another page
        follows."""
        stmt = self._scoped(webhook_id)
        if status is not None:
            stmt = stmt.where(WebhookDelivery.status == status.value)
        stmt = paginate(
            stmt,
            sort_column=WebhookDelivery.id,
            id_column=WebhookDelivery.id,
            direction=SortDirection.DESC,
            cursor=cursor,
            limit=limit,
        )
        rows: Sequence[WebhookDelivery] = (await self.session.execute(stmt)).scalars().all()
        return rows

    async def get(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = self._scoped(webhook_id).where(WebhookDelivery.id == delivery_id)
        delivery: WebhookDelivery | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return delivery

    async def enqueue(
        self,
        webhook_id: uuid.UUID,
        *,
        event_id: int | None,
        event_type: str,
        payload: Mapping[str, Any],
        redelivery_of: uuid.UUID | None = None,
    ) -> WebhookDelivery:
        """A pending delivery, due now; the dispatchers wake when the transaction commits."""
        delivery = WebhookDelivery(
            tenant_id=self.tenant_id,
            webhook_id=webhook_id,
            event_id=event_id,
            event_type=event_type,
            payload=dict(payload),
            redelivery_of=redelivery_of,
        )
        self.session.add(delivery)
        await self.session.flush()
        await self.session.refresh(delivery)
        await self.session.execute(_WAKE_DISPATCHERS)
        return delivery

    async def fail_pending(self, webhook_id: uuid.UUID, error: str) -> None:
        await self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.tenant_id == self.tenant_id,
                WebhookDelivery.webhook_id == webhook_id,
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.FAILED.value, next_attempt_at=None, error=error)
        )
