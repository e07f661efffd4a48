"""The OsmAnd key=value format (URL query or form body), as legacy Traccar Client and the
OsmAnd app send it: ``id, timestamp, lat, lon, speed, bearing, altitude, accuracy, batt, …``.

The speed unit is not fixed by the protocol: Traccar reads knots by default (legacy Traccar
Client sends m/s × 1.943844), the OsmAnd app reportedly m/s; it is a per-port setting here.
Keys we have no name for are kept under ``attributes.EXTRAS`` (true/false → bool, numbers →
float, else the string), as Traccar keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.osmand.report import PROTOCOL, OsmAndReport
from fleetyard.telematics.protocols.osmand.values import (
    TO_KMH,
    SpeedUnit,
    check_coordinates,
    check_device_id,
    looks_numeric,
    parse_bool,
    parse_number,
    parse_timestamp,
)

ID_KEYS: Final = ("id", "deviceid")
_CORE_KEYS: Final = frozenset(
    {*ID_KEYS, "lat", "lon", "location", "timestamp", "speed", "bearing", "heading", "altitude"}
    | {"hdop", "ignition", "valid", "odometer", "cell", "wifi"}
)
NUMBER_ATTRIBUTES: Final = {
    "accuracy": attr.ACCURACY_M,
    "batt": attr.BATTERY_LEVEL_PCT,
    "rpm": attr.RPM,
}
BOOL_ATTRIBUTES: Final = {"charge": attr.CHARGE, "motion": attr.MOTION, "mock": attr.MOCK}
TEXT_ATTRIBUTES: Final = {
    "alarm": attr.ALARM,
    "event": attr.EVENT,
    "driverUniqueId": attr.DRIVER_UNIQUE_ID,
}
_MAC = re.compile(r"[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}", re.ASCII)


def decode_params(
    pairs: Sequence[tuple[str, str]], *, received_at: datetime, speed_unit: SpeedUnit = "knots"
) -> OsmAndReport:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    unique_id = next((params[k][0].strip() for k in ID_KEYS if k in params), "")
    if not unique_id:
        raise ProtocolError("no id/deviceid parameter")
    check_device_id(unique_id)
    coordinates = _coordinates(params)
    if coordinates is None:
        return OsmAndReport(unique_id, [])  # a cell/wifi-only report: nothing to store
    position = Position(
        unique_id=unique_id,
        protocol=PROTOCOL,
        fix_time=_time(params, received_at),
        latitude=coordinates[0],
        longitude=coordinates[1],
        valid=_bool(params, "valid", default=None) is not False,
        speed_kmh=_speed(params, speed_unit),
        course=_number(params, "bearing", "heading"),
        altitude_m=_number(params, "altitude"),
        hdop=_number(params, "hdop"),
        ignition=_bool(params, "ignition", default=None),
        odometer_m=_number(params, "odometer"),
        attributes=_attributes(params),
    )
    return OsmAndReport(unique_id, [position])


def _first(params: dict[str, list[str]], *keys: str) -> tuple[str, str] | None:
    return next(((k, params[k][0]) for k in keys if k in params and params[k][0].strip()), None)


def _number(params: dict[str, list[str]], *keys: str) -> float | None:
    found = _first(params, *keys)
    return None if found is None else parse_number(found[1], found[0])


def _bool(params: dict[str, list[str]], key: str, *, default: bool | None) -> bool | None:
    found = _first(params, key)
    return default if found is None else parse_bool(found[1], key)


def _coordinates(params: dict[str, list[str]]) -> tuple[float, float] | None:
    latitude, longitude = _number(params, "lat"), _number(params, "lon")
    if (location := _first(params, "location")) is not None:
        parts = location[1].split(",")
        if len(parts) != 2:
            raise ProtocolError("location is not lat,lon")
        latitude, longitude = parse_number(parts[0], "location"), parse_number(parts[1], "location")
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise ProtocolError("lat without lon, or lon without lat")
    check_coordinates(latitude, longitude)
    return latitude, longitude


def _time(params: dict[str, list[str]], received_at: datetime) -> datetime:
    found = _first(params, "timestamp")
    return received_at if found is None else parse_timestamp(found[1])


def _speed(params: dict[str, list[str]], unit: SpeedUnit) -> float | None:
    speed = _number(params, "speed")
    return None if speed is None else speed * TO_KMH[unit]


def _attributes(params: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for key, raw in params.items():
        text = raw[0].strip()
        if key in _CORE_KEYS or not text:
            continue
        if key in NUMBER_ATTRIBUTES:
            values[NUMBER_ATTRIBUTES[key]] = parse_number(text, key)
        elif key in BOOL_ATTRIBUTES:
            values[BOOL_ATTRIBUTES[key]] = parse_bool(text, key)
        elif key in TEXT_ATTRIBUTES:
            values[TEXT_ATTRIBUTES[key]] = text
        else:
            extras[key] = _typed(text)
    if cells := [_cell(text) for text in params.get("cell", []) if text.strip()]:
        values[attr.CELL_TOWERS] = cells
    if wifi := [_wifi(text) for text in params.get("wifi", []) if text.strip()]:
        values[attr.WIFI_ACCESS_POINTS] = wifi
    if extras:
        values[attr.EXTRAS] = extras
    return values


def _typed(text: str) -> bool | float | str:
    if text in ("true", "false"):
        return text == "true"
    if looks_numeric(text):
        try:
            return parse_number(text, "value")
        except ProtocolError:  # 1e999: keep what was sent
            return text
    return text


def _cell(text: str) -> dict[str, int]:
    """``mcc,mnc,lac,cid[,rssi]``."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) not in (4, 5) or not all(_is_int(part) for part in parts):
        raise ProtocolError("cell is not mcc,mnc,lac,cid[,rssi]")
    return dict(zip(("mcc", "mnc", "lac", "cid", "rssi"), map(int, parts), strict=False))


def _wifi(text: str) -> dict[str, Any]:
    """``mac,rssi``; the MAC may use ``-`` or ``:``."""
    mac, _, rssi = text.strip().lower().partition(",")
    if not _MAC.fullmatch(mac) or not _is_int(rssi.strip()):
        raise ProtocolError("wifi is not mac,rssi")
    return {"mac": mac.replace("-", ":"), "rssi": int(rssi)}


def _is_int(text: str) -> bool:
    return re.fullmatch(r"-?\d{1,10}", text, re.ASCII) is not None
