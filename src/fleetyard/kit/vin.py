"""Vehicle Identification Numbers (ISO 3779): shape, check digit, decoded make and year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator
from vininfo import Vin as VinInfo
from vininfo.exceptions import ValidationError as VinInfoError

_SHAPE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


def check_digit(vin: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> str:
    """Normalise and validate. Position 9 is the check digit wherever it holds 0–9 or X
    (mandatory in North America and China); makers that do not use one put a letter there."""
    vin = value.strip().upper()
    if not _SHAPE.match(vin):
        raise ValueError("a VIN is 17 characters of 0-9 and A-Z without I, O or Q")
    if (vin[8].isdigit() or vin[8] == "X") and check_digit(vin) != vin[8]:
        raise ValueError(f"VIN check digit is wrong (expected {check_digit(vin)!r} at position 9)")
    return vin


Vin = Annotated[str, AfterValidator(validate_vin)]


@dataclass(frozen=True, slots=True)
class VinDetails:
    make: str | None
    year: int | None


def decode_vin(vin: str, *, max_year: int) -> VinDetails:
    """Manufacturer and the most recent model year the year code allows."""
    try:
        info = VinInfo(vin)
        make = info.manufacturer or None
        years = [y for y in info.years if y <= max_year]
    except (VinInfoError, ValueError, KeyError):
        return VinDetails(None, None)
    if make in ("", "Unknown"):
        make = None
    return VinDetails(make, years[0] if years else None)
