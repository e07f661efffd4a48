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


def test_j1939_codes_from_heavy_duty_vehicles_raise_alerts_too() -> None:
    outcome = dtc({attr.DTCS: ["SPN 110 FMI 0", "spn:3226 fmi:2", "P0420", "SPN 99999999"]}, NONE)
    keys = [c.key for c in outcome.present]
    assert keys == [
        AlertKey("dtc", "SPN 110 FMI 0"),
        AlertKey("dtc", "SPN 3226 FMI 2"),
        AlertKey("dtc", "P0420"),
    ]
    coolant, nox, catalyst = outcome.present
    # FMI 0: valid data beyond the range the engine may run in, the most severe level
    assert coolant.severity is Severity.CRITICAL
    assert coolant.message == (
        "SPN 110 FMI 0: Engine coolant temperature: "
        "value above the normal operating range (most severe)"
    )
    assert coolant.details["system"] == "heavy-duty (J1939)"
    assert nox.severity is Severity.WARNING
    assert nox.details["description"].startswith("Aftertreatment NOx sensor (outlet)")
    assert catalyst.severity is Severity.WARNING


def test_j1939_codes_clear_like_any_other() -> None:
    open_keys = frozenset({AlertKey("dtc", "SPN 110 FMI 0"), AlertKey("dtc", "SPN 100 FMI 1")})
    outcome = dtc({attr.DTCS: ["SPN 100 FMI 1"]}, open_keys)
    assert outcome.ended == (AlertKey("dtc", "SPN 110 FMI 0"),)


def test_j1939_codes_in_a_string_keep_their_words_together() -> None:
    assert reported_codes("SPN 110 FMI 0, P0171 P0174, spn 524000 fmi 31") == (
        "SPN 110 FMI 0",
        "P0171",
        "P0174",
        "SPN 524000 FMI 31",
    )
    assert reported_codes(["SPN 110 FMI 32", "SPN 600000 FMI 1", "SPN x"]) == ()
