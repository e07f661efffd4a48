"""What decoding one OsmAnd request yields."""

from __future__ import annotations

from typing import NamedTuple

from fleetyard.telematics.position import Position

PROTOCOL = "osmand"


class OsmAndReport(NamedTuple):
    unique_id: str
    positions: list[Position]  # empty for a report without a location (cell/wifi only)
