"""Failure processes with known hazards: ground truth for failure prediction.

Each vehicle carries hidden state per component that the prediction code never reads; it only
sees what a real fleet would report (daily aggregates of telemetry, work orders). The hazards,
per vehicle and day (``λ``; the day's failure probability is ``1 - exp(-λ)``):

- **battery**: health ``H`` starts at 1 when a battery is fitted and falls each day by
  ``r · (1 + 0.15 · battery age in years)``, ``r`` lognormal (median 3.5e-4/day, σ 0.35) per
  battery. ``λ = 1e-4 · exp(5 · (1 − H))``. Shows as the lowest cranking voltage of the day:
  ``9.5 + 1.5 · H − 0.25 · cold + N(0, 0.12)`` V (``cold`` 0 in summer … 1 in midwinter), and a
  P0562 (system voltage low) on half the days it is below 10.3 V.
- **brakes**: pad wear ``W`` starts at 0 when pads are fitted and grows by
  ``(km + 25 · harsh brakes) / 70 000`` a day: every harsh brake wears like 25 km.
  ``λ = 3e-5 + 0.5 · max(0, W − 0.8)²``. Harsh brakes are Poisson at the driver's rate
  (0.3–6 per 100 km) times the day's distance.
- **engine_cooling**: a fault (leak, failing pump) starts with ``λ_onset = 1.5e-4 · (1 + age/8)``
  (vehicle age in years); its severity ``S`` starts at 0.05 and grows by a lognormal step
  (median 0.012/day). ``λ = 2e-5 + 0.06 · S³``. Shows as coolant excursions above 105 °C,
  Poisson ``0.02 · hot + 6 · S²`` a day, a higher daily maximum, and P0217 on ``0.3 · S`` of
  the days once ``S > 0.4``.

A failure is a breakdown (repair, downtime); a service of the component (preventive or
corrective) resets its state. Randomness is drawn in the same order every day whatever the
policy does (common random numbers), so two policies replayed on one seed face the same
weather, drivers and luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from fleetyard.predictions.history import COMPONENTS, Component, FloatArray

BATTERY_RATE_MEDIAN: Final = 3.5e-4
BATTERY_BASE_HAZARD: Final = 1e-4
BRAKE_LIFE_KM: Final = 70_000.0
HARSH_BRAKE_KM: Final = 25.0
COOLING_ONSET: Final = 1.5e-4
COOLING_GROWTH_MEDIAN: Final = 0.012
LOW_VOLTAGE_DTC_V: Final = 10.3
# downtime of a breakdown (tow, diagnosis, parts) and of a planned visit, in days
BREAKDOWN_DOWNTIME: Final[dict[str, float]] = {
    "battery": 1.0,
    "brakes": 2.0,
    "engine_cooling": 4.0,
}
SERVICE_DOWNTIME: Final = 0.5


def battery_hazard(health: FloatArray) -> FloatArray:
    return BATTERY_BASE_HAZARD * np.exp(5.0 * (1.0 - health))


def brake_hazard(wear: FloatArray) -> FloatArray:
    return 3e-5 + 0.5 * np.maximum(0.0, wear - 0.8) ** 2


def cooling_hazard(severity: FloatArray) -> FloatArray:
    return 2e-5 + 0.06 * severity**3


def cold_of(day_of_year: int) -> float:
    """0 in midsummer … 1 in midwinter (northern hemisphere)."""
    return float(0.5 + 0.5 * np.cos(2 * np.pi * (day_of_year - 15) / 365.0))


@dataclass(slots=True)
class DayReport:
    """What one day looks like from outside: aggregates and the failures that happened."""

    distance_km: FloatArray
    crank_voltage_v: FloatArray
    coolant_max_c: FloatArray
    coolant_excursions: FloatArray
    harsh_brakes: FloatArray
    dtc: dict[str, FloatArray]
    failed: dict[Component, np.ndarray]
    hazards: dict[Component, FloatArray]  # the day's true hazards (tests of the simulator)


class WearingFleet:
    """Hidden state of ``n`` vehicles, stepped one day at a time (vectorised)."""

    def __init__(self, vehicles: int, seed: int, start_day_of_year: int = 0) -> None:
        self.n = vehicles
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        self.day_of_year = start_day_of_year
        self.age_years = rng.uniform(0.5, 10.0, vehicles)
        self.km_per_day = rng.lognormal(np.log(140.0), 0.45, vehicles)
        self.harsh_per_100km = rng.uniform(0.3, 6.0, vehicles)
        self.odometer_km = self.age_years * 330 * self.km_per_day
        # when the history starts, each component is somewhere in its life
        self.battery_age_days = rng.uniform(0, 4 * 365, vehicles)
        self.battery_rate = self._battery_rates()
        self.battery_health = 1.0 - self.battery_rate * self.battery_age_days * (
            1 + 0.075 * self.battery_age_days / 365
        )
        self.brake_km_since = rng.uniform(0, 30_000, vehicles)
        self.brake_wear = (
            self.brake_km_since * (1 + self.harsh_per_100km * HARSH_BRAKE_KM / 100) / BRAKE_LIFE_KM
        )
        self.cooling_days_since = rng.uniform(0, 2 * 365, vehicles)
        faulty = rng.random(vehicles) < 0.03
        self.cooling_severity = np.where(faulty, rng.uniform(0.05, 0.5, vehicles), 0.0)
        self._fresh_battery_rate = self._battery_rates()

    def _battery_rates(self) -> FloatArray:
        return self.rng.lognormal(np.log(BATTERY_RATE_MEDIAN), 0.35, self.n)

    def service(self, component: Component, which: np.ndarray) -> None:
        """A new battery, new pads, or a repaired cooling system where ``which`` is true."""
        if not which.any():
            return
        if component == "battery":
            self.battery_health = np.where(which, 1.0, self.battery_health)
            self.battery_age_days = np.where(which, 0.0, self.battery_age_days)
            self.battery_rate = np.where(which, self._fresh_battery_rate, self.battery_rate)
        elif component == "brakes":
            self.brake_wear = np.where(which, 0.0, self.brake_wear)
            self.brake_km_since = np.where(which, 0.0, self.brake_km_since)
        else:
            self.cooling_severity = np.where(which, 0.0, self.cooling_severity)
            self.cooling_days_since = np.where(which, 0.0, self.cooling_days_since)

    def step(self, weekday: int) -> DayReport:
        """One day: drive, wear, report, and fail (the failed components are reset)."""
        rng, n = self.rng, self.n
        # every draw happens every day, in this order, whatever was serviced
        trip_factor = rng.gamma(4.0, 0.25, n)
        harsh_u = rng.random(n)
        volt_noise = rng.normal(0, 0.12, n)
        dtc_u = rng.random((3, n))
        onset_u = rng.random(n)
        growth = rng.lognormal(np.log(COOLING_GROWTH_MEDIAN), 0.5, n)
        excursion_u = rng.random(n)
        coolant_noise = rng.normal(0, 2.0, n)
        fail_u = rng.random((3, n))
        hot_u = rng.random()
        self._fresh_battery_rate = self._battery_rates()

        weekend = weekday >= 5
        distance = self.km_per_day * trip_factor * (0.35 if weekend else 1.15)
        harsh = _poisson_from_uniform(self.harsh_per_100km * distance / 100.0, harsh_u)
        self.odometer_km = self.odometer_km + distance
        self.age_years = self.age_years + 1 / 365
        cold = cold_of(self.day_of_year)
        hot = float(hot_u < 0.25 * (1 - cold))

        self.battery_age_days = self.battery_age_days + 1
        self.battery_health = np.maximum(
            0.0,
            self.battery_health - self.battery_rate * (1 + 0.15 * self.battery_age_days / 365),
        )
        voltage = 9.5 + 1.5 * self.battery_health - 0.25 * cold + volt_noise

        self.brake_wear = self.brake_wear + (distance + HARSH_BRAKE_KM * harsh) / BRAKE_LIFE_KM
        self.brake_km_since = self.brake_km_since + distance

        sev = self.cooling_severity
        onset = (sev == 0) & (onset_u < COOLING_ONSET * (1 + self.age_years / 8))
        sev = np.where(sev > 0, np.minimum(1.5, sev + growth), np.where(onset, 0.05, 0.0))
        self.cooling_severity = sev
        self.cooling_days_since = self.cooling_days_since + 1
        excursions = _poisson_from_uniform(0.02 * hot + 6.0 * sev**2, excursion_u)
        coolant_max = 92.0 + 3.0 * hot + 20.0 * sev + coolant_noise

        hazards: dict[Component, FloatArray] = {
            "battery": battery_hazard(self.battery_health),
            "brakes": brake_hazard(self.brake_wear),
            "engine_cooling": cooling_hazard(sev),
        }
        failed = {c: fail_u[i] < 1 - np.exp(-hazards[c]) for i, c in enumerate(COMPONENTS)}
        dtc = {
            "battery": ((voltage < LOW_VOLTAGE_DTC_V) & (dtc_u[0] < 0.5)).astype(float),
            "engine_cooling": ((sev > 0.4) & (dtc_u[1] < 0.3 * sev)).astype(float),
            "engine": (dtc_u[2] < 5e-4).astype(float),  # noise: a misfire code now and then
        }
        report = DayReport(
            distance_km=distance,
            crank_voltage_v=voltage,
            coolant_max_c=coolant_max,
            coolant_excursions=excursions,
            harsh_brakes=harsh,
            dtc=dtc,
            failed=failed,
            hazards=hazards,
        )
        for component in COMPONENTS:
            self.service(component, failed[component])
        self.day_of_year = (self.day_of_year + 1) % 365
        return report

    def true_hazards(self) -> dict[Component, FloatArray]:
        """The hidden daily hazards now (for tests of the simulator only)."""
        return {
            "battery": battery_hazard(self.battery_health),
            "brakes": brake_hazard(self.brake_wear),
            "engine_cooling": cooling_hazard(self.cooling_severity),
        }


def _poisson_from_uniform(mean: FloatArray, u: FloatArray) -> FloatArray:
    """Poisson counts by inversion of one uniform each (so one draw per vehicle per day)."""
    from scipy.stats import poisson

    return np.asarray(poisson.ppf(u, np.maximum(mean, 1e-12)), dtype=float)
