"""H02 through the real gateway over TCP: a 10-digit-id device's binary records (short and
long, no per-port length) are stored like its text sentences; a V1 sentence is answered
only after it is stored; an unknown device is closed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant
from fleetyard.devices.schemas import DeviceCreate
from fleetyard.devices.service import DeviceService
from fleetyard.kit.ids import TenantId
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.h02 import H02Session
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import TenantSetup, setup_tenant
from tests.telematics.protocols.h02_frames import binary_twin

LONG_TAIL = bytes.fromhex("060000002c02dc0c000000001f")  # a real 45-byte record's tail


@pytest.fixture
async def h02_port(ingest_pool: asyncpg.Pool) -> AsyncIterator[int]:
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.002)
    await pipeline.start()
    gw = Gateway(DeviceDirectory(ingest_pool), pipeline, ConnectionLimits(idle_timeout_s=5))
    yield await gw.listen(StreamListener("h02", 0, H02Session, "127.0.0.1"))
    await gw.close()
    await pipeline.stop()


async def register_h02(app_database: Database) -> tuple[TenantSetup, uuid.UUID, str]:
    """A committed tenant with one vehicle and an H02 device with a 10-digit id."""
    async with app_database.sessionmaker() as session:
        tenant = await setup_tenant(session, "h02")
        await set_tenant(session, TenantId(tenant.id))
        actor = Principal.system(TenantId(tenant.id))
        vehicle = await VehicleService(session, actor).create(
            VehicleCreate(plate=f"H-{uuid.uuid4().hex[:6]}")
        )
        unique_id = str(4_100_000_000 + uuid.uuid4().int % 10**8)
        device = await DeviceService(session, actor).create(
            DeviceCreate(unique_id=unique_id, protocol="h02", vehicle_id=vehicle.id)
        )
        await session.commit()
        return tenant, device.id, unique_id


async def stored_fixes(
    pool: asyncpg.Pool, tenant: TenantSetup, device_id: uuid.UUID
) -> list[asyncpg.Record]:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant.id))
        return list(
            await conn.fetch(
                "select fix_time, latitude, longitude, speed_kmh, course, protocol"
                " from positions where device_id = $1 order by fix_time",
                device_id,
            )
        )


def v1_sentence(unique_id: str, at: datetime, latitude: str, speed_knots: int) -> str:
    return (
        f"*HQ,{unique_id},V1,{at:%H%M%S},A,{latitude},N,02516.3844,E,"
        f"{speed_knots:03d},090,{at:%d%m%y},FFFFFBFF#"
    )


async def test_binary_records_are_stored_like_their_text_twins(
    h02_port: int, app_database: Database, ingest_pool: asyncpg.Pool
) -> None:
    tenant, device_id, unique_id = await register_h02(app_database)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    sentences = [
        v1_sentence(unique_id, start + timedelta(seconds=10 * i), f"5444.{3994 + i}", 20 + i)
        for i in range(4)
    ]
    reader, writer = await asyncio.open_connection("127.0.0.1", h02_port)
    # A short record, then two long ones glued and split mid-record, as TCP may deliver them.
    writer.write(binary_twin(sentences[0]))
    await writer.drain()
    long_pair = binary_twin(sentences[1], tail=LONG_TAIL) + binary_twin(
        sentences[2], tail=LONG_TAIL
    )
    writer.write(long_pair[:50])
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(long_pair[50:])
    # The text sentence is answered only once stored, so everything before it is stored too.
    writer.write(sentences[3].encode())
    reply = await asyncio.wait_for(reader.readuntil(b"#"), 5)
    assert reply.startswith(f"*HQ,{unique_id},V4,V1,".encode())

    fixes = await stored_fixes(ingest_pool, tenant, device_id)
    assert [f["fix_time"] for f in fixes] == [start + timedelta(seconds=10 * i) for i in range(4)]
    for i, fix in enumerate(fixes):
        assert fix["protocol"] == "h02"
        assert fix["latitude"] == pytest.approx(54 + (44.3994 + i / 10_000) / 60)
        assert fix["longitude"] == pytest.approx(25 + 16.3844 / 60)
        assert fix["speed_kmh"] == pytest.approx((20 + i) * 1.852)
        assert fix["course"] == 90
    writer.close()


async def test_unknown_binary_device_is_closed(h02_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", h02_port)
    sentence = "*HQ,9999999999,V1,101010,A,5444.3994,N,02516.3844,E,000,000,010124,FFFFFBFF#"
    writer.write(binary_twin(sentence))
    assert await asyncio.wait_for(reader.read(64), 5) == b""
