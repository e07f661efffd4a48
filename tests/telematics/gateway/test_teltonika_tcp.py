"""The gateway over real TCP with real Teltonika frames: handshake, ack only after the records
are in PostgreSQL, unknown devices refused and listed, bad bytes close only their connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.teltonika import TeltonikaSession
from tests.telematics.conftest import Tracked

VECTORS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "testdata"
    / "protocols"
    / "vectors.json"
)
FRAMES = {v["id"]: v for v in json.loads(VECTORS.read_text())}


def imei_packet(imei: str) -> bytes:
    return len(imei).to_bytes(2, "big") + imei.encode()


@pytest.fixture
async def gateway(ingest_pool: asyncpg.Pool) -> AsyncIterator[tuple[Gateway, int]]:
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.002)
    await pipeline.start()
    gw = Gateway(
        DeviceDirectory(ingest_pool),
        pipeline,
        ConnectionLimits(idle_timeout_s=5, max_connections=50),
    )
    port = await gw.listen(StreamListener("teltonika", 0, TeltonikaSession, host="127.0.0.1"))
    yield gw, port
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


async def test_records_are_acked_after_they_are_stored(
    gateway: tuple[Gateway, int], tracked: Tracked, ingest_pool: asyncpg.Pool
) -> None:
    _, port = gateway
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(imei_packet(tracked.unique_id))
    assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x01"
    for vector_id in ("teltonika-003", "teltonika-006", "teltonika-007"):
        frame = FRAMES[vector_id]
        writer.write(bytes.fromhex(frame["hex"]))
        ack = await asyncio.wait_for(reader.readexactly(4), 5)
        assert ack.hex().upper() == frame["expected_ack_hex"].upper()
    # by the time the ack arrived the rows were committed
    assert await stored(ingest_pool, tracked) == 1 + 1 + 2
    writer.write(bytes.fromhex(FRAMES["teltonika-003"]["hex"]))  # a resend
    assert (await asyncio.wait_for(reader.readexactly(4), 5)).hex() == "00000001"
    assert await stored(ingest_pool, tracked) == 4  # idempotent
    writer.close()


async def test_unknown_device_is_refused_and_listed(
    gateway: tuple[Gateway, int], ingest_pool: asyncpg.Pool
) -> None:
    _, port = gateway
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(imei_packet("123456789012345"))
    assert await asyncio.wait_for(reader.read(10), 5) == b"\x00"
    assert await asyncio.wait_for(reader.read(10), 5) == b""  # closed
    async with ingest_pool.acquire() as conn:
        row = await conn.fetchrow(
            "select protocol from unknown_devices where unique_id = '123456789012345'"
        )
    assert row is not None and row["protocol"] == "teltonika"


async def test_garbage_closes_only_its_own_connection(
    gateway: tuple[Gateway, int], tracked: Tracked, ingest_pool: asyncpg.Pool
) -> None:
    _, port = gateway
    good_reader, good_writer = await asyncio.open_connection("127.0.0.1", port)
    good_writer.write(imei_packet(tracked.unique_id))
    assert await asyncio.wait_for(good_reader.readexactly(1), 5) == b"\x01"

    bad_reader, bad_writer = await asyncio.open_connection("127.0.0.1", port)
    bad_writer.write(imei_packet(tracked.unique_id))
    await asyncio.wait_for(bad_reader.readexactly(1), 5)
    corrupt = FRAMES[
        next(
            k
            for k, v in FRAMES.items()
            if v["protocol"] == "teltonika" and v["kind"] == "corrupt" and v.get("hex")
        )
    ]
    bad_writer.write(bytes.fromhex(corrupt["hex"]) + b"\x00" * 16)
    assert await asyncio.wait_for(bad_reader.read(100), 5) == b""  # closed, nothing acked

    good_writer.write(bytes.fromhex(FRAMES["teltonika-005"]["hex"]))
    assert (await asyncio.wait_for(good_reader.readexactly(4), 5)).hex() == "00000002"
    assert await stored(ingest_pool, tracked) == 2
    good_writer.close()


async def test_oversized_frame_and_connection_cap(
    gateway: tuple[Gateway, int], tracked: Tracked
) -> None:
    _, port = gateway
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(imei_packet(tracked.unique_id))
    await asyncio.wait_for(reader.readexactly(1), 5)
    # a data packet header announcing 16 MiB: refused without buffering it
    writer.write(bytes.fromhex("00000000") + (16 * 1024 * 1024).to_bytes(4, "big") + b"\x8e" * 1000)
    assert await asyncio.wait_for(reader.read(10), 5) == b""
    # past the cap, new connections are closed at once
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(50)]
    await asyncio.sleep(0.1)
    extra_reader, _ = await asyncio.open_connection("127.0.0.1", port)
    assert await asyncio.wait_for(extra_reader.read(10), 5) == b""
    for _, w in held:
        w.close()
