"""Teltonika UDP: ack (echoing packet ids) only after commit; unknown and bad datagrams ignored."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg

from fleetyard.telematics.gateway.udp import listen_udp
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from tests.telematics.conftest import Tracked

VECTORS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "testdata"
    / "protocols"
    / "vectors.json"
)
FRAMES = {v["id"]: v for v in json.loads(VECTORS.read_text())}


class Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.replies.put_nowait(data)


def with_imei(vector_id: str, imei: str) -> bytes:
    """The vector's datagram, re-addressed from its IMEI to ``imei`` (UDP has no CRC)."""
    frame = FRAMES[vector_id]
    raw = bytes.fromhex(frame["hex"])
    old = frame["expected"]["imei"].encode()
    assert len(old) == len(imei)
    return raw.replace(old, imei.encode(), 1)


async def test_udp_ack_after_commit(ingest_pool: asyncpg.Pool, tracked: Tracked) -> None:
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.002)
    await pipeline.start()
    transport, port = await listen_udp(DeviceDirectory(ingest_pool), pipeline, "127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    client_transport, client = await loop.create_datagram_endpoint(
        Client, remote_addr=("127.0.0.1", port)
    )
    try:
        for vector_id in ("teltonika-008", "teltonika-009", "teltonika-010"):
            client_transport.sendto(with_imei(vector_id, tracked.unique_id))
            ack = await asyncio.wait_for(client.replies.get(), 5)
            assert ack.hex().upper() == FRAMES[vector_id]["expected_ack_hex"].upper()
        client_transport.sendto(b"\x00\x05garbage")
        client_transport.sendto(with_imei("teltonika-008", "111111111111111"))  # unknown
        await asyncio.sleep(0.3)
        assert client.replies.empty()
    finally:
        client_transport.close()
        transport.close()
        await pipeline.stop()
    async with ingest_pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        count = await conn.fetchval(
            "select count(*) from positions where device_id = $1", tracked.device_id
        )
    assert count == sum(
        FRAMES[v]["expected"]["record_count"]
        for v in ("teltonika-008", "teltonika-009", "teltonika-010")
    )
