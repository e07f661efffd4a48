"""The demo's contractor vans against the machine's real Mosquitto: what their phones publish
is read by the real MQTT adapter as positions of the three trackers, on the road graph; a
broker that can't be reached is retried quietly, and the demo's summary says so in a line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest
from pydantic import SecretStr

from fleetyard.demo.contractors import BrokerState, ContractorVans, owntracks_location
from fleetyard.demo.launch import contractors_text
from fleetyard.demo.plan import Broker, ContractorsPlan, demo_fleet_plan
from fleetyard.integrations.providers.base import ProviderError
from fleetyard.integrations.providers.mqtt import MqttClient, MqttCredentials, MqttSettings
from fleetyard.integrations.providers.mqtt_payloads import PayloadFormat, owntracks_position
from fleetyard.simulator.fleet import FleetConfig
from fleetyard.simulator.roads import RoadGraph
from fleetyard.simulator.vehicle import SimulatedVehicle
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from tests.processes import free_port
from tests.simulator.grid import grid_graph

NOW = datetime.now(UTC)


def contractors(broker: Broker | None = None) -> ContractorsPlan:
    """The demo's contractors on a topic of this test's own (runs may share the broker)."""
    plan = demo_fleet_plan(FleetConfig(vehicles=4, seed=2), NOW, broker).contractors
    assert plan is not None
    return replace(plan, topic_base=f"fleetyard-test/{uuid.uuid4().hex[:10]}/owntracks")


async def until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:.0f} s: {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(task: Awaitable[None]) -> AsyncIterator[asyncio.Task[None]]:
    started = asyncio.ensure_future(task)
    try:
        yield started
    finally:
        started.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await started


def test_a_van_publishes_what_owntracks_does() -> None:
    plan = contractors()
    graph = grid_graph()
    vehicle = SimulatedVehicle(graph, random.Random(4))
    reading = vehicle.step(datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC))
    message = owntracks_location(plan.vans[0], 0, reading, 81)
    assert message["_type"] == "location" and message["tid"] == "P1"
    assert message["tst"] == int(reading.fix_time.timestamp())
    position = owntracks_position(plan.topic(plan.vans[0]), message)
    assert position.unique_id == "putki_van1"
    assert (position.latitude, position.longitude) == (message["lat"], message["lon"])
    assert position.fix_time == reading.fix_time
    assert position.attributes[attr.BATTERY_LEVEL_PCT] == 81
    assert position.attributes[attr.CHARGE] is reading.ignition


async def test_the_vans_positions_are_read_by_the_mqtt_adapter_from_mosquitto() -> None:
    plan = contractors()
    consumer = f"fy-test-{uuid.uuid4().hex[:10]}"
    adapter = MqttClient(
        MqttSettings(
            host="127.0.0.1",
            topic_filter=plan.topic_filter,
            payload_format=PayloadFormat.OWNTRACKS,
            client_id=consumer,
        ),
        MqttCredentials(),
    )
    received: list[Position] = []
    subscribed = asyncio.Event()

    async def deliver(positions: list[Position]) -> None:
        received.extend(positions)

    def on_state(problem: ProviderError | None) -> None:
        assert problem is None, problem.message
        subscribed.set()

    graph: RoadGraph = grid_graph()
    vans = ContractorVans(plan, data_dir=Path("."), seed=3, graph=graph)
    try:
        async with running(adapter.consume(deliver, on_state=on_state)):
            await asyncio.wait_for(subscribed.wait(), 10)
            async with running(vans.run()):
                assert await vans.first_attempt(6) is BrokerState.PUBLISHING

                def two_of_each() -> bool:
                    ids = [p.unique_id for p in received]
                    return all(ids.count(van.tracker_id) >= 2 for van in plan.vans)

                await until(two_of_each, 15, "two positions of each van")
                vans.stop()
    finally:
        async with aiomqtt.Client("127.0.0.1", 1883, identifier=consumer, clean_session=True):
            pass  # the consumer's persistent session goes with the test
    assert not adapter.skipped, adapter.skipped  # every message was a readable location
    latitudes, longitudes = graph.latitudes, graph.longitudes
    for position in received:
        assert position.protocol == "mqtt"
        assert min(latitudes) - 1e-6 <= position.latitude <= max(latitudes) + 1e-6
        assert min(longitudes) - 1e-6 <= position.longitude <= max(longitudes) + 1e-6
        assert position.fix_time.microsecond == 0
        assert abs(time.time() - position.fix_time.timestamp()) < 30
        assert 0 <= (position.speed_kmh or 0) < 130
        assert 0 < position.attributes[attr.BATTERY_LEVEL_PCT] <= 100
    for van in plan.vans:
        fixes = [p.fix_time for p in received if p.unique_id == van.tracker_id]
        assert fixes == sorted(set(fixes))  # a fix a second, in order, none twice
    assert {p.unique_id for p in received} == {"putki_van1", "putki_van2", "putki_van3"}
    assert vans.published >= 6


async def test_an_unreachable_broker_is_retried_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan = contractors(Broker("127.0.0.1", free_port()))  # nothing listens there
    vans = ContractorVans(plan, data_dir=Path("."), graph=grid_graph(), first_retry_s=0.02)
    caplog.set_level(logging.DEBUG, logger="fleetyard")
    async with running(vans.run()) as task:
        assert await vans.first_attempt(6) is BrokerState.UNREACHABLE
        await until(lambda: vans.attempts >= 4, 10, "four connection attempts")
        vans.stop()
        await asyncio.wait_for(task, 5)  # stops at once while waiting to retry
    assert vans.published == 0
    assert vans.problem is not None and str(plan.broker) in vans.problem
    ours = [r for r in caplog.records if r.name.startswith("fleetyard.demo")]
    assert ours and all(r.levelno < logging.WARNING for r in ours)  # never on the console
    assert sum(r.levelno == logging.INFO for r in ours) == 1  # said once, then at debug
    line = contractors_text(vans)
    assert "not reachable now" in line and "backing off" in line and str(plan.broker) in line


async def test_the_integration_warns_of_a_broker_outage_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The MQTT integration the demo runs: its retries of an unreachable broker say nothing
    new, so a demo without a broker logs one warning, not one every 30 s."""
    adapter = MqttClient(
        MqttSettings(host="127.0.0.1", port=free_port(), topic_filter="fleetyard-test/#"),
        MqttCredentials(username="demo", password=SecretStr("not-logged")),
    )
    problems: list[ProviderError] = []

    async def deliver(positions: list[Position]) -> None:
        pytest.fail("nothing to deliver from a broker that isn't there")

    def on_state(problem: ProviderError | None) -> None:
        assert problem is not None
        problems.append(problem)

    caplog.set_level(logging.INFO, logger="fleetyard.integrations")
    async with running(adapter.consume(deliver, on_state=on_state)):
        await until(lambda: len(problems) >= 2, 10, "a retry")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == ["mqtt broker problem, retrying"]
    assert "could not connect to the MQTT broker" in problems[0].message
    assert "not-logged" not in caplog.text


def test_the_summary_names_the_broker_and_topic_when_publishing() -> None:
    plan = contractors()
    vans = ContractorVans(plan, data_dir=Path("."))
    vans.state = BrokerState.PUBLISHING
    assert contractors_text(vans) == (
        f"Contractor vans (MQTT): 3 vans publish OwnTracks to 127.0.0.1:1883, {plan.topic_filter}"
    )
