"""Verizon Connect Reveal records → ``Position`` and ``VendorVehicle``: pure functions, no I/O.

Reveal answers in PascalCase, but the spelling of a field differs between its API products,
regions and document versions (``UpdateUTC`` / ``UpdateUtc``, ``VIN`` / ``Vin``), so fields
are looked up case-insensitively under every documented name. What a record holds is checked
strictly: a field of the wrong type rejects the record (``RecordRejected`` with a short reason,
counted by the caller), never guessed at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

from fleetyard.integrations.providers.base import VendorVehicle
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import MPH_TO_KMH, Position

SpeedUnit = Literal["mph", "kmh"]
PROTOCOL: Final = "verizon_connect"
KM_TO_M: Final = 1000.0
MILE_TO_M: Final = 1609.344
MAX_SPEED_KMH: Final = 1000.0  # beyond this a reading is garbage, not a vehicle

TIME_KEYS: Final = ("updateutc", "updatedateutc", "datetimeutc", "timestamputc", "gpstimeutc")
LATITUDE_KEYS: Final = ("latitude", "lat")
LONGITUDE_KEYS: Final = ("longitude", "lon", "lng")
SPEED_KMH_KEYS: Final = ("speedkilometresperhour", "speedkilometersperhour", "speedkph", "speedkmh")
SPEED_MPH_KEYS: Final = ("speedmilesperhour", "speedmph")
SPEED_REGIONAL_KEYS: Final = ("speed",)  # mph on the US/CA host, km/h elsewhere
HEADING_KEYS: Final = ("heading", "headingdegrees", "direction", "bearing", "course")
ODOMETER_KM_KEYS: Final = ("odometerinkm", "odometerkilometers", "odometerkilometres", "odometerkm")
ODOMETER_MILES_KEYS: Final = ("odometerinmiles", "odometermiles")
ODOMETER_REGIONAL_KEYS: Final = ("odometer",)
ENGINE_HOURS_KEYS: Final = ("enginehours", "totalenginehours", "enginehourstotal", "hoursofuse")
IGNITION_KEYS: Final = ("ignitionstatus", "ignition", "isignitionon", "enginestatus", "enginestate")
DISPLAY_STATE_KEYS: Final = ("displaystate",)
DRIVER_KEYS: Final = ("drivernumber",)

VEHICLE_NUMBER_KEYS: Final = ("vehiclenumber", "number", "vehicleno")
VEHICLE_NAME_KEYS: Final = ("name", "vehiclename", "displayname", "description")
VIN_KEYS: Final = ("vin",)
PLATE_KEYS: Final = ("registrationnumber", "licenseplatenumber", "licenseplate", "plate", "tag")
SERIAL_KEYS: Final = ("trackerserialnumber", "esn", "deviceserialnumber", "serialnumber")

COMPASS_DEGREES: Final = {
    name: index * 22.5
    for index, name in enumerate(
        "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()  # noqa: SIM905
    )
}
_ON_WORDS: Final = frozenset({"on", "true", "1", "running", "ignitionon", "engineon"})
_OFF_WORDS: Final = frozenset({"off", "false", "0", "ignitionoff", "engineoff"})
# Reveal's vehicle states; ignition is on while moving or idling, off when stopped or parked.
_STATE_IGNITION: Final = {
    "moving": True,
    "idle": True,
    "idling": True,
    "stopped": False,
    "stop": False,
    "parked": False,
    "off": False,
}


class RecordRejected(Exception):
    """A record that cannot be read; ``reason`` is the short key it is counted under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def lowered(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields under lower-case names (the first spelling wins)."""
    fields: dict[str, Any] = {}
    for key, value in record.items():
        fields.setdefault(key.lower(), value)
    return fields


def _first(fields: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    for key in keys:
        value = fields.get(key)
        if value is not None and value != "":
            return key, value
    return None


def _number(value: Any, reason: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordRejected(reason)
    number = float(value)
    if not math.isfinite(number) or abs(number) > attr.MAX_READING:
        raise RecordRejected(reason)
    return number


def parse_time(value: Any) -> datetime:
    """A Reveal time (ISO 8601, ``Z`` or an offset, or naive meaning UTC) as aware UTC."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise RecordRejected("bad_time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordRejected("bad_time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if parsed.year < 2000:
        raise RecordRejected("bad_time")
    return parsed


def record_time(fields: Mapping[str, Any]) -> datetime:
    found = _first(fields, TIME_KEYS)
    if found is None:
        raise RecordRejected("missing_time")
    return parse_time(found[1])


def _coordinates(fields: Mapping[str, Any]) -> tuple[float, float]:
    latitude = _first(fields, LATITUDE_KEYS)
    longitude = _first(fields, LONGITUDE_KEYS)
    if latitude is None or longitude is None:
        raise RecordRejected("missing_position")
    lat = _number(latitude[1], "bad_position")
    lon = _number(longitude[1], "bad_position")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise RecordRejected("bad_position")
    if lat == 0.0 and lon == 0.0:
        raise RecordRejected("no_fix")  # private mode or no fix: Reveal withholds the place
    return lat, lon


def _speed_kmh(fields: Mapping[str, Any], unit: SpeedUnit) -> float | None:
    if (found := _first(fields, SPEED_KMH_KEYS)) is not None:
        speed = _number(found[1], "bad_speed")
    elif (found := _first(fields, SPEED_MPH_KEYS)) is not None:
        speed = _number(found[1], "bad_speed") * MPH_TO_KMH
    elif (found := _first(fields, SPEED_REGIONAL_KEYS)) is not None:
        speed = _number(found[1], "bad_speed")
        speed = speed * MPH_TO_KMH if unit == "mph" else speed
    else:
        return None
    if not 0.0 <= speed <= MAX_SPEED_KMH:
        raise RecordRejected("bad_speed")
    return round(speed, 3)


def _heading(fields: Mapping[str, Any]) -> float | None:
    found = _first(fields, HEADING_KEYS)
    if found is None:
        return None
    value = found[1]
    if isinstance(value, str):
        degrees = COMPASS_DEGREES.get(value.strip().upper())
        if degrees is None:
            raise RecordRejected("bad_heading")
        return degrees
    heading = _number(value, "bad_heading")
    if not 0.0 <= heading <= 360.0:
        raise RecordRejected("bad_heading")
    return heading % 360.0


def _odometer_m(fields: Mapping[str, Any], unit: SpeedUnit) -> float | None:
    if (found := _first(fields, ODOMETER_KM_KEYS)) is not None:
        metres = _number(found[1], "bad_odometer") * KM_TO_M
    elif (found := _first(fields, ODOMETER_MILES_KEYS)) is not None:
        metres = _number(found[1], "bad_odometer") * MILE_TO_M
    elif (found := _first(fields, ODOMETER_REGIONAL_KEYS)) is not None:
        metres = _number(found[1], "bad_odometer") * (MILE_TO_M if unit == "mph" else KM_TO_M)
    else:
        return None
    if metres < 0:
        raise RecordRejected("bad_odometer")
    return round(metres, 1)


def _switch(value: Any, reason: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower().replace(" ", "").replace("_", "")
        if word in _ON_WORDS:
            return True
        if word in _OFF_WORDS:
            return False
    raise RecordRejected(reason)


def _display_state(fields: Mapping[str, Any]) -> str | None:
    found = _first(fields, DISPLAY_STATE_KEYS)
    if found is None:
        return None
    if not isinstance(found[1], str):
        raise RecordRejected("bad_state")
    return found[1].strip().lower()


def _readings(fields: Mapping[str, Any], state: str | None) -> dict[str, Any]:
    readings: dict[str, Any] = {}
    if (found := _first(fields, ENGINE_HOURS_KEYS)) is not None:
        hours = _number(found[1], "bad_engine_hours")
        if hours < 0:
            raise RecordRejected("bad_engine_hours")
        readings[attr.ENGINE_HOURS] = hours
    if state is not None:
        readings[attr.MOTION] = state == "moving"
    if (found := _first(fields, DRIVER_KEYS)) is not None:
        driver = found[1]
        if isinstance(driver, bool) or not isinstance(driver, str | int):
            raise RecordRejected("bad_driver")
        readings[attr.DRIVER_UNIQUE_ID] = str(driver).strip()
    if (found := _first(fields, ("batterylevel",))) is not None:
        readings[attr.EXTRAS] = {"battery_level": _number(found[1], "bad_battery")}
    return readings


def position_from_record(record: Any, vehicle_number: str, speed_unit: SpeedUnit) -> Position:
    """One Reveal GPS/status record of ``vehicle_number`` as a Position, or RecordRejected."""
    if not isinstance(record, Mapping) or not all(isinstance(k, str) for k in record):
        raise RecordRejected("not_an_object")
    fields = lowered(record)
    fix_time = record_time(fields)
    latitude, longitude = _coordinates(fields)
    state = _display_state(fields)
    ignition_field = _first(fields, IGNITION_KEYS)
    if ignition_field is not None:
        ignition: bool | None = _switch(ignition_field[1], "bad_ignition")
    else:
        ignition = _STATE_IGNITION.get(state) if state is not None else None
    return Position(
        unique_id=vehicle_number,
        protocol=PROTOCOL,
        fix_time=fix_time,
        latitude=latitude,
        longitude=longitude,
        speed_kmh=_speed_kmh(fields, speed_unit),
        course=_heading(fields),
        ignition=ignition,
        odometer_m=_odometer_m(fields, speed_unit),
        attributes=_readings(fields, state),
    )


def _text(fields: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    found = _first(fields, keys)
    if found is None:
        return None
    value = found[1]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordRejected("bad_vehicle_field")
    text = str(value).strip()
    return text[:200] or None


def vehicle_from_record(record: Any) -> VendorVehicle:
    """One Reveal vehicle (CMD API) as a VendorVehicle, keyed by its Vehicle Number."""
    if not isinstance(record, Mapping) or not all(isinstance(k, str) for k in record):
        raise RecordRejected("not_an_object")
    fields = lowered(record)
    number = _text(fields, VEHICLE_NUMBER_KEYS)
    if number is None:
        raise RecordRejected("missing_vehicle_number")
    return VendorVehicle(
        vendor_id=number,
        name=_text(fields, VEHICLE_NAME_KEYS),
        vin=_text(fields, VIN_KEYS),
        serial=_text(fields, SERIAL_KEYS),
        plate=_text(fields, PLATE_KEYS),
    )
