"""The JSON format of Traccar Client ≥ 9 (the background-geolocation SDK's own payload):

``{"device_id": …, "location": {"timestamp": ISO, "coords": {"latitude", "longitude",
"speed" (m/s), "heading", "altitude", "accuracy", …}, "battery": {"level" (0..1),
"is_charging"}, "is_moving", "odometer" (m), "event", "activity": {"type"}, "mock", "extras"}}``

``location`` may also be a list (the SDK's batch sync). −1 means "unknown" for speed, heading,
accuracy and battery level and is never stored. A location without ``coords`` has no fix to
store. Optional fields of the wrong type are ignored rather than refusing the report: a 400
would leave it at the head of the phone's queue for ever.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import MPS_TO_KMH, Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.osmand.report import PROTOCOL, OsmAndReport
from fleetyard.telematics.protocols.osmand.values import (
    check_coordinates,
    check_device_id,
    from_epoch,
    json_known,
    json_number,
    parse_timestamp,
)

MAX_LOCATIONS = 1000


def decode_json(body: bytes, *, received_at: datetime) -> OsmAndReport:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("body is not JSON") from exc
    if not isinstance(document, dict):
        raise ProtocolError("JSON body is not an object")
    unique_id = _device_id(document.get("device_id"))
    location = document.get("location")
    locations = location if isinstance(location, list) else [location]
    if len(locations) > MAX_LOCATIONS:
        raise ProtocolError(f"more than {MAX_LOCATIONS} locations in one request")
    positions = []
    for item in locations:
        if not isinstance(item, dict):
            raise ProtocolError("location is not an object")
        if (position := _position(unique_id, item, received_at)) is not None:
            positions.append(position)
    return OsmAndReport(unique_id, positions)


def _device_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError("no device_id")
    return check_device_id(value.strip())


def _position(unique_id: str, location: dict[str, Any], received_at: datetime) -> Position | None:
    coords = location.get("coords")
    if not isinstance(coords, dict):
        return None
    latitude, longitude = json_number(coords.get("latitude")), json_number(coords.get("longitude"))
    if latitude is None or longitude is None:
        raise ProtocolError("coords without a numeric latitude and longitude")
    check_coordinates(latitude, longitude)
    speed = json_known(coords.get("speed"))
    return Position(
        unique_id=unique_id,
        protocol=PROTOCOL,
        fix_time=_time(location.get("timestamp"), received_at),
        latitude=latitude,
        longitude=longitude,
        speed_kmh=None if speed is None else speed * MPS_TO_KMH,
        course=json_known(coords.get("heading")),
        altitude_m=json_number(coords.get("altitude")),
        odometer_m=json_known(location.get("odometer")),
        attributes=_attributes(location, coords),
    )


def _time(value: object, received_at: datetime) -> datetime:
    if isinstance(value, str):
        return parse_timestamp(value)
    number = json_number(value)
    if number is not None and number >= 0:
        return from_epoch(number)
    return received_at


def _attributes(location: dict[str, Any], coords: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if (accuracy := json_known(coords.get("accuracy"))) is not None:
        values[attr.ACCURACY_M] = accuracy
    battery = location.get("battery")
    if isinstance(battery, dict):
        if (level := json_known(battery.get("level"))) is not None:
            values[attr.BATTERY_LEVEL_PCT] = round(level * 100, 1)  # not int(): 0.29 → 28
        if isinstance(charging := battery.get("is_charging"), bool):
            values[attr.CHARGE] = charging
    if isinstance(moving := location.get("is_moving"), bool):
        values[attr.MOTION] = moving
    if isinstance(mock := location.get("mock"), bool):
        values[attr.MOCK] = mock
    if isinstance(event := location.get("event"), str) and event:
        values[attr.EVENT] = event
    activity = location.get("activity")
    if isinstance(activity, dict) and isinstance(kind := activity.get("type"), str):
        values[attr.ACTIVITY] = kind
    if isinstance(extras := location.get("extras"), dict) and extras:
        values[attr.EXTRAS] = extras
    return values
