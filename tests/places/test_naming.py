"""The naming rule on hand-made streets and depots: depot first, then the street a point is
on, then the one it is near, else nothing."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from fleetyard.places.naming import (
    NEAR_STREET_M,
    ON_STREET_M,
    Depot,
    DepotPlace,
    StreetIndex,
    StreetPlace,
    depot_at,
    distance_m,
    name_place,
)

LAT = 60.17
# Metres per degree here, to place test points at known distances.
M_PER_DEG_LAT = 111_195.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT))


def east(metres: float) -> float:
    return metres / M_PER_DEG_LON


def north(metres: float) -> float:
    return metres / M_PER_DEG_LAT


def road(name: str | None, coordinates: list[list[float]], cls: str = "minor") -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coordinates},
        "properties": {"class": cls, "name": name},
    }


# Mannerheimintie runs north along lon 24.94; Esplanadi runs east along lat 60.167 from
# 500 m east of it; a named footway runs beside Mannerheimintie, 10 m to its east.
MANNERHEIMINTIE = road("Mannerheimintie", [[24.94, 60.16], [24.94, 60.18]], "major")
ESPLANADI = road("Esplanadi", [[24.94 + east(500), 60.167], [24.94 + east(900), 60.167]])
FOOTWAY = road("Rantapolku", [[24.94 + east(10), 60.16], [24.94 + east(10), 60.18]], "path")
UNNAMED = road(None, [[24.94 + east(5), 60.16], [24.94 + east(5), 60.18]])
ROADS = {"type": "FeatureCollection", "features": [MANNERHEIMINTIE, ESPLANADI, FOOTWAY, UNNAMED]}


@pytest.fixture(scope="module")
def streets() -> StreetIndex:
    return StreetIndex.from_geojson(ROADS)


def test_only_named_streets_for_vehicles_are_indexed(streets: StreetIndex) -> None:
    assert len(streets) == 2  # not the footway, not the unnamed way


def test_a_point_on_a_street_is_named_after_it(streets: StreetIndex) -> None:
    place = streets.nearest(LAT, 24.94 + east(12))  # nearer the footway than the street
    assert place == StreetPlace(
        name="Mannerheimintie", distance_m=pytest.approx(12, abs=0.2), near=False
    )  # type: ignore[arg-type]
    assert place is not None and place.label == "Mannerheimintie"


def test_a_point_off_the_street_is_near_it(streets: StreetIndex) -> None:
    place = streets.nearest(LAT, 24.94 + east(ON_STREET_M + 30))
    assert place is not None
    assert (place.name, place.near, place.label) == (
        "Mannerheimintie",
        True,
        "near Mannerheimintie",
    )
    assert place.distance_m == pytest.approx(ON_STREET_M + 30, rel=0.01)


def test_the_nearest_street_wins(streets: StreetIndex) -> None:
    place = streets.nearest(60.167 + north(20), 24.94 + east(450))
    assert place is not None and place.name == "Esplanadi"
    assert place.distance_m == pytest.approx(math.hypot(20, 50), rel=0.01)


def test_far_from_every_street_there_is_no_name(streets: StreetIndex) -> None:
    assert streets.nearest(LAT, 24.94 - east(NEAR_STREET_M + 5)) is None
    assert streets.nearest(61.5, 23.8) is None  # Tampere
    assert streets.nearest(math.nan, 24.94) is None


def test_names_are_cached_by_rounded_coordinate(streets: StreetIndex) -> None:
    first = streets.nearest(LAT, 24.940_101)
    assert streets.nearest(LAT, 24.940_104) is first


def test_multilines_and_bad_features_are_read() -> None:
    multi = {
        "type": "Feature",
        "geometry": {
            "type": "MultiLineString",
            "coordinates": [[[24.9, 60.1], [24.9, 60.2]], [[25.0, 60.1], [25.0, 60.2]]],
        },
        "properties": {"class": "minor", "name": "Two parts"},
    }
    broken = [
        {"type": "Feature", "geometry": None, "properties": {"name": "No geometry"}},
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [24.9, 60.1]},
            "properties": {"name": "A point"},
        },
        road("One point", [[24.9, 60.1]]),
    ]
    index = StreetIndex.from_geojson({"features": [multi, *broken]})
    assert len(index) == 1
    place = index.nearest(60.15, 25.0 - east(3))
    assert place is not None and place.name == "Two parts" and not place.near


def test_an_empty_index_names_nothing() -> None:
    assert StreetIndex([]).nearest(LAT, 24.94) is None


def test_distance_is_the_great_circle() -> None:
    assert distance_m(60.0, 24.0, 60.0, 24.0) == 0
    assert distance_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(60.17, 24.94, 59.44, 24.75) == pytest.approx(81_500, rel=0.01)  # to Tallinn


DEPOT = Depot(uuid.uuid4(), "Pasila depot", LAT, 24.94 + east(20), 100)
YARD = Depot(uuid.uuid4(), "Yard", LAT, 24.94 + east(150), 100)


def test_a_point_in_a_depot_circle_is_at_the_depot(streets: StreetIndex) -> None:
    place = name_place(LAT, 24.94, streets, [DEPOT, YARD])
    assert place == DepotPlace(group_id=DEPOT.group_id, name="Pasila depot")
    assert place.label == "Pasila depot"


def test_overlapping_depots_the_nearest_centre_wins() -> None:
    assert depot_at(LAT, 24.94 + east(80), [DEPOT, YARD]) is DEPOT  # 60 m from it, 70 from Yard
    assert depot_at(LAT, 24.94 + east(90), [DEPOT, YARD]) is YARD  # 70 m from it, 60 from Yard


def test_outside_every_depot_the_street_names_it(streets: StreetIndex) -> None:
    west = 24.94 - east(85)  # 105 m from the depot's centre
    place = name_place(LAT, west, streets, [DEPOT])
    assert isinstance(place, StreetPlace) and place.label == "near Mannerheimintie"
    assert name_place(LAT, west, None, [DEPOT]) is None
