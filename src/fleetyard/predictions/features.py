"""The observable features of each vehicle and component at a given day, from a
:class:`FleetHistory` only (vectorised over the fleet).

Windows end the day before ``day`` (a prediction made on a morning sees yesterday's
aggregates). Missing telemetry is filled with the fleet-typical value and counted, so a vehicle
without a battery-voltage sensor gets a prediction from what it does report, at a lower
confidence.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np

from fleetyard.predictions.history import COMPONENTS, Component, FleetHistory, FloatArray


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    label: str  # what a fleet manager reads
    unit: str
    typical: float  # used where the vehicle reported nothing


COMMON: Final = (
    Feature("age_years", "Vehicle age", "years", 5.0),
    Feature("odometer_10k_km", "Distance driven", "10,000 km", 30.0),
    Feature("years_since_service", "Time since the part was last serviced", "years", 1.0),
    Feature("dtc_days_90d", "Days with a DTC for this part (90 days)", "days", 0.0),
)
FEATURES: Final[dict[Component, tuple[Feature, ...]]] = {
    "battery": (
        *COMMON,
        Feature("crank_v_14d", "Cranking voltage (14-day mean)", "V", 11.0),
        Feature("crank_v_trend_30d", "Cranking voltage trend", "V per 30 days", 0.0),
    ),
    "brakes": (
        *COMMON,
        Feature("km_since_service_10k", "Distance since the pads were fitted", "10,000 km", 1.5),
        Feature("harsh_per_100km_90d", "Harsh braking rate (90 days)", "per 100 km", 2.0),
        Feature("harsh_wear_10k", "Distance since fitting × harsh braking rate", "index", 3.0),
        Feature(
            "harsh_since_service_100",
            "Harsh brakes since the pads were fitted",
            "hundreds",
            3.0,
        ),
        Feature("km_per_day_90d", "Distance per day (90 days)", "100 km", 1.3),
        Feature("km_since_sq", "Distance since fitting, squared", "(10,000 km)²", 2.25),
        Feature("harsh_since_sq", "Harsh brakes since fitting, squared", "(hundreds)²", 9.0),
        Feature("km_x_harsh_since", "Distance × harsh brakes since fitting", "index", 4.5),
    ),
    "engine_cooling": (
        *COMMON,
        Feature(
            "excursions_14d", "Coolant excursions above 105 °C (14 days)", "log(1 + count)", 0.0
        ),
        Feature("excursions_rise", "Excursions: last 14 days minus the 14 before", "count", 0.0),
        Feature("coolant_max_7d", "Daily highest coolant temperature (7-day mean)", "°C", 93.0),
        Feature(
            "coolant_excess_14d",
            "Coolant maximum above the fleet's that day (14-day mean)",
            "°C",
            0.0,
        ),
        Feature("hot_days_30d", "Days the coolant reached 100 °C (30 days)", "days", 0.0),
        Feature("coolant_trend_30d", "Daily coolant maximum trend", "°C per 30 days", 0.0),
    ),
}


@dataclass(slots=True)
class LastService:
    """The last work order on each component strictly before a day, per vehicle."""

    day: dict[Component, FloatArray]
    odometer_km: dict[Component, FloatArray]


def last_services(history: FleetHistory, day: int) -> LastService:
    n = history.vehicles
    days = {c: np.full(n, np.nan) for c in COMPONENTS}
    odos = {c: np.full(n, np.nan) for c in COMPONENTS}
    for event in history.events:
        if event.day >= day or event.component not in days:
            continue
        component: Component = event.component
        current = days[component][event.vehicle]
        if np.isnan(current) or event.day >= current:
            days[component][event.vehicle] = event.day
            odos[component][event.vehicle] = event.odometer_km
    return LastService(days, odos)


def _window(values: FloatArray, day: int, length: int, offset: int = 0) -> FloatArray:
    end = max(0, day - offset)
    return values[:, max(0, end - length) : end]


def _nanmean(values: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (
            np.asarray(np.nanmean(values, axis=1), dtype=float)
            if values.shape[1]
            else (np.full(values.shape[0], np.nan))
        )


def _trend(values: FloatArray) -> FloatArray:
    """Least-squares slope per row over the window's days, × 30; NaN with < 5 readings."""
    n, length = values.shape
    if length < 5:
        return np.full(n, np.nan)
    x = np.arange(length, dtype=float)
    mask = ~np.isnan(values)
    count = mask.sum(axis=1)
    xs = np.where(mask, x, 0.0)
    ys = np.where(mask, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = xs.sum(axis=1) / count
        my = ys.sum(axis=1) / count
        cov = (np.where(mask, (x - mx[:, None]) * (values - my[:, None]), 0.0)).sum(axis=1)
        var = (np.where(mask, (x - mx[:, None]) ** 2, 0.0)).sum(axis=1)
        slope = cov / var * 30
    return np.where(count >= 5, slope, np.nan)


HOT_COOLANT_C: Final = 100.0
NORMAL_COOLANT_C: Final = 93.0
MIN_FLEET_REPORTING: Final = 5


def fleet_coolant(history: FleetHistory) -> FloatArray:
    """Per day the fleet's median daily coolant maximum (hot weather lifts every engine), as a
    row broadcast over vehicles; the normal 93 °C on a day fewer than 5 vehicles reported."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(history.coolant_max_c, axis=0)
    reporting = (~np.isnan(history.coolant_max_c)).sum(axis=0)
    median = np.where(reporting >= MIN_FLEET_REPORTING, median, NORMAL_COOLANT_C)
    return np.broadcast_to(median, history.coolant_max_c.shape)


def _harsh_since(
    history: FleetHistory, day: int, last: LastService, since_km: FloatArray, rate: FloatArray
) -> FloatArray:
    """Harsh brakes counted since the pads were fitted; for the part of their life before the
    telemetry starts, the distance driven then × the recent harsh-braking rate."""
    if day <= 0:
        return np.full(history.vehicles, np.nan)
    fitted = np.nan_to_num(last.day["brakes"], nan=0.0)
    cumulative = np.cumsum(history.harsh_brakes[:, :day], axis=1)
    start = np.clip(fitted, 0, day).astype(int)
    before = np.where(start > 0, cumulative[np.arange(history.vehicles), start - 1], 0.0)
    counted = cumulative[:, -1] - before
    odometer_at_start = history.odometer_km[:, 0] - history.distance_km[:, 0]
    km_in_telemetry = history.odometer_km[:, day - 1] - odometer_at_start
    km_before = np.where(fitted < 0, np.maximum(since_km - km_in_telemetry, 0.0), 0.0)
    estimated = km_before * np.nan_to_num(rate, nan=2.0) / 100
    result: FloatArray = np.where(np.isnan(since_km), np.nan, counted + estimated)
    return result


def features_at(
    history: FleetHistory, day: int, component: Component, last: LastService | None = None
) -> tuple[FloatArray, FloatArray]:
    """(X with one row per vehicle, share of the features that were observed per vehicle)."""
    last = last or last_services(history, day)
    odo_now = history.odometer_km[:, day - 1] if day > 0 else np.full(history.vehicles, np.nan)
    since_days = day - last.day[component]
    since_km = odo_now - last.odometer_km[component]
    dtc = history.dtc_days.get(component)
    dtc_90 = _window(dtc, day, 90).sum(axis=1) if dtc is not None else np.zeros(history.vehicles)
    columns: dict[str, FloatArray] = {
        "age_years": history.vehicle_age_years + day / 365,
        "odometer_10k_km": odo_now / 1e4,
        "years_since_service": since_days / 365,
        "dtc_days_90d": dtc_90,
    }
    if component == "battery":
        columns["crank_v_14d"] = _nanmean(_window(history.crank_voltage_v, day, 14))
        columns["crank_v_trend_30d"] = _trend(_window(history.crank_voltage_v, day, 30))
    elif component == "brakes":
        km_90 = _window(history.distance_km, day, 90).sum(axis=1)
        harsh_90 = _window(history.harsh_brakes, day, 90).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(km_90 > 50, harsh_90 / km_90 * 100, np.nan)
        columns["km_since_service_10k"] = since_km / 1e4
        columns["harsh_per_100km_90d"] = rate
        columns["harsh_wear_10k"] = since_km / 1e4 * rate
        columns["harsh_since_service_100"] = _harsh_since(history, day, last, since_km, rate) / 100
        columns["km_per_day_90d"] = km_90 / max(1, min(90, day)) / 100
        columns["km_since_sq"] = columns["km_since_service_10k"] ** 2
        columns["harsh_since_sq"] = columns["harsh_since_service_100"] ** 2
        columns["km_x_harsh_since"] = (
            columns["km_since_service_10k"] * columns["harsh_since_service_100"]
        )
    else:
        recent = _window(history.coolant_excursions, day, 14)
        before = _window(history.coolant_excursions, day, 14, offset=14)
        columns["excursions_14d"] = (
            recent.sum(axis=1) if recent.shape[1] else np.full(history.vehicles, np.nan)
        )
        columns["excursions_rise"] = columns["excursions_14d"] - (
            before.sum(axis=1) if before.shape[1] else 0.0
        )
        columns["excursions_14d"] = np.log1p(columns["excursions_14d"])
        columns["coolant_max_7d"] = _nanmean(_window(history.coolant_max_c, day, 7))
        excess = _window(history.coolant_max_c, day, 14) - _window(fleet_coolant(history), day, 14)
        columns["coolant_excess_14d"] = _nanmean(excess)
        last_30 = _window(history.coolant_max_c, day, 30)
        columns["hot_days_30d"] = np.where(
            np.isnan(last_30).all(axis=1) if last_30.shape[1] else True,
            np.nan,
            (np.nan_to_num(last_30, nan=0.0) >= HOT_COOLANT_C).sum(axis=1),
        )
        columns["coolant_trend_30d"] = _trend(last_30)
    # a vehicle that reported nothing lately has no counts (zero would claim a quiet vehicle)
    silent = _window(history.distance_km, day, 90).sum(axis=1) <= 0
    for name in ("dtc_days_90d", "excursions_14d", "excursions_rise"):
        if name in columns:
            columns[name] = np.where(silent, np.nan, columns[name])
    specs = FEATURES[component]
    raw = np.column_stack([columns[f.name] for f in specs])
    observed = ~np.isnan(raw)
    typical = np.array([f.typical for f in specs])
    X = np.where(observed, raw, typical)
    return X, observed.mean(axis=1)
