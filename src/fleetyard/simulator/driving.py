"""Driving one route: speed that fits each road, braking ahead of slower roads and turns.

A ``Route`` is a path on the road graph with, at every node, the speed the vehicle may pass
it at: the lower speed limit of the two roads meeting there (times the driver's pace) and the
speed a turn of that angle allows (lateral acceleration over a corner radius), 0 at the
destination. ``Drive.step`` moves the vehicle for ``dt`` seconds: it accelerates towards the
road's speed, and brakes in time for every slower node ahead (planned with a comfortable
deceleration, so ordinary braking never looks harsh). A harsh brake is imposed from outside.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Final

from fleetyard.kit.geo import heading_change_deg, initial_bearing_deg
from fleetyard.simulator.roads import RoadGraph

PLANNED_BRAKING_MS2: Final = 2.0  # what the driver plans with
SERVICE_BRAKING_MS2: Final = 3.0  # the firmest ordinary braking
LATERAL_MS2: Final = 2.5  # comfortable sideways acceleration in a turn
CORNER_SIZE_M: Final = 8.0  # how much of a junction a turn can use
MIN_TURN_MS: Final = 2.0  # a U-turn at walking pace, not a stop
MAX_PACE: Final = 1.05  # drivers keep within 5 % of the limit


@dataclass(frozen=True, slots=True)
class Route:
    nodes: list[int]
    edges: list[int]  # edges[i] leads from nodes[i] to nodes[i + 1]
    starts_m: list[float]  # distance from the start to each node
    pass_speed_ms: list[float]  # highest speed at each node; 0 at the end
    cruise_ms: list[float]  # per edge: the driver's speed on that road

    @property
    def length_m(self) -> float:
        return self.starts_m[-1]


def plan_route(graph: RoadGraph, nodes: list[int], pace: float) -> Route:
    """``pace``: the driver's fraction of each speed limit (at most ``MAX_PACE``)."""
    if len(nodes) < 2:
        raise ValueError("a route needs two nodes")
    pace = min(pace, MAX_PACE)
    edges = [graph.edge_between(a, b) for a, b in itertools.pairwise(nodes)]
    starts = [0.0]
    for edge in edges:
        starts.append(starts[-1] + graph.lengths_m[edge])
    cruise = [graph.speed_limits_kmh[edge] / 3.6 * pace for edge in edges]
    bearings = [node_bearing(graph, a, b) for a, b in itertools.pairwise(nodes)]
    passing = [cruise[0]]
    for i in range(1, len(nodes) - 1):
        # a corner cannot reach past half of either edge: on a curve drawn as many short
        # edges the arc is tight, and taking it at a junction's speed is harsh cornering
        corner = min(
            CORNER_SIZE_M, graph.lengths_m[edges[i - 1]] / 2, graph.lengths_m[edges[i]] / 2
        )
        turn = turn_speed_ms(bearings[i - 1], bearings[i], corner)
        passing.append(min(cruise[i - 1], cruise[i], turn))
    passing.append(0.0)
    return Route(nodes, edges, starts, passing, cruise)


def node_bearing(graph: RoadGraph, start: int, end: int) -> float:
    return initial_bearing_deg(
        graph.latitudes[start], graph.longitudes[start], graph.latitudes[end], graph.longitudes[end]
    )


def turn_speed_ms(bearing_in: float, bearing_out: float, corner_m: float = CORNER_SIZE_M) -> float:
    """Speed through a turn: v = √(a·r), with the radius r = c / tan(θ/2) of an arc that
    turns by θ within a corner of size c."""
    turn = heading_change_deg(bearing_in, bearing_out)
    if turn < 1.0:
        return math.inf
    radius = corner_m / math.tan(math.radians(min(turn, 179.0)) / 2)
    return max(MIN_TURN_MS, math.sqrt(LATERAL_MS2 * radius))


@dataclass(slots=True)
class Drive:
    """A vehicle on its route: how far along, how fast, on which edge."""

    route: Route
    acceleration_ms2: float  # the driver's usual
    distance_m: float = 0.0
    speed_ms: float = 0.0
    hop: int = 0  # index of the edge being driven

    @property
    def arrived(self) -> bool:
        return self.distance_m >= self.route.length_m

    @property
    def edge(self) -> int:
        return self.route.edges[self.hop]

    @property
    def road_speed_ms(self) -> float:
        return self.route.cruise_ms[self.hop]

    def step(self, dt: float, *, harsh_brake_ms2: float = 0.0) -> float:
        """Advance ``dt`` seconds; returns the acceleration (m/s², negative when braking)."""
        speed = self.speed_ms
        if harsh_brake_ms2 > 0:
            target = max(0.0, speed - harsh_brake_ms2 * dt)
        else:
            target = min(speed + self.acceleration_ms2 * dt, self._allowed_ms(dt))
            target = max(target, speed - SERVICE_BRAKING_MS2 * dt, 0.0)
        self.distance_m = min(self.distance_m + (speed + target) / 2 * dt, self.route.length_m)
        self.speed_ms = 0.0 if self.arrived else target
        starts = self.route.starts_m
        while self.hop < len(self.route.edges) - 1 and starts[self.hop + 1] <= self.distance_m:
            self.hop += 1
        return (self.speed_ms - speed) / dt if dt > 0 else 0.0

    def _allowed_ms(self, dt: float) -> float:
        """The highest speed now from which every slower node ahead can still be met."""
        route = self.route
        allowed = self.road_speed_ms
        reach = self.speed_ms + self.acceleration_ms2 * dt
        horizon = reach * reach / (2 * PLANNED_BRAKING_MS2)  # farther nodes cannot bind
        travelled = self.distance_m + self.speed_ms * dt
        for node in range(self.hop + 1, len(route.nodes)):
            gap = route.starts_m[node] - travelled
            limit = route.pass_speed_ms[node]
            allowed = min(allowed, math.sqrt(limit * limit + 2 * PLANNED_BRAKING_MS2 * max(gap, 0)))
            if gap > horizon:
                break
        return allowed

    def position(self, graph: RoadGraph) -> tuple[float, float, float]:
        """Latitude, longitude and course of the vehicle on its current edge."""
        edge = self.edge
        start, end = self.route.nodes[self.hop], self.route.nodes[self.hop + 1]
        length = graph.lengths_m[edge]
        fraction = min(1.0, (self.distance_m - self.route.starts_m[self.hop]) / length)
        lat1, lon1 = graph.latitudes[start], graph.longitudes[start]
        lat2, lon2 = graph.latitudes[end], graph.longitudes[end]
        latitude = lat1 + (lat2 - lat1) * fraction
        longitude = lon1 + (lon2 - lon1) * fraction
        return latitude, longitude, node_bearing(graph, start, end)
