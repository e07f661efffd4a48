"""The demo's contractor vans: the phones of a plumbing contractor's drivers, running
OwnTracks, publish each van's position to an MQTT broker; the demo tenant's MQTT integration
subscribes to them there, as it would to a customer's broker, so they reach the live map
through the real integration path (matching, ingest, vehicle state).

Each van drives the simulator's Helsinki road graph (a ``SimulatedVehicle`` of its own) and
publishes an OwnTracks location message (QoS 1, on ``<base>/<user>/<device>``) every period,
its fix time on a whole second. A broker that can't be reached is retried with backoff
(1 s doubling to 30 s), quietly: at info once, then at debug, so nothing reaches the demo's
console at its warning level; the integration shows it as ``backing_off`` under
Integrations. The vans keep their place meanwhile and drive on when the broker is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import aiomqtt

from fleetyard.demo.plan import ContractorsPlan, ContractorVan
from fleetyard.simulator.osm import helsinki_roads
from fleetyard.simulator.reading import Reading
from fleetyard.simulator.roads import RoadGraph
from fleetyard.simulator.vehicle import SimulatedVehicle

log = logging.getLogger(__name__)
_paho_log = logging.getLogger(f"{__name__}.paho")

CONNECT_TIMEOUT_S: Final = 5.0
PUBLISH_TIMEOUT_S: Final = 10.0
FIRST_RETRY_S: Final = 1.0
RETRY_CAP_S: Final = 30.0


class BrokerState(enum.Enum):
    STARTING = "starting"  # no connection tried yet
    PUBLISHING = "publishing"
    UNREACHABLE = "unreachable"


def owntracks_location(
    van: ContractorVan, number: int, reading: Reading, battery_pct: int
) -> dict[str, Any]:
    """What the OwnTracks app publishes for a fix (``_type: location``), in move mode on a
    phone plugged in while the van's ignition is on."""
    return {
        "_type": "location",
        "tid": f"P{number + 1}",
        "lat": round(reading.latitude, 6),
        "lon": round(reading.longitude, 6),
        "tst": int(reading.fix_time.timestamp()),
        "vel": round(reading.speed_kmh),
        "cog": round(reading.course) % 360,
        "alt": round(reading.altitude_m),
        "acc": 5 + reading.satellites % 7,  # metres: a phone's fix, a little worse than a tracker's
        "batt": battery_pct,
        "bs": 2 if reading.ignition else 1,  # charging in its cradle, else unplugged
        "conn": "m",
        "m": 2,
    }


class ContractorVans:
    """Drives and publishes the vans until ``stop`` (or cancel). ``state`` and ``problem``
    say how the broker is doing, for the demo's summary."""

    def __init__(
        self,
        plan: ContractorsPlan,
        *,
        data_dir: Path,
        seed: int = 1,
        period_s: float = 1.0,
        graph: RoadGraph | None = None,  # tests: a small one; else Helsinki's, cached
        first_retry_s: float = FIRST_RETRY_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.plan = plan
        self.data_dir = data_dir
        self.seed = seed
        self.period_s = max(1.0, math.ceil(period_s))  # whole seconds: OwnTracks' tst
        self.graph = graph
        self.first_retry_s = first_retry_s
        self.clock = clock
        self.state = BrokerState.STARTING
        self.problem: str | None = None
        self.published = 0
        self.attempts = 0
        self._tried = asyncio.Event()
        self._stopped = asyncio.Event()
        self._vehicles: list[SimulatedVehicle] = []
        self._battery: list[float] = []

    @property
    def client_id(self) -> str:
        return f"{self.plan.client_id}-phones"

    def stop(self) -> None:
        self._stopped.set()

    async def first_attempt(self, timeout_s: float) -> BrokerState:
        """The state once the first connection was tried (or still ``STARTING``)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tried.wait(), timeout_s)
        return self.state

    async def run(self) -> None:
        graph = self.graph
        if graph is None:  # built by the simulator by now: the cached graph, milliseconds
            graph = await asyncio.to_thread(helsinki_roads, self.data_dir)
        self._vehicles = [
            SimulatedVehicle(graph, random.Random(self.seed * 1_000_003 + 90_000 + number))
            for number in range(len(self.plan.vans))
        ]
        draw = random.Random(self.seed * 7_919 + 90_000)
        self._battery = [draw.uniform(35.0, 95.0) for _ in self.plan.vans]
        delay = self.first_retry_s
        while not self._stopped.is_set():
            self.attempts += 1
            try:
                async with aiomqtt.Client(
                    self.plan.broker.host,
                    self.plan.broker.port,
                    identifier=self.client_id,
                    clean_session=True,
                    timeout=CONNECT_TIMEOUT_S,
                    logger=_paho_log,
                ) as client:
                    self._reached()
                    delay = self.first_retry_s
                    await self._publish_until_stopped(client)
                    return
            except (aiomqtt.MqttError, OSError) as exc:
                self._unreachable(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)
            delay = min(RETRY_CAP_S, delay * 2)

    def _reached(self) -> None:
        if self.state is not BrokerState.PUBLISHING:
            log.info("contractor vans publishing", extra={"broker": str(self.plan.broker)})
        self.state, self.problem = BrokerState.PUBLISHING, None
        self._tried.set()

    def _unreachable(self, exc: BaseException) -> None:
        reason = str(exc) or type(exc).__name__
        problem = f"the MQTT broker at {self.plan.broker} can't be reached ({reason})"
        quietly = log.debug if self.state is BrokerState.UNREACHABLE else log.info
        quietly("contractor vans waiting for the broker", extra={"problem": problem})
        self.state, self.problem = BrokerState.UNREACHABLE, problem
        self._tried.set()

    async def _publish_until_stopped(self, client: aiomqtt.Client) -> None:
        """Every period, on whole seconds: each van stepped to the fix time and published."""
        loop = asyncio.get_running_loop()
        first_fix = math.ceil(self.clock())
        first_due = loop.time() + (first_fix - self.clock())
        tick = 0
        while not self._stopped.is_set():
            delay = first_due + tick * self.period_s - loop.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), delay)
                if self._stopped.is_set():
                    return
            fix_time = datetime.fromtimestamp(first_fix + tick * self.period_s, UTC)
            await self._publish_all(client, fix_time)
            tick += 1

    async def _publish_all(self, client: aiomqtt.Client, fix_time: datetime) -> None:
        plan = self.plan
        for number, (van, vehicle) in enumerate(zip(plan.vans, self._vehicles, strict=True)):
            reading = vehicle.step(fix_time)
            self._battery[number] = _charged(self._battery[number], reading, self.period_s)
            message = owntracks_location(van, number, reading, round(self._battery[number]))
            await client.publish(
                plan.topic(van), json.dumps(message), qos=1, timeout=PUBLISH_TIMEOUT_S
            )
            self.published += 1


def _charged(battery_pct: float, reading: Reading, seconds: float) -> float:
    """A phone in its cradle charges while the ignition is on, and drains slowly off it."""
    rate = 0.02 if reading.ignition else -0.005  # percent per second
    return min(100.0, max(5.0, battery_pct + rate * seconds))
