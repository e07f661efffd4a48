"""H02 binary records (``$``, 0x24): packed BCD, read as a string of hex nibbles.

```
$ | id 5 | hhmmss 3 | DDMMYY 3 | lat DDMMmmmm 4 | battery 1 | lon DDDMMmmmm + flags 5 |
  speed SSS (knots) + course CCC 3 | status 4 | alarm flag 1 | reserved 1 | record no 1
```
That is the documented 32-byte record of a device with a 10-digit id. Firmware variants:
- a "long" record appends a tail (13 bytes of satellites, odometer and the serving cell on
  most; 14 or 16 on some): 45, 46 or 48 bytes in all;
- a device that reports its 15-digit IMEI packs it in 8 bytes (the 16th nibble is padding),
  which shifts every field by 3; its status ends at byte 32 and a 10-byte tail follows (42).

Every fix field lies in the first ``CORE_LENGTH`` bytes, whatever the variant; the framer cuts
those and skips the tail. Flags nibble: bit 1 valid, bit 2 north, bit 3 east (a cleared bit
means south / west).
"""

from __future__ import annotations

from typing import Final

from fleetyard.telematics.position import KNOTS_TO_KMH, Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.h02 import tables
from fleetyard.telematics.protocols.h02.messages import PROTOCOL, parse_time

CORE_LENGTH: Final = 32  # every fix field, whichever id width
SHORT_ID: Final = 5  # bytes of a 10-digit id
IMEI_ID: Final = 8  # bytes of a 15-digit IMEI and one padding nibble
# Bytes that may follow the core, by id width (record lengths 32/45/46/48 and 32/42).
TAIL_LENGTHS: Final = {SHORT_ID: (0, 13, 14, 16), IMEI_ID: (0, 10)}
_FIX_BYTES: Final = 23  # clock 6 + lat 4 + battery 1 + lon 5 + speed/course 3 + status 4


def id_width(raw: bytes) -> int:
    """5, unless only the 8-byte reading puts a clock where the clock belongs. A 10-digit id
    is the documented form, so a record with no readable clock either way is read as one."""
    if _looks_like_clock(raw[1 + SHORT_ID : 7 + SHORT_ID]):
        return SHORT_ID
    return IMEI_ID if _looks_like_clock(raw[1 + IMEI_ID : 7 + IMEI_ID]) else SHORT_ID


def binary_device_id(raw: bytes) -> str:
    if len(raw) < CORE_LENGTH or raw[:1] != b"$":
        raise ProtocolError("not an H02 binary record")
    width = id_width(raw)
    digits = raw[1 : 1 + width].hex()
    if width == IMEI_ID:
        digits = digits[:15]  # the 16th nibble pads the IMEI to whole bytes
    if not digits.isdigit():
        raise ProtocolError("an H02 binary record's id is BCD digits")
    return digits


def decode_binary(raw: bytes) -> Position | None:
    """The record's fix, or None when its BCD fields don't make one (no fix yet)."""
    device_id = binary_device_id(raw)
    start = 1 + id_width(raw)
    nibbles = raw[start : start + _FIX_BYTES].hex()
    time_text, date_text = nibbles[0:6], nibbles[6:12]
    lat_digits, lon_digits = nibbles[12:20], nibbles[22:31]
    flags = int(nibbles[31], 16)
    speed_digits, course_digits = nibbles[32:35], nibbles[35:38]
    if not (lat_digits + lon_digits + speed_digits + course_digits).isdigit():
        return None
    fix_time = parse_time(date_text, time_text)
    latitude = _degrees(lat_digits, 2)
    longitude = _degrees(lon_digits, 3)
    if fix_time is None or latitude is None or longitude is None:
        return None
    status = int(nibbles[38:46], 16)
    return Position(
        unique_id=device_id,
        protocol=PROTOCOL,
        fix_time=fix_time,
        latitude=latitude if flags & 0x4 else -latitude,
        longitude=longitude if flags & 0x8 else -longitude,
        valid=bool(flags & 0x2),
        speed_kmh=int(speed_digits) * KNOTS_TO_KMH,
        course=float(int(course_digits)),
        ignition=tables.ignition(status),
        attributes=tables.status_attributes(status),
    )


def _looks_like_clock(packed: bytes) -> bool:
    """``hhmmss DDMMYY`` in BCD; zeros allowed (a device without a fix sends them)."""
    digits = packed.hex()
    if len(digits) != 12 or not digits.isdigit():
        return False
    hour, minute, second, day, month = (int(digits[i : i + 2]) for i in range(0, 10, 2))
    return hour < 24 and minute < 60 and second < 60 and day <= 31 and month <= 12


def _degrees(digits: str, degree_digits: int) -> float | None:
    """``DD(D)MMmmmm`` to decimal degrees (minutes have 4 implied decimals); None if impossible."""
    minutes = int(digits[degree_digits:]) / 10_000
    value = int(digits[:degree_digits]) + minutes / 60
    limit = 90 if degree_digits == 2 else 180
    return None if minutes >= 60 or value > limit else value
