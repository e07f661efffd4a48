"""Kill -9 the gateway mid-stream: no record is lost, none is stored twice.

The real ``fleetyard serve --role gateway`` process, 20 simulated Teltonika devices streaming
over TCP, SIGKILL while packets are in flight, a restart on the same ports; the devices
reconnect and resend whatever was not acked (records leave a tracker's buffer only on their
ack). At the end every record sent is stored exactly once, and every record acked before the
kill was already stored (ack after commit).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant
from fleetyard.devices.schemas import DeviceCreate
from fleetyard.devices.service import DeviceService
from fleetyard.kit.ids import TenantId
from fleetyard.simulator import Backoff, SimulatedTeltonika, Track
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import setup_tenant
from tests.processes import ServeProcess, free_port

pytestmark = pytest.mark.slow

DEVICES = 20
RECORDS_PER_DEVICE = 600  # 60 packets of 10
KILL_AFTER_ACKED = DEVICES * RECORDS_PER_DEVICE // 3
FINISH_TIMEOUT_S = 40.0


@dataclass
class Registered:
    tenant_id: uuid.UUID
    devices: dict[str, uuid.UUID]  # IMEI → device id


async def register_fleet(app_database: Database, count: int) -> Registered:
    """One committed tenant with ``count`` vehicles, each with its Teltonika device."""
    devices = {}
    async with app_database.sessionmaker() as session:
        tenant = await setup_tenant(session, "fault")
        tenant_id = TenantId(tenant.id)
        await set_tenant(session, tenant_id)
        actor = Principal.system(tenant_id)
        for number in range(count):
            vehicle = await VehicleService(session, actor).create(
                VehicleCreate(plate=f"F-{uuid.uuid4().hex[:6]}-{number}")
            )
            imei = str(350_000_000_000_000 + uuid.uuid4().int % 10**14)
            device = await DeviceService(session, actor).create(
                DeviceCreate(unique_id=imei, protocol="teltonika", vehicle_id=vehicle.id)
            )
            devices[imei] = device.id
        await session.commit()
    return Registered(tenant.id, devices)


async def stored_fix_times(database_url: str, registered: Registered) -> dict[uuid.UUID, list[int]]:
    """Every stored fix time (ms) per device, duplicates kept (as the owner: no RLS)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "select device_id, (extract(epoch from fix_time) * 1000)::bigint as ms "
            "from positions where tenant_id = $1",
            registered.tenant_id,
        )
    finally:
        await conn.close()
    found: dict[uuid.UUID, list[int]] = {device: [] for device in registered.devices.values()}
    for row in rows:
        found[row["device_id"]].append(row["ms"])
    return found


class Acks:
    """Counts acked records across the fleet; ``reached`` fires at a target."""

    def __init__(self, target: int) -> None:
        self.records = 0
        self.target = target
        self.reached = asyncio.Event()

    def __call__(self, _latency_s: float, records: int) -> None:
        self.records += records
        if self.records >= self.target:
            self.reached.set()


def make_devices(
    registered: Registered, port: int, start_ms: int, acks: Acks
) -> list[SimulatedTeltonika]:
    return [
        SimulatedTeltonika(
            imei=imei,
            host="127.0.0.1",
            port=port,
            records=itertools.islice(Track(start_ms, random.Random(number)), RECORDS_PER_DEVICE),
            records_per_packet=10,
            ack_timeout_s=10.0,
            backoff=Backoff(initial_s=0.05, maximum_s=0.5),
            rng=random.Random(number),
            on_ack=acks,
        )
        for number, imei in enumerate(registered.devices)
    ]


async def test_gateway_killed_mid_stream_loses_and_duplicates_nothing(
    app_database: Database, database_url: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    registered = await register_fleet(app_database, DEVICES)
    device_port = free_port()
    gateway = ServeProcess(
        "gateway", database_url, free_port(), tmp_path, {"teltonika_port": str(device_port)}
    )
    start_ms = (int(time.time()) - 3600) * 1000  # an hour of history: no fix in the future
    acks = Acks(target=KILL_AFTER_ACKED)
    devices = make_devices(registered, device_port, start_ms, acks)
    runs: list[asyncio.Task[None]] = []
    try:
        await gateway.start()
        runs = [asyncio.create_task(device.run()) for device in devices]
        async with asyncio.timeout(FINISH_TIMEOUT_S):
            await acks.reached.wait()

        await gateway.kill()
        acked_at_kill = acks.records
        in_flight_at_kill = sum(len(d.buffer) for d in devices)
        stored_at_kill = sum(map(len, (await stored_fix_times(database_url, registered)).values()))
        await asyncio.sleep(0.3)  # the devices notice, and retry into a closed port

        await gateway.start()
        async with asyncio.timeout(FINISH_TIMEOUT_S):
            await asyncio.gather(*runs)
    finally:
        for device in devices:
            device.stop()
        await asyncio.gather(*runs, return_exceptions=True)
        await gateway.stop()

    stored = await stored_fix_times(database_url, registered)
    for number, (imei, device_id) in enumerate(registered.devices.items()):
        device = devices[number]
        expected = [start_ms + i * 1000 for i in range(RECORDS_PER_DEVICE)]
        assert device.finished and device.stats.records_acked == RECORDS_PER_DEVICE, imei
        assert sorted(stored[device_id]) == expected, f"{imei}: lost or duplicated fixes"

    total_stored = sum(map(len, stored.values()))
    resent = sum(d.stats.records_resent for d in devices)
    drops = sum(d.stats.drops for d in devices)
    refused = sum(d.stats.connect_failures for d in devices)
    print(
        f"\n{DEVICES} devices, {total_stored} records stored once each; at the kill "
        f"{acked_at_kill} acked, {stored_at_kill} stored, {in_flight_at_kill} unacked in the "
        f"devices' buffers; {drops} connections dropped, {refused} connects refused, "
        f"{resent} records resent; {time.monotonic() - began:.1f} s"
    )
    assert total_stored == DEVICES * RECORDS_PER_DEVICE
    assert stored_at_kill >= acked_at_kill  # nothing was acked before it was committed
    assert drops >= DEVICES // 2  # the kill cut devices off mid-stream …
    assert sum(d.stats.connect_failures for d in devices) > 0  # … they retried while it was down
    assert resent > 0  # … with records in flight, which were sent again
