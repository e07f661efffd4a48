"""The DTC rule: one condition per reported code, clears for codes no longer reported."""

from __future__ import annotations

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import AlertKey, Outcome, Severity
from fleetyard.telematics.rules.dtc import dtc, reported_codes

NONE: frozenset[AlertKey] = frozenset()


def test_each_code_is_a_warning_with_its_description() -> None:
    outcome = dtc({attr.DTCS: ["P0301", "P0420"]}, NONE)
    assert [c.key for c in outcome.present] == [AlertKey("dtc", "P0301"), AlertKey("dtc", "P0420")]
    first = outcome.present[0]
    assert first.severity is Severity.WARNING
    assert first.message == "P0301: Misfire detected in cylinder 1"
    assert first.details["description"] == "Misfire detected in cylinder 1"
    assert first.details["system"] == "powertrain"
    assert first.details["scope"] == "generic"
    assert outcome.ended == ()


def test_codes_no_longer_reported_end() -> None:
    open_keys = frozenset({AlertKey("dtc", "P0301"), AlertKey("dtc", "P0420"), AlertKey("x")})
    outcome = dtc({attr.DTCS: ["P0301"]}, open_keys)
    assert outcome.ended == (AlertKey("dtc", "P0420"),)
    cleared_all = dtc({attr.DTCS: []}, open_keys)
    assert cleared_all.present == ()
    assert cleared_all.ended == (AlertKey("dtc", "P0301"), AlertKey("dtc", "P0420"))


def test_no_dtc_list_says_nothing() -> None:
    assert dtc({attr.COOLANT_TEMP_C: 90}, frozenset({AlertKey("dtc", "P0301")})) == Outcome()
    assert dtc({attr.DTCS: None}, frozenset({AlertKey("dtc", "P0301")})) == Outcome()


def test_codes_are_normalised_deduplicated_and_malformed_ones_dropped() -> None:
    assert reported_codes([" p0301", "P0301", "X1234", "P4000", 301, "P0420"]) == (
        "P0301",
        "P0420",
    )
    assert reported_codes("P0171, P0174 U0100") == ("P0171", "P0174", "U0100")
    assert reported_codes("") == ()
    assert reported_codes(None) is None
    assert reported_codes(42) is None
