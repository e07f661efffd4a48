"""Road speed limits: OpenStreetMap maxspeed as tagged, a default by road class where missing,
the road under a fix chosen by distance and direction (never the crossing street's limit), and
the basemap's roads layer keeping what it takes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fleetyard.basemap.layers import cached_layers
from fleetyard.behaviour.limits import CLASS_DEFAULT_KMH, RoadLimits, parse_maxspeed
from fleetyard.kit.geo import step

CENTRE = (60.17, 24.94)


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [
        ("50", 50.0),
        (40, 40.0),
        ("30 mph", 48.3),
        ("FI:urban", 50.0),
        ("FI:rural", 80.0),
        ("50;30", 50.0),
        ("none", None),
        ("signals", None),
        ("", None),
        ("999", None),
        (None, None),
        (True, None),
    ],
)
def test_maxspeed_tags(tag: object, kmh: float | None) -> None:
    assert parse_maxspeed(tag) == kmh


def line(bearing: float, metres: float, **properties: Any) -> dict[str, Any]:
    start = step(*CENTRE, bearing + 180, metres / 2)
    end = step(*CENTRE, bearing, metres / 2)
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[start[1], start[0]], [end[1], end[0]]]},
        "properties": properties,
    }


CROSSING = {
    "type": "FeatureCollection",
    "features": [
        line(0, 400, highway="primary", maxspeed="60", name="North Street"),
        line(90, 400, highway="residential", name="East Street"),
        line(45, 400, highway="footway", name="Path"),
    ],
}


def test_the_road_under_a_fix_by_direction() -> None:
    roads = RoadLimits.from_geojson(CROSSING)
    north, east, unknown = roads.limits([(*CENTRE, 2.0), (*CENTRE, 268.0), (*CENTRE, None)])
    assert north is not None and (north.limit_kmh, north.source) == (60.0, "road")
    assert north.road == "North Street"
    assert east is not None and east.limit_kmh == CLASS_DEFAULT_KMH["residential"] == 40.0
    assert east.source == "road_class"
    assert unknown is not None  # without a course: the nearest, whichever it is
    diagonal = roads.limits([(*CENTRE, 45.0)])  # only the footway runs that way
    assert diagonal == [None]


def test_far_from_any_road_there_is_no_limit() -> None:
    roads = RoadLimits.from_geojson(CROSSING)
    far = step(*CENTRE, 45.0, 100.0)
    assert roads.limits([(*far, 0.0)]) == [None]
    assert RoadLimits([]).limits([(*CENTRE, 0.0)]) == [None]


def test_the_basemap_keeps_highway_and_maxspeed(tmp_path: Path) -> None:
    folder = cached_layers(tmp_path)
    roads = json.loads((folder / "roads.geojson").read_text())
    properties = [f["properties"] for f in roads["features"]]
    assert all("highway" in p and "maxspeed" in p for p in properties)
    assert any(p["maxspeed"] == "30" for p in properties)
    index = RoadLimits.from_geojson(roads)
    tagged = next(
        f
        for f in roads["features"]
        if f["properties"]["maxspeed"] == "30"
        and f["properties"]["highway"] not in ("footway", "cycleway", "path", "steps")
    )
    (lon1, lat1), (lon2, lat2) = tagged["geometry"]["coordinates"][:2]
    [found] = index.limits([((lat1 + lat2) / 2, (lon1 + lon2) / 2, None)])
    assert found is not None and found.limit_kmh <= 50
