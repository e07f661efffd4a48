"""What a simulated vehicle reports at each step, before any protocol encodes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Reading:
    fix_time: datetime  # aware UTC
    latitude: float
    longitude: float
    speed_kmh: float
    course: float  # degrees clockwise from north
    altitude_m: float
    satellites: int
    ignition: bool
    odometer_m: float
    rpm: float  # 0 with the engine off
    coolant_c: float
    fuel_pct: float
    engine_load_pct: float
    vehicle_battery_v: float  # the tracker's external supply: 14 V charging, 12.5 V parked
    engine_hours: float
    dtcs: tuple[str, ...] | None  # SAE J2012 codes reported now; None: engine off, ECU asleep
    harsh_braking: bool  # a harsh braking event happened in the step ending at this fix
