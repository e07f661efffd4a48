"""Travel times on the OpenStreetMap road graph of an area, with scipy's shortest paths.

The simulator's ``RoadGraph`` (flat CSR lists, one-way streets as single directed edges) becomes
a sparse matrix of travel times at the speed limits, built once per graph. A point is snapped to
the nearest graph node (a KD-tree in local metres); from each snapped node, one Dijkstra over
the whole graph gives times to every node, and the predecessors give the fastest path, whose
length is summed with pointer doubling (every node's distance to its root in ⌈log₂ depth⌉
vectorised steps, not a walk per pair). The leg from a point to its node is a straight line
driven slowly. A point farther than ``max_snap_m`` from every node is off the graph: the caller
answers haversine for its pairs.

Everything here is CPU work: call it from a thread (``travel`` does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely import LineString

from fleetyard.kit.geo import METRES_PER_DEGREE, LocalProjection
from fleetyard.simulator.osm import helsinki_roads
from fleetyard.simulator.roads import RoadGraph

DEMO_AREA: Final = "helsinki"
MIN_EDGE_S: Final = 1e-3  # csgraph drops zero weights; an edge always costs something
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Snapped:
    """Where each point joins the graph: its node, and the straight leg to it (metres)."""

    nodes: Ints  # -1 when the point is off the graph
    legs_m: Floats

    @property
    def on_graph(self) -> npt.NDArray[np.bool_]:
        return self.nodes >= 0


@dataclass(frozen=True)
class NodeTable:
    """Fastest times (s) and their lengths (m) between distinct nodes, rows and columns in the
    order of ``nodes``."""

    nodes: tuple[int, ...]
    times_s: Floats
    lengths_m: Floats


class RoadNetwork:
    """A road graph ready for many shortest-path queries."""

    def __init__(self, graph: RoadGraph, area: str) -> None:
        self.graph = graph
        self.area = area
        lat, lon = np.asarray(graph.latitudes), np.asarray(graph.longitudes)
        self.latitudes, self.longitudes = lat, lon
        self.projection = LocalProjection(float(lat.mean()), float(lon.mean()))
        self._tree = cKDTree(self._to_xy(lat, lon))
        self._times, self._edge_keys, self._edge_lengths = _fastest_edges(graph)

    @property
    def node_count(self) -> int:
        return self.graph.node_count

    def _to_xy(self, lat: Floats, lon: Floats) -> Floats:
        x = (lon - self.projection.longitude) * self.projection.metres_per_degree_lon
        y = (lat - self.projection.latitude) * METRES_PER_DEGREE
        return np.column_stack([x, y])

    def snap(self, points: Sequence[tuple[float, float]], max_snap_m: float) -> Snapped:
        """The nearest node of each (lat, lon) point, or -1 beyond ``max_snap_m``."""
        lat = np.asarray([p[0] for p in points], dtype=np.float64)
        lon = np.asarray([p[1] for p in points], dtype=np.float64)
        legs, nodes = self._tree.query(self._to_xy(lat, lon))
        nodes = np.where(legs <= max_snap_m, nodes, -1).astype(np.int64)
        return Snapped(nodes, np.asarray(legs, dtype=np.float64))

    def table(self, nodes: Sequence[int]) -> NodeTable:
        """Times and lengths of the fastest paths between every two of ``nodes``."""
        sources = np.asarray(nodes, dtype=np.int64)
        times, predecessors = self._shortest_paths(sources)
        lengths = self._path_lengths(predecessors)
        return NodeTable(tuple(nodes), times[:, sources], lengths[:, sources])

    def paths(self, legs: Sequence[tuple[int, int]]) -> list[list[int]]:
        """The nodes of the fastest path of each (origin, destination) leg, both ends included."""
        origins = sorted({origin for origin, _ in legs})
        _, predecessors = self._shortest_paths(np.asarray(origins, dtype=np.int64))
        row = {origin: i for i, origin in enumerate(origins)}
        return [_walk(predecessors[row[origin]], origin, end) for origin, end in legs]

    def _shortest_paths(self, sources: Ints) -> tuple[Floats, Ints]:
        times, predecessors = dijkstra(
            self._times, directed=True, indices=sources, return_predecessors=True
        )
        return np.asarray(times, dtype=np.float64), np.asarray(predecessors, dtype=np.int64)

    def _path_lengths(self, predecessors: Ints) -> Floats:
        """Metres from each row's source to every node along its shortest-path tree: each
        node's edge from its parent, then pointer doubling up the tree."""
        count = predecessors.shape[1]
        has_parent = predecessors >= 0
        parents = np.where(has_parent, predecessors, 0)
        keys = parents * count + np.arange(count)[None, :]
        found = np.searchsorted(self._edge_keys, keys)
        found = np.minimum(found, len(self._edge_keys) - 1)
        lengths = np.where(has_parent, self._edge_lengths[found], 0.0)
        jump = np.where(has_parent, predecessors, -1)
        while (jump >= 0).any():
            up = jump >= 0
            safe = np.where(up, jump, 0)
            lengths = lengths + np.where(up, np.take_along_axis(lengths, safe, axis=1), 0.0)
            jump = np.where(up, np.take_along_axis(jump, safe, axis=1), -1)
        return lengths


def _fastest_edges(graph: RoadGraph) -> tuple[csr_matrix, Ints, Floats]:
    """The graph as a CSR matrix of seconds, keeping the fastest of parallel edges, and that
    edge's length by key ``start * nodes + end`` (sorted, for ``searchsorted``)."""
    count = graph.node_count
    starts = np.repeat(np.arange(count, dtype=np.int64), np.diff(np.asarray(graph.offsets)))
    ends = np.asarray(graph.targets, dtype=np.int64)
    lengths = np.maximum(np.asarray(graph.lengths_m, dtype=np.float64), 0.01)
    speeds_ms = np.asarray(graph.speed_limits_kmh, dtype=np.float64) / 3.6
    times = np.maximum(lengths / speeds_ms, MIN_EDGE_S)
    keys = starts * count + ends
    order = np.lexsort((times, keys))  # by key, the fastest first
    keys, times, lengths = keys[order], times[order], lengths[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keys, times, lengths = keys[first], times[first], lengths[first]
    matrix = csr_matrix((times, (keys // count, keys % count)), shape=(count, count))
    return matrix, keys, lengths


def _walk(predecessors: Ints, origin: int, destination: int) -> list[int]:
    path = [destination]
    while path[-1] != origin:
        parent = int(predecessors[path[-1]])
        if parent < 0:
            return []  # unreachable (never on a strongly connected graph)
        path.append(parent)
    path.reverse()
    return path


_building: Final = threading.Lock()


def demo_network(data_dir: Path) -> RoadNetwork:
    """The demo area's network (the simulator's Helsinki graph), built once per process; one
    thread builds it while the others wait (they would race on the cache file)."""
    with _building:
        return _demo_network(data_dir)


@lru_cache(maxsize=4)
def _demo_network(data_dir: Path) -> RoadNetwork:
    return RoadNetwork(helsinki_roads(data_dir), DEMO_AREA)


@dataclass(frozen=True)
class RoadGrids:
    """Seconds and metres between every two points over the roads, and where that holds:
    ``on_roads[i, j]`` is False when point i or j is off the graph (fill those pairs)."""

    times_s: Floats
    lengths_m: Floats
    on_roads: npt.NDArray[np.bool_]


def road_grids(
    network: RoadNetwork,
    points: Sequence[tuple[float, float]],
    *,
    max_snap_m: float,
    snap_speed_kmh: float,
    table: Callable[[tuple[int, ...]], NodeTable],
) -> RoadGrids:
    """Point to node (a slow straight leg), node to node (the fastest path), node to point."""
    snapped = network.snap(points, max_snap_m)
    on = snapped.on_graph
    count = len(points)
    times = np.zeros((count, count))
    lengths = np.zeros((count, count))
    nodes = tuple(sorted(set(snapped.nodes[on].tolist())))
    if nodes:
        found = table(nodes)
        row = np.searchsorted(np.asarray(found.nodes), np.where(on, snapped.nodes, nodes[0]))
        legs_m = np.where(on, snapped.legs_m, 0.0)
        legs_s = legs_m / (snap_speed_kmh / 3.6)
        times = legs_s[:, None] + found.times_s[row][:, row] + legs_s[None, :]
        lengths = legs_m[:, None] + found.lengths_m[row][:, row] + legs_m[None, :]
    # a pair with no path (never on a strongly connected graph) is answered off the roads
    on_roads = on[:, None] & on[None, :] & np.isfinite(times) & np.isfinite(lengths)
    times = np.where(on_roads, times, 0.0)
    lengths = np.where(on_roads, lengths, 0.0)
    np.fill_diagonal(times, 0.0)
    np.fill_diagonal(lengths, 0.0)
    return RoadGrids(times, lengths, on_roads)


def road_line(
    network: RoadNetwork, points: Sequence[tuple[float, float]], *, max_snap_m: float
) -> list[tuple[float, float]]:
    """(lat, lon) along the fastest roads through ``points`` in order; a straight line for a
    leg with an end off the graph."""
    snapped = network.snap(points, max_snap_m)
    nodes = [int(n) for n in snapped.nodes]
    legs = [(a, b) for a, b in pairwise(nodes) if a >= 0 and b >= 0]
    paths = iter(network.paths(legs)) if legs else iter(())
    line: list[tuple[float, float]] = [points[0]]
    for (a, b), end in zip(pairwise(nodes), points[1:], strict=True):
        if a >= 0 and b >= 0:
            line.extend(
                (float(network.latitudes[n]), float(network.longitudes[n])) for n in next(paths)
            )
        line.append(end)
    return line


def simplify_line(
    line: Sequence[tuple[float, float]], tolerance_m: float
) -> list[tuple[float, float]]:
    """A (lon, lat) line without repeated points, simplified (Douglas-Peucker) in metres;
    its two ends always kept."""
    kept = [line[0]]
    for point in line[1:]:
        if point != kept[-1]:
            kept.append(point)
    if len(kept) == 1:
        kept.append(kept[0])  # a LineString has two positions at least
    if len(kept) < 3 or tolerance_m <= 0:
        return [(round(lon, 6), round(lat, 6)) for lon, lat in kept]
    projection = LocalProjection(kept[0][1], kept[0][0])
    flat = LineString([projection.to_xy(lat, lon) for lon, lat in kept])
    simple = flat.simplify(tolerance_m, preserve_topology=False)
    out = [projection.to_lat_lon(x, y) for x, y in simple.coords]
    return [(round(lon, 6), round(lat, 6)) for lat, lon in out]
