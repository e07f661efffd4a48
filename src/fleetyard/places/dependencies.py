"""One place namer per app (its street index is built once and shared by every request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fleetyard.basemap.router import basemap
from fleetyard.places.service import PlaceNamer, basemap_streets


def place_namer(request: Request) -> PlaceNamer:
    state = request.app.state
    found: PlaceNamer | None = getattr(state, "places", None)
    if found is None:
        found = state.places = PlaceNamer(basemap_streets(basemap(request)))
    return found


Places = Annotated[PlaceNamer, Depends(place_namer)]
