"""Where the basemap's files come from: built on first use (off the event loop), then cached."""

from __future__ import annotations

import json
from pathlib import Path

import anyio

from fleetyard.basemap.coverage import Bounds, with_margin, zoom_spanning
from fleetyard.basemap.layers import LAYERS, cached_layers
from fleetyard.basemap.schemas import MapConfig
from fleetyard.basemap.style import offline_style
from fleetyard.config import Settings
from fleetyard.errors import NotFound

BASE_PATH = "/basemap"
STYLE_PATH = f"{BASE_PATH}/style.json"


class BasemapUnavailable(NotFound):
    code = "basemap_unavailable"
    message = "The offline basemap could not be built here."


class Basemap:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._folder: Path | None = None

    async def folder(self) -> Path:
        if self._folder is None:
            try:
                self._folder = await anyio.to_thread.run_sync(cached_layers, self.data_dir)
            except (FileNotFoundError, ImportError) as exc:
                raise BasemapUnavailable(details={"reason": str(exc)[:200]}) from exc
        return self._folder

    async def layer_file(self, name: str) -> Path:
        if name not in LAYERS:
            raise NotFound("No such basemap layer.", details={"layers": list(LAYERS)})
        return await self.folder() / f"{name}.geojson"

    async def bounds(self) -> Bounds:
        west, south, east, north = json.loads((await self.folder() / "bounds.json").read_text())
        return float(west), float(south), float(east), float(north)

    async def style(self) -> dict[str, object]:
        folder = await self.folder()
        version = (folder / "source.sha256").read_text().split()[0][:12]
        return offline_style(BASE_PATH, await self.bounds(), version)

    async def config(self, settings: Settings) -> MapConfig:
        if settings.map_style_url:
            return MapConfig(style_url=settings.map_style_url, offline=False, bounds=None)
        bounds = await self.bounds()
        max_bounds = with_margin(bounds)
        return MapConfig(
            style_url=STYLE_PATH,
            offline=True,
            bounds=list(bounds),
            max_bounds=list(max_bounds),
            min_zoom=zoom_spanning(max_bounds),
        )
