"""A simulated fleet against a gateway: N vehicles on the road graph, each a device speaking
its protocol, all from one asyncio process (one task per device, one ticker for all).

``planned_devices(config)`` says which devices a config makes (id, protocol, name) without
connecting, so a caller can register them first; ``run_fleet(config)`` drives them until
cancelled. Every ``interval_s`` the ticker steps each vehicle to the same fix time (whole
seconds from a whole-second start, so protocols with one-second resolution keep distinct
fixes) and hands the reading to its device's buffer; the devices send on their own.

``early_alerts`` is for demos: vehicles whose devices report engine data light a DTC,
overheat and spring a fuel leak within seconds of the start, so their alerts open within
two minutes (the DTC's at once) instead of somewhere in the first hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fleetyard.simulator.devices import (
    ENGINE_DATA_PROTOCOLS,
    PROTOCOLS,
    DeviceLink,
    LinkStats,
    make_wire,
)
from fleetyard.simulator.devices.ids import SERIALS, simulated_unique_id
from fleetyard.simulator.devices.link import DEFAULT_BUFFER, Backoff
from fleetyard.simulator.devices.osmand import OsmAndFormat
from fleetyard.simulator.episodes import DEMO_RATES, EpisodeRates
from fleetyard.simulator.osm import helsinki_roads
from fleetyard.simulator.roads import RoadGraph
from fleetyard.simulator.vehicle import Habits, SimulatedVehicle

# Traccar's well-known ports, as the gateway's defaults
DEFAULT_PORTS: Final[Mapping[str, int]] = {
    "teltonika": 5027,
    "gt06": 5023,
    "h02": 5013,
    "osmand": 5055,
}
DEFAULT_MIX: Final[Mapping[str, float]] = {
    "teltonika": 0.5,
    "gt06": 0.2,
    "h02": 0.15,
    "osmand": 0.15,
}
STOP_TIMEOUT_S: Final = 10.0
# early_alerts: one vehicle each lights a DTC, overheats and loses fuel (in this order)
EARLY_EPISODES: Final[tuple[dict[str, float], ...]] = (
    {"dtc_s": 3.0},
    {"overheating_s": 3.0},
    {"low_fuel_s": 0.0},
)

Stop = tuple[float, float]  # latitude, longitude


@dataclass(frozen=True, slots=True)
class PlannedDevice:
    unique_id: str
    protocol: str
    name: str


@dataclass(frozen=True)
class FleetConfig:
    vehicles: int = 20
    host: str = "127.0.0.1"
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    protocol_mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    seed: int = 1
    interval_s: float = 1.0
    rates: EpisodeRates = DEMO_RATES
    habits: Habits = field(default_factory=Habits)
    routes: Sequence[Sequence[Stop]] = ()  # the first vehicles drive these stops in a loop
    devices: Sequence[PlannedDevice] | None = None  # given ids instead of generated ones
    data_dir: Path = Path("./.fleetyard")  # where the road graph is cached
    buffer_size: int = DEFAULT_BUFFER
    backoff: Backoff = field(default_factory=Backoff)
    osmand_format: OsmAndFormat = "query"
    early_alerts: bool = False  # for demos: see the module's docstring

    def __post_init__(self) -> None:
        if self.vehicles < 0 or self.interval_s <= 0:
            raise ValueError("vehicles must be ≥ 0 and interval_s > 0")
        unknown = set(self.protocol_mix) - set(PROTOCOLS)
        if unknown or not any(share > 0 for share in self.protocol_mix.values()):
            raise ValueError(f"protocol mix needs shares of {', '.join(PROTOCOLS)}")
        if self.devices is not None and len(self.devices) != self.vehicles:
            raise ValueError("give one device per vehicle")
        used = (
            {d.protocol for d in self.devices}
            if self.devices is not None
            else {p for p, share in self.protocol_mix.items() if share > 0}
        )
        if missing := used - set(self.ports):
            raise ValueError(f"no port for {', '.join(sorted(missing))}")


def protocol_counts(mix: Mapping[str, float], vehicles: int) -> dict[str, int]:
    """Vehicles per protocol in proportion to ``mix`` (largest remainders get the rest)."""
    total = sum(share for share in mix.values() if share > 0)
    exact = {p: vehicles * share / total for p, share in mix.items() if share > 0}
    counts = {p: math.floor(value) for p, value in exact.items()}
    by_remainder = sorted(exact, key=lambda p: (counts[p] - exact[p], PROTOCOLS.index(p)))
    for protocol in by_remainder[: vehicles - sum(counts.values())]:
        counts[protocol] += 1
    return counts


def planned_devices(config: FleetConfig) -> list[PlannedDevice]:
    """The devices ``config`` drives, in vehicle order; the same for the same config."""
    if config.devices is not None:
        return list(config.devices)
    rng = random.Random(config.seed)
    protocols = [
        p
        for p, n in protocol_counts(config.protocol_mix, config.vehicles).items()
        for _ in range(n)
    ]
    rng.shuffle(protocols)
    first = rng.randrange(SERIALS - config.vehicles)
    return [
        PlannedDevice(
            unique_id=simulated_unique_id(protocol, first + number),
            protocol=protocol,
            name=f"Sim {number + 1:03d} ({protocol})",
        )
        for number, protocol in enumerate(protocols)
    ]


@dataclass(frozen=True, slots=True)
class FleetStats:
    ticks: int
    late_ticks: int  # the ticker ran more than one interval behind
    links: LinkStats
    unacked: int


class Fleet:
    """The vehicles, their device links and the ticker. ``run`` until ``stop`` or cancel."""

    def __init__(
        self,
        config: FleetConfig,
        graph: RoadGraph | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.graph = graph if graph is not None else helsinki_roads(config.data_dir)
        self.devices = planned_devices(config)
        self.clock = clock
        self.vehicles = [self._vehicle(number) for number in range(len(self.devices))]
        self.links = [self._link(number, device) for number, device in enumerate(self.devices)]
        if config.early_alerts:
            self._bring_alerts_forward()
        self.ticks = 0
        self.late_ticks = 0
        self._stopped = asyncio.Event()

    def _vehicle(self, number: int) -> SimulatedVehicle:
        config = self.config
        stops = None
        if number < len(config.routes):
            stops = [self.graph.nearest_node(lat, lon) for lat, lon in config.routes[number]]
        return SimulatedVehicle(
            self.graph,
            random.Random(config.seed * 1_000_003 + number),
            rates=config.rates,
            habits=config.habits,
            stops=stops,
        )

    def _link(self, number: int, device: PlannedDevice) -> DeviceLink:
        config = self.config
        wire = make_wire(
            device.protocol, device.unique_id, config.host, osmand_format=config.osmand_format
        )
        return DeviceLink(
            wire,
            config.host,
            config.ports[device.protocol],
            buffer_size=config.buffer_size,
            backoff=config.backoff,
            rng=random.Random(config.seed * 7_919 + number),
        )

    def _bring_alerts_forward(self) -> None:
        """Each early episode goes to its own vehicle among those reporting engine data,
        running ones first (a DTC or overheating waits for the engine); with fewer such
        vehicles than episodes, one gets several."""
        reporting = [
            vehicle
            for vehicle, device in zip(self.vehicles, self.devices, strict=True)
            if device.protocol in ENGINE_DATA_PROTOCOLS
        ]
        reporting.sort(key=lambda vehicle: not vehicle.engine.running)  # stable
        for number, episode in enumerate(EARLY_EPISODES if reporting else ()):
            reporting[number % len(reporting)].episodes.bring_forward(**episode)

    @property
    def stats(self) -> FleetStats:
        total = LinkStats()
        for link in self.links:
            for counter in fields(LinkStats):
                name = counter.name
                setattr(total, name, getattr(total, name) + getattr(link.stats, name))
        unacked = sum(link.unacked for link in self.links)
        return FleetStats(self.ticks, self.late_ticks, total, unacked)

    def tick(self, now: datetime) -> None:
        """Step every vehicle to ``now`` and hand its reading to its device."""
        for vehicle, link in zip(self.vehicles, self.links, strict=True):
            link.record(vehicle.step(now))
        self.ticks += 1

    def stop(self) -> None:
        """End ``run``: no more readings; connected devices send what they buffered first
        (for at most ``STOP_TIMEOUT_S``)."""
        self._stopped.set()

    async def run(self) -> None:
        tasks = [asyncio.create_task(link.run()) for link in self.links]
        try:
            await self._tick_until_stopped()
        finally:
            for link in self.links:
                link.stop()
            _, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S) if tasks else ((), ())
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _tick_until_stopped(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.config.interval_s
        first_fix = math.ceil(self.clock())
        first_due = loop.time() + (first_fix - self.clock())
        while not self._stopped.is_set():
            due = first_due + self.ticks * interval
            late = loop.time() - due
            if late < 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), -late)
                if self._stopped.is_set():
                    return
            elif late > interval:
                self.late_ticks += 1
            self.tick(datetime.fromtimestamp(first_fix + self.ticks * interval, UTC))


async def run_fleet(config: FleetConfig) -> None:
    """Drive the fleet until cancelled (Ctrl-C in the CLI); devices stop cleanly."""
    await Fleet(config).run()
