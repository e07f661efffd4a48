"""What counts as harsh, speeding, idling and night driving, in one place (docs/driving-behaviour.md
says why each number is what it is).

Harsh thresholds are in g (9.81 m/s²) per vehicle type: a loaded truck or a bus braking at
0.3 g throws its load and passengers about, a car does that at a traffic light. The car values
sit close to the defaults of the trackers' own eco-driving features (Teltonika: 0.25 g
acceleration, 0.35 g braking, 0.3 g cornering); heavier vehicles are stricter, but never below
the firmest ordinary braking of the fleet simulator (3.0 m/s², 0.31 g), so plain stops at
lights are not harsh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Final

G: Final = 9.80665  # m/s² per g


@dataclass(frozen=True, slots=True)
class HarshThresholds:
    acceleration_g: float
    braking_g: float
    cornering_g: float


CAR: Final = HarshThresholds(acceleration_g=0.30, braking_g=0.35, cornering_g=0.35)
VAN: Final = HarshThresholds(acceleration_g=0.28, braking_g=0.33, cornering_g=0.32)
TRUCK: Final = HarshThresholds(acceleration_g=0.25, braking_g=0.32, cornering_g=0.28)
HEAVY: Final = HarshThresholds(acceleration_g=0.20, braking_g=0.32, cornering_g=0.25)

BY_VEHICLE_TYPE: Final[dict[str, HarshThresholds]] = {
    "car": CAR,
    "pickup": VAN,
    "van": VAN,
    "truck": TRUCK,
    "heavy_truck": HEAVY,
    "bus": HEAVY,
}


def harsh_thresholds(vehicle_type: str | None) -> HarshThresholds:
    """The vehicle type's thresholds; cars' for any other type (motorcycle, other …)."""
    return BY_VEHICLE_TYPE.get(vehicle_type or "car", CAR)


# --- GPS noise: which pairs of fixes can tell an acceleration at all ---------------------------
MIN_PAIR_S: Final = 0.5  # closer fixes: their speed difference is mostly rounding
MAX_PAIR_S: Final = 5.0  # farther apart: a 1–3 s harsh event is averaged away, never guessed
MAX_HDOP: Final = 5.0
MAX_ACCURACY_M: Final = 25.0
MIN_SATELLITES: Final = 4
# Reported speed must agree with the distance moved (a fix that jumped is not a deceleration).
POSITION_SLACK_M: Final = 15.0
POSITION_SLACK_SHARE: Final = 0.5
# A speed that jumps into a run and straight back out is one bad reading, not a harsh event.
SPIKE_KMH: Final = 8.0
SPIKE_COURSE_SHARE: Final = 0.5  # cornering: net turn before→after under half of the run's turn
MIN_BRAKING_FROM_KMH: Final = 10.0  # as the trackers' eco-driving: below this, nothing counts
MIN_ACCELERATION_TO_KMH: Final = 10.0
MIN_CORNERING_KMH: Final = 20.0  # a course at walking pace is noise
# A corner is lateral force sustained over two pairs of fixes at least: a course that jumps
# within one second is as often the receiver's course reading (or a map's polyline vertex in
# a simulator) as a real swerve.
MIN_CORNERING_FIXES: Final = 3
MAX_PLAUSIBLE_G: Final = 1.0  # road tyres hold about this much; more is a bad reading
SAME_EVENT_S: Final = 10.0  # a device's event and the fixes' detection of it are one event

# --- speeding -----------------------------------------------------------------------------------
SPEEDING_TOLERANCE_KMH: Final = 5.0  # over the limit by more than this counts
MIN_SPEEDING_S: Final = 5.0
MAX_SPEEDING_GAP_S: Final = 60.0
LOWEST_LIMIT_KMH: Final = 20.0  # no road limit is lower: slower fixes need no limit at all
SPEEDING_FIXES_KEPT: Final = 30  # a long episode keeps its first, peak and last fixes

# --- idling ---------------------------------------------------------------------------------------
IDLE_SPEED_KMH: Final = 3.0
MIN_IDLE_S: Final = 300.0
MAX_IDLE_GAP_S: Final = 600.0

# --- night driving (the tenant's local time) ---------------------------------------------
NIGHT_STARTS: Final = time(22, 0)
NIGHT_ENDS: Final = time(5, 0)
MOVING_KMH: Final = 5.0
MIN_NIGHT_S: Final = 60.0
MAX_NIGHT_GAP_S: Final = 300.0
DEFAULT_ZONE: Final = "Europe/Helsinki"  # only when a tenant's zone cannot be read


def severity_of(measured: float, threshold: float) -> str:
    """low just over, medium from 1.25×, high from 1.5× the threshold."""
    ratio = measured / threshold if threshold > 0 else 1.0
    if ratio >= 1.5:
        return "high"
    if ratio >= 1.25:
        return "medium"
    return "low"


def speeding_severity(excess_kmh: float) -> str:
    """By the excess over the limit: under 10 km/h low, under 20 medium, else high."""
    if excess_kmh >= 20:
        return "high"
    if excess_kmh >= 10:
        return "medium"
    return "low"
