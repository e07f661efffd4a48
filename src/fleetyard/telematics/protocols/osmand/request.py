"""One OsmAnd HTTP request (method, target, headers, body) to a device id and its positions.

``Content-Type: application/json`` selects the JSON format. Otherwise the key=value pairs come
from the URL query, or, when the URL has none, from a form-encoded body (as Traccar reads them).
Any path is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.osmand.json_format import decode_json
from fleetyard.telematics.protocols.osmand.query import decode_params
from fleetyard.telematics.protocols.osmand.report import OsmAndReport
from fleetyard.telematics.protocols.osmand.values import SpeedUnit

METHODS: Final = frozenset({"GET", "POST", "PUT"})
MAX_FIELDS: Final = 200


def decode_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    received_at: datetime,
    query_speed_unit: SpeedUnit = "knots",
) -> OsmAndReport:
    """``received_at`` stands in for a missing timestamp; ``query_speed_unit`` is the unit of
    ``speed`` in the key=value format (the JSON format is always m/s)."""
    if method.upper() not in METHODS:
        raise ProtocolError(f"method {method[:16]!r} not accepted")
    if _content_type(headers) == "application/json":
        return decode_json(body, received_at=received_at)
    query = urlsplit(target).query
    if not query and body:
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("form body is not UTF-8") from exc
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise ProtocolError("malformed query string") from exc
    return decode_params(pairs, received_at=received_at, speed_unit=query_speed_unit)


def _content_type(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return ""
