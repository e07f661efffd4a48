"""The simulator drives where the basemap draws streets: its Helsinki graph lies inside the
basemap's drawn area, away from the edge where the extract cuts its roads, every edge along a
drawn road, and a simulated vehicle's fixes stay on the graph."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fleetyard.basemap.layers import cached_layers
from fleetyard.simulator.episodes import NO_EPISODES
from fleetyard.simulator.osm import EDGE_MARGIN_M, helsinki_roads
from fleetyard.simulator.roads import METRES_PER_DEGREE, RoadGraph, distance_m
from fleetyard.simulator.vehicle import SimulatedVehicle

Point = tuple[float, float]  # x (east, metres), y (north, metres)
# The basemap's bounds come from all its roads, the graph's from the driving ones: they
# differ by a few metres where the outermost road is a footpath.
BOUNDS_SLACK_M = 15.0
CELL_M = 100.0
START = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)


class DrawnRoads:
    """The basemap's drawn road lines (all but the footpaths, which show only close up), as
    flat segments in metres bucketed in a grid, to find the nearest one quickly."""

    def __init__(self, roads: dict[str, object], origin: Point) -> None:
        self.origin_lat, self.origin_lon = origin
        self.cells: dict[tuple[int, int], list[tuple[Point, Point]]] = defaultdict(list)
        for feature in roads["features"]:  # type: ignore[attr-defined]
            if feature["properties"]["class"] == "path":
                continue
            line = [self.flat(lat, lon) for lon, lat in feature["geometry"]["coordinates"]]
            for a, b in itertools.pairwise(line):
                for cell in self._cells_along(a, b):
                    self.cells[cell].append((a, b))

    def flat(self, latitude: float, longitude: float) -> Point:
        scale = math.cos(math.radians(self.origin_lat)) * METRES_PER_DEGREE
        return (longitude - self.origin_lon) * scale, (
            latitude - self.origin_lat
        ) * METRES_PER_DEGREE

    def _cells_along(self, a: Point, b: Point) -> Iterator[tuple[int, int]]:
        low_x, high_x = sorted((a[0], b[0]))
        low_y, high_y = sorted((a[1], b[1]))
        for x in range(math.floor(low_x / CELL_M), math.floor(high_x / CELL_M) + 1):
            for y in range(math.floor(low_y / CELL_M), math.floor(high_y / CELL_M) + 1):
                yield x, y

    def distance_m(self, latitude: float, longitude: float) -> float:
        """Metres to the nearest drawn road (within a cell's reach; farther is infinity)."""
        p = self.flat(latitude, longitude)
        cx, cy = math.floor(p[0] / CELL_M), math.floor(p[1] / CELL_M)
        nearby = (s for dx in (-1, 0, 1) for dy in (-1, 0, 1) for s in self.cells[cx + dx, cy + dy])
        return min((_to_segment(p, a, b) for a, b in nearby), default=math.inf)


def _to_segment(p: Point, a: Point, b: Point) -> float:
    span = (b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2
    t = 0.0 if span == 0 else ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / span
    t = max(0.0, min(1.0, t))
    return math.hypot(p[0] - (a[0] + t * (b[0] - a[0])), p[1] - (a[1] + t * (b[1] - a[1])))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("coverage")


@pytest.fixture(scope="module")
def graph(data_dir: Path) -> RoadGraph:
    return helsinki_roads(data_dir)


@pytest.fixture(scope="module")
def basemap(data_dir: Path) -> Path:
    return cached_layers(data_dir)


def test_the_graph_lies_inside_the_drawn_area_away_from_its_edge(
    graph: RoadGraph, basemap: Path
) -> None:
    west, south, east, north = json.loads((basemap / "bounds.json").read_text())
    nearest = math.inf
    for lat, lon in zip(graph.latitudes, graph.longitudes, strict=True):
        assert south < lat < north and west < lon < east
        nearest = min(
            nearest,
            distance_m(lat, lon, south, lon),
            distance_m(lat, lon, north, lon),
            distance_m(lat, lon, lat, west),
            distance_m(lat, lon, lat, east),
        )
    print(f"\nthe graph's nearest node is {nearest:.0f} m from the drawn area's edge")
    assert nearest >= EDGE_MARGIN_M - BOUNDS_SLACK_M
    # and it still spans most of the drawn area, not a corner of it
    box = graph.box
    assert distance_m(box.south, box.west, box.north, box.west) > 0.7 * distance_m(
        south, west, north, west
    )
    assert distance_m(box.south, box.west, box.south, box.east) > 0.7 * distance_m(
        south, west, south, east
    )


def test_every_edge_of_the_graph_runs_along_a_drawn_road(graph: RoadGraph, basemap: Path) -> None:
    roads = DrawnRoads(
        json.loads((basemap / "roads.geojson").read_text()),
        (graph.latitudes[0], graph.longitudes[0]),
    )
    worst = 0.0
    for start in range(graph.node_count):
        for edge in graph.edges_from(start):
            end = graph.targets[edge]
            for f in (0.0, 0.25, 0.5, 0.75):
                lat = graph.latitudes[start] + (graph.latitudes[end] - graph.latitudes[start]) * f
                lon = (
                    graph.longitudes[start] + (graph.longitudes[end] - graph.longitudes[start]) * f
                )
                worst = max(worst, roads.distance_m(lat, lon))
    assert worst < 1.0, f"a graph edge runs {worst:.1f} m from any drawn road"


def _to_edge_m(graph: RoadGraph, edge_start: int, edge_end: int, lat: float, lon: float) -> float:
    scale = math.cos(math.radians(lat)) * METRES_PER_DEGREE

    def flat(latitude: float, longitude: float) -> Point:
        return (longitude - lon) * scale, (latitude - lat) * METRES_PER_DEGREE

    a = flat(graph.latitudes[edge_start], graph.longitudes[edge_start])
    b = flat(graph.latitudes[edge_end], graph.longitudes[edge_end])
    return _to_segment((0.0, 0.0), a, b)


@pytest.mark.parametrize("seed", [1, 2])
def test_simulated_fixes_stay_on_the_graph(graph: RoadGraph, seed: int) -> None:
    car = SimulatedVehicle(graph, random.Random(seed), rates=NO_EPISODES)
    box = graph.box
    driven = 0
    for n in range(1800):
        reading = car.step(START + timedelta(seconds=n))
        assert box.contains(reading.latitude, reading.longitude)
        if car.drive is None:
            at = (graph.latitudes[car.node], graph.longitudes[car.node])
            assert (reading.latitude, reading.longitude) == at
            continue
        route, hop = car.drive.route, car.drive.hop
        off = _to_edge_m(
            graph, route.nodes[hop], route.nodes[hop + 1], reading.latitude, reading.longitude
        )
        assert off < 0.01, f"fix {n} is {off:.2f} m off its road"
        driven += 1
    assert driven > 300  # it did drive, not only park
