"""The simulator's failure processes do what docs/predictions.md says (fixed seeds)."""

from __future__ import annotations

import numpy as np

from fleetyard.predictions.history import COMPONENTS
from fleetyard.simulator.history import simulate_history
from fleetyard.simulator.wear import (
    BRAKE_LIFE_KM,
    HARSH_BRAKE_KM,
    WearingFleet,
    battery_hazard,
    brake_hazard,
    cooling_hazard,
)


def _observed_vs_stated(vehicles: int, days: int, seed: int) -> dict[str, tuple[float, float]]:
    """Per component: failures seen vs the sum of the stated daily probabilities."""
    fleet = WearingFleet(vehicles, seed)
    seen = dict.fromkeys(COMPONENTS, 0.0)
    expected = dict.fromkeys(COMPONENTS, 0.0)
    for day in range(days):
        report = fleet.step(day % 7)
        for component in COMPONENTS:
            seen[component] += float(report.failed[component].sum())
            expected[component] += float((1 - np.exp(-report.hazards[component])).sum())
    return {c: (seen[c], expected[c]) for c in COMPONENTS}


def test_failures_follow_the_stated_hazards() -> None:
    for component, (seen, expected) in _observed_vs_stated(400, 365, seed=7).items():
        assert expected > 30, component
        # Poisson-binomial: the count is within 4 standard deviations of its expectation
        assert abs(seen - expected) < 4 * np.sqrt(expected), (component, seen, expected)


def test_hazard_functions_are_the_documented_formulas() -> None:
    health = np.array([1.0, 0.5, 0.0])
    assert np.allclose(battery_hazard(health), 1e-4 * np.exp(5 * (1 - health)))
    wear = np.array([0.5, 0.9, 1.2])
    assert np.allclose(brake_hazard(wear), 3e-5 + 0.5 * np.maximum(0, wear - 0.8) ** 2)
    severity = np.array([0.0, 0.5, 1.0])
    assert np.allclose(cooling_hazard(severity), 2e-5 + 0.06 * severity**3)


def test_a_weakening_battery_shows_as_falling_cranking_voltage() -> None:
    fleet = WearingFleet(2000, seed=3)
    health = fleet.battery_health.copy()
    report = fleet.step(2)
    # voltage = 9.5 + 1.5 H − 0.25 cold + noise: the slope on health is 1.5 V
    slope = np.polyfit(fleet.battery_health, report.crank_voltage_v, 1)[0]
    assert 1.35 < slope < 1.65
    assert np.corrcoef(health, report.crank_voltage_v)[0, 1] > 0.8


def test_brake_wear_grows_with_harsh_braking() -> None:
    fleet = WearingFleet(3000, seed=5)
    before = fleet.brake_wear.copy()
    report = fleet.step(1)
    grown = fleet.brake_wear - before
    survived = ~report.failed["brakes"]
    expected = (report.distance_km + HARSH_BRAKE_KM * report.harsh_brakes) / BRAKE_LIFE_KM
    assert np.allclose(grown[survived], expected[survived])
    rate = report.harsh_brakes / np.maximum(report.distance_km, 1) * 100
    per_km = grown / np.maximum(report.distance_km, 1)
    assert per_km[rate > 3].mean() > per_km[rate < 1].mean()


def test_a_cooling_fault_shows_as_excursions_before_it_fails() -> None:
    fleet = WearingFleet(4000, seed=11)
    fleet.cooling_severity[:2000] = 0.8
    fleet.cooling_severity[2000:] = 0.0
    excursions = np.zeros(4000)
    for day in range(14):
        excursions += fleet.step(day % 7).coolant_excursions
    assert excursions[:2000].mean() > 20 * max(excursions[2000:].mean(), 0.01)


def test_history_is_a_pure_function_of_its_seed() -> None:
    one = simulate_history(30, 120, seed=4)
    two = simulate_history(30, 120, seed=4)
    other = simulate_history(30, 120, seed=5)
    assert np.array_equal(one.distance_km, two.distance_km)
    assert one.events == two.events
    assert not np.array_equal(one.distance_km, other.distance_km)
    # each component's fitted part is a work order before day 0
    assert sum(1 for e in one.events if e.day < 0) == 30 * len(COMPONENTS)
