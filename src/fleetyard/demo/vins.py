"""VINs for demo vehicles: a real maker's WMI, the model's descriptor, the check digit
(ISO 3779, position 9), the model-year code and a serial, so a VIN decoder names the maker
and year the record says."""

from __future__ import annotations

import re
from typing import Final

from fleetyard.kit.vin import check_digit

# Position 10: one code per model year, repeating every 30 years (no I, O, Q, U, Z or 0).
YEAR_CODES: Final = "ABCDEFGHJKLMNPRSTVWXY123456789"
FIRST_CODED_YEAR: Final = 1980
_PART = re.compile(r"^[A-HJ-NPR-Z0-9]+$")


def model_year_code(year: int) -> str:
    return YEAR_CODES[(year - FIRST_CODED_YEAR) % len(YEAR_CODES)]


def make_vin(wmi: str, descriptor: str, year: int, plant: str, serial: int) -> str:
    """``wmi`` (3) + ``descriptor`` (5) + check digit + year code + ``plant`` (1) + serial (6)."""
    parts = {"wmi": (wmi, 3), "descriptor": (descriptor, 5), "plant": (plant, 1)}
    for name, (value, size) in parts.items():
        if len(value) != size or not _PART.match(value):
            raise ValueError(f"a VIN's {name} is {size} of 0-9 and A-Z without I, O or Q")
    if not 0 <= serial < 1_000_000:
        raise ValueError("a VIN's serial is six digits")
    body = f"{wmi}{descriptor}0{model_year_code(year)}{plant}{serial:06d}"
    return body[:8] + check_digit(body) + body[9:]
