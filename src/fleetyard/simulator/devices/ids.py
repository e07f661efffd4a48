"""Device ids for simulated trackers: IMEIs with a valid Luhn check digit, and OsmAnd ids.

An IMEI is an 8-digit type allocation code (TAC), a 6-digit serial and the Luhn check digit.
The TACs below are made up for the simulator, shaped like the ranges real vendors use, so a
simulated device looks like its kind in a device list.
"""

from __future__ import annotations

from typing import Final

SIMULATED_TACS: Final = {
    "teltonika": "35630799",
    "gt06": "86420099",
    "h02": "86358099",
}
SERIALS: Final = 1_000_000
OSMAND_IDS: Final = 100_000_000  # 8-digit ids, like the ones Traccar Client makes up


def luhn_check_digit(digits: str) -> str:
    """The digit that makes ``digits + check`` pass the Luhn test (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # every second digit from the right, starting next to the check
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def is_valid_imei(text: str) -> bool:
    return len(text) == 15 and text.isdigit() and luhn_check_digit(text[:14]) == text[14]


def imei(tac: str, serial: int) -> str:
    if len(tac) != 8 or not tac.isdigit():
        raise ValueError(f"a TAC is 8 digits, got {tac!r}")
    body = f"{tac}{serial % SERIALS:06d}"
    return body + luhn_check_digit(body)


def simulated_unique_id(protocol: str, number: int) -> str:
    """The ``number``-th simulated device's id for ``protocol`` (unique per protocol for
    fewer than a million devices)."""
    if protocol == "osmand":
        return f"{number % OSMAND_IDS:08d}"
    return imei(SIMULATED_TACS[protocol], number)
