"""The webhook dispatcher: a background loop in each API process that sends due deliveries.

It works on the owner connection (deliveries of every tenant), wakes on
``NOTIFY fleetyard_webhooks`` (sent by the trigger that queues deliveries) and also polls, so
a lost notification or a retry coming due is picked up within the poll interval. At most
``webhook_workers`` requests are in flight, and at most ``webhook_workers_per_endpoint`` per
webhook, so a slow endpoint holds a few workers and never all of them. Nothing here runs on
the API's request path or the ingest path.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections import Counter
from typing import Any

import asyncpg

from fleetyard.config import Settings
from fleetyard.kit.listening_loop import ListeningLoop
from fleetyard.kit.sealing import Keyring
from fleetyard.webhooks import queue, sealing
from fleetyard.webhooks.queue import Job
from fleetyard.webhooks.retry import DeliveryStatus, Settlement, settle
from fleetyard.webhooks.sender import Sender, new_client, succeeded

log = logging.getLogger(__name__)

LEASE_SLACK_S = 30.0  # a claim outlives the request's timeout by this much
PRUNE_EVERY_S = 3600.0
RECORD_TRIES = 3


class WebhookDispatcher(ListeningLoop):
    channel = "fleetyard_webhooks"
    task_name = "webhook-dispatcher"

    def __init__(self, settings: Settings, owner_dsn: str) -> None:
        super().__init__(owner_dsn, poll_interval_s=settings.webhook_poll_interval_s)
        self.settings = settings
        self.client = new_client(settings.webhook_workers, settings.webhook_timeout_s)
        self.sender = Sender(
            self.client,
            timeout_s=settings.webhook_timeout_s,
            allow_private_targets=settings.webhook_allow_private_targets,
        )
        self.keyring = Keyring.from_settings(settings)
        self._sealed_legacy = False
        self._per_webhook: Counter[uuid.UUID] = Counter()
        self._soonest_retry = math.inf
        self._next_prune = 0.0

    @classmethod
    async def start(cls, settings: Settings, owner_dsn: str) -> WebhookDispatcher:
        dispatcher = cls(settings, owner_dsn)
        await dispatcher.open()
        return dispatcher

    async def stop(self) -> None:
        """Also closes the HTTP client (requests in flight are cancelled: their leases expire
        and another round sends them again)."""
        await super().stop()
        await self.client.aclose()

    # the loop -----------------------------------------------------------------------------
    async def _round(self) -> None:
        await self._seal_legacy_secrets()
        await self._claim()
        await self._prune_now_and_then()

    async def _claim(self) -> None:
        free = self.settings.webhook_workers - len(self._in_flight)
        if free <= 0:
            return
        assert self._pool is not None
        jobs = await queue.claim(
            self._pool,
            limit=free,
            per_webhook=self.settings.webhook_workers_per_endpoint,
            in_flight=dict(self._per_webhook),
            lease_s=self.settings.webhook_timeout_s + LEASE_SLACK_S,
            keyring=self.keyring,
        )
        for job in jobs:
            self._per_webhook[job.webhook_id] += 1
            task = asyncio.create_task(self._deliver(job), name=f"webhook-delivery-{job.id}")
            self._in_flight[job.id] = task

    async def _seal_legacy_secrets(self) -> None:
        """Once per process: secrets stored in plain text before sealing existed are sealed."""
        if self._sealed_legacy:
            return
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            sealed, unreadable = await sealing.seal_all(conn, self.keyring, only_plain=True)
        self._sealed_legacy = True
        if sealed or unreadable:
            log.info("webhook secrets sealed", extra={"sealed": sealed, "unreadable": unreadable})

    async def _nap(self) -> None:
        """Until a notification, a finished request, a retry of ours coming due, or the poll."""
        loop = asyncio.get_running_loop()
        await self._wait_for_wake(min(self.poll_interval_s, self._soonest_retry - loop.time()))
        if loop.time() >= self._soonest_retry:
            self._soonest_retry = math.inf

    async def _prune_now_and_then(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_prune:
            return
        self._next_prune = loop.time() + PRUNE_EVERY_S
        assert self._pool is not None
        deleted = await queue.prune(self._pool, self.settings.webhook_delivery_retention_days)
        if deleted:
            log.info("webhook deliveries pruned", extra={"deleted": deleted})

    # one delivery ---------------------------------------------------------------------------
    async def _deliver(self, job: Job) -> None:
        try:
            result, retryable = await self.sender.send(job)
            settlement = settle(
                succeeded=succeeded(result.status_code),
                retryable=retryable,
                attempts=job.attempts,
                max_attempts=self.settings.webhook_max_attempts,
                base_s=self.settings.webhook_retry_base_s,
            )
            await self._record(job, result, settlement)
            if settlement.retry_in_s is not None:
                due = asyncio.get_running_loop().time() + settlement.retry_in_s
                self._soonest_retry = min(self._soonest_retry, due)
            if settlement.status is DeliveryStatus.FAILED:
                log.info("webhook delivery failed", extra=_context(job, result.error))
        except Exception:  # logged; the lease expires and the delivery is sent again
            log.exception("webhook delivery not recorded", extra=_context(job))
        finally:
            self._in_flight.pop(job.id, None)
            self._per_webhook[job.webhook_id] -= 1
            if self._per_webhook[job.webhook_id] <= 0:
                del self._per_webhook[job.webhook_id]
            self._wake.set()

    async def _record(self, job: Job, result: queue.Result, settlement: Settlement) -> None:
        """A connection lost while recording is retried a few times before the lease is left
        to expire (which sends the delivery again)."""
        assert self._pool is not None
        for attempt in range(RECORD_TRIES):
            try:
                await queue.record(self._pool, job, result, settlement)
                return
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
                if attempt == RECORD_TRIES - 1:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)


def _context(job: Job, error: str | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "tenant_id": str(job.tenant_id),
        "webhook_id": str(job.webhook_id),
        "delivery_id": str(job.id),
        "attempts": job.attempts,
    }
    if error is not None:
        context["error"] = error
    return context
