from __future__ import annotations

from pydantic import BaseModel, Field


class MapConfig(BaseModel):
    """What the web app's map loads: a MapLibre style (the built-in offline basemap unless
    FLEETYARD_MAP_STYLE_URL names a production one) and where to start."""

    style_url: str
    offline: bool = Field(description="True when the style is the app's own offline basemap.")
    bounds: list[float] | None = Field(
        min_length=4,
        max_length=4,
        description="west, south, east, north of the offline basemap; null for an external style",
    )
