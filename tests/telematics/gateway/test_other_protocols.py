"""GT06 and OsmAnd through the real gateway: login, ack after storage, unknown refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from fleetyard.db import Database
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.gt06.framing import encode_frame
from fleetyard.telematics.protocols.osmand import OsmAndSession
from tests.telematics.conftest import Tracked, register_tracked

VECTORS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "testdata"
    / "protocols"
    / "vectors.json"
)
FRAMES = {v["id"]: v for v in json.loads(VECTORS.read_text())}


@pytest.fixture
async def servers(ingest_pool: asyncpg.Pool) -> AsyncIterator[dict[str, int]]:
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.002)
    await pipeline.start()
    gw = Gateway(DeviceDirectory(ingest_pool), pipeline, ConnectionLimits(idle_timeout_s=5))
    ports = {
        "gt06": await gw.listen(StreamListener("gt06", 0, Gt06Session, "127.0.0.1")),
        "osmand": await gw.listen(StreamListener("osmand", 0, OsmAndSession, "127.0.0.1", True)),
    }
    yield ports
    await gw.close()
    await pipeline.stop()


async def stored(pool: asyncpg.Pool, tracked: Tracked) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        return int(
            await conn.fetchval(
                "select count(*) from positions where device_id = $1", tracked.device_id
            )
        )


def gt06_login(imei: str, serial: int = 1) -> bytes:
    return encode_frame(0x01, bytes.fromhex(imei.rjust(16, "0")), serial)


async def test_gt06_login_then_location(
    servers: dict[str, int], app_database: Database, ingest_pool: asyncpg.Pool
) -> None:
    tracked = await register_tracked(app_database, "gt06", protocol="gt06")
    reader, writer = await asyncio.open_connection("127.0.0.1", servers["gt06"])
    writer.write(gt06_login(tracked.unique_id))
    reply = await asyncio.wait_for(reader.read(64), 5)
    assert reply[:4] == bytes.fromhex("78780501")  # login acknowledged
    writer.write(bytes.fromhex(FRAMES["gt06-007"]["hex"]))
    for _ in range(50):
        if await stored(ingest_pool, tracked) == 1:
            break
        await asyncio.sleep(0.05)
    assert await stored(ingest_pool, tracked) == 1
    writer.close()


async def test_gt06_unknown_device_is_closed(servers: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", servers["gt06"])
    writer.write(gt06_login("0123456789012345"))
    assert await asyncio.wait_for(reader.read(64), 5) == b""


async def test_osmand_http_200_after_storage(
    servers: dict[str, int], app_database: Database, ingest_pool: asyncpg.Pool
) -> None:
    tracked = await register_tracked(app_database, "osm", protocol="osmand")
    reader, writer = await asyncio.open_connection("127.0.0.1", servers["osmand"])
    now = int(datetime.now(UTC).timestamp())
    for i in range(3):
        request = (
            f"GET /?id={tracked.unique_id}&lat=60.17{i}&lon=24.94&timestamp={now - 10 + i}"
            "&speed=10 HTTP/1.1\r\n"
            "Host: localhost\r\n\r\n"
        )
        writer.write(request.encode())
        status = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert status.startswith(b"HTTP/1.1 200"), status
        assert await stored(ingest_pool, tracked) == i + 1  # the 200 came after the commit
    writer.write(b"GET /?id=nobody-knows&lat=1&lon=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    refused = await asyncio.wait_for(reader.read(1024), 5)
    assert refused.startswith(b"HTTP/1.1 4")
    writer.close()
