"""One simulated vehicle: trips on the road graph, stops, ignition cycles, and its readings.

    parked ──(dwell over: ignition on; refuelled if low)──► warming up ──► driving
       ▲                                                                     │ arrived
       └──────────────────────(ignition off)─────────── idling ◄─────────────┘

Pure and repeatable: the caller passes the time of each step (``step(now)``) and a seeded
``random.Random``; nothing reads a clock. Destinations are random nodes of the graph, or the
stops of a supplied route in turn. A step longer than a second is integrated in one-second
slices, so a slow reporting interval does not change how the vehicle drives.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from fleetyard.kit.geo import haversine_m
from fleetyard.simulator.driving import Drive, plan_route
from fleetyard.simulator.engine import AMBIENT_C, RUNNING_COOLANT_C, Engine
from fleetyard.simulator.episodes import DEMO_RATES, EpisodeRates, Episodes
from fleetyard.simulator.reading import Reading
from fleetyard.simulator.roads import RoadGraph
from fleetyard.simulator.routing import fastest_route

MAX_SLICE_S: Final = 1.0
MIN_TRIP_M: Final = 400.0
DESTINATION_TRIES: Final = 20


class Phase(enum.Enum):
    PARKED = "parked"  # ignition off
    WARMING_UP = "warming_up"  # engine idling before setting off
    DRIVING = "driving"
    IDLING = "idling"  # arrived, engine still on


@dataclass(frozen=True, slots=True)
class Habits:
    """How long the fleet's vehicles stop and idle (seconds, drawn uniformly)."""

    parked_s: tuple[float, float] = (60.0, 420.0)
    warm_up_s: tuple[float, float] = (15.0, 90.0)
    arrival_idle_s: tuple[float, float] = (10.0, 60.0)
    refuel_s: tuple[float, float] = (180.0, 360.0)
    refuel_below_pct: float = 12.0
    tank_l: tuple[float, float] = (45.0, 80.0)


@dataclass(slots=True)
class SimulatedVehicle:
    graph: RoadGraph
    rng: random.Random
    rates: EpisodeRates = DEMO_RATES
    habits: Habits = field(default_factory=Habits)
    stops: list[int] | None = None  # a supplied route (graph nodes), driven in a loop
    phase: Phase = Phase.PARKED
    node: int = 0  # where it is while not driving
    drive: Drive | None = None
    odometer_m: float = 0.0
    course: float = 0.0
    satellites: int = 9
    engine: Engine = field(init=False)
    episodes: Episodes = field(init=False)
    _phase_left_s: float = 0.0
    _next_stop: int = 0
    _last_time: datetime | None = None
    _pace: float = 1.0
    _acceleration_ms2: float = 1.5
    _altitude_offset_m: float = 0.0

    def __post_init__(self) -> None:
        rng = self.rng
        tank = rng.uniform(*self.habits.tank_l)
        self.engine = Engine(tank_l=tank, fuel_l=tank * rng.uniform(0.35, 0.95))
        self.episodes = Episodes(self.rates, random.Random(rng.random()))
        self._pace = rng.uniform(0.9, 1.04)
        self._acceleration_ms2 = rng.uniform(1.2, 2.2)
        self._altitude_offset_m = rng.uniform(-2.0, 2.0)
        self.odometer_m = rng.uniform(5_000, 250_000) * 1000
        self.engine.engine_hours = self.odometer_m / 1000 / 35  # ~35 km/h on average
        self.satellites = rng.randint(7, 13)
        self.node = self.stops[0] if self.stops else rng.randrange(self.graph.node_count)
        if rng.random() < 0.8:  # most of the fleet is on the move when the demo opens
            self._start_engine(rng.uniform(0.0, 20.0))
            self.engine.coolant_c = rng.uniform(RUNNING_COOLANT_C - 15, RUNNING_COOLANT_C)
        else:
            self.phase, self._phase_left_s = Phase.PARKED, rng.uniform(0.0, 180.0)
            self.engine.coolant_c = rng.uniform(AMBIENT_C, 60.0)

    def step(self, now: datetime) -> Reading:
        """Advance to ``now`` and report what the tracker would send for that moment."""
        elapsed = 0.0 if self._last_time is None else (now - self._last_time).total_seconds()
        if elapsed < 0:
            raise ValueError("time runs forwards")
        self._last_time = now
        harsh = False
        while elapsed > 0:
            dt = min(MAX_SLICE_S, elapsed)
            harsh = self._advance(dt) or harsh
            elapsed -= dt
        return self._reading(now, harsh)

    def _advance(self, dt: float) -> bool:
        """One slice; True if it braked harshly."""
        speed, acceleration, harsh_ms2 = 0.0, 0.0, 0.0
        if self.phase is Phase.DRIVING and self.drive is not None:
            drive = self.drive
            harsh_ms2 = self.episodes.take_harsh_brake(drive.speed_ms * 3.6)
            before = drive.distance_m
            acceleration = drive.step(dt, harsh_brake_ms2=harsh_ms2)
            self.odometer_m += drive.distance_m - before
            speed = drive.speed_ms
        episodes = self.episodes
        episodes.step(dt, running=self.engine.running, fuel_pct=self.engine.fuel_pct)
        self.engine.step(
            dt,
            speed,
            acceleration,
            self.rng,
            overheating=episodes.overheating,
            drain_pct_per_s=episodes.drain_pct_per_s,
        )
        self._phase_left_s -= dt
        self._next_phase()
        return harsh_ms2 > 0

    def _next_phase(self) -> None:
        if self.phase is Phase.DRIVING:
            if self.drive is not None and self.drive.arrived:
                self.node = self.drive.route.nodes[-1]
                self.drive = None
                self._enter(Phase.IDLING, self.habits.arrival_idle_s)
            return
        if self._phase_left_s > 0:
            return
        if self.phase is Phase.PARKED:
            self._start_engine(self.rng.uniform(*self.habits.warm_up_s))
        elif self.phase is Phase.WARMING_UP:
            self._set_off()
        elif self.phase is Phase.IDLING:
            self._park()

    def _enter(self, phase: Phase, seconds: tuple[float, float]) -> None:
        self.phase = phase
        self._phase_left_s = self.rng.uniform(*seconds)

    def _start_engine(self, warm_up_s: float) -> None:
        if self.engine.fuel_pct < self.habits.refuel_below_pct:  # the stop was a refuel
            self.engine.refuel(self.rng.uniform(0.85, 1.0))
        self.engine.start()
        self.phase, self._phase_left_s = Phase.WARMING_UP, warm_up_s

    def _park(self) -> None:
        self.engine.switch_off()
        self._enter(Phase.PARKED, self.habits.parked_s)
        if self.engine.fuel_pct < self.habits.refuel_below_pct:  # long enough to refuel
            self._phase_left_s = max(self._phase_left_s, self.rng.uniform(*self.habits.refuel_s))

    def _set_off(self) -> None:
        nodes = self._route_to_next_destination()
        if nodes is None:  # nowhere to go from here: wait and try again
            self._enter(Phase.WARMING_UP, self.habits.warm_up_s)
            return
        self.drive = Drive(plan_route(self.graph, nodes, self._pace), self._acceleration_ms2)
        self.phase = Phase.DRIVING

    def _route_to_next_destination(self) -> list[int] | None:
        for _ in range(DESTINATION_TRIES):
            destination = self._pick_destination()
            if destination == self.node:
                continue
            route = fastest_route(self.graph, self.node, destination)
            if route is not None and len(route) >= 2:
                return route
        return None

    def _pick_destination(self) -> int:
        graph = self.graph
        if self.stops:
            self._next_stop = (self._next_stop + 1) % len(self.stops)
            return self.stops[self._next_stop]
        here_lat, here_lon = graph.latitudes[self.node], graph.longitudes[self.node]
        candidate = self.node
        for _ in range(DESTINATION_TRIES):
            candidate = self.rng.randrange(graph.node_count)
            there = (graph.latitudes[candidate], graph.longitudes[candidate])
            if haversine_m(here_lat, here_lon, *there) >= MIN_TRIP_M:
                break
        return candidate

    def _position(self) -> tuple[float, float]:
        if self.drive is not None:
            latitude, longitude, self.course = self.drive.position(self.graph)
            return latitude, longitude
        return self.graph.latitudes[self.node], self.graph.longitudes[self.node]

    def _reading(self, now: datetime, harsh_braking: bool) -> Reading:
        latitude, longitude = self._position()
        if self.rng.random() < 0.05:
            self.satellites = min(14, max(5, self.satellites + self.rng.choice((-1, 1))))
        engine = self.engine
        speed_ms = self.drive.speed_ms if self.drive is not None else 0.0
        return Reading(
            fix_time=now,
            latitude=latitude,
            longitude=longitude,
            speed_kmh=speed_ms * 3.6,
            course=self.course,
            altitude_m=terrain_m(latitude, longitude) + self._altitude_offset_m,
            satellites=self.satellites,
            ignition=engine.running,
            odometer_m=self.odometer_m,
            rpm=engine.rpm,
            coolant_c=engine.coolant_c,
            fuel_pct=engine.fuel_pct,
            engine_load_pct=engine.load_pct,
            vehicle_battery_v=engine.supply_v,
            engine_hours=engine.engine_hours,
            dtcs=self.episodes.active_dtcs if engine.running else None,
            harsh_braking=harsh_braking,
        )


def terrain_m(latitude: float, longitude: float) -> float:
    """A smooth made-up terrain (metres above sea level), so altitude changes with the road."""
    return 14.0 + 9.0 * math.sin(latitude * 800.0) * math.cos(longitude * 500.0)
