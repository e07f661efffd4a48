"""The drawn area's margin and the lowest zoom worth showing, computed the way MapLibre draws."""

from __future__ import annotations

import math

import pytest

from fleetyard.basemap.coverage import outline, with_margin, zoom_spanning
from fleetyard.simulator.roads import distance_m

# about the Helsinki extract: 1 km wide, 1.7 km tall
AREA = (24.935, 60.164, 24.953, 60.179)


def test_the_margin_is_the_same_distance_on_every_side() -> None:
    west, south, east, north = AREA
    outer_west, outer_south, outer_east, outer_north = with_margin(AREA, 0.15)
    tall_m = distance_m(south, west, north, west)
    for gap in (
        distance_m(outer_south, west, south, west),
        distance_m(north, west, outer_north, west),
        distance_m(south, outer_west, south, west),
        distance_m(south, east, south, outer_east),
    ):
        assert gap == pytest.approx(0.15 * tall_m, rel=0.01)


def test_the_zoom_spanning_a_size_matches_web_mercator() -> None:
    # At zoom z the world is 512·2^z px wide: a box a 1/512 of the world wide spans 256 px at 8.
    assert zoom_spanning((0.0, -0.1, 360 / 512, 0.1), 256) == pytest.approx(8, abs=0.01)
    # Each doubling of the pixels is one zoom level more.
    assert zoom_spanning(AREA, 512) == pytest.approx(zoom_spanning(AREA, 256) + 1, abs=0.01)
    # The extract is taller than wide: its height decides. 1.7 km over 256 px at 60° north.
    metres_per_px = 40_075_016 * math.cos(math.radians(60.17)) / (512 * 2 ** zoom_spanning(AREA))
    assert metres_per_px * 256 == pytest.approx(
        distance_m(60.164, 24.935, 60.179, 24.935), rel=0.02
    )


def test_the_outline_is_a_closed_ring_around_the_area() -> None:
    [feature] = outline(AREA)["features"]
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert {lon for lon, _ in ring} == {AREA[0], AREA[2]}
    assert {lat for _, lat in ring} == {AREA[1], AREA[3]}
