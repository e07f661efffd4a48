"""Notification fixtures: live tenants (real commits), a real local SMTP server and Web Push
service, alerts raised through the alerts' own raise API, and dispatchers whose clock a test
can move forward (quiet hours and escalations without waiting hours)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from fleetyard.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from fleetyard.config import Settings
from fleetyard.db import Database, with_user
from fleetyard.notifications.dispatcher import NotificationDispatcher
from fleetyard.realtime.bus import Bus
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore
from tests.conftest import Tenants
from tests.factories import PASSWORD, TenantSetup, UserSession
from tests.notifications.servers import Mailbox, SmtpServer
from tests.webhooks.receiver import Receiver

FAST: dict[str, Any] = {
    "notification_gather_s": 1.0,
    "notification_poll_interval_s": 0.05,
    "notification_retry_base_s": 0.05,
    "notification_timeout_s": 5.0,
}


@dataclass
class Clock:
    """Real time moved forward by ``offset`` (never backwards)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def set_to(self, moment: datetime) -> None:
        self.offset = max(self.offset, moment - datetime.now(UTC))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def push_service() -> AsyncIterator[Receiver]:
    service = Receiver()
    await service.start()
    yield service
    await service.stop()


@dataclass
class Desk:
    """One test's world: two live tenants, the API, the SMTP server, dispatchers."""

    client: httpx.AsyncClient
    tenants: Tenants
    settings: Settings
    database_url: str
    smtp_server: SmtpServer
    clock: Clock = field(default_factory=Clock)
    owner_session: UserSession = field(default_factory=lambda: UserSession("", {}))
    dispatchers: list[NotificationDispatcher] = field(default_factory=list)

    @property
    def smtp(self) -> Mailbox:
        return self.smtp_server.mailbox

    @property
    def smtp_port(self) -> int:
        return self.smtp_server.port

    @property
    def a(self) -> TenantSetup:
        return self.tenants.a

    @property
    def b(self) -> TenantSetup:
        return self.tenants.b

    @property
    def owner_user_id(self) -> uuid.UUID:
        return uuid.UUID(self.owner_session.user_id)

    async def login_owner(self) -> None:
        """The tenant A owner's browser session (the owner setup_tenant made)."""
        login = await self.client.post(
            "/api/v1/auth/login",
            json={"email": self.a.owner_email, "password": PASSWORD, "tenant": self.a.slug},
        )
        assert login.status_code == 200, login.text
        token = login.cookies[SESSION_COOKIE]
        self.client.cookies.clear()
        headers = {"Cookie": f"{SESSION_COOKIE}={token}", CSRF_HEADER: login.json()["csrf_token"]}
        self.owner_session = UserSession(str(login.json()["user_id"]), headers)

    async def dispatcher(self, bus: Bus | None = None, **overrides: Any) -> NotificationDispatcher:
        settings = self.settings.model_copy(update={**FAST, **overrides})
        dispatcher = NotificationDispatcher(settings, self.database_url, clock=self.clock, bus=bus)
        await dispatcher.open()
        self.dispatchers.append(dispatcher)
        return dispatcher

    async def rounds(self, count: int = 2, within_s: float = 15.0) -> None:
        """Until every dispatcher finished ``count`` more rounds (wakes them first)."""
        targets = [(d, d.rounds + count) for d in self.dispatchers]
        async with asyncio.timeout(within_s):
            for dispatcher, target in targets:
                while dispatcher.rounds < target:
                    dispatcher.wake()
                    await asyncio.sleep(0.01)

    async def setup_email(self, tenant: TenantSetup, port: int) -> None:
        response = await self.client.put(
            "/api/v1/notification-channels/email",
            json={
                "enabled": True,
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "from_address": "fleet@example.com",
            },
            headers=tenant.owner,
        )
        assert response.status_code == 200, response.text

    async def vehicle(self, tenant: TenantSetup, **fields: Any) -> uuid.UUID:
        fields.setdefault("plate", f"N-{uuid.uuid4().hex[:6].upper()}")
        response = await self.client.post("/api/v1/vehicles", json=fields, headers=tenant.owner)
        assert response.status_code == 201, response.text
        return uuid.UUID(response.json()["id"])

    async def group(
        self, tenant: TenantSetup, name: str, parent_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        body: dict[str, Any] = {"name": name}
        if parent_id is not None:
            body["parent_id"] = str(parent_id)
        response = await self.client.post("/api/v1/groups", json=body, headers=tenant.owner)
        assert response.status_code == 201, response.text
        return uuid.UUID(response.json()["id"])

    async def rule(self, tenant: TenantSetup, **fields: Any) -> dict[str, Any]:
        fields.setdefault("name", f"rule {fields.get('kind')}")
        response = await self.client.post("/api/v1/alert-rules", json=fields, headers=tenant.owner)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def raise_alerts(
        self,
        tenant: TenantSetup,
        vehicle_id: uuid.UUID,
        *,
        kind: str = "dtc",
        code: str = "P0301",
        severity: Severity = Severity.WARNING,
        times: int = 1,
        at: datetime | None = None,
        details: dict[str, Any] | None = None,
    ) -> list[uuid.UUID]:
        """``times`` alerts of one kind and code on one vehicle, each opened and cleared (a
        flapping reading), through the raise API the ingest rules use, in one transaction.
        The last one stays open (until the next call for the same kind and code)."""
        conn = await asyncpg.connect(with_user(self.database_url, "fleetyard_app"))
        opened_at = at or datetime.now(UTC)
        condition = Condition(
            AlertKey(kind, code), severity, f"{kind} {code} reported.", details or {}
        )
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant.id))
                store = AlertStore(conn, tenant.id)
                await store.clear(vehicle_id, condition.key, opened_at)  # one left open before
                for n in range(times):
                    moment = opened_at + timedelta(milliseconds=n)
                    assert await store.raise_alert(vehicle_id, None, condition, moment, moment)
                    if n < times - 1:
                        assert await store.clear(vehicle_id, condition.key, moment)
                rows = await conn.fetch(
                    "select id from alerts where tenant_id = $1 and vehicle_id = $2 and kind = $3 "
                    "order by opened_at desc limit $4",
                    tenant.id,
                    vehicle_id,
                    kind,
                    times,
                )
        finally:
            await conn.close()
        return [r["id"] for r in rows]

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """On the owner connection, across tenants: what the dispatchers wrote."""
        conn = await asyncpg.connect(self.database_url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def notifications(self, tenant: TenantSetup) -> list[asyncpg.Record]:
        return await self.fetch(
            "select * from notifications where tenant_id = $1 order by id", tenant.id
        )

    async def settled(self, within_s: float = 15.0) -> None:
        """Until nothing is queued, gathering or pending for the test's tenants (held by quiet
        hours, hours ahead, doesn't count)."""
        ids = [self.a.id, self.b.id]
        async with asyncio.timeout(within_s):
            while True:
                await self.rounds(1)
                [row] = await self.fetch(
                    "select (select count(*) from notification_queue where tenant_id = any($1))"
                    " + (select count(*) from notifications where tenant_id = any($1)"
                    "    and released_at is null and due_at <= $2)"
                    " + (select count(*) from notification_deliveries where tenant_id = any($1)"
                    "    and status = 'pending') as busy",
                    ids,
                    self.clock() + timedelta(seconds=FAST["notification_gather_s"] + 1),
                )
                if row["busy"] == 0:
                    await self.rounds(1)
                    return


@pytest.fixture
async def desk(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    settings: Settings,
    database_url: str,
    smtp_server: SmtpServer,
) -> AsyncIterator[Desk]:
    desk = Desk(live_client, live_tenants, settings, database_url, smtp_server)
    await desk.login_owner()
    yield desk
    for dispatcher in desk.dispatchers:
        await dispatcher.stop()
    # Nothing of this test is left for a later test's dispatcher.
    conn = await asyncpg.connect(database_url)
    try:
        ids = [live_tenants.a.id, live_tenants.b.id]
        await conn.execute("delete from notification_queue where tenant_id = any($1)", ids)
        await conn.execute("delete from notifications where tenant_id = any($1)", ids)
        await conn.execute("update alerts set escalate_at = null where tenant_id = any($1)", ids)
        # secrets sealed here (some under another master key) are not another test's to open
        await conn.execute(
            "delete from notification_channel_settings where tenant_id = any($1)", ids
        )
    finally:
        await conn.close()


__all__ = ["Clock", "Database", "Desk"]
