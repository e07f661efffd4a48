"""Road speed limits from the basemap's OpenStreetMap roads: the way's ``maxspeed`` where it is
tagged, else a default by its ``highway`` class (Finnish general limits, the demo's country).

Pure over plain data: the index holds every drivable way's segments in an R-tree (shapely's
STRtree) in local metres; a batch of fixes is matched in one vectorised query. A fix takes
the nearest segment within ``MATCH_M`` whose direction agrees with its course (a crossing
street's limit must not apply to the road under the vehicle); without a course, the nearest.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import anyio
import numpy as np
import shapely
from shapely import STRtree

from fleetyard.kit.geo import LocalProjection

MATCH_M: Final = 20.0  # a fix within this of a road's centre line is on it
MAX_HEADING_DEG: Final = 40.0  # a segment turned farther from the course is another road
MPH: Final = 1.609344

# Finnish general limits (Tieliikennelaki): 50 in built-up areas, 80 elsewhere; motorways 120
# in summer (100 in winter: the lower is taken, nobody is marked down for the season).
CLASS_DEFAULT_KMH: Final[Mapping[str, float]] = {
    "motorway": 100.0,
    "motorway_link": 80.0,
    "trunk": 80.0,
    "trunk_link": 60.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 50.0,
    "tertiary": 50.0,
    "tertiary_link": 50.0,
    "unclassified": 50.0,
    "residential": 40.0,
    "living_street": 20.0,
    "service": 30.0,
    "road": 50.0,
}
NOT_DRIVEN: Final = frozenset(
    {"footway", "cycleway", "path", "steps", "pedestrian", "trail", "corridor", "elevator",
     "bridleway", "track", "platform", "construction", "proposed"}
)  # fmt: skip
ZONE_LIMITS: Final[Mapping[str, float]] = {
    "urban": 50.0,
    "rural": 80.0,
    "motorway": 120.0,
    "trunk": 100.0,
    "living_street": 20.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: object) -> float | None:
    """OpenStreetMap ``maxspeed``: ``50``, ``30 mph``, ``FI:urban``, ``50;30`` (the first);
    ``none``, ``signals``, ``variable`` and anything else unreadable → None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if 0 < value < 200 else None
    if not isinstance(value, str):
        return None
    text = value.split(";")[0].strip()
    if ":" in text:
        return ZONE_LIMITS.get(text.split(":", 1)[1].lower())
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = float(match.group(1))
    if match.group(2) and match.group(2).lower() == "mph":
        number *= MPH
    return round(number, 1) if 0 < number < 200 else None


@dataclass(frozen=True, slots=True)
class Road:
    """A drivable way: its line as (longitude, latitude) pairs and what limits it."""

    coordinates: Sequence[tuple[float, float]]
    highway: str
    maxspeed: float | None = None
    name: str | None = None

    @property
    def limit(self) -> tuple[float, str] | None:
        if self.maxspeed is not None:
            return self.maxspeed, "road"
        default = CLASS_DEFAULT_KMH.get(self.highway)
        return (default, "road_class") if default is not None else None


@dataclass(frozen=True, slots=True)
class RoadLimit:
    limit_kmh: float
    source: str  # road (tagged maxspeed) | road_class (default for the road's class)
    road: str | None


class RoadLimits:
    """Drivable ways' segments in an R-tree; ``limits`` matches a batch of fixes at once."""

    def __init__(self, roads: Iterable[Road]) -> None:
        kept = [r for r in roads if r.limit is not None and len(r.coordinates) >= 2]
        lats = [lat for r in kept for _, lat in r.coordinates]
        self._projection = LocalProjection((min(lats) + max(lats)) / 2 if lats else 0.0)
        starts: list[tuple[float, float]] = []
        ends: list[tuple[float, float]] = []
        bearings: list[float] = []
        owner: list[int] = []
        for index, road in enumerate(kept):
            xy = [self._projection.to_xy(lat, lon) for lon, lat in road.coordinates]
            for (x1, y1), (x2, y2) in itertools.pairwise(xy):
                if (x1, y1) == (x2, y2):
                    continue
                starts.append((x1, y1))
                ends.append((x2, y2))
                bearings.append(math.degrees(math.atan2(x2 - x1, y2 - y1)) % 360.0)
                owner.append(index)
        self._roads = kept
        self._limits = [RoadLimit(*r.limit, r.name) for r in kept if r.limit is not None]
        self._bearing = np.array(bearings, dtype=float)
        self._owner = np.array(owner, dtype=np.int64)
        segments: Any = shapely.linestrings(
            np.stack([np.array(starts), np.array(ends)], axis=1) if starts else np.empty((0, 2, 2))
        )
        self._segments = segments
        self._tree = STRtree(segments)

    def __len__(self) -> int:
        return len(self._roads)

    def limits(self, points: Sequence[tuple[float, float, float | None]]) -> list[RoadLimit | None]:
        """Per (latitude, longitude, course) the limit of the road under it, or None."""
        found: list[RoadLimit | None] = [None] * len(points)
        if not points or not len(self._roads):
            return found
        xy = np.array([self._projection.to_xy(lat, lon) for lat, lon, _ in points], dtype=float)
        geometries: Any = shapely.points(xy)
        pairs = self._tree.query(geometries, predicate="dwithin", distance=MATCH_M)
        if pairs.shape[1] == 0:
            return found
        fix, segment = pairs[0], pairs[1]
        distance = shapely.distance(geometries[fix], self._segments[segment])
        courses = np.array([np.nan if c is None else c for _, _, c in points], dtype=float)[fix]
        turn = np.abs((self._bearing[segment] - courses + 180.0) % 360.0 - 180.0)
        aligned = np.isnan(courses) | (np.minimum(turn, 180.0 - turn) <= MAX_HEADING_DEG)
        fix, segment, distance = fix[aligned], segment[aligned], distance[aligned]
        order = np.lexsort((distance, fix))  # by fix, nearest first
        fix, segment = fix[order], segment[order]
        first = np.ones(len(fix), dtype=bool)
        first[1:] = fix[1:] != fix[:-1]
        for i, j in zip(fix[first].tolist(), segment[first].tolist(), strict=True):
            found[i] = self._limits[int(self._owner[j])]
        return found

    @classmethod
    def from_geojson(cls, collection: Mapping[str, Any]) -> RoadLimits:
        """The basemap's ``roads.geojson`` (properties ``highway``, ``maxspeed``, ``name``;
        a file built before those were kept has only ``class``: nothing to match then)."""
        roads: list[Road] = []
        for feature in collection.get("features", []):
            properties = feature.get("properties") or {}
            highway = properties.get("highway")
            geometry = feature.get("geometry") or {}
            if not isinstance(highway, str) or highway in NOT_DRIVEN:
                continue
            name = properties.get("name")
            for line in _lines(geometry):
                roads.append(
                    Road(
                        line,
                        highway,
                        parse_maxspeed(properties.get("maxspeed")),
                        name if isinstance(name, str) else None,
                    )
                )
        return cls(roads)


def _lines(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        candidates = [coordinates]
    elif kind == "MultiLineString":
        candidates = coordinates
    else:
        return []
    return [[(float(p[0]), float(p[1])) for p in line] for line in candidates if len(line) >= 2]


def read_road_limits(roads_file: Path) -> RoadLimits:
    """The index of a roads GeoJSON file (run it in a thread)."""
    return RoadLimits.from_geojson(json.loads(roads_file.read_text()))


def basemap_road_limits(data_dir: Path) -> Callable[[], Coroutine[None, None, RoadLimits]]:
    """Limits from the basemap's ``roads.geojson`` under ``data_dir`` (built first if need be),
    read off the event loop."""

    async def load() -> RoadLimits:
        from fleetyard.basemap.service import Basemap  # the basemap imports the web's settings

        roads = await Basemap(data_dir).layer_file("roads")
        return await anyio.to_thread.run_sync(read_road_limits, roads)

    return load


__all__ = [
    "CLASS_DEFAULT_KMH",
    "Road",
    "RoadLimit",
    "RoadLimits",
    "basemap_road_limits",
    "parse_maxspeed",
    "read_road_limits",
]
