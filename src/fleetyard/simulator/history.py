"""Years of fleet history in seconds: the failure processes of :mod:`wear` stepped day by day,
with a maintenance policy deciding each morning which components to service. A pure function
(no clock, no sockets): the same seed gives the same history.

The result is what a tenant's database would hold — daily telemetry aggregates and work orders
(breakdowns, and the policy's preventive services) — plus, for each component, the work order
that fitted the part in use when the history starts (a negative day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Protocol

import numpy as np

from fleetyard.predictions.history import (
    COMPONENTS,
    Component,
    FleetHistory,
    FloatArray,
    WorkOrderEvent,
    empty_history,
)
from fleetyard.simulator.wear import BREAKDOWN_DOWNTIME, SERVICE_DOWNTIME, WearingFleet

HISTORY_START: Final = date(2024, 1, 1)


@dataclass(slots=True)
class ServiceLog:
    """When and at what odometer each component was last fitted or repaired."""

    day: dict[Component, FloatArray] = field(default_factory=dict)
    odometer_km: dict[Component, FloatArray] = field(default_factory=dict)

    def record(self, component: Component, which: np.ndarray, day: int, odo: FloatArray) -> None:
        self.day[component] = np.where(which, float(day), self.day[component])
        self.odometer_km[component] = np.where(which, odo, self.odometer_km[component])


class Policy(Protocol):
    def __call__(
        self, history: FleetHistory, log: ServiceLog, day: int
    ) -> dict[Component, np.ndarray]:
        """Which vehicles get which component serviced this morning (seeing days < ``day``)."""
        ...


@dataclass(frozen=True, slots=True)
class FixedIntervals:
    """The classic schedule: a battery every 4 years, pads every 30 000 km, the cooling system
    every 2 years — whichever part's interval is due, regardless of its condition."""

    battery_days: float = 4 * 365
    brakes_km: float = 30_000
    cooling_days: float = 2 * 365

    def __call__(
        self, history: FleetHistory, log: ServiceLog, day: int
    ) -> dict[Component, np.ndarray]:
        odo = history.odometer_km[:, day - 1] if day > 0 else log.odometer_km["brakes"]
        return {
            "battery": day - log.day["battery"] >= self.battery_days,
            "brakes": odo - log.odometer_km["brakes"] >= self.brakes_km,
            "engine_cooling": day - log.day["engine_cooling"] >= self.cooling_days,
        }


def simulate_history(
    vehicles: int,
    days: int,
    seed: int = 1,
    *,
    policy: Policy | None = None,
    start: date = HISTORY_START,
    on_day: Callable[[int], None] | None = None,
) -> FleetHistory:
    """``days`` of history for ``vehicles`` vehicles under ``policy`` (fixed intervals by
    default)."""
    policy = policy or FixedIntervals()
    fleet = WearingFleet(vehicles, seed, start.timetuple().tm_yday - 1)
    history = empty_history(start, vehicles, days)
    history.vehicle_age_years = fleet.age_years.copy()
    log = _initial_log(fleet, history)
    for day in range(days):
        odo_before = history.odometer_km[:, day - 1] if day > 0 else fleet.odometer_km
        for component, which in policy(history, log, day).items():
            _service(fleet, history, log, component, which, day, odo_before, "preventive")
        report = fleet.step((start.toordinal() + day) % 7)
        history.distance_km[:, day] = report.distance_km
        history.odometer_km[:, day] = fleet.odometer_km
        history.crank_voltage_v[:, day] = report.crank_voltage_v
        history.coolant_max_c[:, day] = report.coolant_max_c
        history.coolant_excursions[:, day] = report.coolant_excursions
        history.harsh_brakes[:, day] = report.harsh_brakes
        for code_component, flags in report.dtc.items():
            history.dtc_days[code_component][:, day] = flags
        for component in COMPONENTS:
            failed = report.failed[component]
            _log_events(history, component, failed, day, fleet.odometer_km, "breakdown")
            log.record(component, failed, day, fleet.odometer_km)
        if on_day is not None:
            on_day(day)
    return history


def _service(
    fleet: WearingFleet,
    history: FleetHistory,
    log: ServiceLog,
    component: Component,
    which: np.ndarray,
    day: int,
    odo: FloatArray,
    kind: str,
) -> None:
    which = np.asarray(which, dtype=bool)
    if not which.any():
        return
    fleet.service(component, which)
    _log_events(history, component, which, day, odo, kind)
    log.record(component, which, day, odo)


def _log_events(
    history: FleetHistory,
    component: Component,
    which: np.ndarray,
    day: int,
    odo: FloatArray,
    kind: str,
) -> None:
    downtime = BREAKDOWN_DOWNTIME[component] if kind == "breakdown" else SERVICE_DOWNTIME
    for vehicle in np.flatnonzero(which):
        history.events.append(
            WorkOrderEvent(int(vehicle), day, component, kind, float(odo[vehicle]), downtime)
        )


def _initial_log(fleet: WearingFleet, history: FleetHistory) -> ServiceLog:
    """The work orders that fitted the parts in use on day 0 (days before the history)."""
    km_per_day = np.maximum(fleet.km_per_day, 1.0)
    brake_days = fleet.brake_km_since / (km_per_day * 0.9)
    days = {
        "battery": -np.ceil(fleet.battery_age_days),
        "brakes": -np.ceil(brake_days),
        "engine_cooling": -np.ceil(fleet.cooling_days_since),
    }
    log = ServiceLog()
    for component in COMPONENTS:
        log.day[component] = days[component].astype(float)
        odo = fleet.odometer_km - np.where(
            component == "brakes", fleet.brake_km_since, -days[component] * km_per_day * 0.9
        )
        log.odometer_km[component] = odo
        for vehicle in range(fleet.n):
            history.events.append(
                WorkOrderEvent(
                    vehicle,
                    int(days[component][vehicle]),
                    component,
                    "preventive",
                    float(odo[vehicle]),
                    SERVICE_DOWNTIME,
                )
            )
    return log
