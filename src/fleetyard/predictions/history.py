"""What a prediction is made from: a fleet's daily telemetry aggregates and its work orders,
as arrays. The simulator's history generator and the tenant's database both produce a
:class:`FleetHistory`; the features, the training and the bench all read only this — never the
simulator's hidden state (battery health, pad wear, cooling fault severity).

Day numbers are integers from the history's first day (0); events before it (the last service
of each component when the history starts) have negative days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Component = Literal["battery", "brakes", "engine_cooling"]
COMPONENTS: Final[tuple[Component, ...]] = ("battery", "brakes", "engine_cooling")
# every component a work order may name (the maintenance package's list)
WORK_ORDER_COMPONENTS: Final = (
    "battery",
    "brakes",
    "engine_cooling",
    "tyres",
    "engine",
    "transmission",
    "electrical",
    "other",
)
WorkOrderKind = Literal["preventive", "corrective", "breakdown"]
FAILURE_KINDS: Final = frozenset({"corrective", "breakdown"})

# A DTC names the component it is about (SAE J2012 generic codes).
DTC_COMPONENTS: Final[dict[str, str]] = {
    "P0562": "battery",  # system voltage low
    "P0563": "battery",  # system voltage high
    "P0217": "engine_cooling",  # engine over-temperature
    "P0118": "engine_cooling",  # coolant temperature sensor high
    "P0128": "engine_cooling",  # coolant below thermostat temperature
    "P0480": "engine_cooling",  # cooling fan control
    "C0040": "brakes",  # wheel speed sensor
    "C0265": "brakes",  # ABS motor relay
    "P0300": "engine",
    "P0301": "engine",
    "P0302": "engine",
    "P0171": "engine",
    "P0172": "engine",
    "P0420": "engine",
    "P0700": "transmission",
    "P0730": "transmission",
    "P0620": "electrical",
}


def component_of_dtc(code: str) -> str | None:
    """The component a code names: the table above, else its family (P07xx transmission,
    P03xx engine, Cxxxx chassis → brakes), else None."""
    code = code.strip().upper()
    if code in DTC_COMPONENTS:
        return DTC_COMPONENTS[code]
    if code.startswith("P07"):
        return "transmission"
    if code.startswith(("P03", "P01", "P02", "P04")):
        return "engine"
    if code.startswith("C"):
        return "brakes"
    return None


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class WorkOrderEvent:
    vehicle: int  # index into the history's vehicles
    day: int
    component: str
    kind: str  # preventive | corrective | breakdown
    odometer_km: float
    downtime_days: float = 0.0


@dataclass(slots=True)
class FleetHistory:
    """Daily aggregates, one row per vehicle, one column per day (NaN where nothing was
    reported: no engine start means no cranking voltage)."""

    start: date
    vehicle_age_years: FloatArray  # at day 0
    distance_km: FloatArray  # (n, days)
    odometer_km: FloatArray  # (n, days), at the end of each day
    crank_voltage_v: FloatArray  # lowest cranking voltage of the day
    coolant_max_c: FloatArray
    coolant_excursions: FloatArray  # episodes above 105 °C
    harsh_brakes: FloatArray
    dtc_days: dict[str, FloatArray] = field(default_factory=dict)  # component → 0/1 per day
    events: list[WorkOrderEvent] = field(default_factory=list)

    @property
    def vehicles(self) -> int:
        return int(self.distance_km.shape[0])

    @property
    def days(self) -> int:
        return int(self.distance_km.shape[1])

    def day_of(self, when: date) -> int:
        return (when - self.start).days

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)


def empty_history(start: date, vehicles: int, days: int) -> FleetHistory:
    def nan() -> FloatArray:
        return np.full((vehicles, days), np.nan)

    return FleetHistory(
        start=start,
        vehicle_age_years=np.zeros(vehicles),
        distance_km=np.zeros((vehicles, days)),
        odometer_km=np.zeros((vehicles, days)),
        crank_voltage_v=nan(),
        coolant_max_c=nan(),
        coolant_excursions=np.zeros((vehicles, days)),
        harsh_brakes=np.zeros((vehicles, days)),
        dtc_days={c: np.zeros((vehicles, days)) for c in WORK_ORDER_COMPONENTS},
    )
