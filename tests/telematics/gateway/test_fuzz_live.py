"""Hostile bytes against the live gateway: random and mutated frames on every protocol port
never crash it nor disturb a well-behaved device on another connection; the offender's
connection is closed (or left waiting for more bytes), never answered with an ack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.h02.session import H02Session
from fleetyard.telematics.protocols.osmand import OsmAndSession
from fleetyard.telematics.protocols.teltonika import TeltonikaSession
from tests.telematics.conftest import Tracked

VECTORS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "testdata"
    / "protocols"
    / "vectors.json"
)
ALL = json.loads(VECTORS.read_text())
SEEDS = [bytes.fromhex(v["hex"]) for v in ALL if v.get("hex")] + [
    v["request"].encode() for v in ALL if v.get("request")
]
SESSIONS = {
    "teltonika": TeltonikaSession,
    "gt06": Gt06Session,
    "h02": H02Session,
    "osmand": OsmAndSession,
}


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    def flip(data: bytes, at: int, value: int) -> bytes:
        at %= max(1, len(data))
        return data[:at] + bytes([value]) + data[at + 1 :]

    return st.builds(flip, st.just(seed), st.integers(0, 10_000), st.integers(0, 255))


hostile = st.one_of(
    st.binary(min_size=1, max_size=600),
    st.sampled_from(SEEDS).flatmap(mutated),
    st.sampled_from(SEEDS).map(lambda s: s * 3),
)


@pytest.fixture
async def live(ingest_pool: asyncpg.Pool) -> AsyncIterator[tuple[Gateway, dict[str, int]]]:
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.002)
    await pipeline.start()
    gateway = Gateway(DeviceDirectory(ingest_pool), pipeline, ConnectionLimits(idle_timeout_s=2))
    ports = {
        name: await gateway.listen(StreamListener(name, 0, factory, "127.0.0.1", name == "osmand"))
        for name, factory in SESSIONS.items()
    }
    yield gateway, ports
    await gateway.close()
    await pipeline.stop()


async def send_hostile(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(4096), 0.3)
        except TimeoutError:
            return b""  # still waiting for the rest of a frame: fine, nothing acked
    finally:
        writer.close()


async def test_hostile_bytes_never_disturb_a_good_device(
    live: tuple[Gateway, dict[str, int]], tracked: Tracked
) -> None:
    gateway, ports = live
    good_reader, good_writer = await asyncio.open_connection("127.0.0.1", ports["teltonika"])
    imei = tracked.unique_id.encode()
    good_writer.write(len(imei).to_bytes(2, "big") + imei)
    assert await asyncio.wait_for(good_reader.readexactly(1), 5) == b"\x01"
    frame = next(v for v in ALL if v["id"] == "teltonika-003")
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(protocol=st.sampled_from(sorted(ports)), payload=hostile)
    def attack(protocol: str, payload: bytes) -> None:
        answer = asyncio.run_coroutine_threadsafe(send_hostile(ports[protocol], payload), loop)
        reply = answer.result(10)
        # no device was accepted on these connections, so nothing may be acknowledged
        if protocol == "osmand":
            assert reply == b"" or reply.startswith(b"HTTP/1.1 4"), reply[:40]
        else:
            assert reply in (b"", b"\x00"), reply[:40]

    await asyncio.to_thread(attack)

    # the well-behaved device never noticed
    good_writer.write(bytes.fromhex(frame["hex"]))
    assert (await asyncio.wait_for(good_reader.readexactly(4), 5)).hex() == "00000001"
    good_writer.close()
    await asyncio.sleep(0.2)
    assert gateway.open_connections <= 1  # hostile connections were all closed
