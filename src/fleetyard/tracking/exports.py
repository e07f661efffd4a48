"""Positions as GeoJSON, CSV and GPX text, written batch by batch (no I/O, no database).

- GeoJSON (RFC 7946): a FeatureCollection of one Point per fix, with its readings, ``valid``
  and ``invalid_reason`` as properties (``"kind": "fix"``), then — when there are at least two
  valid fixes — one LineString of the valid fixes in time order (``"kind": "track"``).
  Coordinates are ``[longitude, latitude]``.
- CSV: a header row, then one row per fix; times ISO 8601, empty cells for missing readings,
  ``attributes`` as a JSON object.
- GPX 1.1: one ``<trk>`` of the *valid* fixes (``ele``, ``time``, ``sat``, ``hdop``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from fleetyard.tracking.repository import Fix

Batches = AsyncIterator[Sequence[Fix]]

CSV_COLUMNS = (
    "fix_time",
    "server_time",
    "device_id",
    "vehicle_id",
    "latitude",
    "longitude",
    "speed_kmh",
    "course",
    "altitude_m",
    "satellites",
    "hdop",
    "ignition",
    "odometer_m",
    "valid",
    "invalid_reason",
    "attributes",
)

# Characters XML 1.0 can't hold at all, even escaped.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _finite(value: float | None) -> float | None:
    """PostgreSQL ``real`` can hold NaN and infinities; JSON and GPX can't."""
    return value if value is not None and math.isfinite(value) else None


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# GeoJSON ---------------------------------------------------------------------------------
def _point(fix: Fix) -> dict[str, Any]:
    located = _finite(fix.longitude) is not None and _finite(fix.latitude) is not None
    return {
        "type": "Feature",
        # an impossible fix may hold NaN coordinates: it stays listed, without a location
        "geometry": {"type": "Point", "coordinates": [fix.longitude, fix.latitude]}
        if located
        else None,
        "properties": {
            "kind": "fix",
            "device_id": str(fix.device_id),
            "vehicle_id": str(fix.vehicle_id) if fix.vehicle_id else None,
            "fix_time": _iso(fix.fix_time),
            "server_time": _iso(fix.server_time),
            "speed_kmh": _finite(fix.speed_kmh),
            "course": _finite(fix.course),
            "altitude_m": _finite(fix.altitude_m),
            "satellites": fix.satellites,
            "hdop": _finite(fix.hdop),
            "ignition": fix.ignition,
            "odometer_m": _finite(fix.odometer_m),
            "valid": fix.valid,
            "invalid_reason": fix.invalid_reason,
            "attributes": fix.attributes,
        },
    }


def _line(coordinates: list[list[float]], first: datetime, last: datetime) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coordinates},
        "properties": {
            "kind": "track",
            "points": len(coordinates),
            "start": _iso(first),
            "end": _iso(last),
        },
    }


async def geojson_chunks(batches: Batches) -> AsyncIterator[str]:
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    track: list[list[float]] = []
    first: datetime | None = None
    last: datetime | None = None
    async for batch in batches:
        parts = []
        for fix in batch:
            parts.append(separator + _json(_point(fix)))
            separator = ","
            if fix.valid:
                track.append([fix.longitude, fix.latitude])
                first = first or fix.fix_time
                last = fix.fix_time
        yield "".join(parts)
    if len(track) >= 2 and first is not None and last is not None:
        yield separator + _json(_line(track, first, last))
    yield "]}"


# CSV -------------------------------------------------------------------------------------
def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


async def csv_chunks(batches: Batches) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(getattr(fix, c)) for c in CSV_COLUMNS] for fix in batch)
        yield buffer.getvalue()


# GPX -------------------------------------------------------------------------------------
def xml_text(text: str) -> str:
    """Text safe inside an XML element: escaped, and without characters XML can't carry."""
    return escape(_NOT_XML.sub("", text))


def _trkpt(fix: Fix) -> str:
    parts = [f'<trkpt lat="{fix.latitude!r}" lon="{fix.longitude!r}">']
    altitude = _finite(fix.altitude_m)
    if altitude is not None:
        parts.append(f"<ele>{altitude!r}</ele>")
    parts.append(f"<time>{_iso(fix.fix_time)}</time>")
    if fix.satellites is not None and fix.satellites >= 0:
        parts.append(f"<sat>{fix.satellites}</sat>")
    hdop = _finite(fix.hdop)
    if hdop is not None and hdop >= 0:
        parts.append(f"<hdop>{hdop!r}</hdop>")
    parts.append("</trkpt>\n")
    return "".join(parts)


async def gpx_chunks(batches: Batches, *, name: str) -> AsyncIterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Fleetyard" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"<trk><name>{xml_text(name)}</name><trkseg>\n"
    )
    async for batch in batches:
        yield "".join(_trkpt(fix) for fix in batch if fix.valid)
    yield "</trkseg></trk>\n</gpx>\n"
