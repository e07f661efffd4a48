"""Travel times and distances between points, and the road geometry between them.

One entry point for the solver and for live ETAs: ``travel_matrix`` answers seconds and metres
between every pair of points, ``route_geometry`` the line a vehicle drives through them. Where
the answers come from is a setting (``TravelSettings.provider``):

- ``road``: shortest paths on the OpenStreetMap graph of the demo area (``roadgraph``), with
  haversine × road factor for points off that graph (the matrix then says ``mixed``);
- ``haversine``: great-circle distance × a road factor, at a constant speed;
- ``osrm`` / ``valhalla``: a routing server by URL (``osrm``), for production.

Points are (latitude, longitude); geometry is (longitude, latitude), GeoJSON's order. The CPU
work runs in a thread so the event loop never waits on it; answers are cached per tenant in a
bounded LRU (docs/routing-travel.md).
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Generic, Literal, TypeVar

import numpy as np
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from fleetyard.config import get_settings
from fleetyard.kit.geo import EARTH_RADIUS_M
from fleetyard.routing.osrm import ProviderFailure, ServerConfig, server_geometry, server_matrix
from fleetyard.routing.roadgraph import (
    Floats,
    NodeTable,
    RoadNetwork,
    demo_network,
    road_grids,
    road_line,
    simplify_line,
)

log = logging.getLogger(__name__)
V = TypeVar("V")

Provider = Literal["road", "haversine", "osrm", "valhalla"]
Point = tuple[float, float]

# cells kept: a cached matrix is two lists of Python ints (~72 B a cell), a node table two
# float arrays (16 B a cell); so ~70 MB and ~30 MB at most
MAX_CACHED_CELLS: Final = 1_000_000
MAX_TABLE_CELLS: Final = 2_000_000
HARD_MAX_POINTS: Final = 10_000  # whatever the settings say


class TravelSettings(BaseSettings):
    """Where travel times come from (env prefix ``FLEETYARD_TRAVEL_``)."""

    model_config = SettingsConfigDict(env_prefix="FLEETYARD_TRAVEL_", extra="ignore", frozen=True)

    provider: Provider = "road"
    url: str | None = Field(default=None, max_length=2000)  # the OSRM or Valhalla server
    road_factor: float = Field(default=1.3, ge=1.0, le=3.0)  # road distance / straight line
    speed_kmh: float = Field(default=40.0, gt=0, le=150)  # haversine's constant speed
    snap_speed_kmh: float = Field(default=15.0, gt=0, le=150)  # from a point to its road node
    max_snap_m: float = Field(default=1000.0, ge=0, le=50_000)  # farther: off the graph
    max_points: int = Field(default=2000, ge=2, le=HARD_MAX_POINTS)
    timeout_s: float = Field(default=10.0, gt=0, le=300)  # one request to a routing server
    # On a routing server's error or timeout: answer haversine (True) or raise (False).
    fallback_to_haversine: bool = False
    osrm_profile: str = Field(default="driving", max_length=50)
    valhalla_profile: str = Field(default="auto", max_length=50)
    simplify_m: float = Field(default=5.0, ge=0, le=1000)  # route geometry tolerance
    max_table_size: int = Field(default=100, ge=2, le=10_000)  # the server's --max-table-size
    data_dir: Path | None = None  # where the road graph is cached; unset: the app's data dir


@lru_cache
def default_travel_settings() -> TravelSettings:
    return TravelSettings()


def travel_settings_for(tenant_id: uuid.UUID) -> TravelSettings:
    """The settings for a tenant when the caller passes none: the process-wide ones (tenants
    have no stored routing settings yet; see ``with_tenant_overrides``)."""
    del tenant_id
    return default_travel_settings()


# What a tenant may choose for itself: never the server's URL (a tenant's URL would make this
# process fetch whatever it names), the graph's folder, nor the limits.
TENANT_OVERRIDABLE: Final = frozenset(
    {"provider", "road_factor", "speed_kmh", "snap_speed_kmh", "fallback_to_haversine"}
)


def with_tenant_overrides(
    overrides: Mapping[str, object], base: TravelSettings | None = None
) -> TravelSettings:
    """``base`` (the process-wide settings) with a tenant's stored choices, validated; a key
    outside ``TENANT_OVERRIDABLE`` is a ``TravelInputError``."""
    refused = sorted(set(overrides) - TENANT_OVERRIDABLE)
    if refused:
        raise TravelInputError(f"a tenant cannot set {', '.join(refused)}")
    base = base or default_travel_settings()
    try:
        return TravelSettings.model_validate({**base.model_dump(), **overrides})
    except ValidationError as error:
        raise TravelInputError(f"travel settings: {error.errors()[0]['msg']}") from error


@dataclass(frozen=True)
class TravelMatrix:
    """Row ``i``, column ``j``: from point i to point j (not symmetric). Cached and shared
    between callers: read it, never change its lists (copy them first)."""

    distances_m: list[list[int]]
    durations_s: list[list[int]]
    source: str  # "road" | "mixed" | "haversine" | "osrm" | "valhalla"

    @property
    def size(self) -> int:
        return len(self.distances_m)


class TravelInputError(ValueError):
    """Points that no travel matrix can be built for."""


class InvalidPoint(TravelInputError):
    def __init__(self, index: int, point: object, reason: str) -> None:
        self.index = index
        shown = repr(point)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        super().__init__(f"point {index} {shown}: {reason}")


class TooFewPoints(TravelInputError):
    def __init__(self, count: int, minimum: int) -> None:
        super().__init__(f"{count} point(s) given, at least {minimum} needed")


class TooManyPoints(TravelInputError):
    def __init__(self, count: int, maximum: int) -> None:
        super().__init__(f"{count} points given, at most {maximum} allowed")


class TravelProviderError(RuntimeError):
    """A routing server failed, timed out or answered something unusable: the plan fails with
    ``reason`` (or, with ``fallback_to_haversine``, this is never raised)."""

    def __init__(self, provider: str, reason: str) -> None:
        self.provider = provider
        self.reason = reason
        super().__init__(f"{provider}: {reason}")


def check_points(points: Sequence[Point], *, minimum: int, maximum: int) -> list[Point]:
    """The points as floats, or a ``TravelInputError`` naming the first bad one."""
    if isinstance(points, (str, bytes)):
        raise TravelInputError("points must be a sequence of (latitude, longitude) pairs")
    if len(points) > maximum:
        raise TooManyPoints(len(points), maximum)
    checked: list[Point] = []
    for index, point in enumerate(points):
        checked.append(_check_point(index, point))
    if len(checked) < minimum:
        raise TooFewPoints(len(checked), minimum)
    return checked


def _check_point(index: int, point: object) -> Point:
    if not isinstance(point, (tuple, list)) or len(point) != 2:
        raise InvalidPoint(index, point, "not a (latitude, longitude) pair")
    lat, lon = point
    if isinstance(lat, bool) or isinstance(lon, bool):
        raise InvalidPoint(index, point, "not numbers")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        raise InvalidPoint(index, point, "not numbers")
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidPoint(index, point, "not finite")
    if not -90.0 <= lat <= 90.0:
        raise InvalidPoint(index, point, "latitude outside -90..90")
    if not -180.0 <= lon <= 180.0:
        raise InvalidPoint(index, point, "longitude outside -180..180")
    return float(lat), float(lon)


def haversine_matrix(
    points: Sequence[Point], *, road_factor: float = 1.3, speed_kmh: float = 40.0
) -> TravelMatrix:
    """Great-circle distance × ``road_factor``, driven at ``speed_kmh``."""
    if not (math.isfinite(road_factor) and road_factor > 0):
        raise TravelInputError(f"road_factor {road_factor!r} must be a positive number")
    if not (math.isfinite(speed_kmh) and speed_kmh > 0):
        raise TravelInputError(f"speed_kmh {speed_kmh!r} must be a positive number")
    checked = check_points(points, minimum=0, maximum=HARD_MAX_POINTS)
    metres = great_circle_m(checked) * road_factor
    return TravelMatrix(_ints(metres), _ints(metres / (speed_kmh / 3.6)), "haversine")


def great_circle_m(points: Sequence[Point]) -> Floats:
    """``haversine_m`` between every two points, as a numpy grid."""
    lat = np.radians(np.asarray([p[0] for p in points], dtype=np.float64))
    lon = np.radians(np.asarray([p[1] for p in points], dtype=np.float64))
    d_lat = lat[None, :] - lat[:, None]
    d_lon = lon[None, :] - lon[:, None]
    a = (
        np.sin(d_lat / 2) ** 2
        + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(d_lon / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=np.float64)


def _ints(grid: Floats) -> list[list[int]]:
    rounded: list[list[int]] = np.rint(grid).astype(np.int64).tolist()
    return rounded


class _Lru(Generic[V]):
    """A bounded, thread-safe LRU, bounded by the matrix cells its values hold."""

    def __init__(self, max_cells: int) -> None:
        self.max_cells = max_cells
        self._cells = 0
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: V, cells: int) -> None:
        if cells > self.max_cells:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._cells -= old[1]
            self._items[key] = (value, cells)
            self._cells += cells
            while self._cells > self.max_cells:
                _, (_, dropped) = self._items.popitem(last=False)
                self._cells -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._cells = 0
            self.hits = self.misses = 0


matrix_cache: Final = _Lru[TravelMatrix](MAX_CACHED_CELLS)  # per tenant, settings and points
table_cache: Final = _Lru[NodeTable](MAX_TABLE_CELLS)  # per tenant, area and snapped nodes


async def travel_matrix(
    points: Sequence[Point], *, tenant_id: uuid.UUID, settings: TravelSettings | None = None
) -> TravelMatrix:
    """Metres and seconds from every point (row) to every point (column).

    Raises ``TravelInputError`` (a ``ValueError``) for points that make no sense, and
    ``TravelProviderError`` when a routing server fails and no fallback is configured."""
    settings = settings or travel_settings_for(tenant_id)
    checked = check_points(points, minimum=2, maximum=settings.max_points)
    key = (tenant_id, settings, tuple(checked))
    cached = matrix_cache.get(key)
    if cached is not None:
        return cached
    matrix = await asyncio.to_thread(_compute_matrix, tenant_id, checked, settings)
    matrix_cache.put(key, matrix, len(checked) ** 2)
    return matrix


def _compute_matrix(
    tenant_id: uuid.UUID, points: list[Point], settings: TravelSettings
) -> TravelMatrix:
    if settings.provider == "road":
        return _road_matrix(tenant_id, points, settings)
    if settings.provider in ("osrm", "valhalla"):
        try:
            return _server_matrix(points, settings)
        except ProviderFailure as failure:
            if not settings.fallback_to_haversine:
                raise TravelProviderError(settings.provider, failure.reason) from failure
            log.warning("travel: %s failed (%s), haversine instead", settings.provider, failure)
    return _haversine(points, settings)


def _haversine(points: Sequence[Point], settings: TravelSettings) -> TravelMatrix:
    return haversine_matrix(points, road_factor=settings.road_factor, speed_kmh=settings.speed_kmh)


def _fallback_grids(points: Sequence[Point], settings: TravelSettings) -> tuple[Floats, Floats]:
    metres = great_circle_m(points) * settings.road_factor
    return metres / (settings.speed_kmh / 3.6), metres


def _road_matrix(
    tenant_id: uuid.UUID, points: list[Point], settings: TravelSettings
) -> TravelMatrix:
    network = _network(settings)
    if network is None:
        return _haversine(points, settings)

    def table(nodes: tuple[int, ...]) -> NodeTable:
        key = (tenant_id, network.area, nodes)
        found = table_cache.get(key)
        if found is None:
            found = network.table(nodes)
            table_cache.put(key, found, len(nodes) ** 2)
        return found

    grids = road_grids(
        network,
        points,
        max_snap_m=settings.max_snap_m,
        snap_speed_kmh=settings.snap_speed_kmh,
        table=table,
    )
    off_diagonal = ~np.eye(len(points), dtype=bool)
    on_roads = grids.on_roads | ~off_diagonal
    if on_roads.all():
        return TravelMatrix(_ints(grids.lengths_m), _ints(grids.times_s), "road")
    fallback_s, fallback_m = _fallback_grids(points, settings)
    source = "haversine" if not grids.on_roads[off_diagonal].any() else "mixed"
    return TravelMatrix(
        _ints(np.where(on_roads, grids.lengths_m, fallback_m)),
        _ints(np.where(on_roads, grids.times_s, fallback_s)),
        source,
    )


def _network(settings: TravelSettings) -> RoadNetwork | None:
    """The demo area's road network, or None when it cannot be built here."""
    data_dir = settings.data_dir or get_settings().data_dir
    try:
        return demo_network(data_dir.resolve())
    except (OSError, ValueError, ImportError) as error:
        log.warning("travel: no road graph (%s), haversine instead", error)
        return None


def _server(settings: TravelSettings) -> ServerConfig:
    if not settings.url:
        raise ProviderFailure(f"no URL is configured for {settings.provider}")
    profile = settings.osrm_profile if settings.provider == "osrm" else settings.valhalla_profile
    return ServerConfig(
        settings.provider, settings.url, profile, settings.timeout_s, settings.max_table_size
    )


def _server_matrix(points: list[Point], settings: TravelSettings) -> TravelMatrix:
    answer = server_matrix(_server(settings), points)
    durations = np.asarray(
        [[math.nan if v is None else v for v in row] for row in answer.durations_s]
    )
    distances = np.asarray(
        [[math.nan if v is None else v for v in row] for row in answer.distances_m]
    )
    routed = ~(np.isnan(durations) | np.isnan(distances))
    np.fill_diagonal(routed, True)
    np.fill_diagonal(durations, 0.0)
    np.fill_diagonal(distances, 0.0)
    if routed.all():
        return TravelMatrix(_ints(distances), _ints(durations), settings.provider)
    fallback_s, fallback_m = _fallback_grids(points, settings)
    return TravelMatrix(
        _ints(np.where(routed, distances, fallback_m)),
        _ints(np.where(routed, durations, fallback_s)),
        "mixed",
    )


async def route_geometry(
    points: Sequence[Point], *, tenant_id: uuid.UUID, settings: TravelSettings | None = None
) -> list[tuple[float, float]]:
    """The (longitude, latitude) line through ``points`` in order, following the roads
    (straight where no road is known), simplified to ``simplify_m`` metres."""
    settings = settings or travel_settings_for(tenant_id)
    checked = check_points(points, minimum=2, maximum=settings.max_points)
    return await asyncio.to_thread(_compute_line, checked, settings)


def _compute_line(points: list[Point], settings: TravelSettings) -> list[tuple[float, float]]:
    if settings.provider in ("osrm", "valhalla"):
        try:
            lon_lat = server_geometry(_server(settings), points)
        except ProviderFailure as failure:
            if not settings.fallback_to_haversine:
                raise TravelProviderError(settings.provider, failure.reason) from failure
            log.warning(
                "travel: %s failed (%s), straight lines instead", settings.provider, failure
            )
        else:
            return simplify_line(lon_lat, settings.simplify_m)
    lat_lon: list[Point] = points
    if settings.provider == "road":
        network = _network(settings)
        if network is not None:
            lat_lon = road_line(network, points, max_snap_m=settings.max_snap_m)
    return simplify_line([(lon, lat) for lat, lon in lat_lon], settings.simplify_m)


__all__ = [
    "InvalidPoint",
    "TooFewPoints",
    "TooManyPoints",
    "TravelInputError",
    "TravelMatrix",
    "TravelProviderError",
    "TravelSettings",
    "haversine_matrix",
    "route_geometry",
    "travel_matrix",
    "travel_settings_for",
    "with_tenant_overrides",
]
