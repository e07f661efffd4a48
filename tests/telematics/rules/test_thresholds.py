"""Threshold rules: strict trigger, hysteresis on release, silence without a reading."""

from __future__ import annotations

import pytest

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import AlertKey, Outcome, Severity
from fleetyard.telematics.rules.thresholds import coolant_high, fuel_low, number

COOLANT = AlertKey("coolant_high")
FUEL = AlertKey("fuel_low")
NONE: frozenset[AlertKey] = frozenset()


def test_coolant_above_110_is_critical() -> None:
    outcome = coolant_high({attr.COOLANT_TEMP_C: 112.5}, NONE)
    (condition,) = outcome.present
    assert condition.key == COOLANT
    assert condition.severity is Severity.CRITICAL
    assert condition.message == "Coolant temperature 112.5 °C is above 110 °C."
    assert condition.details == {"value": 112.5, "threshold": 110.0, "unit": "°C"}
    assert outcome.ended == ()


@pytest.mark.parametrize("value", [110, 110.0, 95, -40])
def test_coolant_at_or_below_110_raises_nothing(value: float) -> None:
    assert coolant_high({attr.COOLANT_TEMP_C: value}, NONE) == Outcome()


@pytest.mark.parametrize(
    ("value", "ends"),
    [(104.9, True), (105.0, False), (107.0, False), (110.0, False)],
)
def test_coolant_clears_only_below_105(value: float, ends: bool) -> None:
    outcome = coolant_high({attr.COOLANT_TEMP_C: value}, frozenset({COOLANT}))
    assert outcome.ended == ((COOLANT,) if ends else ())
    assert outcome.present == ()


def test_coolant_still_high_keeps_the_open_alert_present() -> None:
    outcome = coolant_high({attr.COOLANT_TEMP_C: 118}, frozenset({COOLANT}))
    assert [c.key for c in outcome.present] == [COOLANT]


def test_release_without_an_open_alert_says_nothing() -> None:
    assert coolant_high({attr.COOLANT_TEMP_C: 80}, NONE) == Outcome()


def test_fuel_below_10_is_a_warning_and_clears_above_15() -> None:
    (condition,) = fuel_low({attr.FUEL_LEVEL_PCT: 9}, NONE).present
    assert (condition.key, condition.severity) == (FUEL, Severity.WARNING)
    assert condition.message == "Fuel level 9 % is below 10 %."
    assert fuel_low({attr.FUEL_LEVEL_PCT: 10}, NONE) == Outcome()
    held = frozenset({FUEL})
    assert fuel_low({attr.FUEL_LEVEL_PCT: 12}, held) == Outcome()
    assert fuel_low({attr.FUEL_LEVEL_PCT: 15}, held) == Outcome()
    assert fuel_low({attr.FUEL_LEVEL_PCT: 15.5}, held).ended == (FUEL,)


@pytest.mark.parametrize(
    "value", [None, True, False, "120", float("nan"), float("inf"), [1], 10**400, -(10**13), 1e300]
)
def test_missing_or_odd_readings_say_nothing(value: object) -> None:
    attributes = {} if value is None else {attr.COOLANT_TEMP_C: value}
    assert coolant_high(attributes, frozenset({COOLANT})) == Outcome()
    assert number(value) is None


def test_other_attributes_are_ignored() -> None:
    assert coolant_high({attr.FUEL_LEVEL_PCT: 130}, NONE) == Outcome()
