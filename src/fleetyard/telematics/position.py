"""The one normalized Position every decoder produces, whatever the protocol.

Units are converted in the decoder: speed in km/h, course in degrees from north, altitude in
metres, odometer in metres, times timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fleetyard.kit.geo import KNOTS_TO_KMH as KNOTS_TO_KMH
from fleetyard.kit.geo import MPH_TO_KMH as MPH_TO_KMH
from fleetyard.kit.geo import MPS_TO_KMH as MPS_TO_KMH


@dataclass(slots=True)
class Position:
    unique_id: str  # the device's hardware id (IMEI, H02 id, OsmAnd id)
    protocol: str
    fix_time: datetime  # when the GNSS fix was taken (device clock), UTC
    latitude: float
    longitude: float
    valid: bool = True  # the device's own validity flag; later checks may clear it
    speed_kmh: float | None = None
    course: float | None = None
    altitude_m: float | None = None
    satellites: int | None = None
    hdop: float | None = None
    ignition: bool | None = None
    odometer_m: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
