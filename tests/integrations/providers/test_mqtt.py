"""The MQTT adapter against the machine's real Mosquitto (127.0.0.1:1883), and against a
private Mosquitto with a password file where credentials matter.

The broker is shared: every test uses its own topics and client ids, and drops the
persistent sessions it made.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest
from pydantic import ValidationError

from fleetyard.integrations.providers.base import ProblemKind, ProviderError
from fleetyard.integrations.providers.mqtt import (
    PROVIDER,
    MqttClient,
    MqttCredentials,
    MqttSettings,
)
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.telematics.position import Position
from tests.processes import free_port

BROKER = ("127.0.0.1", 1883)
WAIT_S = 10.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def owntracks(lat: float, tst: int, **extra: object) -> bytes:
    body = {"_type": "location", "lat": lat, "lon": 24.9, "tst": tst, **extra}
    return json.dumps(body).encode()


def fleetyard_json(device_id: str, speed_mps: float) -> bytes:
    coords = {"latitude": 60.2, "longitude": 25.0, "speed": speed_mps}
    body = {"device_id": device_id, "location": {"timestamp": 1_767_225_600, "coords": coords}}
    return json.dumps(body).encode()


class Sink:
    """A deliver() that keeps every batch and lets a test wait for a number of positions."""

    def __init__(self) -> None:
        self.batches: list[list[Position]] = []
        self._changed = asyncio.Event()

    @property
    def positions(self) -> list[Position]:
        return [position for batch in self.batches for position in batch]

    async def __call__(self, batch: list[Position]) -> None:
        self.batches.append(batch)
        self._changed.set()

    async def wait_for(self, count: int) -> list[Position]:
        async with asyncio.timeout(WAIT_S):
            while len(self.positions) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.positions


@pytest.fixture
def client_ids() -> Iterator[list[str]]:
    """Client ids whose persistent sessions the test leaves on the broker: dropped after."""
    made: list[str] = []
    yield made
    asyncio.run(_drop_sessions(made))  # the test's loop may be gone; a fresh one is enough


async def _drop_sessions(client_ids: list[str]) -> None:
    for client_id in client_ids:
        with contextlib.suppress(aiomqtt.MqttError):
            async with aiomqtt.Client(*BROKER, identifier=client_id, clean_session=True):
                pass


def mqtt_client(topic_filter: str, client_id: str, **settings: object) -> MqttClient:
    return PROVIDER.connect(
        MqttSettings(
            host=BROKER[0],
            port=BROKER[1],
            topic_filter=topic_filter,
            client_id=client_id,
            **settings,
        ),
        MqttCredentials(),
    )


@contextlib.asynccontextmanager
async def consuming(client: MqttClient, deliver: object) -> AsyncIterator[asyncio.Task[None]]:
    """``consume`` running in a task, subscribed before the body runs; cancelled after."""
    connected = asyncio.Event()

    def on_state(problem: ProviderError | None) -> None:
        if problem is None:
            connected.set()

    task = asyncio.create_task(client.consume(deliver, on_state=on_state))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(WAIT_S):
            await connected.wait()
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def publish(*messages: tuple[str, bytes]) -> None:
    async with aiomqtt.Client(*BROKER, identifier=unique("pub")) as publisher:
        for topic, payload in messages:
            await publisher.publish(topic, payload, qos=1)


def test_registry_finds_the_mqtt_provider() -> None:
    assert provider(ProviderName.MQTT) is PROVIDER
    assert PROVIDER.name == "mqtt"


@pytest.mark.parametrize(
    "settings",
    [
        {"host": "h", "topic_filter": "a/#/b"},
        {"host": "h", "topic_filter": "a/b+"},
        {"host": "h", "topic_filter": ""},
        {"host": "h", "topic_filter": "a", "qos": 2},
        {"host": "h", "topic_filter": "a", "payload_format": "xml"},
        {"host": "h", "topic_filter": "a", "client_id": "has space"},
        {"host": "h x", "topic_filter": "a"},
        {"host": "h", "topic_filter": "a", "unknown": 1},
    ],
)
def test_settings_refuse_what_cannot_work(settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MqttSettings.model_validate(settings)


def test_credentials_need_a_username_with_a_password() -> None:
    with pytest.raises(ValidationError):
        MqttCredentials.model_validate({"password": "secret"})
    assert MqttCredentials.model_validate({}).username is None


def test_a_client_id_left_out_is_stable_for_the_same_connection() -> None:
    def client_id(topic: str) -> str:
        return PROVIDER.connect(
            MqttSettings(host="h", topic_filter=topic), MqttCredentials(username="u")
        ).client_id

    assert client_id("a/#") == client_id("a/#") != client_id("b/#")


async def test_check_connects_and_subscribes() -> None:
    topic = unique("fy-check") + "/#"
    result = await mqtt_client(topic, unique("fy")).check()
    assert result.message == f"connected, subscribed to {topic}"
    assert result.vehicles == 0


async def test_an_unreachable_broker_is_unavailable_in_plain_words() -> None:
    port = free_port()
    client = PROVIDER.connect(
        MqttSettings(host="127.0.0.1", port=port, topic_filter="a"), MqttCredentials()
    )
    with pytest.raises(ProviderError) as failed:
        await client.check()
    assert failed.value.kind is ProblemKind.UNAVAILABLE
    assert f"could not connect to the MQTT broker at 127.0.0.1:{port}" in failed.value.message

    problems: list[ProviderError | None] = []
    task = asyncio.create_task(client.consume(Sink(), on_state=problems.append))
    await _wait_until(lambda: bool(problems))
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    problem = problems[0]
    assert problem is not None and problem.kind is ProblemKind.UNAVAILABLE
    assert problem.retry_after_s == 0.5


async def test_both_formats_arrive_with_our_units_and_a_bad_payload_is_skipped(
    client_ids: list[str],
) -> None:
    base = unique("fy-both")
    client = mqtt_client(f"{base}/#", unique("fy"))
    client_ids.append(client.client_id)
    sink = Sink()
    async with consuming(client, sink):
        await publish(
            (f"{base}/owntracks/alice/phone", owntracks(60.17, 1_767_225_600, vel=54, batt=80)),
            (f"{base}/bad", b"{not json"),
            (f"{base}/devices", fleetyard_json("van-7", speed_mps=10)),
            (f"{base}/owntracks/alice/phone", json.dumps({"_type": "lwt", "tst": 1}).encode()),
        )
        by_device = {position.unique_id: position for position in await sink.wait_for(2)}
        await _wait_until(lambda: sum(client.skipped.values()) >= 2)

    phone, van = by_device["alice_phone"], by_device["van-7"]
    assert (phone.latitude, phone.speed_kmh, phone.protocol) == (60.17, 54, "mqtt")
    assert phone.fix_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert phone.attributes["battery_level_pct"] == 80
    assert van.speed_kmh == pytest.approx(36.0)
    assert van.fix_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert client.skipped == {"not_json": 1, "not_a_location": 1}
    assert {v.vendor_id for v in await client.vehicles()} == {"alice_phone", "van-7"}


async def test_a_batch_not_committed_is_not_acked_and_comes_again(
    client_ids: list[str],
) -> None:
    base, client_id = unique("fy-ack"), unique("fy")
    client_ids.append(client_id)

    async def commit_fails(batch: list[Position]) -> None:
        raise RuntimeError("database down")

    first = mqtt_client(f"{base}/#", client_id)
    async with consuming(first, commit_fails) as task:
        await publish((f"{base}/owntracks/u/d", owntracks(1.0, 100)))
        async with asyncio.timeout(WAIT_S):
            with pytest.raises(RuntimeError, match="database down"):
                await task

    hung = asyncio.Event()

    async def commit_hangs(batch: list[Position]) -> None:
        hung.set()
        await asyncio.Event().wait()  # a crash before commit: cancelled below

    second = mqtt_client(f"{base}/#", client_id)
    async with consuming(second, commit_hangs):
        async with asyncio.timeout(WAIT_S):
            await hung.wait()

    sink = Sink()
    third = mqtt_client(f"{base}/#", client_id)
    async with consuming(third, sink):
        [redelivered] = await sink.wait_for(1)
    assert (redelivered.unique_id, redelivered.latitude) == ("u_d", 1.0)

    # Committed and acked now: a fourth consumer of the session gets nothing again.
    sink = Sink()
    fourth = mqtt_client(f"{base}/#", client_id)
    async with consuming(fourth, sink):
        await publish((f"{base}/owntracks/u/d", owntracks(2.0, 200)))
        [fresh] = await sink.wait_for(1)
        await asyncio.sleep(0.3)
    assert fresh.latitude == 2.0
    assert [p.latitude for p in sink.positions] == [2.0]


async def test_messages_published_while_the_consumer_is_away_wait_for_it(
    client_ids: list[str],
) -> None:
    base, client_id = unique("fy-away"), unique("fy")
    client_ids.append(client_id)
    async with consuming(mqtt_client(f"{base}/#", client_id), Sink()):
        pass  # subscribed once: the broker now keeps the session
    await publish(*[(f"{base}/owntracks/u/d", owntracks(float(i), 100 + i)) for i in range(30)])
    sink = Sink()
    async with consuming(mqtt_client(f"{base}/#", client_id), sink):
        positions = await sink.wait_for(30)
    assert sorted(p.latitude for p in positions) == [float(i) for i in range(30)]


async def test_consumers_on_different_topics_see_only_their_own(client_ids: list[str]) -> None:
    base_a, base_b = unique("fy-a"), unique("fy-b")
    client_a, client_b = (
        mqtt_client(f"{base_a}/#", unique("fy")),
        mqtt_client(f"{base_b}/#", unique("fy")),
    )
    client_ids.extend([client_a.client_id, client_b.client_id])
    sink_a, sink_b = Sink(), Sink()
    async with consuming(client_a, sink_a), consuming(client_b, sink_b):
        await publish(
            (f"{base_a}/owntracks/a/one", owntracks(10.0, 100)),
            (f"{base_b}/owntracks/b/two", owntracks(20.0, 100)),
            (f"{base_a}/owntracks/a/one", owntracks(11.0, 101)),
        )
        await sink_a.wait_for(2)
        await sink_b.wait_for(1)
        await asyncio.sleep(0.2)
    assert {p.unique_id for p in sink_a.positions} == {"a_one"}
    assert [p.latitude for p in sink_b.positions] == [20.0]


class PrivateBroker:
    """A Mosquitto of our own with one user (fleet / s3cret) and no anonymous access, which a
    test may stop and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        passwords = folder / "passwords"
        subprocess.run(
            ["mosquitto_passwd", "-c", "-b", str(passwords), "fleet", "s3cret"], check=True
        )
        self._config = folder / "mosquitto.conf"
        self._config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous false\n"
            f"password_file {passwords}\npersistence false\n"
            "user root\n"  # as root, Mosquitto would else drop to a user who cannot read it
        )
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["mosquitto", "-c", str(self._config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    broker = PrivateBroker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"no broker on {port}")


def private_client(broker: PrivateBroker, **credentials: str) -> MqttClient:
    return PROVIDER.connect(
        MqttSettings(host="127.0.0.1", port=broker.port, topic_filter="fleet/#"),
        MqttCredentials.model_validate(credentials),
    )


async def test_wrong_credentials_are_rejected_and_right_ones_work(
    private_broker: PrivateBroker,
) -> None:
    def client(**credentials: str) -> MqttClient:
        return private_client(private_broker, **credentials)

    for wrong in (client(username="fleet", password="nope"), client()):
        with pytest.raises(ProviderError) as failed:
            await wrong.check()
        assert failed.value.kind is ProblemKind.CREDENTIALS_REJECTED
        assert "refused the username or password" in failed.value.message
        with pytest.raises(ProviderError) as failed:
            async with asyncio.timeout(WAIT_S):
                await wrong.consume(Sink())
        assert failed.value.kind is ProblemKind.CREDENTIALS_REJECTED

    result = await client(username="fleet", password="s3cret").check()
    assert result.message == "connected, subscribed to fleet/#"


async def test_a_lost_broker_is_reported_and_reconnected_with_backoff(
    private_broker: PrivateBroker,
) -> None:
    client = private_client(private_broker, username="fleet", password="s3cret")
    states: list[ProviderError | None] = []
    sink = Sink()
    task = asyncio.create_task(client.consume(sink, on_state=states.append))
    try:
        await _wait_until(lambda: states == [None])
        private_broker.stop()
        await _wait_until(lambda: len(states) >= 2)
        problem = states[1]
        assert problem is not None and problem.kind is ProblemKind.UNAVAILABLE
        private_broker.start()
        await _wait_until(lambda: states[-1] is None)
        async with aiomqtt.Client(
            "127.0.0.1", private_broker.port, username="fleet", password="s3cret"
        ) as publisher:
            await publisher.publish("fleet/owntracks/u/d", owntracks(5.0, 100), qos=1)
        [position] = await sink.wait_for(1)
        assert position.latitude == 5.0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _wait_until(condition: Callable[[], bool], *, within_s: float = 3 * WAIT_S) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("condition not met in time")
