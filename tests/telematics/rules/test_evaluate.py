"""The evaluator: fix-time order, hysteresis across fixes, one Raised per open stretch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import AlertKey, Outcome
from fleetyard.telematics.rules.evaluate import (
    RULES,
    WATCHED,
    Cleared,
    Raised,
    Reading,
    evaluate,
    watched,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
COOLANT = AlertKey("coolant_high")


def at(minute: int, **attributes: object) -> Reading:
    return Reading(T0 + timedelta(minutes=minute), attributes)


def summary(changes: list[Raised | Cleared]) -> list[tuple[str, str, int, int | None]]:
    out: list[tuple[str, str, int, int | None]] = []
    for change in changes:
        if isinstance(change, Raised):
            first = int((change.first_at - T0).total_seconds() // 60)
            last = int((change.last_at - T0).total_seconds() // 60)
            out.append(
                ("raised", change.condition.key.kind + change.condition.key.code, first, last)
            )
        else:
            out.append(
                (
                    "cleared",
                    change.key.kind + change.key.code,
                    int((change.at - T0).total_seconds() // 60),
                    None,
                )
            )
    return out


def test_hysteresis_across_fixes_in_time_order() -> None:
    temps = [100, 112, 115, 108, 111, 104, 109, 113]
    readings = [at(i, **{attr.COOLANT_TEMP_C: t}) for i, t in enumerate(temps)]
    changes = evaluate(reversed(readings), ())  # given out of order on purpose
    assert summary(changes) == [
        ("raised", "coolant_high", 1, 4),
        ("cleared", "coolant_high", 5, None),
        ("raised", "coolant_high", 7, 7),
    ]


def test_an_alert_open_before_the_batch_clears_and_reopens() -> None:
    readings = [at(0, **{attr.COOLANT_TEMP_C: 107}), at(1, **{attr.COOLANT_TEMP_C: 90})]
    assert summary(evaluate(readings, {COOLANT})) == [("cleared", "coolant_high", 1, None)]
    # without an open alert, the same readings change nothing
    assert evaluate(readings, ()) == []


def test_dtcs_open_per_code_and_clear_when_missing() -> None:
    readings = [
        at(0, **{attr.DTCS: ["P0301", "P0420"]}),
        at(1, **{attr.DTCS: ["P0301", "P0420"]}),
        at(2, **{attr.COOLANT_TEMP_C: 90}),  # says nothing about codes
        at(3, **{attr.DTCS: ["P0301"]}),
        at(4, **{attr.DTCS: []}),
    ]
    assert summary(evaluate(readings, ())) == [
        ("raised", "dtcP0301", 0, 3),
        ("raised", "dtcP0420", 0, 1),
        ("cleared", "dtcP0420", 3, None),
        ("cleared", "dtcP0301", 4, None),
    ]


def test_raised_carries_the_device_of_the_fix() -> None:
    device = uuid.uuid4()
    reading = Reading(T0, {attr.FUEL_LEVEL_PCT: 5}, device)
    (change,) = evaluate([reading], ())
    assert isinstance(change, Raised)
    assert change.device_id == device


def test_rules_are_independent() -> None:
    readings = [at(0, **{attr.COOLANT_TEMP_C: 120, attr.FUEL_LEVEL_PCT: 4, attr.DTCS: ["P0217"]})]
    kinds = sorted(c.condition.key.kind for c in evaluate(readings, ()) if isinstance(c, Raised))
    assert kinds == ["coolant_high", "dtc", "fuel_low"]


def test_rules_read_only_watched_attributes() -> None:
    everything_open = frozenset(
        {AlertKey("coolant_high"), AlertKey("fuel_low"), AlertKey("dtc", "P0301")}
    )
    unwatched = {attr.RPM: 9000, attr.HARSH_BRAKING: True, attr.POWER_V: 3.0, attr.IO: {"1": 1}}
    assert not watched(unwatched)
    for rule in RULES:
        assert rule(unwatched, everything_open) == Outcome()
    assert all(watched({key: 1}) for key in WATCHED)
