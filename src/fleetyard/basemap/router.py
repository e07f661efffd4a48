"""The offline basemap's files (public, like any static asset: no tenant data in them) and
the map settings the web app reads (signed in)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse

from fleetyard.auth.dependencies import require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.basemap.layers import LAYERS
from fleetyard.basemap.schemas import MapConfig
from fleetyard.basemap.service import BASE_PATH, Basemap, BasemapUnavailable
from fleetyard.errors import PermissionDenied, responses
from fleetyard.kit.static import precompressed_response

files_router = APIRouter(prefix=BASE_PATH, tags=["map"])
router = APIRouter(prefix="/map", tags=["map"])

_CACHE = {"Cache-Control": "public, max-age=86400"}


def basemap(request: Request) -> Basemap:
    state = request.app.state
    found: Basemap | None = getattr(state, "basemap", None)
    if found is None:
        found = state.basemap = Basemap(state.settings.data_dir)
    return found


@files_router.get("/style.json", responses=responses(BasemapUnavailable))
async def basemap_style(request: Request) -> JSONResponse:
    """The offline basemap's MapLibre style."""
    style: dict[str, Any] = await basemap(request).style()
    return JSONResponse(style, headers={"Cache-Control": "public, max-age=3600"})


BasemapLayer = StrEnum("BasemapLayer", {name.upper(): name for name in LAYERS})  # type: ignore[misc]


@files_router.get(
    "/{layer}.geojson",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/geo+json": {}}, "description": "A GeoJSON layer."},
        **responses(BasemapUnavailable),
    },
)
async def basemap_layer(layer: BasemapLayer, request: Request) -> FileResponse:
    """One layer of the offline basemap."""
    path = await basemap(request).layer_file(str(layer))
    return precompressed_response(request, path, media_type="application/geo+json", headers=_CACHE)


@router.get("", response_model=MapConfig, responses=responses(PermissionDenied))
async def map_config(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
) -> MapConfig:
    """The style the web app's map loads and where the offline map's data lies."""
    return await basemap(request).config(request.app.state.settings)
