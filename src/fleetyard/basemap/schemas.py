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
    max_bounds: list[float] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="west, south, east, north: the drawn area and a margin, which the map's "
        "centre stays inside; null for an external style",
    )
    min_zoom: float | None = Field(
        default=None,
        description="The lowest zoom worth showing: below it the drawn area would be a speck; "
        "null for an external style",
    )
