"""Fastest routes on a road graph: A* on travel time at the speed limits.

The heuristic is the straight-line distance at the graph's top speed, which never
overestimates, so the route found is the fastest one.
"""

from __future__ import annotations

import heapq

from fleetyard.kit.geo import haversine_m
from fleetyard.simulator.roads import RoadGraph


def fastest_route(graph: RoadGraph, origin: int, destination: int) -> list[int] | None:
    """The nodes of the fastest route, both ends included; None when there is none."""
    if origin == destination:
        return [origin]
    top_speed_ms = max(graph.speed_limits_kmh) / 3.6
    lat, lon = graph.latitudes[destination], graph.longitudes[destination]

    def estimate(node: int) -> float:
        return haversine_m(graph.latitudes[node], graph.longitudes[node], lat, lon) / top_speed_ms

    best: dict[int, float] = {origin: 0.0}
    came_from: dict[int, int] = {}
    frontier = [(estimate(origin), 0.0, origin)]
    while frontier:
        _, elapsed, node = heapq.heappop(frontier)
        if node == destination:
            return _path(came_from, destination)
        if elapsed > best[node]:
            continue  # a stale entry: a faster way here was found since
        for edge in graph.edges_from(node):
            nxt = graph.targets[edge]
            arrival = elapsed + graph.travel_time_s(edge)
            if arrival < best.get(nxt, float("inf")):
                best[nxt] = arrival
                came_from[nxt] = node
                heapq.heappush(frontier, (arrival + estimate(nxt), arrival, nxt))
    return None


def _path(came_from: dict[int, int], destination: int) -> list[int]:
    path = [destination]
    while path[-1] in came_from:
        path.append(came_from[path[-1]])
    path.reverse()
    return path
