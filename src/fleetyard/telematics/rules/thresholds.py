"""Threshold rules with hysteresis: an alert opens past the trigger value and clears only once
the reading is back past a release value on the safe side, so a reading hovering around the
trigger opens one alert, not one per fix.

==============  =====================  ==========  ===========================
alert kind      opens when             severity    clears when
==============  =====================  ==========  ===========================
coolant_high    coolant > 110 °C       critical    coolant < 105 °C
                (230 °F)
fuel_low        fuel level < 10 %      warning     fuel level > 15 %
==============  =====================  ==========  ===========================

Readings between the two values (105–110 °C, 10–15 %) change nothing: an open alert stays
open, a closed one stays closed. A fix without the reading says nothing either way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import (
    AlertKey,
    AlertKind,
    Condition,
    Outcome,
    Severity,
)

COOLANT_HIGH_C: Final = 110.0  # 230 °F
COOLANT_RELEASE_C: Final = 105.0  # 221 °F
FUEL_LOW_PCT: Final = 10.0
FUEL_RELEASE_PCT: Final = 15.0


@dataclass(frozen=True, slots=True)
class Threshold:
    kind: AlertKind
    attribute: str
    severity: Severity
    trigger: float  # strictly past this opens
    release: float  # strictly back past this clears
    above: bool  # True: too high is bad; False: too low is bad
    label: str
    unit: str

    @property
    def key(self) -> AlertKey:
        return AlertKey(self.kind.value)

    def triggered(self, value: float) -> bool:
        return value > self.trigger if self.above else value < self.trigger

    def released(self, value: float) -> bool:
        return value < self.release if self.above else value > self.release

    def message(self, value: float) -> str:
        side = "above" if self.above else "below"
        return f"{self.label} {value:g} {self.unit} is {side} {self.trigger:g} {self.unit}."


COOLANT_HIGH = Threshold(
    kind=AlertKind.COOLANT_HIGH,
    attribute=attr.COOLANT_TEMP_C,
    severity=Severity.CRITICAL,
    trigger=COOLANT_HIGH_C,
    release=COOLANT_RELEASE_C,
    above=True,
    label="Coolant temperature",
    unit="°C",
)
FUEL_LOW = Threshold(
    kind=AlertKind.FUEL_LOW,
    attribute=attr.FUEL_LEVEL_PCT,
    severity=Severity.WARNING,
    trigger=FUEL_LOW_PCT,
    release=FUEL_RELEASE_PCT,
    above=False,
    label="Fuel level",
    unit="%",
)


def number(value: object) -> float | None:
    """A plausible reading, or None (missing, a flag, text, NaN, or beyond MAX_READING: an
    integer of hundreds of digits is no measurement, and no float holds it)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) > attr.MAX_READING:
        return None
    reading = float(value)
    return reading if math.isfinite(reading) and abs(reading) <= attr.MAX_READING else None


def check_threshold(
    threshold: Threshold, attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]
) -> Outcome:
    value = number(attributes.get(threshold.attribute))
    if value is None:
        return Outcome()
    if threshold.triggered(value):
        details = {"value": value, "threshold": threshold.trigger, "unit": threshold.unit}
        condition = Condition(threshold.key, threshold.severity, threshold.message(value), details)
        return Outcome(present=(condition,))
    if threshold.key in open_keys and threshold.released(value):
        return Outcome(ended=(threshold.key,))
    return Outcome()


def coolant_high(attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]) -> Outcome:
    return check_threshold(COOLANT_HIGH, attributes, open_keys)


def fuel_low(attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]) -> Outcome:
    return check_threshold(FUEL_LOW, attributes, open_keys)
