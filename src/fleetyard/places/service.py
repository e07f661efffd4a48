"""The place namer of a running server: the street index is built once per process, on first
use and off the event loop, from the same OpenStreetMap roads the basemap draws; the depots
are the tenant's, read per request (a handful of rows)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import anyio

from fleetyard.basemap.service import Basemap
from fleetyard.errors import FleetyardError
from fleetyard.places.naming import Depot, Place, StreetIndex, name_place

log = logging.getLogger(__name__)

StreetLoader = Callable[[], Awaitable[StreetIndex]]
Point = tuple[float, float]  # (latitude, longitude)


def read_streets(roads_file: Path) -> StreetIndex:
    """The index of a roads GeoJSON file (slow-ish: run it in a thread)."""
    return StreetIndex.from_geojson(json.loads(roads_file.read_text()))


def basemap_streets(basemap: Basemap) -> StreetLoader:
    """Streets from the basemap's ``roads.geojson`` (building the basemap first if needed)."""

    async def load() -> StreetIndex:
        roads = await basemap.layer_file("roads")
        return await anyio.to_thread.run_sync(read_streets, roads)

    return load


class PlaceNamer:
    """Names points: the depot a point is at, else its street. Without streets (no basemap
    could be built here) it still names depots, and says why once in the log."""

    def __init__(self, load_streets: StreetLoader) -> None:
        self._load_streets = load_streets
        self._streets: StreetIndex | None = None
        self._unavailable = False
        self._lock = asyncio.Lock()

    async def streets(self) -> StreetIndex | None:
        if self._streets is None and not self._unavailable:
            async with self._lock:  # one build, however many requests wait for it
                if self._streets is None and not self._unavailable:
                    await self._build()
        return self._streets

    async def _build(self) -> None:
        try:
            self._streets = await self._load_streets()
        except (FleetyardError, OSError, ValueError, ImportError) as exc:
            self._unavailable = True
            log.warning("places: no street names (%s)", str(exc)[:200] or type(exc).__name__)
        else:
            log.debug("places: %d named streets indexed", len(self._streets))

    async def name(self, point: Point | None, depots: Sequence[Depot] = ()) -> Place | None:
        return (await self.name_all([point], depots))[0]

    async def name_all(
        self, points: Sequence[Point | None], depots: Sequence[Depot] = ()
    ) -> list[Place | None]:
        """A name for each point (None where there is no point or no name). Each lookup is an
        R-tree query (tens of microseconds) behind a cache, so a page of rows stays cheap."""
        streets = await self.streets() if any(p is not None for p in points) else None
        return [
            None if point is None else name_place(point[0], point[1], streets, depots)
            for point in points
        ]
