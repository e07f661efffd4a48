"""A connection's cursor and status in ``integration_status``, written only while this node
holds the connection's lease (``leased_by``): a node that lost it cannot overwrite the new
holder's cursor."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

import asyncpg

from fleetyard.integrations.health import ConnectionStatus
from fleetyard.integrations.routing import VendorRouter


class LeasedStatusStore:
    """A connection's cursor and status in ``integration_status``, written only while this
    node holds its lease."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        tenant_id: uuid.UUID,
        integration_id: uuid.UUID,
        node: str,
        router: VendorRouter,
    ) -> None:
        self.pool, self.tenant_id, self.integration_id, self.node = (
            pool,
            tenant_id,
            integration_id,
            node,
        )
        self.router = router
        self._records_reported = 0
        self._skipped_reported = 0

    async def save_progress(self, cursor: Mapping[str, str], status: ConnectionStatus) -> None:
        if not await self._write(status, json.dumps(dict(cursor))):
            raise LeaseLost("another node holds this connection now")

    async def save_status(self, status: ConnectionStatus) -> None:
        await self._write(status, None)

    async def _write(self, status: ConnectionStatus, cursor: str | None) -> bool:
        skipped = sum(status.skipped.values()) + sum(self.router.unmatched.values())
        records_delta = max(status.records_total - self._records_reported, 0)
        skipped_delta = max(skipped - self._skipped_reported, 0)
        async with self.pool.acquire() as conn:
            result = await conn.execute(
                """
                update integration_status set
                    cursor = coalesce($4::jsonb, cursor),
                    state = $5, last_success_at = $6, last_error = left($7, 1000),
                    last_error_at = case when $7::text is null then last_error_at else now() end,
                    lag_s = $8, records_total = records_total + $9,
                    skipped_total = skipped_total + $10, records_last_hour = $11,
                    next_poll_at = coalesce($12, now()), updated_at = now()
                 where tenant_id = $1 and integration_id = $2 and leased_by = $3
                """,
                self.tenant_id,
                self.integration_id,
                self.node,
                cursor,
                status.state.value,
                status.last_success_at,
                status.last_error,
                status.lag_s,
                records_delta,
                skipped_delta,
                status.records_last_hour,
                status.retry_at,
            )
        written = str(result).endswith(" 1")
        if written:
            self._records_reported = status.records_total
            self._skipped_reported = skipped
        return written


class LeaseLost(Exception):
    pass
