"""The notification dispatcher: a background loop in each API process, like the webhook
dispatcher, on the owner connection (work of every tenant).

Each round it routes queued alert events into grouped notifications, raises and clears
device-offline alerts (every ``notification_offline_sweep_s``), escalates alerts not
acknowledged in time, releases notifications that came due (gathering delay or quiet hours
over; each receiver's open apps are told on the live bus, so the bell updates at once rather
than at its next poll), and sends due e-mail and push deliveries — at most
``notification_workers`` at once, each leased, retried with backoff (``webhooks.retry``),
its outcome recorded. It wakes on ``NOTIFY fleetyard_notifications`` (sent by the queue's
trigger) and polls, so a lost notification, a retry or a release coming due is picked up
within the poll interval. All state is in tables: a restarted process (or another node)
carries on where one stopped.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from fleetyard.config import Settings
from fleetyard.kit.listening_loop import ListeningLoop
from fleetyard.kit.sealing import Keyring
from fleetyard.notifications import offline, outbox
from fleetyard.notifications.delivery import Deliverer
from fleetyard.notifications.escalation import escalate_due
from fleetyard.notifications.outbox import DeliveryJob, Releasable
from fleetyard.notifications.release import release_due
from fleetyard.notifications.routing import route_queued
from fleetyard.realtime.bus import Bus
from fleetyard.realtime.items import NOTIFICATIONS_RELEASED, LiveItem
from fleetyard.webhooks.retry import DeliveryStatus, settle
from fleetyard.webhooks.sender import new_client
from fleetyard.webhooks.targets import refuse_private_peers

log = logging.getLogger(__name__)

ROUTE_BATCH = 500
LEASE_SLACK_S = 30.0
PRUNE_EVERY_S = 3600.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class NotificationDispatcher(ListeningLoop):
    channel = "fleetyard_notifications"
    task_name = "notification-dispatcher"

    def __init__(
        self,
        settings: Settings,
        owner_dsn: str,
        *,
        clock: Clock = utc_now,
        bus: Bus | None = None,
    ) -> None:
        super().__init__(owner_dsn, poll_interval_s=settings.notification_poll_interval_s)
        self.settings = settings
        self.clock = clock
        self.bus = bus
        self.client = new_client(settings.notification_workers, settings.notification_timeout_s)
        extensions = (
            {} if settings.webhook_allow_private_targets else {"trace": refuse_private_peers}
        )
        self.deliverer = Deliverer(
            self.client,
            Keyring.from_settings(settings),
            timeout_s=settings.notification_timeout_s,
            base_url=settings.notification_base_url,
            extensions=extensions,
        )
        self._next_prune = 0.0
        self._next_sweep = 0.0

    @classmethod
    async def start(
        cls, settings: Settings, owner_dsn: str, **options: Any
    ) -> NotificationDispatcher:
        dispatcher = cls(settings, owner_dsn, **options)
        await dispatcher.open()
        return dispatcher

    async def stop(self) -> None:
        await super().stop()
        await self.client.aclose()

    # the loop -----------------------------------------------------------------------------
    async def _round(self) -> None:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            while (
                await route_queued(
                    conn,
                    self.clock(),
                    gather_s=self.settings.notification_gather_s,
                    batch=ROUTE_BATCH,
                )
                >= ROUTE_BATCH
            ):
                pass  # a backlog: go on without waiting
            await self._sweep_now_and_then(conn)
            await escalate_due(conn, self.clock())
            released = await release_due(conn, self.clock())
            await self._prune_now_and_then(conn)
        await self._announce(released)
        await self._claim_deliveries()

    async def _announce(self, released: list[Releasable]) -> None:
        """Tell the receivers' open apps that in-app notifications came (who, not what: the
        app reads its list through the API, under the member's own access)."""
        if self.bus is None:
            return
        receivers: dict[uuid.UUID, set[uuid.UUID]] = {}
        for item in released:
            if "in_app" in item.channels:
                receivers.setdefault(item.tenant_id, set()).add(item.user_id)
        for tenant_id, users in receivers.items():
            notice = LiveItem(
                NOTIFICATIONS_RELEASED, "notification", (), {}, audience=tuple(sorted(users))
            )
            try:
                await self.bus.publish(tenant_id, [notice])
            except Exception:  # the bell's next poll still finds them
                log.warning("live notice of new notifications not sent", exc_info=True)

    async def _claim_deliveries(self) -> None:
        free = self.settings.notification_workers - len(self._in_flight)
        if free <= 0:
            return
        assert self._pool is not None
        jobs = await outbox.claim_deliveries(
            self._pool,
            self.clock(),
            free,
            self.settings.notification_timeout_s + LEASE_SLACK_S,
        )
        for job in jobs:
            task = asyncio.create_task(self._deliver(job), name=f"notification-{job.id}")
            self._in_flight[job.id] = task

    async def _deliver(self, job: DeliveryJob) -> None:
        assert self._pool is not None
        try:
            sent = await self.deliverer.send(self._pool, job)
            settlement = settle(
                succeeded=sent.outcome.ok,
                retryable=sent.outcome.retryable,
                attempts=job.attempts,
                max_attempts=self.settings.notification_max_attempts,
                base_s=self.settings.notification_retry_base_s,
            )
            now = self.clock()
            retry_at = (
                now + timedelta(seconds=settlement.retry_in_s)
                if settlement.retry_in_s is not None
                else None
            )
            await outbox.record(
                self._pool,
                job,
                status=settlement.status.value,
                retry_at=retry_at,
                sent_at=now if settlement.status is DeliveryStatus.SUCCEEDED else None,
                alert_count=sent.alert_count,
                error=sent.outcome.error,
            )
            if settlement.status is DeliveryStatus.FAILED:
                log.info(
                    "notification delivery failed",
                    extra={
                        "tenant_id": str(job.tenant_id),
                        "delivery_id": str(job.id),
                        "channel": job.channel,
                        "error": sent.outcome.error,
                    },
                )
        except Exception:  # logged; the lease expires and the delivery is tried again
            log.exception(
                "notification delivery not recorded",
                extra={"tenant_id": str(job.tenant_id), "delivery_id": str(job.id)},
            )
        finally:
            self._in_flight.pop(job.id, None)
            self._wake.set()

    async def _sweep_now_and_then(self, conn: asyncpg.Connection) -> None:
        """Device-offline alerts (their events feed the next round's routing)."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_sweep:
            return
        self._next_sweep = loop.time() + self.settings.notification_offline_sweep_s
        raised, cleared = await offline.sweep(conn, self.clock())
        if raised or cleared:
            log.info("device offline sweep", extra={"raised": raised, "cleared": cleared})

    async def _prune_now_and_then(self, conn: asyncpg.Connection) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_prune:
            return
        self._next_prune = loop.time() + PRUNE_EVERY_S
        before = self.clock() - timedelta(days=self.settings.notification_retention_days)
        deleted = await outbox.prune(conn, before)
        if deleted:
            log.info("read notifications pruned", extra={"deleted": deleted})
