"""Road travel times on the demo area's OpenStreetMap graph (Helsinki's centre)."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import pytest

from fleetyard.kit.geo import LocalProjection, haversine_m
from fleetyard.routing.roadgraph import RoadNetwork, demo_network, road_grids
from fleetyard.routing.travel import (
    TravelSettings,
    matrix_cache,
    route_geometry,
    table_cache,
    travel_matrix,
)
from fleetyard.simulator.roads import RoadGraph
from fleetyard.simulator.routing import fastest_route

TENANT = uuid.UUID(int=7)
# the demo's depots and customers (src/fleetyard/demo), all inside the graph's area
DEMO_POINTS = [
    (60.170553, 24.943870),  # Helsinki Central
    (60.176050, 24.938268),  # Pasila depot
    (60.175808, 24.949053),  # Herttoniemi depot
    (60.165678, 24.950626),  # Vuosaari Harbour depot
    (60.172800, 24.950500),  # Kruununhaka customer
    (60.168600, 24.942500),
    (60.171800, 24.949000),
    (60.169350, 24.951600),
    (60.174300, 24.947800),
    (60.165200, 24.949800),
    (60.166400, 24.952000),
    (60.173800, 24.944800),
]
TAMPERE = (61.4978, 23.7610)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("travel-road")


@pytest.fixture(scope="module")
def network(data_dir: Path) -> RoadNetwork:
    return demo_network(data_dir.resolve())


@pytest.fixture
def road(data_dir: Path) -> TravelSettings:
    matrix_cache.clear()
    table_cache.clear()
    return TravelSettings(provider="road", data_dir=data_dir)


def _node(network: RoadNetwork, node: int) -> tuple[float, float]:
    return float(network.latitudes[node]), float(network.longitudes[node])


async def test_a_one_way_street_makes_the_matrix_asymmetric(
    network: RoadNetwork, road: TravelSettings
) -> None:
    graph = network.graph
    one_way = next(
        (u, graph.targets[e])
        for u in range(graph.node_count)
        for e in graph.edges_from(u)
        if u not in {graph.targets[back] for back in graph.edges_from(graph.targets[e])}
    )
    points = [_node(network, one_way[0]), _node(network, one_way[1])]
    matrix = await travel_matrix(points, tenant_id=TENANT, settings=road)
    along = round(graph.travel_time_s(graph.edge_between(*one_way)))
    assert matrix.source == "road"
    assert matrix.durations_s[0][1] == along
    assert matrix.durations_s[1][0] > along + 5  # round the block
    assert matrix.distances_m[1][0] > matrix.distances_m[0][1]


async def test_road_times_are_the_fastest_paths_of_the_graph(
    network: RoadNetwork, road: TravelSettings
) -> None:
    graph = network.graph
    nodes = [0, graph.node_count // 3, graph.node_count // 2, graph.node_count - 1]
    matrix = await travel_matrix(
        [_node(network, n) for n in nodes], tenant_id=TENANT, settings=road
    )
    for (i, a), (j, b) in itertools.permutations(enumerate(nodes), 2):
        path = fastest_route(graph, a, b)
        assert path is not None
        edges = [graph.edge_between(u, v) for u, v in itertools.pairwise(path)]
        assert matrix.durations_s[i][j] == round(sum(map(graph.travel_time_s, edges)))
        assert abs(matrix.distances_m[i][j] - sum(graph.lengths_m[e] for e in edges)) <= 1


async def test_road_distances_are_never_shorter_than_the_straight_line(
    road: TravelSettings,
) -> None:
    matrix = await travel_matrix(DEMO_POINTS, tenant_id=TENANT, settings=road)
    assert matrix.source == "road"
    for i, j in itertools.permutations(range(len(DEMO_POINTS)), 2):
        straight = haversine_m(*DEMO_POINTS[i], *DEMO_POINTS[j])
        assert matrix.distances_m[i][j] >= straight - 1
        assert matrix.durations_s[i][j] > 0
    assert all(matrix.distances_m[i][i] == matrix.durations_s[i][i] == 0 for i in range(12))
    assert matrix.durations_s != [list(row) for row in zip(*matrix.durations_s, strict=True)]


async def test_a_detour_through_a_third_point_is_never_faster(road: TravelSettings) -> None:
    matrix = await travel_matrix(DEMO_POINTS, tenant_id=TENANT, settings=road)
    t, d = matrix.durations_s, matrix.distances_m
    for i, j, k in itertools.permutations(range(len(DEMO_POINTS)), 3):
        assert t[i][k] <= t[i][j] + t[j][k] + 1  # one second of rounding
        assert d[i][k] <= d[i][j] + d[j][k] + 1 or t[i][k] < t[i][j] + t[j][k] + 1


async def test_a_point_off_the_graph_is_haversine_for_its_pairs_only(
    road: TravelSettings,
) -> None:
    points = [*DEMO_POINTS[:3], TAMPERE]
    matrix = await travel_matrix(points, tenant_id=TENANT, settings=road)
    assert matrix.source == "mixed"
    straight = haversine_m(*points[0], *TAMPERE) * road.road_factor
    assert matrix.distances_m[0][3] == matrix.distances_m[3][0] == round(straight)
    assert matrix.durations_s[3][0] == round(straight / (road.speed_kmh / 3.6))
    on_roads = await travel_matrix(points[:3], tenant_id=TENANT, settings=road)
    assert [row[:3] for row in matrix.durations_s[:3]] == on_roads.durations_s


async def test_points_all_off_the_graph_are_haversine(road: TravelSettings) -> None:
    matrix = await travel_matrix([TAMPERE, (61.45, 23.85)], tenant_id=TENANT, settings=road)
    assert matrix.source == "haversine"


async def test_a_cache_hit_is_the_same_matrix_without_a_shortest_path(
    road: TravelSettings,
) -> None:
    first = await travel_matrix(DEMO_POINTS, tenant_id=TENANT, settings=road)
    tables = (table_cache.hits, table_cache.misses)
    again = await travel_matrix(list(DEMO_POINTS), tenant_id=TENANT, settings=road)
    assert again is first
    assert (table_cache.hits, table_cache.misses) == tables  # nothing recomputed
    # a vehicle a metre from a stop joins the graph at the same node: the table is reused
    nudged = [(DEMO_POINTS[0][0] + 0.00001, DEMO_POINTS[0][1]), *DEMO_POINTS[1:]]
    moved = await travel_matrix(nudged, tenant_id=TENANT, settings=road)
    assert moved is not first
    assert (table_cache.hits, table_cache.misses) == (tables[0] + 1, tables[1])
    # another tenant shares nothing
    await travel_matrix(DEMO_POINTS, tenant_id=uuid.UUID(int=8), settings=road)
    assert table_cache.misses == tables[1] + 1


async def test_two_hundred_points_take_well_under_a_second(road: TravelSettings) -> None:
    points = [
        (60.1655 + 0.012 * (i % 20) / 20, 24.9375 + 0.014 * (i // 20) / 10) for i in range(200)
    ]
    matrix = await travel_matrix(points, tenant_id=TENANT, settings=road)
    assert matrix.size == 200
    assert matrix.source == "road"


async def test_the_geometry_follows_the_roads_and_stays_small(
    network: RoadNetwork, road: TravelSettings
) -> None:
    stops = [DEMO_POINTS[i % len(DEMO_POINTS)] for i in range(30)]
    line = await route_geometry(stops, tenant_id=TENANT, settings=road)
    assert line[0] == (round(stops[0][1], 6), round(stops[0][0], 6))
    assert line[-1] == (round(stops[-1][1], 6), round(stops[-1][0], 6))
    assert len(line) < 600
    vertices = [(lat, lon) for lon, lat in line]
    at_node = network.snap(vertices, max_snap_m=0.5).on_graph
    at_stop = [min(haversine_m(*v, *stop) for stop in stops) < 0.5 for v in vertices]
    assert all(node or stop for node, stop in zip(at_node, at_stop, strict=True))
    assert at_node.sum() > 30  # on the roads, not stop to stop
    matrix = await travel_matrix(stops[:2], tenant_id=TENANT, settings=road)
    first_leg = await route_geometry(stops[:2], tenant_id=TENANT, settings=road)
    projection = LocalProjection(*stops[0])
    drawn = sum(
        projection.distance_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(first_leg)
    )
    assert matrix.distances_m[0][1] * 0.9 <= drawn <= matrix.distances_m[0][1] + 1


async def test_a_leg_off_the_graph_is_drawn_straight(road: TravelSettings) -> None:
    line = await route_geometry([DEMO_POINTS[0], TAMPERE], tenant_id=TENANT, settings=road)
    assert line == [
        (round(DEMO_POINTS[0][1], 6), round(DEMO_POINTS[0][0], 6)),
        (TAMPERE[1], TAMPERE[0]),
    ]


async def test_without_a_road_graph_the_answer_is_haversine(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    settings = TravelSettings(provider="road", data_dir=blocked)
    matrix = await travel_matrix(DEMO_POINTS[:3], tenant_id=TENANT, settings=settings)
    assert matrix.source == "haversine"


def test_a_pair_without_a_path_is_not_answered_on_the_roads() -> None:
    one_way = RoadGraph(
        latitudes=[60.0, 60.001],
        longitudes=[24.0, 24.0],
        offsets=[0, 1, 1],
        targets=[1],
        lengths_m=[111.2],
        speed_limits_kmh=[40.0],
        road_classes=[0],
        class_names=["residential"],
    )
    network = RoadNetwork(one_way, "test")
    grids = road_grids(
        network,
        [(60.0, 24.0), (60.001, 24.0)],
        max_snap_m=10,
        snap_speed_kmh=15,
        table=network.table,
    )
    assert grids.on_roads.tolist() == [[True, True], [False, True]]
    assert round(grids.times_s[0][1], 1) == round(111.2 / (40 / 3.6), 1)
    assert grids.times_s[1][0] == 0.0  # not infinity: the caller fills it
