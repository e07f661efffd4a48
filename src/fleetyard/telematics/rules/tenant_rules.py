"""The tenant's alert rules applied to its telemetry kinds. Without rules the built-in set
(``evaluate.RULES``: coolant above 110 °C, fuel below 10 %, every DTC) runs unchanged; a
rule of a kind replaces that kind's thresholds (or turns it off, or sets its severity) for
the vehicles it covers."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fleetyard.alerts.rules.kinds import CoolantThresholds, FuelThresholds
from fleetyard.alerts.rules.matching import RuleRecord, rule_for
from fleetyard.telematics.rules.conditions import AlertKey, Outcome, Rule, Severity
from fleetyard.telematics.rules.dtc import dtc
from fleetyard.telematics.rules.evaluate import RULES
from fleetyard.telematics.rules.thresholds import (
    COOLANT_HIGH,
    FUEL_LOW,
    Threshold,
    check_threshold,
    coolant_high,
    fuel_low,
)

TELEMETRY_KINDS: Final = ("coolant_high", "fuel_low", "dtc")
_DEFAULTS: Final[Mapping[str, Rule]] = {
    "coolant_high": coolant_high,
    "fuel_low": fuel_low,
    "dtc": dtc,
}


def _threshold_rule(threshold: Threshold) -> Rule:
    def rule(attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]) -> Outcome:
        return check_threshold(threshold, attributes, open_keys)

    return rule


def _with_severity(rule: Rule, severity: Severity) -> Rule:
    def overridden(attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]) -> Outcome:
        outcome = rule(attributes, open_keys)
        present = tuple(dataclasses.replace(c, severity=severity) for c in outcome.present)
        return Outcome(present=present, ended=outcome.ended)

    return overridden


def _from_rule(record: RuleRecord) -> Rule:
    rule: Rule
    if record.kind == "coolant_high":
        coolant = CoolantThresholds.model_validate(dict(record.thresholds))
        rule = _threshold_rule(
            dataclasses.replace(COOLANT_HIGH, trigger=coolant.trigger_c, release=coolant.release_c)
        )
    elif record.kind == "fuel_low":
        fuel = FuelThresholds.model_validate(dict(record.thresholds))
        rule = _threshold_rule(
            dataclasses.replace(FUEL_LOW, trigger=fuel.trigger_pct, release=fuel.release_pct)
        )
    else:
        rule = _DEFAULTS[record.kind]
    if record.severity is not None:
        rule = _with_severity(rule, Severity(record.severity))
    return rule


def rules_for_vehicle(
    rules: Sequence[RuleRecord], vehicle_id: uuid.UUID, group_chain: Sequence[uuid.UUID] = ()
) -> tuple[Rule, ...]:
    """The rule functions to run over one vehicle's fixes."""
    if not rules:
        return RULES
    chosen: list[Rule] = []
    for kind in TELEMETRY_KINDS:
        record = rule_for(rules, kind, vehicle_id, group_chain)
        if record is None:
            chosen.append(_DEFAULTS[kind])
        elif record.enabled:
            chosen.append(_from_rule(record))
    return tuple(chosen)
