"""Travel times and geometry from an OSRM or a Valhalla server by URL, through routingpy.

- OSRM: ``GET /table/v1/{profile}/{lon,lat;…}?annotations=distance,duration`` for the matrix
  (in blocks of sources, so that sources × destinations stays within the server's
  ``--max-table-size``², 100² by default), ``GET /route/v1/{profile}/…?geometries=geojson``
  for the line through the points (in pieces of ``max_table`` waypoints).
- Valhalla: ``POST /sources_to_targets`` (time in seconds, distance in kilometres) and
  ``POST /route`` (a polyline6 ``shape`` per leg).

routingpy's client is synchronous (requests): call these from a thread. Every failure (refused
connection, timeout, an HTTP error, an answer without the fields we need) is a
``ProviderFailure`` with a sentence saying what went wrong. A pair the server has no route
for (``null``) comes back as ``None`` for the caller to fill.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeVar

import requests
from routingpy import OSRM, Valhalla
from routingpy import exceptions as routingpy_errors

Cell = float | None
Grid = list[list[Cell]]
T = TypeVar("T")

DEFAULT_MAX_TABLE: Final = 100  # osrm-routed's default --max-table-size


class ProviderFailure(Exception):
    """The server could not answer; ``reason`` is fit for a plan's failure message."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ServerMatrix:
    durations_s: Grid
    distances_m: Grid


@dataclass(frozen=True)
class ServerConfig:
    kind: str  # "osrm" | "valhalla"
    url: str
    profile: str
    timeout_s: float
    max_table: int = DEFAULT_MAX_TABLE


def server_matrix(config: ServerConfig, points: Sequence[tuple[float, float]]) -> ServerMatrix:
    """Seconds and metres between every two (lat, lon) points."""
    locations = [[lon, lat] for lat, lon in points]
    durations: Grid = []
    distances: Grid = []
    for sources in _blocks(len(locations), config.max_table):
        block = _call(config, partial(_matrix_block, config, locations, sources))
        durations.extend(_rows(block.durations, len(sources), len(locations), "durations"))
        distances.extend(_rows(block.distances, len(sources), len(locations), "distances"))
    return ServerMatrix(durations, distances)


def server_geometry(
    config: ServerConfig, points: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The (lon, lat) line of the route through the points in order, asked in pieces of at
    most ``max_table`` waypoints (each piece starts where the last ended)."""
    locations = [[lon, lat] for lat, lon in points]
    step = max(config.max_table - 1, 1)
    line: list[tuple[float, float]] = []
    for start in range(0, len(locations) - 1, step):
        piece = locations[start : start + step + 1]
        direction = _call(config, partial(_directions, config, piece))
        drawn = _line(config, direction.geometry)
        line.extend(drawn[1:] if line and drawn[0] == line[-1] else drawn)
    return line


def _line(config: ServerConfig, geometry: object) -> list[tuple[float, float]]:
    if not isinstance(geometry, list) or len(geometry) < 2:
        raise ProviderFailure(f"{config.kind} answered a route without a geometry")
    try:
        return [(float(lon), float(lat)) for lon, lat, *_ in geometry]
    except (TypeError, ValueError) as error:
        raise ProviderFailure(f"{config.kind} answered an unreadable geometry") from error


def _client(config: ServerConfig) -> OSRM | Valhalla:
    # no retries: routingpy would otherwise sleep and retry a 503 for up to a minute
    options: dict[str, Any] = {"timeout": config.timeout_s, "retry_timeout": config.timeout_s}
    if config.kind == "osrm":
        return OSRM(base_url=config.url.rstrip("/"), **options)
    return Valhalla(base_url=config.url.rstrip("/"), **options)


def _matrix_block(config: ServerConfig, locations: list[list[float]], sources: list[int]) -> Any:
    client = _client(config)
    every = list(range(len(locations)))
    whole = len(sources) == len(locations)
    if isinstance(client, OSRM):
        return client.matrix(
            locations,
            profile=config.profile,
            sources=None if whole else sources,
            destinations=None if whole else every,
            annotations=["duration", "distance"],
        )
    return client.matrix(
        locations, profile=config.profile, sources=sources, destinations=every, units="km"
    )


def _directions(config: ServerConfig, locations: list[list[float]]) -> Any:
    client = _client(config)
    if isinstance(client, OSRM):
        return client.directions(
            locations, profile=config.profile, geometries="geojson", overview="full"
        )
    return client.directions(locations, profile=config.profile)


def _call(config: ServerConfig, request: Callable[[], T]) -> T:
    """``request()``, its failures said in one sentence."""
    name = config.kind
    try:
        return request()
    except routingpy_errors.Timeout as error:
        raise ProviderFailure(f"{name} did not answer within {config.timeout_s:g} s") from error
    except routingpy_errors.RouterError as error:
        raise ProviderFailure(
            f"{name} refused the request (HTTP {error.status}): {_short(error.message)}"
        ) from error
    except routingpy_errors.JSONParseError as error:
        raise ProviderFailure(f"{name} answered something that is not JSON") from error
    except requests.Timeout as error:
        raise ProviderFailure(f"{name} did not answer within {config.timeout_s:g} s") from error
    except requests.RequestException as error:
        raise ProviderFailure(f"{name} is unreachable: {type(error).__name__}") from error
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ProviderFailure(f"{name} answered without the expected fields") from error


def _short(message: object) -> str:
    text = str(message)
    return text if len(text) <= 200 else text[:197] + "..."


def _blocks(count: int, max_table: int) -> list[list[int]]:
    """Source indices in blocks with block × count ≤ max_table²."""
    size = max(1, (max_table * max_table) // max(count, 1))
    return [list(range(start, min(start + size, count))) for start in range(0, count, size)]


def _rows(grid: object, rows: int, columns: int, field: str) -> Grid:
    """The server's grid checked for shape and numbers (``None`` where it has no route)."""
    if not isinstance(grid, list) or len(grid) != rows:
        raise ProviderFailure(f"the server's {field} are not {rows} rows")
    checked: Grid = []
    for row in grid:
        if not isinstance(row, list) or len(row) != columns:
            raise ProviderFailure(f"the server's {field} rows are not {columns} long")
        checked.append([_cell(value, field) for value in row])
    return checked


def _cell(value: object, field: str) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProviderFailure(f"the server's {field} hold {type(value).__name__}, not numbers")
    if not math.isfinite(value) or value < 0:
        raise ProviderFailure(f"the server's {field} hold {value!r}")
    return float(value)
