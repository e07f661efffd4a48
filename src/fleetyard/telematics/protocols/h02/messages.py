"""H02 text sentences: ``*<maker>,<id>,<type>,<fields…>#``, their fixes and our replies.

The sentence structure is strict (anything else is not H02). The fix fields are read
tolerantly, as firmware variants differ: a fix we can't read is "no position", never 0,0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from fleetyard.telematics.position import KNOTS_TO_KMH, Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.h02 import tables

PROTOCOL = "h02"
MAX_ID_DIGITS = 20
_TYPE = re.compile(r"[A-Za-z0-9]+")
# ddmm.mmmm (any number of degree digits) | -dd-mm.mmmm | dddmmmmmm (4 implied decimals)
_COORDINATE = re.compile(r"(\d+)(\d\d\.\d+)|-(\d+)-(\d+\.\d+)|(\d+)(\d\d)(\d{4})")
_DECIMAL = re.compile(r"\d+(?:\.\d*)?")
_SIX_DIGITS = re.compile(r"\d{6}")
_STATUS = re.compile(r"[0-9A-Fa-f]{8}")
_HEMISPHERES = {"N": 1, "S": -1, "E": 1, "W": -1}


@dataclass(frozen=True, slots=True)
class Sentence:
    manufacturer: str  # "HQ" mostly; any two characters
    device_id: str
    type: str  # V1, V4, NBR, LINK, HTBT, …
    fields: tuple[str, ...]  # everything after the type


def parse_sentence(raw: bytes) -> Sentence:
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProtocolError("non-ASCII byte in a text sentence") from exc
    if not (text.startswith("*") and text.endswith("#")):
        raise ProtocolError("a text sentence runs from * to #")
    parts = text[1:-1].split(",")
    if len(parts) < 3:
        raise ProtocolError("sentence without maker, id and type")
    manufacturer, device_id, kind = parts[:3]
    if len(manufacturer) != 2 or not manufacturer.isalnum():
        raise ProtocolError(f"bad maker field {manufacturer[:8]!r}")
    if not (device_id.isdigit() and len(device_id) <= MAX_ID_DIGITS):
        raise ProtocolError(f"bad device id {device_id[:24]!r}")
    if not _TYPE.fullmatch(kind):
        raise ProtocolError(f"bad message type {kind[:8]!r}")
    return Sentence(manufacturer, device_id, kind, tuple(parts[3:]))


def is_location(sentence: Sentence) -> bool:
    return sentence.type.startswith("V") and sentence.type not in tables.LOCATION_TYPES_EXCLUDED


def decode_location(sentence: Sentence) -> Position | None:
    """V1 and the other V-type fixes:
    ``hhmmss,A|V,lat,N|S,lon,E|W,speed(knots),course,[battery,]DDMMYY,status(8 hex)[,…]``."""
    fields = sentence.fields
    if len(fields) < 9:
        return None
    time_text, validity, lat_text, north_south, lon_text, east_west, speed, course = fields[:8]
    rest = list(fields[8:])
    if len(rest) > 1 and not _SIX_DIGITS.fullmatch(rest[0]) and _SIX_DIGITS.fullmatch(rest[1]):
        rest.pop(0)  # firmware variant with a battery field before the date
    fix_time = parse_time(rest[0], time_text)
    latitude = parse_coordinate(lat_text, north_south, "NS", 90.0)
    longitude = parse_coordinate(lon_text, east_west, "EW", 180.0)
    if fix_time is None or latitude is None or longitude is None:
        return None
    position = Position(
        unique_id=sentence.device_id,
        protocol=PROTOCOL,
        fix_time=fix_time,
        latitude=latitude,
        longitude=longitude,
        valid=validity == "A" or validity.isdigit(),  # a number is a coding scheme: valid
        speed_kmh=_knots_to_kmh(speed),
        course=_decimal(course),
    )
    if len(rest) > 1 and _STATUS.fullmatch(rest[1]):
        status = int(rest[1], 16)
        position.attributes.update(tables.status_attributes(status))
        position.ignition = tables.ignition(status)
    return position


def parse_time(date_text: str, time_text: str) -> datetime | None:
    """DDMMYY + hhmmss, UTC; None when either is missing or impossible (000000 = no fix)."""
    if not (_SIX_DIGITS.fullmatch(date_text) and _SIX_DIGITS.fullmatch(time_text)):
        return None
    day, month, year = (int(date_text[i : i + 2]) for i in (0, 2, 4))
    hour, minute, second = (int(time_text[i : i + 2]) for i in (0, 2, 4))
    try:
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def parse_coordinate(text: str, hemisphere: str, allowed: str, limit: float) -> float | None:
    """NMEA degrees+minutes to signed decimal degrees; None when unreadable or out of range."""
    match = _COORDINATE.fullmatch(text.strip())
    if match is None or hemisphere not in allowed or not hemisphere:
        return None
    if match[1] is not None:
        degrees, minutes = int(match[1]), float(match[2])
    elif match[3] is not None:
        degrees, minutes = int(match[3]), float(match[4])
    else:
        degrees, minutes = int(match[5]), int(match[6]) + int(match[7]) / 10_000
    value = degrees + minutes / 60
    if minutes >= 60 or value > limit:
        return None
    return value * _HEMISPHERES[hemisphere]


def _decimal(text: str) -> float | None:
    text = text.strip()
    return float(text) if _DECIMAL.fullmatch(text) else None


def _knots_to_kmh(text: str) -> float | None:
    knots = _decimal(text)
    return None if knots is None else knots * KNOTS_TO_KMH


def command_text(sentence: Sentence) -> str:
    """A V4 sentence is the device's answer to a command: ``V4,<command>,<values…>``."""
    return ",".join(sentence.fields)


def location_reply(sentence: Sentence, now: datetime) -> bytes:
    """What Traccar answers to V1: ``*HQ,<id>,V4,V1,<yyyyMMddHHmmss UTC>#``."""
    return _timed_reply(sentence.device_id, "V1", now)


def cells_reply(sentence: Sentence, now: datetime) -> bytes:
    """What Traccar answers to NBR (a cell list): ``*HQ,<id>,V4,NBR,<yyyyMMddHHmmss UTC>#``."""
    return _timed_reply(sentence.device_id, "NBR", now)


def heartbeat_reply(sentence: Sentence) -> bytes:
    """V0 and HTBT are answered by echoing ``*<maker>,<id>,<type>#``."""
    return f"*{sentence.manufacturer},{sentence.device_id},{sentence.type}#".encode("ascii")


def _timed_reply(device_id: str, kind: str, now: datetime) -> bytes:
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"*HQ,{device_id},V4,{kind},{stamp}#".encode("ascii")
