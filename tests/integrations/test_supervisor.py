"""End to end on the real PostgreSQL: a fake provider's pages go through the runner, the lease,
matching and the real ingest pipeline into ``positions``; a node that dies between storing a
page and saving its cursor is taken over by another, and no record is lost or stored twice."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiomqtt
import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from fleetyard.app import Role, create_app
from fleetyard.auth.principal import Principal
from fleetyard.config import Settings
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.integrations.health import ConnectionState
from fleetyard.integrations.pacing import PollPolicy
from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProviderClient,
    VendorVehicle,
)
from fleetyard.integrations.status_store import LeasedStatusStore
from fleetyard.integrations.supervisor import IntegrationRunner, connect_registered
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring, associated_data
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import setup_tenant

VIN = "1HGCM82633A004352"
FAST = PollPolicy(idle_min_s=0.05, idle_max_s=0.1, error_first_s=0.05, error_cap_s=0.1)
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _fix(vendor_id: str, minute: int) -> Position:
    return Position(
        vendor_id, "samsara", BASE + timedelta(minutes=minute), 60.17, 24.94, speed_kmh=30.0
    )


PAGES: dict[str | None, PollResult] = {
    None: PollResult([_fix("v1", 1), _fix("v1", 2), _fix("v2", 2)], {"c": "1"}, more=True),
    "1": PollResult([_fix("v1", 3), _fix("v1", 4)], {"c": "2"}),
}


class PagedVendor:
    """Answers by cursor, so a restart from an old cursor re-reads the same page."""

    def __init__(self) -> None:
        self.polls: list[str | None] = []

    async def check(self) -> CheckResult:
        return CheckResult(2, "ok")

    async def vehicles(self) -> Sequence[VendorVehicle]:
        return [VendorVehicle("v1", name="Van", vin=VIN), VendorVehicle("v2", name="Unknown")]

    async def poll(self, cursor: Cursor | None) -> PollResult:
        key = None if cursor is None else cursor["c"]
        self.polls.append(key)
        page = PAGES.get(key)
        if page is None:
            return PollResult([], dict(cursor or {}))
        return PollResult(list(page.positions), dict(page.cursor), more=page.more)

    async def close(self) -> None:
        pass


@dataclass
class World:
    owner: asyncpg.Pool
    app: Database
    directory: DeviceDirectory
    pipeline: IngestPipeline
    keyring: Keyring
    tenant_id: uuid.UUID
    vehicle_id: uuid.UUID
    integration_id: uuid.UUID

    def runner(self, node: str, vendor: PagedVendor, **options: Any) -> IntegrationRunner:
        def connect(
            name: str, settings: Mapping[str, Any], creds: Mapping[str, Any]
        ) -> ProviderClient:
            if name != "samsara":  # the real adapter (MQTT against the machine's broker)
                return connect_registered(name, settings, creds)
            assert creds == {"api_token": "secret"}
            return vendor

        return IntegrationRunner(
            "", self.app.sessionmaker, self.directory, self.pipeline, self.keyring,
            connect=connect, node=node, policy=FAST, renew_s=0.1, **options,
        )  # fmt: skip

    async def status(self) -> asyncpg.Record:
        row = await self.maybe_status()
        assert row is not None
        return row

    async def maybe_status(self) -> asyncpg.Record | None:
        return await self.owner.fetchrow(
            "select * from integration_status where integration_id = $1", self.integration_id
        )

    async def cursor_is(self, value: str, node: str) -> bool:
        row = await self.maybe_status()
        return (
            row is not None
            and row["leased_by"] == node
            and row["cursor"] is not None
            and json.loads(row["cursor"]) == {"c": value}
        )

    async def stored(self) -> list[tuple[str, datetime]]:
        rows = await self.owner.fetch(
            "select d.unique_id, p.fix_time from positions p join devices d "
            "on d.tenant_id = p.tenant_id and d.id = p.device_id "
            "where p.tenant_id = $1 order by 2",
            self.tenant_id,
        )
        return [(row["unique_id"], row["fix_time"]) for row in rows]


@pytest.fixture
async def world(database_url: str, settings: Settings) -> AsyncIterator[World]:
    app_url = with_user(database_url, "fleetyard_app")
    app = Database.connect(app_url, pool_size=4)
    owner = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    pool = await asyncpg.create_pool(app_url, min_size=1, max_size=6)
    pipeline = IngestPipeline(pool, max_delay_s=0.001)
    await pipeline.start()
    async with app.sessionmaker() as session, session.begin():
        tenant = await setup_tenant(session, "runner")
        await set_tenant(session, TenantId(tenant.id))
        vehicle = await VehicleService(session, Principal.system(TenantId(tenant.id))).create(
            VehicleCreate(vin=VIN, name="Our van")
        )
    keyring = Keyring.from_settings(settings)
    integration_id = uuid.uuid4()
    sealed = keyring.seal_text(
        json.dumps({"api_token": "secret"}),
        associated_data("integration_credentials", tenant.id, integration_id),
    )
    await owner.execute(
        "insert into integrations (tenant_id, id, provider, name, credentials, "
        "credentials_key_id) values ($1, $2, 'samsara', 'Fleet', $3, $4)",
        tenant.id, integration_id, sealed, keyring.key_id,
    )  # fmt: skip
    yield World(
        owner, app, DeviceDirectory(pool), pipeline, keyring, tenant.id, vehicle.id, integration_id
    )
    await owner.execute("delete from integrations where id = $1", integration_id)
    await pipeline.stop()
    await pool.close()
    await owner.close()
    await app.dispose()


async def _until(condition: Any, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await condition():  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.05)


async def test_a_vendor_feed_is_matched_stored_and_its_cursor_saved(
    world: World, database_url: str
) -> None:
    vendor = PagedVendor()
    runner = world.runner("node-a", vendor)
    runner.owner_dsn = database_url
    await runner.start()
    try:
        await _until(lambda: world.cursor_is("2", "node-a"))
    finally:
        await runner.stop()
    stored = await world.stored()
    # v1 matched our van by VIN: its four fixes stored; v2 matched nothing and waits
    assert [uid.endswith("-v1") for uid, _ in stored] == [True] * 4
    assert len({fix for _, fix in stored}) == 4
    status = await world.status()
    assert status["state"] == ConnectionState.OK.value
    assert status["records_total"] == 4
    assert status["skipped_total"] == 1  # v2's fix, unmatched
    assert status["leased_by"] is None  # released on stop
    vendor_rows = await world.owner.fetch(
        "select vendor_id, device_id, matched_by from integration_vehicles "
        "where integration_id = $1 order by vendor_id",
        world.integration_id,
    )
    assert [(r["vendor_id"], r["matched_by"]) for r in vendor_rows] == [("v1", "vin"), ("v2", None)]
    device = await world.owner.fetchrow(
        "select vehicle_id, protocol from devices where id = $1", vendor_rows[0]["device_id"]
    )
    assert device is not None and device["vehicle_id"] == world.vehicle_id
    created = await world.owner.fetchval(
        "select count(*) from events where tenant_id = $1 and type = 'device_created'",
        world.tenant_id,
    )
    assert created == 1


async def test_a_node_dying_between_store_and_cursor_is_taken_over_without_loss_or_duplicates(
    world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = asyncio.Event()
    real_save = LeasedStatusStore.save_progress

    async def dies_before_saving_cursor_2(
        self: LeasedStatusStore, cursor: Mapping[str, str], status: Any
    ) -> None:
        if cursor.get("c") == "2" and self.node == "node-a":
            stuck.set()
            await asyncio.Event().wait()  # page "1" is committed; its cursor never saved
        await real_save(self, cursor, status)

    monkeypatch.setattr(LeasedStatusStore, "save_progress", dies_before_saving_cursor_2)
    a = world.runner("node-a", PagedVendor(), lease_s=0.5)
    a.owner_dsn = database_url
    await a.start()
    await asyncio.wait_for(stuck.wait(), 10)
    # kill -9: node A's tasks end where they are, its lease is not released
    assert a._task is not None
    a._task.cancel()
    for held in a.held.values():
        assert held.loop is not None and held.loop._task is not None
        held.loop._task.cancel()
    status = await world.status()
    assert json.loads(status["cursor"]) == {"c": "1"}
    assert status["leased_by"] == "node-a"
    assert len(await world.stored()) == 4  # page "1" stored before the crash

    taking_over = PagedVendor()
    b = world.runner("node-b", taking_over)
    b.owner_dsn = database_url
    await b.start()
    try:
        await _until(lambda: world.cursor_is("2", "node-b"))
    finally:
        await b.stop()
        if a._pool is not None:
            await a._pool.close()
    assert taking_over.polls[0] == "1"  # B re-read the page whose cursor A never saved
    stored = await world.stored()
    assert len(stored) == 4 and len(set(stored)) == 4


async def test_serve_with_the_providers_role_runs_the_pollers_and_no_api(
    settings: Settings,
) -> None:
    app = create_app(settings, role=Role.PROVIDERS)
    async with app.router.lifespan_context(app):
        assert isinstance(app.state.integrations, IntegrationRunner)
        assert app.state.telematics.ports == {}  # no device servers
        paths = {getattr(route, "path", "") for route in app.routes}
        assert "/metrics" in paths and not any(p.startswith("/api/v1") for p in paths)
    api_only = create_app(settings, role=Role.API)
    async with api_only.router.lifespan_context(api_only):
        assert api_only.state.integrations is None


async def test_an_mqtt_device_named_like_our_vehicle_flows_to_it(
    world: World, database_url: str
) -> None:
    device = f"van-{uuid.uuid4().hex[:8]}"
    topic = f"fleetyard-test/{device}/pos"
    async with world.app.sessionmaker() as session, session.begin():
        await set_tenant(session, TenantId(world.tenant_id))
        system = Principal.system(TenantId(world.tenant_id))
        ours = await VehicleService(session, system).create(VehicleCreate(name=device))
    mqtt_id = uuid.uuid4()
    settings = {"host": "127.0.0.1", "port": 1883, "topic_filter": topic, "client_id": device}
    sealed = world.keyring.seal_text(
        "{}", associated_data("integration_credentials", world.tenant_id, mqtt_id)
    )
    await world.owner.execute(
        "insert into integrations (tenant_id, id, provider, name, settings, credentials, "
        "credentials_key_id) values ($1, $2, 'mqtt', 'Broker', $3::jsonb, $4, $5)",
        world.tenant_id, mqtt_id, json.dumps(settings), sealed, world.keyring.key_id,
    )  # fmt: skip
    body = {
        "device_id": device,
        "location": {
            "timestamp": int(time.time()) - 60,
            "coords": {"latitude": 60.2, "longitude": 25.0},
        },
    }
    async with aiomqtt.Client("127.0.0.1", 1883) as publisher:  # retained: read on subscribe
        await publisher.publish(topic, json.dumps(body), qos=1, retain=True)
    runner = world.runner("node-mqtt", PagedVendor())
    runner.owner_dsn = database_url
    await runner.start()
    try:

        async def arrived() -> bool:
            count = await world.owner.fetchval(
                "select count(*) from positions where tenant_id = $1 and vehicle_id = $2",
                world.tenant_id, ours.id,
            )  # fmt: skip
            return bool(count == 1)

        await _until(arrived)
        matched = await world.owner.fetchval(
            "select matched_by from integration_vehicles where integration_id = $1", mqtt_id
        )
        assert matched == "serial"  # its device id is our vehicle's name
    finally:
        await runner.stop()
        async with aiomqtt.Client("127.0.0.1", 1883) as publisher:
            await publisher.publish(topic, b"", qos=1, retain=True)
        async with aiomqtt.Client("127.0.0.1", 1883, identifier=device, clean_session=True):
            pass
        await world.owner.execute("delete from integrations where id = $1", mqtt_id)


async def test_pausing_and_resuming_the_record_pauses_and_resumes_the_loop(
    world: World, database_url: str
) -> None:
    vendor = PagedVendor()
    runner = world.runner("node-p", vendor)
    runner.owner_dsn = database_url
    await runner.start()
    try:
        await _until(lambda: world.cursor_is("2", "node-p"))

        async def set_paused(paused: bool) -> None:
            await world.owner.execute(
                "update integrations set paused = $2, updated_at = now() where id = $1",
                world.integration_id, paused,
            )  # fmt: skip

        async def state_is(state: str, leased: bool) -> bool:
            row = await world.status()
            return bool(row["state"] == state and (row["leased_by"] is not None) == leased)

        await set_paused(True)
        await _until(lambda: state_is("paused", leased=False))
        polls = len(vendor.polls)
        await asyncio.sleep(0.3)
        assert len(vendor.polls) == polls  # nothing polled while paused
        await set_paused(False)
        await _until(lambda: state_is("ok", leased=True))
        await _until(lambda: world.cursor_is("2", "node-p"))
    finally:
        await runner.stop()


async def test_metrics_show_each_held_connection_and_forget_it_when_let_go(
    world: World, database_url: str
) -> None:
    registry = CollectorRegistry()
    runner = world.runner("node-m", PagedVendor(), metrics_registry=registry)
    runner.owner_dsn = database_url
    labels = {
        "tenant_id": str(world.tenant_id),
        "integration_id": str(world.integration_id),
        "provider": "samsara",
    }

    def sample(name: str, **extra: str) -> float | None:
        return registry.get_sample_value(name, {**labels, **extra})

    await runner.start()
    try:
        await _until(lambda: world.cursor_is("2", "node-m"))

        async def records_exported() -> bool:
            return sample("fleetyard_integration_connection_records_last_hour") == 4

        await _until(records_exported)
        assert sample("fleetyard_integration_connection_state", state="ok") == 1
        assert sample("fleetyard_integration_connection_state", state="paused") == 0
        lag = sample("fleetyard_integration_connection_lag_seconds")
        assert lag is not None and 3000 < lag < 4000  # the newest fix is ~56 minutes old
        last = sample("fleetyard_integration_connection_last_success_timestamp_seconds")
        assert last is not None and abs(last - time.time()) < 60

        await world.owner.execute(
            "update integrations set paused = true, updated_at = now() where id = $1",
            world.integration_id,
        )

        async def forgotten() -> bool:
            return sample("fleetyard_integration_connection_state", state="ok") is None

        await _until(forgotten)  # let go on pause: no series left behind for it
        assert sample("fleetyard_integration_connection_records_last_hour") is None
    finally:
        await runner.stop()
