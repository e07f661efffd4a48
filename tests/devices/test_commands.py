"""Commands end to end: the API → a real gateway over TCP → a fake Teltonika device that reads
the Codec 12 command and answers with a real Codec 12 response frame."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.db import Database, with_user
from fleetyard.devices.commands import command_timeout
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, StreamListener
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.teltonika import TeltonikaSession, frame_data_packet
from tests.conftest import Tenants
from tests.telematics.conftest import Tracked, register_tracked

VECTORS = Path(__file__).resolve().parents[2].parent / "shared/testdata/protocols/vectors.json"
FRAMES = {v["id"]: v for v in json.loads(VECTORS.read_text())}
GETINFO = bytes.fromhex(FRAMES["teltonika-025"]["hex"])  # the command as the device gets it
RESPONSE = FRAMES["teltonika-026"]  # kind command_response


def response_frame(text: str) -> bytes:
    payload = text.encode("ascii")
    return frame_data_packet(
        bytes([0x0C, 1, 0x06]) + len(payload).to_bytes(4, "big") + payload + b"\x01"
    )


@dataclass
class FakeDevice:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @classmethod
    async def connect(cls, gateway: Gateway, port: int, imei: str) -> FakeDevice:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(len(imei).to_bytes(2, "big") + imei.encode())
        assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x01"
        for _ in range(200):  # registered right after the accept byte is sent
            if imei in gateway.connections:
                break
            await asyncio.sleep(0.01)
        return cls(reader, writer)

    async def read_command(self) -> bytes:
        header = await asyncio.wait_for(self.reader.readexactly(8), 5)
        rest = await asyncio.wait_for(
            self.reader.readexactly(int.from_bytes(header[4:], "big") + 4), 5
        )
        return header + rest

    async def answer(self, frame: bytes) -> None:
        self.writer.write(frame)
        await self.writer.drain()


@pytest.fixture
async def gateway(database_url: str) -> AsyncIterator[tuple[Gateway, int]]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=4
    )
    pipeline = IngestPipeline(pool, max_delay_s=0.002)
    await pipeline.start()
    gw = Gateway(
        DeviceDirectory(pool), pipeline, ConnectionLimits(idle_timeout_s=10, max_connections=10)
    )
    port = await gw.listen(StreamListener("teltonika", 0, TeltonikaSession, host="127.0.0.1"))
    yield gw, port
    await gw.close()
    await pipeline.stop()
    await pool.close()


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "cmd")


@pytest.fixture
def app(settings: Settings, rolled_back_db: Database, gateway: tuple[Gateway, int]) -> FastAPI:
    """The API with this test's gateway as its telematics runtime (no lifespan in tests)."""
    application = create_app(settings, database=rolled_back_db)
    application.state.telematics = SimpleNamespace(gateway=gateway[0])
    application.dependency_overrides[command_timeout] = lambda: 5.0
    return application


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def device(gateway: tuple[Gateway, int], tracked: Tracked) -> AsyncIterator[FakeDevice]:
    fake = await FakeDevice.connect(gateway[0], gateway[1], tracked.unique_id)
    yield fake
    fake.writer.close()


def commands_url(device_id: object) -> str:
    return f"/api/v1/devices/{device_id}/commands"


async def test_command_is_sent_and_the_device_answer_returned(
    api: httpx.AsyncClient, tracked: Tracked, device: FakeDevice
) -> None:
    headers = tracked.tenant.as_(Role.FLEET_MANAGER)

    async def device_side() -> bytes:
        received = await device.read_command()
        await device.answer(bytes.fromhex(RESPONSE["hex"]))
        return received

    response, received = await asyncio.gather(
        api.post(commands_url(tracked.device_id), json={"command": "getinfo"}, headers=headers),
        device_side(),
    )
    assert received == GETINFO  # byte for byte the Codec 12 command
    assert response.status_code == 200, response.text
    assert response.json() == {
        "command": "getinfo",
        "response": RESPONSE["expected"]["payload_ascii"],
    }
    events = await api.get(
        "/api/v1/events",
        params={"entity_type": "device", "entity_id": str(tracked.device_id)},
        headers=tracked.tenant.owner,
    )
    sent = [e for e in events.json()["items"] if e["type"] == "device_command_sent"]
    assert len(sent) == 1
    assert sent[0]["changes"] == {"command": {"before": None, "after": "getinfo"}}


async def test_silent_device_times_out_and_its_late_answer_is_not_reused(
    app: FastAPI, api: httpx.AsyncClient, tracked: Tracked, device: FakeDevice
) -> None:
    app.dependency_overrides[command_timeout] = lambda: 0.3
    headers = tracked.tenant.owner
    url = commands_url(tracked.device_id)
    response, _ = await asyncio.gather(
        api.post(url, json={"command": "getinfo"}, headers=headers), device.read_command()
    )
    assert response.status_code == 504, response.text
    assert response.json()["error"]["code"] == "device_timeout"

    await device.answer(response_frame("late answer to getinfo"))
    await asyncio.sleep(0.2)  # the gateway queues it; nobody is waiting

    async def device_side() -> None:
        await device.read_command()
        await device.answer(response_frame("DI1:0 DI2:0"))

    app.dependency_overrides[command_timeout] = lambda: 5.0
    second, _ = await asyncio.gather(
        api.post(url, json={"command": "getio"}, headers=headers), device_side()
    )
    assert second.status_code == 200, second.text
    assert second.json() == {"command": "getio", "response": "DI1:0 DI2:0"}


async def test_device_not_connected_is_409(
    app: FastAPI, api: httpx.AsyncClient, tracked: Tracked
) -> None:
    url = commands_url(tracked.device_id)
    response = await api.post(url, json={"command": "getinfo"}, headers=tracked.tenant.owner)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "device_not_connected"
    del app.state.telematics  # an API process without a gateway
    response = await api.post(url, json={"command": "getinfo"}, headers=tracked.tenant.owner)
    assert response.json()["error"]["code"] == "device_not_connected"


async def test_other_protocols_are_409(api: httpx.AsyncClient, tracked: Tracked) -> None:
    headers = tracked.tenant.owner
    created = await api.post(
        "/api/v1/devices", json={"unique_id": "GT-CMD-1", "protocol": "gt06"}, headers=headers
    )
    assert created.status_code == 201, created.text
    response = await api.post(
        commands_url(created.json()["id"]), json={"command": "getinfo"}, headers=headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "command_not_supported"


async def test_other_tenant_gets_404_and_sends_nothing(
    api: httpx.AsyncClient, tracked: Tracked, device: FakeDevice, tenants: Tenants
) -> None:
    response = await api.post(
        commands_url(tracked.device_id), json={"command": "getinfo"}, headers=tenants.b.owner
    )
    assert response.status_code == 404
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(device.reader.read(1), 0.2)


async def test_anonymous_is_refused(api: httpx.AsyncClient, tracked: Tracked) -> None:
    response = await api.post(commands_url(tracked.device_id), json={"command": "getinfo"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.MECHANIC, Role.DRIVER])
async def test_roles_without_devices_write_are_refused(
    api: httpx.AsyncClient, tracked: Tracked, role: Role
) -> None:
    response = await api.post(
        commands_url(tracked.device_id),
        json={"command": "getinfo"},
        headers=tracked.tenant.as_(role),
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"command": ""},
        {"command": "x" * 501},
        {"command": "getinfo\r\n"},
        {"command": "setparam 2001:é"},
        {"command": "getinfo", "wait": 5},
        {"command": 42},
    ],
)
async def test_bad_commands_are_422(
    api: httpx.AsyncClient, tracked: Tracked, body: dict[str, object]
) -> None:
    response = await api.post(
        commands_url(tracked.device_id), json=body, headers=tracked.tenant.owner
    )
    assert response.status_code == 422, response.text
