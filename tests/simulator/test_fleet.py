"""The fleet against the real gateway and PostgreSQL: every protocol's devices get their
fixes stored; a connection dropped between storing and acking loses and duplicates nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant
from fleetyard.devices.schemas import DeviceCreate, DeviceProtocol
from fleetyard.devices.service import DeviceService
from fleetyard.kit.ids import TenantId
from fleetyard.simulator.devices import ENGINE_DATA_PROTOCOLS
from fleetyard.simulator.devices.ids import is_valid_imei
from fleetyard.simulator.episodes import NO_EPISODES
from fleetyard.simulator.fleet import (
    Fleet,
    FleetConfig,
    PlannedDevice,
    planned_devices,
    protocol_counts,
)
from fleetyard.simulator.teltonika_device import Backoff
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, SessionFactory, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory, DeviceRoute
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.h02 import H02Session
from fleetyard.telematics.protocols.osmand import OsmAndSession
from fleetyard.telematics.protocols.teltonika import TeltonikaSession
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import setup_tenant
from tests.simulator.grid import grid_graph

EVEN_MIX = {"teltonika": 1.0, "gt06": 1.0, "h02": 1.0, "osmand": 1.0}
FAST_BACKOFF = Backoff(initial_s=0.05, maximum_s=0.2)
SESSIONS: dict[str, tuple[SessionFactory, bool]] = {  # factory, several devices per connection
    "teltonika": (TeltonikaSession, False),
    "gt06": (Gt06Session, False),
    "h02": (H02Session, False),
    "osmand": (OsmAndSession, True),
}


def test_protocol_counts_follow_the_mix() -> None:
    assert protocol_counts({"teltonika": 0.5, "gt06": 0.2, "h02": 0.15, "osmand": 0.15}, 20) == {
        "teltonika": 10,
        "gt06": 4,
        "h02": 3,
        "osmand": 3,
    }
    assert (
        sum(
            protocol_counts(
                {"teltonika": 0.5, "gt06": 0.2, "h02": 0.15, "osmand": 0.15}, 7
            ).values()
        )
        == 7
    )
    assert protocol_counts({"osmand": 1.0}, 3) == {"osmand": 3}


def test_planned_devices_repeat_for_a_seed_and_are_unique() -> None:
    config = FleetConfig(vehicles=200, seed=4)
    devices = planned_devices(config)
    assert devices == planned_devices(FleetConfig(vehicles=200, seed=4))
    assert devices != planned_devices(FleetConfig(vehicles=200, seed=5))
    assert len({d.unique_id for d in devices}) == 200
    assert all(is_valid_imei(d.unique_id) for d in devices if d.protocol != "osmand")
    assert {d.protocol for d in devices} == {"teltonika", "gt06", "h02", "osmand"}
    given = [PlannedDevice("356307042441013", "teltonika", "Van 1")]
    assert planned_devices(FleetConfig(vehicles=1, devices=given)) == given


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"vehicles": -1}, "vehicles"),
        ({"interval_s": 0}, "interval"),
        ({"protocol_mix": {"nmea": 1.0}}, "protocol mix"),
        ({"vehicles": 2, "devices": []}, "one device per vehicle"),
        ({"ports": {"teltonika": 5027}}, "no port for gt06, h02, osmand"),
    ],
)
def test_a_bad_config_is_refused(changes: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        FleetConfig(**changes)  # type: ignore[arg-type]


def first_alert_seconds(fleet: Fleet, seconds: int) -> dict[str, int]:
    """Seconds from the start until the first reading (of a vehicle that reports engine data)
    that a rule would alert on, per alert kind."""
    start = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
    first: dict[str, int] = {}
    for second in range(seconds + 1):
        now = start + timedelta(seconds=second)
        for vehicle, device in zip(fleet.vehicles, fleet.devices, strict=True):
            reading = vehicle.step(now)
            if device.protocol not in ENGINE_DATA_PROTOCOLS:
                continue
            seen = {
                "dtc": bool(reading.dtcs),
                "coolant_high": reading.coolant_c > 110,
                "fuel_low": reading.fuel_pct < 10,
            }
            for kind in (kind for kind, now_seen in seen.items() if now_seen):
                first.setdefault(kind, second)
    return first


def test_early_alerts_open_every_engine_alert_within_two_minutes() -> None:
    config = FleetConfig(vehicles=10, seed=7, rates=NO_EPISODES, early_alerts=True)
    first = first_alert_seconds(Fleet(config, grid_graph()), 120)
    assert first.keys() == {"dtc", "coolant_high", "fuel_low"}, first
    assert first["dtc"] <= 10
    quiet = FleetConfig(vehicles=10, seed=7, rates=NO_EPISODES)
    assert first_alert_seconds(Fleet(quiet, grid_graph()), 120) == {}


@dataclass
class Registered:
    tenant_id: uuid.UUID
    device_ids: dict[str, uuid.UUID]  # unique id → device id


async def register(app_database: Database, devices: Sequence[PlannedDevice]) -> Registered:
    """A committed tenant with a vehicle per planned device, each with that device."""
    ids = {}
    async with app_database.sessionmaker() as session:
        tenant = await setup_tenant(session, "sim")
        tenant_id = TenantId(tenant.id)
        await set_tenant(session, tenant_id)
        actor = Principal.system(tenant_id)
        for planned in devices:
            vehicle = await VehicleService(session, actor).create(
                VehicleCreate(plate=f"S-{uuid.uuid4().hex[:6]}")
            )
            device = await DeviceService(session, actor).create(
                DeviceCreate(
                    unique_id=planned.unique_id,
                    protocol=DeviceProtocol(planned.protocol),
                    name=planned.name,
                    vehicle_id=vehicle.id,
                )
            )
            ids[planned.unique_id] = device.id
        await session.commit()
    return Registered(tenant.id, ids)


async def stored_rows(
    database_url: str, registered: Registered
) -> dict[uuid.UUID, list[asyncpg.Record]]:
    conn = await asyncpg.connect(database_url)  # the owner: no row-level security to set
    try:
        rows = await conn.fetch(
            "select device_id, fix_time, speed_kmh, latitude, longitude from positions "
            "where tenant_id = $1 order by fix_time",
            registered.tenant_id,
        )
    finally:
        await conn.close()
    found: dict[uuid.UUID, list[asyncpg.Record]] = {d: [] for d in registered.device_ids.values()}
    for row in rows:
        found[row["device_id"]].append(row)
    return found


class Gateways:
    """The in-process gateway on every protocol port; ``restart`` keeps the ports."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.ports: dict[str, int] = {}
        self.gateway: Gateway | None = None
        self.pipeline: IngestPipeline | None = None

    async def start(self, pipeline: IngestPipeline | None = None) -> None:
        self.pipeline = pipeline or IngestPipeline(self.pool, max_delay_s=0.002)
        await self.pipeline.start()
        self.gateway = Gateway(
            DeviceDirectory(self.pool), self.pipeline, ConnectionLimits(idle_timeout_s=10)
        )
        for protocol, (factory, multi_device) in SESSIONS.items():
            port = self.ports.get(protocol, 0)
            listener = StreamListener(protocol, port, factory, "127.0.0.1", multi_device)
            self.ports[protocol] = await self.gateway.listen(listener)

    async def stop(self) -> None:
        if self.gateway is not None:
            await self.gateway.close()
        if self.pipeline is not None:
            await self.pipeline.stop()


@pytest.fixture
async def gateways(ingest_pool: asyncpg.Pool) -> AsyncIterator[Gateways]:
    servers = Gateways(ingest_pool)
    yield servers
    await servers.stop()


async def run_for(fleet: Fleet, seconds: float) -> None:
    task = asyncio.create_task(fleet.run())
    await asyncio.sleep(seconds)
    fleet.stop()
    await asyncio.wait_for(task, 15)


async def test_every_protocol_gets_its_fixes_stored(
    gateways: Gateways, app_database: Database, database_url: str
) -> None:
    await gateways.start()
    config = FleetConfig(
        vehicles=8,
        protocol_mix=EVEN_MIX,
        ports=gateways.ports,
        seed=21,
        backoff=FAST_BACKOFF,
    )
    registered = await register(app_database, planned_devices(config))
    fleet = Fleet(config, grid_graph())
    await run_for(fleet, 3.5)

    stored = await stored_rows(database_url, registered)
    for device, link in zip(fleet.devices, fleet.links, strict=True):
        rows = stored[registered.device_ids[device.unique_id]]
        assert len(rows) >= 3, device
        assert len(rows) == link.stats.acked == link.recorded, device  # every reading, once
        assert len({row["fix_time"] for row in rows}) == len(rows)
        assert all(0 <= row["speed_kmh"] <= 55 for row in rows)
        assert all(60.16 < row["latitude"] < 60.18 for row in rows)
    stats = fleet.stats
    assert stats.links.drops == 0 and stats.links.evicted == 0 and stats.unacked == 0


class CrashBeforeAck(IngestPipeline):
    """Stores the ``crash_after``-th submission, then never returns: the record is durable
    but its ack is never sent, as when a gateway dies between commit and reply."""

    def __init__(self, pool: asyncpg.Pool, crash_after: int) -> None:
        super().__init__(pool, max_delay_s=0.002)
        self.crash_after = crash_after
        self.submissions = 0
        self.crashed = asyncio.Event()

    async def submit(self, route: DeviceRoute, positions: Sequence[Position]) -> None:
        await super().submit(route, positions)
        self.submissions += 1
        if self.submissions >= self.crash_after:
            self.crashed.set()
            await asyncio.Event().wait()  # hangs until the gateway is torn down


async def test_a_dropped_gt06_connection_is_resent_without_loss_or_duplicates(
    gateways: Gateways,
    ingest_pool: asyncpg.Pool,
    app_database: Database,
    database_url: str,
) -> None:
    crashing = CrashBeforeAck(ingest_pool, crash_after=2)
    await gateways.start(crashing)
    config = FleetConfig(
        vehicles=1,
        protocol_mix={"gt06": 1.0},  # the protocol whose ack is a heartbeat's reply
        ports=gateways.ports,
        seed=3,
        rates=NO_EPISODES,
        backoff=FAST_BACKOFF,
    )
    registered = await register(app_database, planned_devices(config))
    fleet = Fleet(config, grid_graph())
    task = asyncio.create_task(fleet.run())
    try:
        await asyncio.wait_for(crashing.crashed.wait(), 10)
        await gateways.stop()  # the server goes away with a stored record unacked
        await asyncio.sleep(1.2)  # readings pile up; the device retries a closed port
        await gateways.start()  # back on the same ports
        await asyncio.sleep(2.5)
    finally:
        fleet.stop()
        await asyncio.wait_for(task, 15)

    (link,) = fleet.links
    rows = (await stored_rows(database_url, registered))[registered.device_ids[link.wire.unique_id]]
    fix_times = [row["fix_time"] for row in rows]
    assert link.stats.drops >= 1 and link.stats.connect_failures >= 1
    assert link.stats.resent >= 1  # the stored-but-unacked record went again …
    assert len(fix_times) == len(set(fix_times))  # … and was not stored twice
    assert len(rows) == link.recorded == link.stats.acked >= 5  # nothing lost
