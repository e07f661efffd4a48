"""Runs every connection this node holds a lease on, and only those.

Each node ticks every ``RENEW_S`` (10 s) on the owner connection (connections of every
tenant, like the webhook dispatcher): it renews its leases (``lease_expires_at`` = now + 30 s),
stops the loops whose lease it lost, pauses or restarts the ones whose record changed, and
claims free connections with ``UPDATE … WHERE lease_expires_at < now() … RETURNING`` (``SKIP
LOCKED``, so two nodes never claim one connection). A node that dies stops renewing: within
30 s its leases expire and the next tick of another node takes the connections over, from the
cursors saved. Every status write is fenced by ``leased_by``: a node that lost its lease
cannot overwrite the new holder's cursor.

A connection whose credentials were rejected is held but not run until its record changes
(new credentials): retrying refused credentials can lock the vendor account.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.config import Settings
from fleetyard.db import set_tenant
from fleetyard.integrations.health import ConnectionState, ConnectionStatus
from fleetyard.integrations.metrics import IntegrationMetrics, ProviderObserver
from fleetyard.integrations.pacing import PollPolicy, policy_for
from fleetyard.integrations.providers.base import ProviderClient, VendorVehicle
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.integrations.routing import Directory, Pipeline, VendorRouter
from fleetyard.integrations.runner import ConnectionLoop, ConsumeLoop, PushClient
from fleetyard.integrations.status_store import LeasedStatusStore
from fleetyard.integrations.vendor_vehicles import sync_vendor_vehicles
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring, SealError, associated_data

log = logging.getLogger(__name__)

LEASE_S: Final = 30.0
RENEW_S: Final = 10.0
CREDENTIALS_PURPOSE: Final = "integration_credentials"

Connect = Callable[[str, Mapping[str, Any], Mapping[str, Any]], ProviderClient]
Loop = ConnectionLoop | ConsumeLoop


def connect_registered(
    name: str, settings: Mapping[str, Any], credentials: Mapping[str, Any]
) -> ProviderClient:
    spec = provider(ProviderName(name))
    return spec.connect(
        spec.settings_model.model_validate(dict(settings)),
        spec.credentials_model.model_validate(dict(credentials)),
    )


@dataclass
class _Held:
    tenant_id: uuid.UUID
    integration_id: uuid.UUID
    provider: str
    updated_at: datetime
    loop: Loop | None = None
    router: VendorRouter | None = None
    client: ProviderClient | None = None

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.tenant_id, self.integration_id)


class IntegrationRunner:
    def __init__(
        self,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        directory: Directory,
        pipeline: Pipeline,
        keyring: Keyring,
        *,
        metrics_registry: CollectorRegistry | None = None,
        connect: Connect = connect_registered,
        node: str | None = None,
        max_connections: int = 1000,
        renew_s: float = RENEW_S,
        lease_s: float = LEASE_S,
        policy: PollPolicy | None = None,  # tests: one pace for every provider
    ) -> None:
        self.owner_dsn = owner_dsn
        self.sessionmaker = sessionmaker
        self.directory = directory
        self.pipeline = pipeline
        self.keyring = keyring
        self.metrics = IntegrationMetrics(metrics_registry)
        self.connect = connect
        self.node = node or f"{socket.gethostname()[:120]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.max_connections = max_connections
        self.renew_s = renew_s
        self.lease_s = lease_s
        self.policy = policy
        self.held: dict[tuple[uuid.UUID, uuid.UUID], _Held] = {}
        self._pool: asyncpg.Pool | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start_in_process(
        cls,
        settings: Settings,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        directory: Directory,
        pipeline: Pipeline,
        registry: CollectorRegistry | None,
    ) -> IntegrationRunner:
        """The runner of a ``fleetyard serve`` process (roles all, gateway and providers),
        feeding the process's own ingest pipeline."""
        runner = cls(
            owner_dsn,
            sessionmaker,
            directory,
            pipeline,
            Keyring.from_settings(settings),
            metrics_registry=registry,
            lease_s=settings.integration_lease_s,
            renew_s=settings.integration_renew_s,
        )
        await runner.start()
        return runner

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="integrations-runner")

    async def stop(self) -> None:
        """Stop every loop (each finishes its store-then-save), then free the leases so
        another node takes over at its next tick instead of after 30 s."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for held in list(self.held.values()):
            await self._drop(held)
        if self._pool is not None:
            with contextlib.suppress(Exception):
                async with self._pool.acquire() as conn:
                    await conn.execute(
                        "update integration_status set leased_by = null, lease_expires_at = null "
                        "where leased_by = $1",
                        self.node,
                    )
            await self._pool.close()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.tick()
                failures = 0
            except Exception:  # logged; the next tick tries again (leases outlive one miss)
                failures += 1
                log.exception("integrations tick failed")
            await asyncio.sleep(
                self.renew_s if failures == 0 else min(self.renew_s, 2.0 * failures)
            )

    async def tick(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.owner_dsn, min_size=1, max_size=4, timeout=5
            )
        async with self._pool.acquire() as conn:
            await self._prepare(conn)
            kept = await self._renew(conn)
            records = await self._records(conn, list(kept))
        for key, held in list(self.held.items()):
            record = records.get(key)
            if key not in kept or record is None:
                await self._drop(held)  # lost (or deleted): another node has it now
            elif record["paused"]:
                await self._pause(held)
            elif record["updated_at"] != held.updated_at:
                await self._release(held)  # new settings or credentials: claimed afresh below
        await self._claim()
        self._export_gauges()

    async def _prepare(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "insert into integration_status (tenant_id, integration_id) "
            "select tenant_id, id from integrations on conflict do nothing"
        )
        await conn.execute(
            """
            update integration_status s set state = 'paused', updated_at = now()
              from integrations i
             where i.tenant_id = s.tenant_id and i.id = s.integration_id and i.paused
               and s.state <> 'paused'
               and (s.lease_expires_at is null or s.lease_expires_at < now())
            """
        )

    async def _renew(self, conn: asyncpg.Connection) -> set[tuple[uuid.UUID, uuid.UUID]]:
        rows = await conn.fetch(
            "update integration_status set lease_expires_at = now() + make_interval(secs => $2) "
            "where leased_by = $1 returning tenant_id, integration_id",
            self.node,
            self.lease_s,
        )
        return {(row["tenant_id"], row["integration_id"]) for row in rows}

    async def _records(
        self, conn: asyncpg.Connection, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], asyncpg.Record]:
        if not keys:
            return {}
        rows = await conn.fetch(
            "select tenant_id, id, paused, updated_at from integrations "
            "where (tenant_id, id) in (select * from unnest($1::uuid[], $2::uuid[]))",
            [k[0] for k in keys],
            [k[1] for k in keys],
        )
        return {(row["tenant_id"], row["id"]): row for row in rows}

    async def _claim(self) -> None:
        room = self.max_connections - len(self.held)
        if room <= 0:
            return
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                """
                with free as (
                    select s.tenant_id, s.integration_id
                      from integration_status s
                      join integrations i on i.tenant_id = s.tenant_id and i.id = s.integration_id
                     where not i.paused
                       and (s.lease_expires_at is null or s.lease_expires_at < now())
                     order by s.lease_expires_at nulls first
                     limit $3
                       for update of s skip locked
                )
                update integration_status s
                   set leased_by = $1, lease_expires_at = now() + make_interval(secs => $2)
                  from free, integrations i
                 where s.tenant_id = free.tenant_id and s.integration_id = free.integration_id
                   and i.tenant_id = s.tenant_id and i.id = s.integration_id
                returning s.tenant_id, s.integration_id, s.cursor, s.state, s.last_error_at,
                          i.provider, i.settings, i.credentials, i.updated_at
                """,
                self.node,
                self.lease_s,
                room,
            )
        for row in rows:
            held = _Held(
                row["tenant_id"], row["integration_id"], row["provider"], row["updated_at"]
            )
            self.held[held.key] = held
            refused = row["state"] == ConnectionState.CREDENTIALS_REJECTED.value and (
                row["last_error_at"] is not None and row["updated_at"] <= row["last_error_at"]
            )
            if not refused:
                await self._begin(held, row)

    async def _begin(self, held: _Held, row: asyncpg.Record) -> None:
        name = f"{held.provider}:{held.integration_id}"
        router = VendorRouter(
            held.tenant_id,
            held.integration_id,
            held.provider,
            self.directory,
            self.pipeline,
            match_now=lambda vendor_ids: self._match_now(held, vendor_ids),
        )
        store = LeasedStatusStore(
            self._pool_or_fail(), held.tenant_id, held.integration_id, self.node, router
        )
        try:
            aad = associated_data(CREDENTIALS_PURPOSE, held.tenant_id, held.integration_id)
            credentials = json.loads(self.keyring.open_text(bytes(row["credentials"]), aad))
            settings = (
                json.loads(row["settings"]) if isinstance(row["settings"], str) else row["settings"]
            )
            client = self.connect(held.provider, settings, credentials)
        except (SealError, ValueError, LookupError, TypeError):  # ValidationError is a ValueError
            log.warning("integration cannot start", exc_info=True, extra={"integration": name})
            await store.save_status(
                ConnectionStatus(
                    state=ConnectionState.CREDENTIALS_REJECTED,
                    last_error="the stored settings or credentials can't be read; enter them again",
                )
            )
            return
        observer = ProviderObserver(self.metrics, held.provider)
        policy = self.policy or policy_for(held.provider)
        loop: Loop
        if isinstance(client, PushClient):
            loop = ConsumeLoop(
                name, client, deliver=router.deliver, store=store, policy=policy, observer=observer
            )
        else:
            cursor = row["cursor"]
            if isinstance(cursor, str):
                cursor = json.loads(cursor)
            loop = ConnectionLoop(
                name,
                client,
                deliver=router.deliver,
                store=store,
                policy=policy,
                cursor=cursor if isinstance(cursor, dict) else None,
                observer=observer,
                on_vehicles=lambda vehicles: self._sync(held, vehicles),
            )
        held.loop, held.router, held.client = loop, router, client
        loop.start()

    async def _sync(self, held: _Held, vehicles: Sequence[VendorVehicle]) -> None:
        async with self.sessionmaker() as session, session.begin():
            await set_tenant(session, TenantId(held.tenant_id))
            linked = await sync_vendor_vehicles(
                session, held.tenant_id, held.integration_id, held.provider, vehicles
            )
        if held.router is not None:
            held.router.linked(linked)

    async def _match_now(self, held: _Held, vendor_ids: Sequence[str]) -> None:
        """Vehicles the vendor sent but had not listed: recorded and matched with what is
        known of them; a polled vendor is asked for its list again soon (their VINs)."""
        await self._sync(held, [VendorVehicle(vendor_id) for vendor_id in vendor_ids])
        if isinstance(held.loop, ConnectionLoop):
            held.loop.refresh_vehicles_soon()

    async def _pause(self, held: _Held) -> None:
        if held.loop is not None:
            await held.loop.pause()
        await self._release(held)

    async def _release(self, held: _Held) -> None:
        await self._drop(held)
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            await conn.execute(
                "update integration_status set leased_by = null, lease_expires_at = null "
                "where tenant_id = $1 and integration_id = $2 and leased_by = $3",
                held.tenant_id,
                held.integration_id,
                self.node,
            )

    async def _drop(self, held: _Held) -> None:
        self.held.pop(held.key, None)
        if held.loop is not None:
            await held.loop.stop()
        if held.client is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(10):
                    await held.client.close()

    def _pool_or_fail(self) -> asyncpg.Pool:
        assert self._pool is not None
        return self._pool

    def status_of(self, tenant_id: uuid.UUID, integration_id: uuid.UUID) -> ConnectionStatus | None:
        held = self.held.get((tenant_id, integration_id))
        return None if held is None or held.loop is None else held.loop.status

    def _export_gauges(self) -> None:
        states: dict[str, int] = {state.value: 0 for state in ConnectionState}
        lags: dict[str, float] = {}
        connections: dict[tuple[str, str, str], ConnectionStatus] = {}
        for held in self.held.values():
            labels = (str(held.tenant_id), str(held.integration_id), held.provider)
            if held.loop is None:
                states[ConnectionState.CREDENTIALS_REJECTED.value] += 1
                connections[labels] = ConnectionStatus(state=ConnectionState.CREDENTIALS_REJECTED)
                continue
            status = held.loop.status
            connections[labels] = status
            states[status.state.value] += 1
            if status.lag_s is not None:
                lags[held.provider] = max(lags.get(held.provider, 0.0), status.lag_s)
        for state, count in states.items():
            self.metrics.connections.labels(state).set(count)
        for name, lag in lags.items():
            self.metrics.lag.labels(name).set(lag)
        self.metrics.export_connections(connections)
