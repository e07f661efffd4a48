"""Our J2012 table: well-formed entries, family rules, and a description for every code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.telematics.rules.j2012 import (
    DTC_PATTERN,
    GENERIC_CODES,
    Scope,
    describe,
    normalize,
)

WELL_FORMED = st.builds(
    lambda system, digit, rest: system + digit + rest,
    st.sampled_from("PCBU"),
    st.sampled_from("0123"),
    st.text(alphabet="0123456789ABCDEF", min_size=3, max_size=3),
)


def test_table_entries_are_well_formed_generic_codes() -> None:
    assert len(GENERIC_CODES) > 150
    for code, description in GENERIC_CODES.items():
        assert DTC_PATTERN.fullmatch(code), code
        assert describe(code).scope is Scope.GENERIC, code
        assert description.strip() and len(description) < 200, code


@pytest.mark.parametrize(
    "code",
    [
        *[f"P030{n}" for n in range(9)],
        "P0171", "P0172", "P0174", "P0175",
        "P0420", "P0430",
        *[f"P04{n}" for n in range(40, 57)],
        *[f"P010{n}" for n in range(9)],
        *[f"P01{n}" for n in range(15, 29)],
        "P0217",
        *[f"P03{n}" for n in range(25, 35)],
        *[f"P040{n}" for n in range(10)],
        "P0500", "P0505", "P0506", "P0507", "P0700",
    ],
)  # fmt: skip
def test_the_codes_we_promise_are_in_the_table(code: str) -> None:
    assert code in GENERIC_CODES
    assert describe(code).known


def test_known_codes() -> None:
    misfire = describe("P0301")
    assert misfire.description == "Misfire detected in cylinder 1"
    assert (misfire.system, misfire.scope, misfire.subsystem) == (
        "powertrain",
        Scope.GENERIC,
        "ignition system or misfire",
    )
    assert describe("P0312").description == "Misfire detected in cylinder 12"
    assert "bank 1" in describe("P0420").description
    assert "lean" in describe("P0171").description
    assert "thermostat" in describe("P0128").description
    assert describe("U0100").description == "Lost communication with the engine control module"


@pytest.mark.parametrize(
    ("code", "system", "scope"),
    [
        ("P0999", "powertrain", Scope.GENERIC),
        ("P1234", "powertrain", Scope.MANUFACTURER),
        ("P2FFF", "powertrain", Scope.GENERIC),
        ("P3000", "powertrain", Scope.MANUFACTURER),
        ("P3400", "powertrain", Scope.GENERIC),
        ("C0123", "chassis", Scope.GENERIC),
        ("C1234", "chassis", Scope.MANUFACTURER),
        ("B0001", "body", Scope.GENERIC),
        ("B2AAA", "body", Scope.MANUFACTURER),
        ("B3123", "body", Scope.RESERVED),
        ("U0401", "network", Scope.GENERIC),
        ("U1000", "network", Scope.MANUFACTURER),
    ],
)
def test_families(code: str, system: str, scope: Scope) -> None:
    info = describe(code)
    assert (info.system, info.scope, info.known) == (system, scope, False)
    assert system in info.description.lower()


def test_family_descriptions_name_the_subsystem() -> None:
    assert describe("P0399").subsystem == "ignition system or misfire"
    assert "ignition system or misfire" in describe("P0399").description
    assert describe("P0799").subsystem == "transmission"
    assert "manufacturer" in describe("P1799").description.lower()
    assert "implausible data" in describe("U0499").description
    assert describe("C0123").subsystem is None


@pytest.mark.parametrize(
    "raw", ["", "P030", "P03011", "X0301", "P4301", "P030G", "PO301", "P 0301", "\u0660P0301"]
)
def test_malformed_codes_are_refused(raw: str) -> None:
    assert normalize(raw) is None
    with pytest.raises(ValueError, match="not a diagnostic trouble code"):
        describe(raw)


def test_normalize_accepts_case_and_padding() -> None:
    assert normalize(" p0a0f\n") == "P0A0F"
    assert normalize(301) is None


@given(WELL_FORMED)
def test_every_well_formed_code_has_a_description(code: str) -> None:
    info = describe(code)
    assert info.code == code
    assert info.description.strip()
    assert info.system in info.description.lower() or info.known
    assert info.known == (code in GENERIC_CODES)


@given(st.text(max_size=8))
def test_describe_never_fails_unexpectedly(raw: str) -> None:
    if normalize(raw) is None:
        with pytest.raises(ValueError):  # noqa: PT011 - the message is checked above
            describe(raw)
    else:
        assert describe(raw).description
