"""Naming a point, offline and without I/O: the depot it is at, else the street it is on or
near. Pure over plain data (depot circles, named street lines), so the lists, trips and
geofences all name places by one rule, and tests build it from a few hand-made lines.

The rule, the first that holds:

1. inside a depot's circle (``radius_m`` around its location) → that depot (the nearest
   centre when circles overlap);
2. a named street within ``ON_STREET_M`` → that street;
3. a named street within ``NEAR_STREET_M`` → "near" that street;
4. otherwise → no name.

Distances are metres in a local equirectangular projection centred on the streets' data:
exact enough for a city (an error of well under 1 % within a few tens of kilometres), and
points farther away than that are farther than ``NEAR_STREET_M`` from any street anyway.
"""

from __future__ import annotations

import math
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from shapely import LineString, MultiLineString, Point, STRtree

from fleetyard.kit.geo import LocalProjection
from fleetyard.kit.geo import haversine_m as distance_m

# A fix is within a few metres, a street's line is its middle, a wide one is 30 m across.
ON_STREET_M: Final = 50.0
NEAR_STREET_M: Final = 300.0
# A point's name is cached at about 1 m (5 decimals of a degree): vehicles standing still
# ask for the same name on every page.
CACHE_DECIMALS: Final = 5
CACHE_SIZE: Final = 50_000
# Ways a vehicle does not drive on: a named footpath beside a street must not win over it.
NOT_FOR_VEHICLES: Final = frozenset({"path"})

Coordinates = Sequence[tuple[float, float]]  # (longitude, latitude) pairs, as GeoJSON has them


@dataclass(frozen=True, slots=True)
class Depot:
    """A depot group with a location: vehicles within ``radius_m`` of it are at the depot."""

    group_id: uuid.UUID
    name: str
    latitude: float
    longitude: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class DepotPlace:
    group_id: uuid.UUID
    name: str
    kind: Literal["depot"] = "depot"

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class StreetPlace:
    name: str
    distance_m: float
    near: bool  # farther than ON_STREET_M: "near <street>"
    kind: Literal["street"] = "street"

    @property
    def label(self) -> str:
        return f"near {self.name}" if self.near else self.name


@dataclass(frozen=True, slots=True)
class GeofencePlace:
    """Inside one of the tenant's geofences (``fleetyard.geofences.lookup``): the most
    specific name a place has, before any depot or street."""

    geofence_id: uuid.UUID
    name: str
    kind: Literal["geofence"] = "geofence"

    @property
    def label(self) -> str:
        return self.name


Place = GeofencePlace | DepotPlace | StreetPlace


def depot_at(latitude: float, longitude: float, depots: Iterable[Depot]) -> Depot | None:
    """The depot whose circle holds the point (the nearest centre of those that do)."""
    best: tuple[float, Depot] | None = None
    for depot in depots:
        away = distance_m(latitude, longitude, depot.latitude, depot.longitude)
        if away <= depot.radius_m and (best is None or away < best[0]):
            best = (away, depot)
    return best[1] if best else None


class StreetIndex:
    """Named street lines in an R-tree (shapely's STRtree), asked for the nearest one."""

    def __init__(self, streets: Iterable[tuple[str, Sequence[Coordinates]]]) -> None:
        names: list[str] = []
        parts: list[Sequence[Coordinates]] = []
        for name, lines in streets:
            if name and lines:
                names.append(name)
                parts.append(lines)
        self._names = names
        lats = [lat for lines in parts for line in lines for _, lat in line]
        self._projection = LocalProjection((min(lats) + max(lats)) / 2 if lats else 0.0)
        geometries = [MultiLineString([self._project(line) for line in lines]) for lines in parts]
        self._tree = STRtree(geometries)
        self._cache: OrderedDict[tuple[float, float], StreetPlace | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._names)

    def _project(self, line: Coordinates) -> LineString:
        return LineString([self._projection.to_xy(lat, lon) for lon, lat in line])

    def nearest(self, latitude: float, longitude: float) -> StreetPlace | None:
        key = (round(latitude, CACHE_DECIMALS), round(longitude, CACHE_DECIMALS))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found = self._nearest(*key)
        self._cache[key] = found
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    def _nearest(self, latitude: float, longitude: float) -> StreetPlace | None:
        if not self._names or not (math.isfinite(latitude) and math.isfinite(longitude)):
            return None
        point = Point(self._projection.to_xy(latitude, longitude))
        indices, distances = self._tree.query_nearest(
            point, max_distance=NEAR_STREET_M, return_distance=True, all_matches=False
        )
        if len(indices) == 0:
            return None
        away = float(distances[0])
        return StreetPlace(
            name=self._names[int(indices[0])], distance_m=round(away, 1), near=away > ON_STREET_M
        )

    @classmethod
    def from_geojson(cls, collection: Mapping[str, Any]) -> StreetIndex:
        """Named lines of a roads FeatureCollection (the basemap's ``roads.geojson``), less the
        ways vehicles don't drive on; segments of one street are kept apart (one per way)."""
        streets: list[tuple[str, Sequence[Coordinates]]] = []
        for feature in collection.get("features", []):
            properties = feature.get("properties") or {}
            name, geometry = properties.get("name"), feature.get("geometry") or {}
            if not isinstance(name, str) or properties.get("class") in NOT_FOR_VEHICLES:
                continue
            lines = _lines(geometry)
            if lines:
                streets.append((name, lines))
        return cls(streets)


def _lines(geometry: Mapping[str, Any]) -> list[Coordinates]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    candidates = [coordinates] if kind == "LineString" else coordinates
    if kind not in ("LineString", "MultiLineString"):
        return []
    return [[(float(x), float(y)) for x, y, *_ in line] for line in candidates if len(line) >= 2]


def name_place(
    latitude: float, longitude: float, streets: StreetIndex | None, depots: Iterable[Depot] = ()
) -> Place | None:
    """The point's name by the rule in this module's docstring."""
    depot = depot_at(latitude, longitude, depots)
    if depot is not None:
        return DepotPlace(group_id=depot.group_id, name=depot.name)
    return streets.nearest(latitude, longitude) if streets is not None else None


__all__ = [
    "NEAR_STREET_M",
    "ON_STREET_M",
    "Depot",
    "DepotPlace",
    "Place",
    "StreetIndex",
    "StreetPlace",
    "depot_at",
    "distance_m",
    "name_place",
]
