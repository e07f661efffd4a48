"""J1939 codes: one spelling, and a description of the parameter and its failure mode."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.telematics.rules import j1939
from fleetyard.telematics.rules.j2012 import Scope


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("SPN 110 FMI 0", "SPN 110 FMI 0"),
        (" spn:110 fmi:0 ", "SPN 110 FMI 0"),
        ("SPN110/FMI16", "SPN 110 FMI 16"),
        ("spn 639", "SPN 639"),
        ("SPN 110 FMI 32", None),  # FMIs are 5 bits
        ("SPN 524288 FMI 1", None),  # SPNs are 19 bits
        ("P0301", None),
        ("SPN", None),
        (110, None),
    ],
)
def test_normalize(raw: object, normal: str | None) -> None:
    assert j1939.normalize(raw) == normal


def test_a_known_parameter_and_mode_are_described() -> None:
    info = j1939.describe("SPN 100 FMI 1")
    assert info.description == (
        "Engine oil pressure: value below the normal operating range (most severe)"
    )
    assert info.known and info.scope is Scope.GENERIC
    assert j1939.most_severe("SPN 100 FMI 1") and not j1939.most_severe("SPN 100 FMI 18")


def test_proprietary_and_unknown_parameters_say_what_is_known() -> None:
    proprietary = j1939.describe("SPN 520200 FMI 7")
    assert proprietary.scope is Scope.MANUFACTURER and not proprietary.known
    assert proprietary.description.startswith("Manufacturer-specific parameter 520200")
    assert proprietary.description.endswith("mechanical system not responding or out of adjustment")
    assert j1939.describe("SPN 4000 FMI 22").description == "Parameter 4000: failure mode 22"
    assert j1939.describe("SPN 639").description == "J1939 network"
    with pytest.raises(ValueError, match="not a J1939"):
        j1939.describe("P0301")


@given(st.text(max_size=40))
def test_any_text_is_a_code_in_our_spelling_or_nothing(text: str) -> None:
    normal = j1939.normalize(text)
    assert normal is None or (
        j1939.NORMAL_PATTERN.fullmatch(normal) and j1939.normalize(normal) == normal
    )
