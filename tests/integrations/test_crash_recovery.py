"""A poller killed with SIGKILL in the middle of a poll, for real.

A fake MyGeotab on 127.0.0.1 serves a known feed of LogRecords in many pages; ``fleetyard serve
--role providers`` runs as a child process against the test database and polls it through the
real adapter, matching, ingest pipeline and lease. The process is killed (``kill -9``: no
shutdown, its lease is not released) at a chosen point of a poll, a new process is started,
and the feed is read to its end. Every record is stored exactly once, and the new process took
the connection as soon as the dead one's lease expired (a short lease, set through the
environment, so the test waits on the database instead of sleeping 30 s).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from starlette.requests import Request
from starlette.responses import Response

from fleetyard.auth.principal import Principal
from fleetyard.config import Settings
from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring, associated_data
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import setup_tenant
from tests.integrations.providers.fake_geotab import (
    DATABASE,
    PASSWORD,
    USERNAME,
    FakeGeotab,
    serving,
    version,
)
from tests.processes import ServeProcess, free_port

pytestmark = pytest.mark.slow

VIN = "1HGCM82633A004352"
PAGE = 10  # records per GetFeed page (the integration's results_limit)
RECORDS = 120  # twelve full pages, then the feed is caught up
KILL_AFTER_PAGES = 5
LEASE_S, RENEW_S = 4.0, 0.5
TAKEOVER_SLACK_S = 1.5  # the new node's tick after the expiry, plus our own polling


def _feed(first_fix: datetime) -> list[dict[str, Any]]:
    """Two vendor devices, alternating, one fix every 10 s each (all within the last hour)."""
    return [
        {
            "id": f"rec-{index:04d}",
            "dateTime": (first_fix + timedelta(seconds=5 * index))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "device": {"id": "b1" if index % 2 == 0 else "b2"},
            "latitude": 60.16 + index * 0.0001,
            "longitude": 24.93 + index * 0.0001,
            "speed": 40 + index % 7,
        }
        for index in range(RECORDS)
    ]


@dataclass
class StallingGeotab(FakeGeotab):
    """Counts the feed polls (an ``ExecuteMultiCall`` of ``GetFeed``) and can hold one open:
    ``stall_at`` = n makes the n-th poll wait for ``release`` (the killed node's request)."""

    stall_at: int | None = None
    polls_served: int = 0
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    from_versions: list[str | None] = field(default_factory=list)  # LogRecord, per poll

    async def _rpc(self, request: Request) -> Response:
        body = json.loads(await request.body())
        calls = body.get("params", {}).get("calls") or []
        logs = [c["params"] for c in calls if c["params"].get("typeName") == "LogRecord"]
        if body.get("method") == "ExecuteMultiCall" and logs:
            self.from_versions.append(logs[0].get("fromVersion"))
            if len(self.from_versions) == self.stall_at:
                self.stalled.set()
                await self.release.wait()  # the caller is killed meanwhile
                return Response(b"", 503)
        response = await super()._rpc(request)
        if body.get("method") == "ExecuteMultiCall" and logs:
            self.polls_served += 1
        return response


@dataclass
class Setup:
    owner: asyncpg.Pool
    tenant_id: uuid.UUID
    integration_id: uuid.UUID

    async def lease(self) -> asyncpg.Record:
        row = await self.owner.fetchrow(
            "select leased_by, lease_expires_at, cursor, now() as seen_at "
            "from integration_status where integration_id = $1",
            self.integration_id,
        )
        assert row is not None
        return row

    async def log_version(self) -> str | None:
        row = await self.lease()
        if row["cursor"] is None:
            return None
        cursor: dict[str, str] = json.loads(row["cursor"])
        return cursor.get("LogRecord")

    async def stored(self) -> list[tuple[str, datetime]]:
        rows = await self.owner.fetch(
            "select d.unique_id, p.fix_time from positions p join devices d "
            "on d.tenant_id = p.tenant_id and d.id = p.device_id where p.tenant_id = $1",
            self.tenant_id,
        )
        return [(row["unique_id"], row["fix_time"]) for row in rows]

    async def devices(self) -> dict[str, str]:
        """vendor id → our device's unique id (each of the provider's protocol)"""
        rows = await self.owner.fetch(
            "select v.vendor_id, d.unique_id, d.protocol from integration_vehicles v "
            "join devices d on d.tenant_id = v.tenant_id and d.id = v.device_id "
            "where v.integration_id = $1",
            self.integration_id,
        )
        assert {row["protocol"] for row in rows} <= {"geotab"}
        return {row["vendor_id"]: row["unique_id"] for row in rows}


@pytest.fixture
async def setup(
    database_url: str, app_database: Database, settings: Settings
) -> AsyncIterator[Setup]:
    async with app_database.sessionmaker() as session, session.begin():
        tenant = await setup_tenant(session, "crash")
        await set_tenant(session, TenantId(tenant.id))
        vehicles = VehicleService(session, Principal.system(TenantId(tenant.id)))
        await vehicles.create(VehicleCreate(vin=VIN, name="Crash truck"))
        await vehicles.create(VehicleCreate(name="Crash van"))
    owner = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    yield Setup(owner, tenant.id, uuid.uuid4())
    await owner.execute("delete from integrations where tenant_id = $1", tenant.id)
    await owner.close()


async def _add_geotab(setup: Setup, settings: Settings, address: str) -> None:
    keyring = Keyring.from_settings(settings)
    sealed = keyring.seal_text(
        json.dumps({"username": USERNAME, "password": PASSWORD}),
        associated_data("integration_credentials", setup.tenant_id, setup.integration_id),
    )
    geotab = {"server": f"http://{address}", "database": DATABASE, "results_limit": PAGE}
    await setup.owner.execute(
        "insert into integrations (tenant_id, id, provider, name, settings, credentials, "
        "credentials_key_id) values ($1, $2, 'geotab', 'Geotab', $3::jsonb, $4, $5)",
        setup.tenant_id, setup.integration_id, json.dumps(geotab), sealed, keyring.key_id,
    )  # fmt: skip


async def _until(condition: Callable[[], Awaitable[bool]], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:.0f} s: {what}")
        await asyncio.sleep(0.05)


def _fake() -> StallingGeotab:
    first_fix = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    fake = StallingGeotab(feeds={"LogRecord": _feed(first_fix)})
    fake.devices = [
        {"id": "b1", "name": "Truck 1", "vehicleIdentificationNumber": VIN},
        {"id": "b2", "name": "Crash van", "serialNumber": "G9000000B2"},
    ]
    return fake


async def _kill_mid_poll(node: ServeProcess, fake: StallingGeotab, kill_point: str) -> None:
    """``held``: the node is waiting for the vendor's answer to its next poll.
    ``answered``: the vendor has just answered a page; the node is mapping, storing or saving
    the cursor of it, wherever the signal lands."""
    if kill_point == "held":
        async with asyncio.timeout(20):
            await fake.stalled.wait()
    else:

        async def answered() -> bool:
            return fake.polls_served >= KILL_AFTER_PAGES

        await _until(answered, 20, f"{KILL_AFTER_PAGES} pages served")
    await node.kill()
    fake.release.set()


@pytest.mark.parametrize("kill_point", ["held", "answered"])
async def test_a_poller_killed_mid_poll_is_taken_over_with_no_record_lost_or_doubled(
    setup: Setup, settings: Settings, database_url: str, tmp_path: Path, kill_point: str
) -> None:
    fake = _fake()
    if kill_point == "held":
        fake.stall_at = KILL_AFTER_PAGES + 1
    master_key = settings.master_key
    assert master_key is not None
    node = ServeProcess(
        "providers",
        database_url,
        free_port(),
        tmp_path,
        {
            "master_key": master_key.get_secret_value(),
            "integration_lease_s": str(LEASE_S),
            "integration_renew_s": str(RENEW_S),
        },
    )
    async with serving(fake) as address:
        await _add_geotab(setup, settings, address)
        try:
            await node.start()
            await _kill_mid_poll(node, fake, kill_point)
            dead = await setup.lease()
            assert dead["leased_by"] is not None and f":{_pid(node)}:" in dead["leased_by"]
            cursor_at_kill = await setup.log_version()
            stored_at_kill = len(await setup.stored())
            assert stored_at_kill < RECORDS  # killed mid-feed, not after it
            if kill_point == "held":
                # pages 1..5 were stored and their cursor saved before the 6th poll began
                assert cursor_at_kill == version(KILL_AFTER_PAGES * PAGE)
                assert stored_at_kill == KILL_AFTER_PAGES * PAGE
            polls_before_restart = len(fake.from_versions)

            await node.start()
            ready_at = (await setup.lease())["seen_at"]
            taken = await _taken_over(setup, dead["leased_by"])
            # nobody held the connection while the dead node's lease stood, and the new node
            # took it at its first tick after the expiry (or after it started, if later)
            assert taken["seen_at"] >= dead["lease_expires_at"]
            assert taken["seen_at"] <= max(dead["lease_expires_at"], ready_at) + timedelta(
                seconds=RENEW_S + TAKEOVER_SLACK_S
            )
            assert f":{_pid(node)}:" in taken["leased_by"]

            async def caught_up() -> bool:
                return await setup.log_version() == version(RECORDS)

            await _until(caught_up, 20, "the cursor reaches the end of the feed")
        finally:
            fake.release.set()
            await node.stop()

    # the new node resumed from the cursor the dead one saved last
    assert fake.from_versions[polls_before_restart] == cursor_at_kill
    devices = await setup.devices()
    assert set(devices) == {"b1", "b2"}
    expected = sorted(
        (devices[r["device"]["id"]], datetime.fromisoformat(r["dateTime"]))
        for r in fake.feeds["LogRecord"]
    )
    stored = sorted(await setup.stored())
    assert len(set(stored)) == len(stored), "a record stored twice"
    assert stored == expected, "stored records differ from the vendor's"


def _pid(node: ServeProcess) -> int:
    assert node.process is not None
    return node.process.pid


async def _taken_over(setup: Setup, dead_node: str) -> asyncpg.Record:
    """The lease row as first seen held by another node (``seen_at``: the database's clock)."""
    deadline = time.monotonic() + LEASE_S + 20
    while time.monotonic() < deadline:
        row = await setup.lease()
        if row["leased_by"] is not None and row["leased_by"] != dead_node:
            return row
        await asyncio.sleep(0.05)
    pytest.fail("no node took the connection over")
