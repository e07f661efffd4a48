"""Value parsing shared by the OsmAnd query and JSON formats: numbers, booleans, times, units.

Every failure is a ``ProtocolError`` whose message names the field (the client gets it in the
400 body), never the raw value at length.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Final, Literal

from fleetyard.telematics.position import KNOTS_TO_KMH, MPH_TO_KMH, MPS_TO_KMH
from fleetyard.telematics.protocols.base import ProtocolError

SpeedUnit = Literal["knots", "kmh", "mps", "mph"]
TO_KMH: Final[dict[str, float]] = {
    "knots": KNOTS_TO_KMH,
    "kmh": 1.0,
    "mps": MPS_TO_KMH,
    "mph": MPH_TO_KMH,
}
EPOCH_SECONDS_LIMIT: Final = 2**31 - 1  # Traccar: a smaller epoch value is seconds, else ms

_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)  # what a device may be registered as
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_EPOCH = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def check_device_id(text: str) -> str:
    if not _DEVICE_ID.fullmatch(text):
        raise ProtocolError("device id must be 1-64 letters, digits, _ or -")
    return text


def parse_number(text: str, name: str) -> float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ProtocolError(f"{name} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ProtocolError(f"{name} is out of range")
    return value


def looks_numeric(text: str) -> bool:
    return _NUMBER.fullmatch(text.strip()) is not None


def parse_bool(text: str, name: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ProtocolError(f"{name} is not true/false/1/0")


def parse_timestamp(text: str, name: str = "timestamp") -> datetime:
    """Epoch seconds or milliseconds, or ISO 8601. A time without a zone is taken as UTC
    (Traccar would use the server's zone; phones send UTC)."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return from_epoch(float(text), name)
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ProtocolError(f"{name} is neither epoch seconds/ms nor ISO 8601") from exc


def from_epoch(value: float, name: str = "timestamp") -> datetime:
    seconds = value if value < EPOCH_SECONDS_LIMIT else value / 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ProtocolError(f"{name} is out of range") from exc


def check_coordinates(latitude: float, longitude: float) -> None:
    if not -90.0 <= latitude <= 90.0:
        raise ProtocolError("latitude out of range")
    if not -180.0 <= longitude <= 180.0:
        raise ProtocolError("longitude out of range")


def json_number(value: object) -> float | None:
    """A JSON number as a finite float; None for null, booleans, strings and the like."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def json_known(value: object) -> float | None:
    """A JSON number where a negative value (−1) is the SDK's "unknown" sentinel."""
    number = json_number(value)
    return None if number is None or number < 0 else number
