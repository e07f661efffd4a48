"""H02 binary records (``$``, 0x24): packed BCD, read as a string of hex nibbles.

```
$ | id 5 | hhmmss 3 | DDMMYY 3 | lat DDMMmmmm 4 | battery 1 | lon DDDMMmmmm + flags 5 |
  speed SSS (knots) + course CCC 3 | status 4 | model-specific tail
```
Flags nibble: bit 1 valid, bit 2 north, bit 3 east (a cleared bit means south / west).
"""

from __future__ import annotations

from fleetyard.telematics.position import KNOTS_TO_KMH, Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.h02 import tables
from fleetyard.telematics.protocols.h02.messages import PROTOCOL, parse_time

MIN_LENGTH = 29  # through the status word


def binary_device_id(raw: bytes) -> str:
    device_id = raw[1:6].hex()
    if len(raw) < MIN_LENGTH or raw[:1] != b"$" or not device_id.isdigit():
        raise ProtocolError("not an H02 binary record")
    return device_id


def decode_binary(raw: bytes) -> Position | None:
    """The record's fix, or None when its BCD fields don't make one (no fix yet)."""
    device_id = binary_device_id(raw)
    nibbles = raw[6:MIN_LENGTH].hex()
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
    position = Position(
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
    return position


def _degrees(digits: str, degree_digits: int) -> float | None:
    """``DD(D)MMmmmm`` to decimal degrees (minutes have 4 implied decimals); None if impossible."""
    minutes = int(digits[degree_digits:]) / 10_000
    value = int(digits[:degree_digits]) + minutes / 60
    limit = 90 if degree_digits == 2 else 180
    return None if minutes >= 60 or value > limit else value
