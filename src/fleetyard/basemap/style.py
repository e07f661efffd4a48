"""The MapLibre style of the offline basemap: GeoJSON sources served by the app, no glyphs,
no sprites, no external URL — so the map renders with no internet at all. Labels are left
out on purpose (text needs font glyphs); the app draws its own markers and names.

The extract covers a small area: outside it the background is a flatter, darker ground, and
a dashed line marks the edge, so the map reads "no map data beyond here", not "empty land"."""

from __future__ import annotations

from typing import Any, Final

from fleetyard.basemap.coverage import Bounds, outline
from fleetyard.basemap.layers import LAYERS

LAND: Final = "#eef0ea"
BEYOND: Final = "#d5d8d0"  # outside the drawn area
COVERAGE: Final = "coverage"  # the drawn area's outline, inline in the style

_PAINT: list[dict[str, Any]] = [
    {"id": "background", "type": "background", "paint": {"background-color": BEYOND}},
    {"id": "coverage-land", "type": "fill", "source": COVERAGE, "paint": {"fill-color": LAND}},
    {
        "id": "landuse",
        "type": "fill",
        "source": "landuse",
        "paint": {
            "fill-color": [
                "match",
                ["get", "class"],
                "commercial",
                "#ece4e4",
                "industrial",
                "#e6e1ea",
                "#e9ebe2",
            ]
        },
    },
    {"id": "green", "type": "fill", "source": "green", "paint": {"fill-color": "#cfe5c0"}},
    {"id": "water", "type": "fill", "source": "water", "paint": {"fill-color": "#aacbe8"}},
    {
        "id": "buildings",
        "type": "fill",
        "source": "buildings",
        "minzoom": 14,
        "paint": {"fill-color": "#d8d3cb", "fill-outline-color": "#c4beb4"},
    },
    {
        "id": "roads-path",
        "type": "line",
        "source": "roads",
        "filter": ["==", ["get", "class"], "path"],
        "minzoom": 15,
        "paint": {"line-color": "#ffffff", "line-width": 1, "line-dasharray": [2, 1]},
    },
    {
        "id": "roads-casing",
        "type": "line",
        "source": "roads",
        "filter": ["!=", ["get", "class"], "path"],
        "layout": {"line-cap": "round", "line-join": "round"},
        "paint": {
            "line-color": "#c9c3b8",
            "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, 1.5, 18, 22],
        },
    },
    {
        "id": "roads",
        "type": "line",
        "source": "roads",
        "filter": ["!=", ["get", "class"], "path"],
        "layout": {"line-cap": "round", "line-join": "round"},
        "paint": {
            "line-color": ["match", ["get", "class"], "major", "#fbe3a6", "#ffffff"],
            "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, 0.8, 18, 18],
        },
    },
    {
        "id": "coverage-edge",
        "type": "line",
        "source": COVERAGE,
        "paint": {"line-color": "#8a9184", "line-width": 1.5, "line-dasharray": [3, 2]},
    },
]


def offline_style(base_url: str, bounds: Bounds, version: str) -> dict[str, Any]:
    """``base_url``: where the layers are served (``/basemap``); ``version`` busts caches."""
    west, south, east, north = bounds
    return {
        "version": 8,
        "name": "Fleetyard offline",
        "center": [(west + east) / 2, (south + north) / 2],
        "zoom": 14.5,
        "sources": {
            name: {
                "type": "geojson",
                "data": f"{base_url}/{name}.geojson?v={version}",
                "attribution": "© OpenStreetMap contributors",
            }
            for name in LAYERS
        }
        | {COVERAGE: {"type": "geojson", "data": outline(bounds)}},
        "layers": _PAINT,
        "metadata": {"fleetyard:bounds": [west, south, east, north]},
    }
