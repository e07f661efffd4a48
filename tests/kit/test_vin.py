"""VIN validation (ISO 3779 shape, North American check digit) and decoding, as properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from fleetyard.kit.vin import Vin, check_digit, decode_vin, validate_vin

ALLOWED = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O or Q
CHECK_CHARACTERS = "0123456789X"
VIN_TYPE = TypeAdapter(Vin)

# (VIN, make, model year) from manufacturers' documents and public decoders
REAL_VINS = [
    ("1HGCM82633A004352", "Honda", 2003),
    ("1M8GDM9AXKP042788", "Mercury", 2019),
    ("JH4KA7561PC008269", "Acura", 2023),
]


def with_check_digit(draft: str) -> str:
    return draft[:8] + check_digit(draft) + draft[9:]


drafts = st.text(alphabet=ALLOWED, min_size=17, max_size=17)
vins = drafts.map(with_check_digit)


@given(vins)
def test_a_vin_with_its_check_digit_is_valid(vin: str) -> None:
    assert validate_vin(vin) == vin
    assert VIN_TYPE.validate_python(vin) == vin


@given(vins, st.sampled_from(CHECK_CHARACTERS))
def test_any_other_check_digit_is_refused(vin: str, wrong: str) -> None:
    assume(wrong != vin[8])
    spoiled = vin[:8] + wrong + vin[9:]
    with pytest.raises(ValueError, match="check digit"):
        validate_vin(spoiled)
    with pytest.raises(ValidationError):
        VIN_TYPE.validate_python(spoiled)


@given(vins, st.integers(0, 16), st.sampled_from(ALLOWED))
def test_changing_one_weighted_character_breaks_the_check_digit_or_keeps_it_right(
    vin: str, position: int, replacement: str
) -> None:
    """Each position but the 9th carries weight, so a typo is caught unless it happens to map
    to the same value (A/J, B/K/S, …): the result is valid exactly when the digit still fits."""
    assume(position != 8)
    typo = vin[:position] + replacement + vin[position + 1 :]
    if check_digit(typo) == typo[8]:
        assert validate_vin(typo) == typo
    else:
        with pytest.raises(ValueError, match="check digit"):
            validate_vin(typo)


@given(vins, st.sampled_from(" \t\n"), st.sampled_from(" \t\n"))
def test_lowercase_and_surrounding_whitespace_are_normalised(
    vin: str, before: str, after: str
) -> None:
    assert validate_vin(vin.lower()) == vin
    assert validate_vin(before + vin.lower() + after) == vin
    assert VIN_TYPE.validate_python(vin.lower()) == vin


@given(drafts, st.sampled_from("ABCDEFGHJKLMNPRSTUVWYZ"))
def test_a_letter_at_position_nine_means_no_check_digit(draft: str, letter: str) -> None:
    """Makers outside North America and China put a letter there; no checksum applies."""
    vin = draft[:8] + letter + draft[9:]
    assert validate_vin(vin) == vin


@given(st.text(alphabet=ALLOWED).filter(lambda s: len(s) != 17))
def test_wrong_length_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        validate_vin(text)


@given(vins, st.integers(0, 16), st.sampled_from("IOQioq"))
def test_i_o_and_q_are_refused_anywhere(vin: str, position: int, letter: str) -> None:
    with pytest.raises(ValueError, match="without I, O or Q"):
        validate_vin(vin[:position] + letter + vin[position + 1 :])


@given(st.text(max_size=40))
@example("1HGCM82633A00435\x00")
@example("1HGCM82633A00435２")  # a full-width digit: str.isdigit() says yes, the VIN says no
@example("1HGCM-2633A004352")
def test_anything_else_is_valid_or_a_value_error(text: str) -> None:
    try:
        vin = validate_vin(text)
    except ValueError:
        return
    assert len(vin) == 17 and set(vin) <= set(ALLOWED)
    assert vin[8] not in CHECK_CHARACTERS or check_digit(vin) == vin[8]


@pytest.mark.parametrize(("vin", "make", "year"), REAL_VINS)
def test_real_vins(vin: str, make: str, year: int) -> None:
    assert validate_vin(vin) == vin
    details = decode_vin(vin, max_year=2026)
    assert details.make == make
    assert details.year == year


def test_a_real_vin_with_a_typo_in_its_serial() -> None:
    """Last character 2 → 3: position 9 holds '3' but this VIN's check digit would be '5'."""
    with pytest.raises(ValueError, match="expected '5' at position 9"):
        validate_vin("1HGCM82633A004353")


def test_decode_honda_2003() -> None:
    details = decode_vin("1HGCM82633A004352", max_year=2026)
    assert (details.make, details.year) == ("Honda", 2003)


def test_the_model_year_is_the_latest_the_code_allows() -> None:
    """Year codes repeat every 30 years: 'K' is 1989 or 2019, never a year not yet built."""
    assert decode_vin("1M8GDM9AXKP042788", max_year=2026).year == 2019
    assert decode_vin("1M8GDM9AXKP042788", max_year=2018).year == 1989
    assert decode_vin("1M8GDM9AXKP042788", max_year=1988).year is None


@given(vins, st.integers(1980, 2100))
def test_decoding_never_raises(vin: str, max_year: int) -> None:
    details = decode_vin(vin, max_year=max_year)
    assert details.make is None or (isinstance(details.make, str) and details.make)
    assert details.year is None or 1980 <= details.year <= max_year
