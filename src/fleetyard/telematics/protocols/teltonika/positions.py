"""One AVL record → one normalized Position (units: degrees, metres, km/h, aware UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from fleetyard.telematics.attributes import EVENT, GENERATION_TYPE, IO, PRIORITY
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord
from fleetyard.telematics.protocols.teltonika.io_elements import read_io

PROTOCOL: Final = "teltonika"
COORDINATE_SCALE: Final = 10_000_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def to_position(unique_id: str, record: AvlRecord) -> Position:
    latitude = record.latitude_e7 / COORDINATE_SCALE
    longitude = record.longitude_e7 / COORDINATE_SCALE
    reading = read_io(record.io, record.event_io_id)
    attributes: dict[str, Any] = {
        **reading.attributes,
        PRIORITY: record.priority,
        EVENT: record.event_io_id,
        IO: {
            str(io_id): data.hex() if variable else int.from_bytes(data, "big")  # IoValue.raw
            for io_id, (data, variable) in record.io.items()
        },
    }
    if record.generation_type is not None:
        attributes[GENERATION_TYPE] = record.generation_type
    return Position(
        unique_id=unique_id,
        protocol=PROTOCOL,
        fix_time=fix_time(record.timestamp_ms),
        latitude=latitude,
        longitude=longitude,
        valid=_has_fix(record, latitude, longitude),
        speed_kmh=float(record.speed_kmh),
        course=float(record.angle),
        altitude_m=float(record.altitude_m),
        satellites=record.satellites,
        hdop=reading.hdop,
        ignition=reading.ignition,
        odometer_m=reading.odometer_m,
        attributes=attributes,
    )


def fix_time(timestamp_ms: int) -> datetime:
    """Milliseconds since the epoch, kept exact (real devices send a non-zero ms part)."""
    try:
        return _EPOCH + timedelta(milliseconds=timestamp_ms)
    except OverflowError as exc:
        raise ProtocolError(f"timestamp {timestamp_ms} ms is out of range") from exc


def _has_fix(record: AvlRecord, latitude: float, longitude: float) -> bool:
    """Traccar's rule (satellites in use), plus: 0,0 and out-of-range coordinates are no fix."""
    if record.satellites == 0 or (record.latitude_e7 == 0 and record.longitude_e7 == 0):
        return False
    return -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0
