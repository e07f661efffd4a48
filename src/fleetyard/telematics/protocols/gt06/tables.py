"""GT06 code tables: message numbers and alarm names (values of ``attributes.ALARM``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LOGIN: Final = 0x01
LOCATION: Final = 0x12  # GPS + LBS
STATUS: Final = 0x13  # heartbeat
STRING: Final = 0x15  # command response, short frame
ALARM: Final = 0x16  # GPS + LBS + status
STRING_INFO: Final = 0x21  # command response, long frame
LOCATION_2: Final = 0x22  # GPS + LBS + ACC / upload mode / re-upload flags (+ mileage)
ALARM_2: Final = 0x26  # same layout as 0x16

LOCATION_TYPES: Final = frozenset({LOCATION, LOCATION_2})
ALARM_TYPES: Final = frozenset({ALARM, ALARM_2})

# The alarm byte of 0x16/0x26: 0x01–0x05 from the base GT06 document, the rest from later
# Concox documents as Traccar reads them.
ALARM_BY_CODE: Final[Mapping[int, str]] = {
    0x01: "sos",
    0x02: "power_cut",
    0x03: "vibration",
    0x04: "geofence_in",
    0x05: "geofence_out",
    0x06: "overspeed",
    0x09: "vibration",
    0x0E: "low_battery",
    0x0F: "low_battery",
    0x11: "power_off",
    0x13: "tampering",
    0x14: "door",
    0x23: "fall_down",
    0x29: "harsh_acceleration",
    0x2A: "harsh_cornering",
    0x2B: "harsh_cornering",
    0x2C: "accident",
    0x30: "harsh_braking",
}

# Bits 3–5 of the terminal information byte (base document).
ALARM_BY_TERMINAL_BITS: Final[Mapping[int, str]] = {
    0b001: "vibration",
    0b010: "power_cut",
    0b011: "low_battery",
    0b100: "sos",
}
