"""A small road graph for unit tests: a 7 × 7 grid of streets in central Helsinki, 200 m apart.

Row 2 is a primary road (50 km/h, untagged: the class default), column 2 a secondary road
tagged 40 km/h, row 0 one-way eastwards, the rest residential (30 km/h). A one-way spur leads
out of the grid to two nodes with no way back: not strongly connected, so they are dropped.
"""

from __future__ import annotations

from fleetyard.simulator.roads import RoadGraph, RoadSegment, build_road_graph, distance_m

SIZE = 7
SPACING_M = 200
ORIGIN = (60.1650, 24.9350)
STEP_LAT = SPACING_M / 111_320
STEP_LON = SPACING_M / (111_320 * 0.4975)  # cos(60.17°)
SPUR = (1001, 1002)


def node_id(row: int, column: int) -> int:
    return row * SIZE + column


def grid_coordinates() -> dict[int, tuple[float, float]]:
    coordinates = {
        node_id(r, c): (ORIGIN[0] + r * STEP_LAT, ORIGIN[1] + c * STEP_LON)
        for r in range(SIZE)
        for c in range(SIZE)
    }
    coordinates[SPUR[0]] = (ORIGIN[0] - STEP_LAT, ORIGIN[1])
    coordinates[SPUR[1]] = (ORIGIN[0] - 2 * STEP_LAT, ORIGIN[1])
    return coordinates


def _segment(a: int, b: int, road_class: str, maxspeed: float | None, oneway: int) -> RoadSegment:
    coordinates = grid_coordinates()
    return RoadSegment(
        a, b, distance_m(*coordinates[a], *coordinates[b]), road_class, maxspeed, oneway
    )


def grid_segments() -> list[RoadSegment]:
    segments = []
    for r in range(SIZE):
        for c in range(SIZE - 1):
            road_class = "primary" if r == 2 else "residential"
            segments.append(
                _segment(node_id(r, c), node_id(r, c + 1), road_class, None, int(r == 0))
            )
    for c in range(SIZE):
        for r in range(SIZE - 1):
            road_class, maxspeed = ("secondary", 40.0) if c == 2 else ("residential", None)
            segments.append(_segment(node_id(r, c), node_id(r + 1, c), road_class, maxspeed, 0))
    segments.append(_segment(node_id(0, 0), SPUR[0], "service", None, 1))
    segments.append(_segment(SPUR[0], SPUR[1], "service", None, 0))
    return segments


def grid_graph() -> RoadGraph:
    return build_road_graph(grid_coordinates(), grid_segments())
