"""The observable features, checked on hand-made histories: harsh brakes counted since the
pads were fitted (estimated before the telemetry starts), coolant excess over the fleet's day,
hot days; and the penalizer tuned on vehicles held out of the training samples."""

from __future__ import annotations

from datetime import date

import numpy as np

from fleetyard.predictions.features import FEATURES, features_at
from fleetyard.predictions.history import WorkOrderEvent, empty_history
from fleetyard.predictions.training import (
    PENALIZER,
    PENALIZERS,
    Samples,
    landmark_samples,
    subset,
    tune_penalizer,
)
from fleetyard.simulator.history import simulate_history


def column(component: str, name: str) -> int:
    return [f.name for f in FEATURES[component]].index(name)  # type: ignore[index]


def test_harsh_brakes_are_counted_since_the_pads_were_fitted() -> None:
    history = empty_history(date(2025, 1, 1), 2, 10)
    history.distance_km[:] = 100.0
    history.odometer_km[:] = np.cumsum(history.distance_km, axis=1) + 50_000.0
    history.harsh_brakes[0] = np.arange(10)  # 0, 1, …, 9 a day
    history.harsh_brakes[1] = 2.0
    history.events += [
        WorkOrderEvent(0, -30, "brakes", "preventive", 40_000.0),
        WorkOrderEvent(0, 4, "brakes", "breakdown", 50_400.0),  # new pads on day 4
        WorkOrderEvent(1, -20, "brakes", "preventive", 48_000.0),  # 2,000 km before day 0
    ]
    X, _ = features_at(history, 10, "brakes")
    harsh = X[:, column("brakes", "harsh_since_service_100")] * 100
    # vehicle 0: days 4…9 → 4+5+6+7+8+9; vehicle 1: 10 days × 2, plus 2,000 km × 2 per 100 km
    assert np.allclose(harsh, [39.0, 20.0 + 40.0])
    km = X[:, column("brakes", "km_since_service_10k")] * 1e4
    assert np.allclose(km, [600.0, 3_000.0])
    square = X[:, column("brakes", "km_since_sq")]
    assert np.allclose(square, (km / 1e4) ** 2)


def test_coolant_excess_is_measured_against_the_fleet_that_day() -> None:
    history = empty_history(date(2025, 7, 1), 6, 30)
    history.distance_km[:] = 100.0
    history.coolant_max_c[:] = 92.0
    history.coolant_max_c[:, ::2] = 97.0  # hot days lift every engine alike
    history.coolant_max_c[5, -10:] += np.linspace(4.0, 13.0, 10)  # one engine running hot
    X, _ = features_at(history, 30, "engine_cooling")
    excess = X[:, column("engine_cooling", "coolant_excess_14d")]
    assert np.allclose(excess[:5], 0.0)
    assert np.isclose(excess[5], np.linspace(4.0, 13.0, 10).sum() / 14)
    hot = X[:, column("engine_cooling", "hot_days_30d")]
    # days 20…29 read 101, 97, 103, 99, 105, 101, 107, 103, 109, 105: eight reach 100 °C
    assert list(hot) == [0, 0, 0, 0, 0, 8]
    trend = X[:, column("engine_cooling", "coolant_trend_30d")]
    assert trend[5] > trend[0] + 5

    alone = empty_history(date(2025, 7, 1), 1, 20)  # too few vehicles for a fleet median
    alone.coolant_max_c[:] = 96.0
    alone.distance_km[:] = 50.0
    X, _ = features_at(alone, 20, "engine_cooling")
    assert np.isclose(X[0, column("engine_cooling", "coolant_excess_14d")], 3.0)


def test_the_penalizer_is_chosen_on_held_out_training_vehicles() -> None:
    history = simulate_history(80, 400, seed=5)
    samples = landmark_samples(history, "brakes", 28, 400, step=28)
    assert samples.vehicle is not None
    assert set(np.unique(samples.vehicle)) == set(range(80))
    assert tune_penalizer(samples, "brakes") in PENALIZERS
    anonymous = Samples(samples.X, samples.duration, samples.event, samples.day)
    assert tune_penalizer(anonymous, "brakes") == PENALIZER
    few = subset(samples, samples.vehicle < 4)  # too few failures to tell: the default
    assert tune_penalizer(few, "brakes") == PENALIZER
