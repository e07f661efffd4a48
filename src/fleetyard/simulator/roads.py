"""A compact directed road graph for simulated vehicles: nodes with lat/lon, edges with length,
road class and speed limit, kept as flat lists (CSR: the edges leaving node ``n`` are
``offsets[n]:offsets[n + 1]``), so a city's graph is a few lists and a JSON file.

``build_road_graph`` turns OSM-like ways (already split into node-to-node segments) into that
graph: both directions unless the segment is one-way, the tagged ``maxspeed`` when it parses,
else a default for the road class, and only the largest strongly connected component, so a
route exists between any two of its nodes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fleetyard.kit.geo import METRES_PER_DEGREE as METRES_PER_DEGREE
from fleetyard.kit.geo import MPH_TO_KMH, LocalProjection, haversine_m

FORMAT_VERSION: Final = 1
distance_m: Final = haversine_m  # the name the simulator's modules and tests know it by

# km/h when a road has no (readable) maxspeed: built-up-area values, as most fleets drive there
DEFAULT_SPEED_KMH: Final[Mapping[str, float]] = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 50.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 20.0,
    "service": 20.0,
    "road": 30.0,
}
LINK_SPEED_KMH: Final = 40.0  # *_link ramps, when untagged
FALLBACK_SPEED_KMH: Final = 30.0
# maxspeed values that are a zone, not a number (Finnish and generic forms)
ZONE_SPEED_KMH: Final[Mapping[str, float]] = {
    "urban": 50.0,
    "rural": 80.0,
    "motorway": 120.0,
    "living_street": 20.0,
    "walk": 6.0,
}
_NUMBER_WITH_UNIT: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$")


def maxspeed_kmh(tag: object) -> float | None:
    """``"30"``, ``"50 mph"``, ``"FI:urban"``, ``"30;40"`` (the lower) → km/h; None when the
    tag is absent or says nothing usable (``none``, ``signals``, ``variable``)."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    speeds = [_one_maxspeed(part) for part in tag.split(";")]
    known = [speed for speed in speeds if speed is not None and speed > 0]
    return min(known) if known else None


def _one_maxspeed(text: str) -> float | None:
    match = _NUMBER_WITH_UNIT.match(text)
    if match is not None:
        value = float(match[1])
        return value * MPH_TO_KMH if match[2] == "mph" else value
    zone = text.strip().lower().rsplit(":", 1)[-1]
    return ZONE_SPEED_KMH.get(zone)


def default_speed_kmh(road_class: str) -> float:
    if road_class.endswith("_link"):
        return LINK_SPEED_KMH
    return DEFAULT_SPEED_KMH.get(road_class, FALLBACK_SPEED_KMH)


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle: the area an extract covers, or part of it."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> Box:
        """The smallest box holding every (latitude, longitude) point."""
        latitudes, longitudes = zip(*points, strict=True)
        return cls(min(latitudes), min(longitudes), max(latitudes), max(longitudes))

    def inset(self, margin_m: float) -> Box:
        """This box less ``margin_m`` on every side (empty, not inverted, when it is smaller)."""
        projection = LocalProjection.around(self.south, self.west, self.north, self.east)
        d_lat, d_lon = projection.degrees_north(margin_m), projection.degrees_east(margin_m)
        south, north = self.south + d_lat, self.north - d_lat
        west, east = self.west + d_lon, self.east - d_lon
        if south > north or west > east:
            middle = ((self.south + self.north) / 2, (self.west + self.east) / 2)
            return Box(middle[0], middle[1], middle[0], middle[1])
        return Box(south, west, north, east)

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True, slots=True)
class RoadSegment:
    """One piece of a way between two consecutive nodes, as read from the map."""

    start: int  # OSM node id
    end: int
    length_m: float
    road_class: str  # the highway tag: primary, residential, …
    maxspeed_kmh: float | None  # parsed tag, None when untagged
    oneway: int  # 1: start → end only, -1: end → start only, 0: both ways


@dataclass(frozen=True, slots=True)
class RoadGraph:
    latitudes: list[float]
    longitudes: list[float]
    offsets: list[int]  # len = nodes + 1
    targets: list[int]  # per edge: the node it leads to
    lengths_m: list[float]
    speed_limits_kmh: list[float]
    road_classes: list[int]  # per edge: index into ``class_names``
    class_names: list[str]

    @property
    def node_count(self) -> int:
        return len(self.latitudes)

    @property
    def edge_count(self) -> int:
        return len(self.targets)

    def edges_from(self, node: int) -> range:
        return range(self.offsets[node], self.offsets[node + 1])

    def edge_between(self, start: int, end: int) -> int:
        """The fastest edge from ``start`` to ``end`` (there may be parallel ones)."""
        found = [e for e in self.edges_from(start) if self.targets[e] == end]
        if not found:
            raise KeyError(f"no edge {start} → {end}")
        return min(found, key=self.travel_time_s)

    def travel_time_s(self, edge: int) -> float:
        return self.lengths_m[edge] / (self.speed_limits_kmh[edge] / 3.6)

    def road_class(self, edge: int) -> str:
        return self.class_names[self.road_classes[edge]]

    @property
    def box(self) -> Box:
        return Box.around(zip(self.latitudes, self.longitudes, strict=True))

    def nearest_node(self, latitude: float, longitude: float) -> int:
        """The node closest to a point (a linear scan: for stops given once, not per step)."""
        return min(
            range(self.node_count),
            key=lambda n: haversine_m(latitude, longitude, self.latitudes[n], self.longitudes[n]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "latitudes": [round(v, 7) for v in self.latitudes],
            "longitudes": [round(v, 7) for v in self.longitudes],
            "offsets": self.offsets,
            "targets": self.targets,
            "lengths_m": [round(v, 2) for v in self.lengths_m],
            "speed_limits_kmh": self.speed_limits_kmh,
            "road_classes": self.road_classes,
            "class_names": self.class_names,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RoadGraph:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"road graph format {data.get('version')!r}, not {FORMAT_VERSION}")
        graph = cls(
            latitudes=list(data["latitudes"]),
            longitudes=list(data["longitudes"]),
            offsets=list(data["offsets"]),
            targets=list(data["targets"]),
            lengths_m=list(data["lengths_m"]),
            speed_limits_kmh=list(data["speed_limits_kmh"]),
            road_classes=list(data["road_classes"]),
            class_names=list(data["class_names"]),
        )
        graph.check()
        return graph

    def check(self) -> None:
        nodes, edges = self.node_count, self.edge_count
        if len(self.longitudes) != nodes or len(self.offsets) != nodes + 1 or nodes == 0:
            raise ValueError("road graph: node arrays disagree or are empty")
        if self.offsets[0] != 0 or self.offsets[-1] != edges:
            raise ValueError("road graph: offsets do not span the edges")
        per_edge = (self.lengths_m, self.speed_limits_kmh, self.road_classes)
        if any(len(values) != edges for values in per_edge):
            raise ValueError("road graph: edge arrays disagree")


def save_graph(graph: RoadGraph, path: Path) -> None:
    """Write atomically, so a start interrupted mid-write never leaves half a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(graph.to_json(), separators=(",", ":")), encoding="utf-8")
    partial.replace(path)


def load_graph(path: Path) -> RoadGraph:
    return RoadGraph.from_json(json.loads(path.read_text(encoding="utf-8")))


def build_road_graph(
    coordinates: Mapping[int, tuple[float, float]], segments: Iterable[RoadSegment]
) -> RoadGraph:
    """The drivable graph of ``segments`` (nodes looked up in ``coordinates``: id → lat, lon),
    reduced to its largest strongly connected component."""
    directed: list[tuple[int, int, float, float, str]] = []
    for segment in segments:
        if segment.start not in coordinates or segment.end not in coordinates:
            continue
        if segment.start == segment.end or segment.length_m <= 0:
            continue
        limit = segment.maxspeed_kmh or default_speed_kmh(segment.road_class)
        row = (segment.length_m, limit, segment.road_class)
        if segment.oneway >= 0:
            directed.append((segment.start, segment.end, *row))
        if segment.oneway <= 0:
            directed.append((segment.end, segment.start, *row))
    keep = largest_strongly_connected(
        {u for u, *_ in directed} | {v for _, v, *_ in directed},
        [(u, v) for u, v, *_ in directed],
    )
    return _compact(coordinates, [d for d in directed if d[0] in keep and d[1] in keep])


def _compact(
    coordinates: Mapping[int, tuple[float, float]],
    directed: list[tuple[int, int, float, float, str]],
) -> RoadGraph:
    if not directed:
        raise ValueError("no drivable roads")
    osm_ids = sorted({u for u, *_ in directed} | {v for _, v, *_ in directed})
    index = {osm_id: n for n, osm_id in enumerate(osm_ids)}
    class_names = sorted({d[4] for d in directed})
    class_index = {name: n for n, name in enumerate(class_names)}
    directed.sort(key=lambda d: (index[d[0]], index[d[1]]))
    offsets = [0] * (len(osm_ids) + 1)
    for u, *_ in directed:
        offsets[index[u] + 1] += 1
    for n in range(len(osm_ids)):
        offsets[n + 1] += offsets[n]
    return RoadGraph(
        latitudes=[coordinates[i][0] for i in osm_ids],
        longitudes=[coordinates[i][1] for i in osm_ids],
        offsets=offsets,
        targets=[index[v] for _, v, *_ in directed],
        lengths_m=[d[2] for d in directed],
        speed_limits_kmh=[d[3] for d in directed],
        road_classes=[class_index[d[4]] for d in directed],
        class_names=class_names,
    )


def largest_strongly_connected(nodes: set[int], edges: list[tuple[int, int]]) -> set[int]:
    """Kosaraju's algorithm, iterative (a long road is deeper than Python's recursion limit)."""
    forward: dict[int, list[int]] = {n: [] for n in nodes}
    backward: dict[int, list[int]] = {n: [] for n in nodes}
    for u, v in edges:
        forward[u].append(v)
        backward[v].append(u)
    order = _finish_order(sorted(nodes), forward)
    seen: set[int] = set()
    best: set[int] = set()
    for root in reversed(order):
        if root in seen:
            continue
        component = {root}
        seen.add(root)
        stack = [root]
        while stack:
            for nxt in backward[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    component.add(nxt)
                    stack.append(nxt)
        if len(component) > len(best):
            best = component
    return best


def _finish_order(nodes: list[int], forward: Mapping[int, list[int]]) -> list[int]:
    """Nodes in the order a depth-first search finishes them."""
    seen: set[int] = set()
    order: list[int] = []
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(forward[root]))]
        while stack:
            node, successors = stack[-1]
            for nxt in successors:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(forward[nxt])))
                    break
            else:
                stack.pop()
                order.append(node)
    return order
