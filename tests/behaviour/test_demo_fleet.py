"""The demo fleet's drives give believable driving events: simulated vehicles on Helsinki's
roads, 1 Hz, with their harsh stops (as their trackers report them), through the detector with
the basemap's speed limits. Every harsh stop is one event, nothing else is harsh more than
rarely, and nobody speeds where the simulator keeps to the limits."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fleetyard.basemap.layers import cached_layers
from fleetyard.behaviour import thresholds as t
from fleetyard.behaviour.detector import Detector, Fix, Limit
from fleetyard.behaviour.limits import read_road_limits
from fleetyard.simulator.osm import helsinki_roads
from fleetyard.simulator.vehicle import SimulatedVehicle

START = datetime(2026, 6, 1, 9, tzinfo=UTC)  # noon in Helsinki
MINUTES = 40
VEHICLES = ("car", "van", "truck", "bus")


def test_demo_drives_give_believable_events(tmp_path: Path) -> None:
    graph = helsinki_roads(tmp_path)
    roads = read_road_limits(cached_layers(tmp_path) / "roads.geojson")
    counts: Counter[tuple[str, str]] = Counter()
    harsh_stops = 0
    for number, vehicle_type in enumerate(VEHICLES):
        vehicle = SimulatedVehicle(graph, random.Random(number * 1_000_003))
        fixes = []
        for second in range(MINUTES * 60):
            r = vehicle.step(START + timedelta(seconds=second))
            harsh_stops += r.harsh_braking
            fixes.append(
                Fix(r.fix_time, r.latitude, r.longitude, r.speed_kmh, r.course, r.ignition,
                    satellites=r.satellites,
                    reported=("harsh_braking",) if r.harsh_braking else ())
            )  # fmt: skip
        found = roads.limits([(f.latitude, f.longitude, f.course) for f in fixes])
        limits = [Limit(x.limit_kmh, x.source, x.road) if x else None for x in found]
        detector = Detector(t.harsh_thresholds(vehicle_type), ZoneInfo("Europe/Helsinki"))
        for event in detector.feed(fixes, limits):
            counts[(event.kind, event.source)] += 1
    assert harsh_stops >= 2, "the simulator's harsh stops are in the drive"
    assert counts[("harsh_braking", "device")] == harsh_stops  # each one event, never two
    assert counts[("harsh_braking", "fixes")] <= 1
    vehicle_hours = len(VEHICLES) * MINUTES / 60
    assert counts[("harsh_cornering", "fixes")] <= vehicle_hours  # at most one an hour
    assert counts[("harsh_acceleration", "fixes")] == 0
    assert counts[("speeding", "fixes")] <= 1
    assert counts[("night_driving", "fixes")] == 0
