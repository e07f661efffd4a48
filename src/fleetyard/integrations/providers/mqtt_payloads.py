"""MQTT payloads → Positions, with no I/O: our JSON position format and OwnTracks'.

``fleetyard_json`` is the JSON body our OsmAnd endpoint accepts from Traccar Client ≥ 9
(``{"device_id", "location": {"timestamp", "coords": {…}, "battery", …}}``, ``location`` may
be a list), parsed by the very same decoder, so a phone or a script can publish what it
would POST. ``owntracks`` is the OwnTracks app's ``_type: "location"`` message (lat, lon,
tst epoch seconds, vel km/h, cog °, alt m, acc m, batt %, tid); its device is named by the
topic ``…/<user>/<device>``, as ``<user>_<device>``.

Every message that yields no position raises ``PayloadRejected`` with a short reason (the
consumer counts it by reason and goes on); nothing else escapes, whatever the bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.osmand.json_format import decode_json
from fleetyard.telematics.protocols.osmand.values import (
    check_coordinates,
    from_epoch,
    json_known,
    json_number,
)

PROTOCOL: Final = "mqtt"
MAX_PAYLOAD_BYTES: Final = 256 * 1024  # one position is ~300 bytes; a batch of 1000 fits

_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)  # what a device may be stored as
_CHARGING_BY_BATTERY_STATUS: Final = {1: False, 2: True, 3: True}  # unplugged, charging, full


class PayloadFormat(StrEnum):
    FLEETYARD_JSON = "fleetyard_json"
    OWNTRACKS = "owntracks"
    AUTO = "auto"  # an object with ``_type`` is OwnTracks, anything else ours


class PayloadRejected(Exception):
    """A message that yields no position; ``reason`` is a short stable kind to count by."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def parse_message(
    topic: str, payload: bytes, payload_format: PayloadFormat, *, received_at: datetime
) -> list[Position]:
    """The positions one message carries (never empty), or ``PayloadRejected``."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadRejected("too_large", f"payload over {MAX_PAYLOAD_BYTES} bytes")
    document = _json_object(payload)
    if payload_format is PayloadFormat.AUTO:
        is_owntracks = "_type" in document
        payload_format = PayloadFormat.OWNTRACKS if is_owntracks else PayloadFormat.FLEETYARD_JSON
    if payload_format is PayloadFormat.OWNTRACKS:
        return [owntracks_position(topic, document)]
    return _fleetyard_positions(payload, received_at)


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise PayloadRejected("not_json", "payload is not JSON") from exc
    if not isinstance(document, dict):
        raise PayloadRejected("not_an_object", "JSON payload is not an object")
    return document


def _fleetyard_positions(payload: bytes, received_at: datetime) -> list[Position]:
    try:
        report = decode_json(payload, received_at=received_at)
    except ProtocolError as exc:
        raise PayloadRejected("invalid_fleetyard_json", str(exc)) from exc
    if not report.positions:
        raise PayloadRejected("no_fix", "location without coords")
    for position in report.positions:
        position.protocol = PROTOCOL
    return report.positions


def owntracks_position(topic: str, document: Mapping[str, Any]) -> Position:
    kind = document.get("_type")
    if kind != "location":
        # lwt, transition, waypoint, card, status…: the app's other messages, not fixes
        raise PayloadRejected("not_a_location", f"OwnTracks _type {str(kind)[:20]!r}")
    latitude, longitude = json_number(document.get("lat")), json_number(document.get("lon"))
    if latitude is None or longitude is None:
        raise PayloadRejected("invalid_owntracks", "lat and lon must be numbers")
    timestamp = json_number(document.get("tst"))
    if timestamp is None or timestamp < 0:
        raise PayloadRejected("invalid_owntracks", "tst must be epoch seconds")
    try:
        check_coordinates(latitude, longitude)
        fix_time = from_epoch(timestamp, "tst")
    except ProtocolError as exc:
        raise PayloadRejected("invalid_owntracks", str(exc)) from exc
    return Position(
        unique_id=owntracks_device_id(topic, document.get("tid")),
        protocol=PROTOCOL,
        fix_time=fix_time,
        latitude=latitude,
        longitude=longitude,
        speed_kmh=json_known(document.get("vel")),  # already km/h
        course=json_known(document.get("cog")),
        altitude_m=json_number(document.get("alt")),
        attributes=_owntracks_attributes(document),
    )


def owntracks_device_id(topic: str, tracker_id: object) -> str:
    """``<user>_<device>`` from a topic ``[prefix/]<user>/<device>`` (OwnTracks publishes a
    location on its base topic ``owntracks/%u/%d``); the two-letter ``tid`` only when the topic
    has a single level."""
    levels = topic.split("/")
    if len(levels) >= 2:
        candidate = f"{levels[-2]}_{levels[-1]}"
    elif isinstance(tracker_id, str):
        candidate = tracker_id
    else:
        candidate = ""
    if not _DEVICE_ID.fullmatch(candidate):
        raise PayloadRejected(
            "device_id", "OwnTracks user and device must be letters, digits, _ or - (≤ 64)"
        )
    return candidate


def _owntracks_attributes(document: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if (accuracy := json_known(document.get("acc"))) is not None:
        values[attr.ACCURACY_M] = accuracy
    battery = json_known(document.get("batt"))
    if battery is not None and battery <= 100:
        values[attr.BATTERY_LEVEL_PCT] = battery
    status = document.get("bs")
    if type(status) is int and status in _CHARGING_BY_BATTERY_STATUS:  # not a bool
        values[attr.CHARGE] = _CHARGING_BY_BATTERY_STATUS[status]
    if isinstance(trigger := document.get("t"), str) and 0 < len(trigger) <= 8:
        values[attr.EVENT] = trigger  # why the app reported: p ping, u manual, t timer, …
    tracker_id = document.get("tid")
    if isinstance(tracker_id, str) and 0 < len(tracker_id) <= 8:
        values[attr.EXTRAS] = {"tid": tracker_id}
    return values
