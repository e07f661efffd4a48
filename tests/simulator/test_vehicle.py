"""The vehicle model on the test grid: repeatable for a seed, on the roads at speeds that fit
them, no teleports, and within an hour at demo rates every alert condition occurs."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fleetyard.simulator.driving import MAX_PACE
from fleetyard.simulator.episodes import DEMO_RATES, GENERIC_DTCS, NO_EPISODES, EpisodeRates
from fleetyard.simulator.reading import Reading
from fleetyard.simulator.roads import RoadGraph, distance_m
from fleetyard.simulator.vehicle import Phase, SimulatedVehicle
from fleetyard.telematics.rules.j2012 import describe
from tests.simulator.grid import grid_coordinates, grid_graph, node_id

START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
SPEED_MARGIN_KMH = 1.0
GRAPH = grid_graph()


def drive(vehicle: SimulatedVehicle, seconds: int, step_s: float = 1.0) -> Iterator[Reading]:
    for n in range(int(seconds / step_s) + 1):
        yield vehicle.step(START + timedelta(seconds=n * step_s))


def vehicle(seed: int, rates: EpisodeRates = DEMO_RATES) -> SimulatedVehicle:
    return SimulatedVehicle(GRAPH, random.Random(seed), rates=rates)


def off_road_m(graph: RoadGraph, latitude: float, longitude: float) -> float:
    """Distance from a point to the nearest edge (flat projection: fine over a city)."""
    scale = math.cos(math.radians(latitude))
    best = math.inf
    for start in range(graph.node_count):
        ax, ay = graph.longitudes[start] * scale, graph.latitudes[start]
        for edge in graph.edges_from(start):
            end = graph.targets[edge]
            bx, by = graph.longitudes[end] * scale, graph.latitudes[end]
            px, py = longitude * scale, latitude
            span = (bx - ax) ** 2 + (by - ay) ** 2
            t = (
                0.0
                if span == 0
                else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / span))
            )
            best = min(best, math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay))))
    return best * 111_320


def test_a_seed_repeats_the_drive_exactly() -> None:
    assert list(drive(vehicle(3), 900)) == list(drive(vehicle(3), 900))
    assert list(drive(vehicle(3), 300)) != list(drive(vehicle(4), 300))


def test_time_only_runs_forwards() -> None:
    car = vehicle(1)
    car.step(START)
    with pytest.raises(ValueError, match="forwards"):
        car.step(START - timedelta(seconds=1))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_speeds_fit_the_road_and_fixes_stay_on_it(seed: int) -> None:
    car = vehicle(seed, NO_EPISODES)
    previous: Reading | None = None
    top_by_class: dict[str, float] = {}
    for reading in drive(car, 1800):
        assert off_road_m(GRAPH, reading.latitude, reading.longitude) < 0.5
        if car.drive is not None:
            edge = car.drive.edge
            limit = GRAPH.speed_limits_kmh[edge]
            assert reading.speed_kmh <= limit * MAX_PACE + SPEED_MARGIN_KMH
            road = GRAPH.road_class(edge)
            top_by_class[road] = max(top_by_class.get(road, 0.0), reading.speed_kmh)
        else:
            assert reading.speed_kmh == 0
        if previous is not None:  # no teleports: the distance fits the speeds and one second
            moved = distance_m(
                previous.latitude, previous.longitude, reading.latitude, reading.longitude
            )
            assert moved <= max(previous.speed_kmh, reading.speed_kmh) / 3.6 + 2.5
        previous = reading
    assert top_by_class.get("residential", 0) > 20  # it does get up to speed …
    assert top_by_class.get("residential", 0) <= 30 * MAX_PACE + SPEED_MARGIN_KMH


def test_the_primary_road_is_driven_faster_than_the_side_streets() -> None:
    tops: dict[str, float] = {}
    for seed in range(6):
        car = vehicle(seed, NO_EPISODES)
        for reading in drive(car, 1800):
            if car.drive is not None:
                road = GRAPH.road_class(car.drive.edge)
                tops[road] = max(tops.get(road, 0.0), reading.speed_kmh)
    assert tops["primary"] > 40 > tops["residential"]


def test_a_slow_reporting_interval_drives_the_same_way() -> None:
    every_second = list(drive(vehicle(9), 600))
    every_ten = list(drive(vehicle(9), 600, step_s=10.0))
    assert every_ten[-1].odometer_m == pytest.approx(every_second[-1].odometer_m, rel=0.05)


def test_trips_cycle_the_ignition_and_count_hours_and_distance() -> None:
    car = vehicle(11, NO_EPISODES)
    readings = list(drive(car, 3600))
    ignition = [r.ignition for r in readings]
    switched_off = sum(1 for a, b in itertools.pairwise(ignition) if a and not b)
    assert switched_off >= 2
    assert readings[-1].odometer_m - readings[0].odometer_m > 2_000
    running = sum(ignition) / 3600
    assert readings[-1].engine_hours - readings[0].engine_hours == pytest.approx(running, rel=0.01)
    idle = [r for r in readings if r.ignition and r.speed_kmh == 0]
    assert idle and all(700 <= r.rpm <= 900 for r in idle)
    parked = [r for r in readings if not r.ignition]
    assert parked and all(
        r.rpm == 0 and r.dtcs is None and r.vehicle_battery_v < 13 for r in parked
    )
    warm = [r for r in readings if r.ignition and r.speed_kmh > 20]
    assert warm and all(1_200 <= r.rpm <= 3_500 and r.vehicle_battery_v > 13.5 for r in warm)


def test_a_supplied_route_visits_its_stops_in_turn() -> None:
    stops = [node_id(0, 0), node_id(4, 4), node_id(4, 0)]
    nodes = [GRAPH.nearest_node(*grid_coordinates()[stop]) for stop in stops]
    car = SimulatedVehicle(GRAPH, random.Random(2), rates=NO_EPISODES, stops=nodes)
    visited: list[int] = []
    for _ in drive(car, 3 * 3600):
        if car.phase is Phase.IDLING and (not visited or visited[-1] != car.node):
            visited.append(car.node)
    assert len(visited) >= 4
    assert visited[:4] == [nodes[(i + 1) % 3] for i in range(4)]


def test_every_alert_condition_occurs_in_a_demo_hour() -> None:
    """Ten vehicles (the Teltonika half of a 20-vehicle demo fleet: the protocol that carries
    engine data) at the demo rates for one hour."""
    seen = {"coolant_high": 0, "coolant_recovered": 0, "fuel_low": 0, "refuelled": 0, "harsh": 0}
    codes: set[str] = set()
    cleared_codes = 0
    for seed in range(10):
        car = vehicle(100 + seed)
        hot = low = False
        previous: tuple[str, ...] = ()
        for reading in drive(car, 3600):
            if reading.coolant_c > 110:
                hot, seen["coolant_high"] = True, seen["coolant_high"] + 1
            elif hot and reading.coolant_c < 105:
                hot, seen["coolant_recovered"] = False, seen["coolant_recovered"] + 1
            if reading.fuel_pct < 10:
                low, seen["fuel_low"] = True, seen["fuel_low"] + 1
            elif low and reading.fuel_pct > 15:
                low, seen["refuelled"] = False, seen["refuelled"] + 1
            seen["harsh"] += reading.harsh_braking
            if reading.dtcs is not None:
                codes.update(reading.dtcs)
                cleared_codes += len(set(previous) - set(reading.dtcs))
                previous = reading.dtcs
            assert -40 < reading.coolant_c < 127 and 0 <= reading.fuel_pct <= 100
    assert all(count > 0 for count in seen.values()), seen
    assert codes and codes <= set(GENERIC_DTCS) and cleared_codes > 0
    assert all(describe(code).known for code in codes)
