"""OsmAnd over HTTP, as Traccar Client sends it: a keep-alive HTTP/1.1 connection, ``200``
once the position is stored, anything else (400 for an unknown device) is no ack.

Two formats:

- ``query`` (legacy Traccar Client): one ``POST /?id=…&timestamp=…&lat=…`` per reading,
  speed in knots; a batch is that many pipelined requests, answered in order, each 200
  acknowledging its own reading. Ignition, odometer and rpm ride along as parameters the
  decoder reads.
- ``json`` (Traccar Client 9+): one ``POST /`` with ``{"device_id", "location": [...]}``,
  speed in m/s, the whole batch acknowledged by one 200.

No engine data beyond rpm: the OsmAnd decoder has no names for coolant, fuel or DTCs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final, Literal
from urllib.parse import urlencode

from fleetyard.simulator.devices.link import Batch, Disconnected, ExpectedReply
from fleetyard.simulator.reading import Reading
from fleetyard.telematics.position import KNOTS_TO_KMH, MPS_TO_KMH

PROTOCOL: Final = "osmand"
OK: Final = b"200"
ACCURACY_M: Final = 5.0
MAX_RESPONSE_BODY: Final = 64 * 1024
OsmAndFormat = Literal["query", "json"]


def query_parameters(device_id: str, reading: Reading) -> dict[str, str]:
    values = {
        "id": device_id,
        "timestamp": str(round(reading.fix_time.timestamp() * 1000)),
        "lat": f"{reading.latitude:.7f}",
        "lon": f"{reading.longitude:.7f}",
        "speed": f"{reading.speed_kmh / KNOTS_TO_KMH:.2f}",
        "bearing": f"{reading.course:.1f}",
        "altitude": f"{reading.altitude_m:.1f}",
        "accuracy": f"{ACCURACY_M:g}",
        "ignition": "true" if reading.ignition else "false",
        "odometer": f"{reading.odometer_m:.0f}",
    }
    if reading.ignition:
        values["rpm"] = f"{reading.rpm:.0f}"
    return values


def json_location(reading: Reading) -> dict[str, Any]:
    when = reading.fix_time.astimezone(UTC)
    return {
        "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "coords": {
            "latitude": round(reading.latitude, 7),
            "longitude": round(reading.longitude, 7),
            "speed": round(reading.speed_kmh / MPS_TO_KMH, 3),
            "heading": round(reading.course, 1),
            "altitude": round(reading.altitude_m, 1),
            "accuracy": ACCURACY_M,
        },
        "is_moving": reading.speed_kmh > 0,
        "odometer": round(reading.odometer_m),
        "event": "heartbeat" if reading.speed_kmh == 0 else "motionchange",
    }


@dataclass(frozen=True, slots=True)
class OsmAndWire:
    unique_id: str
    host: str  # for the Host header
    format: OsmAndFormat = "query"
    max_batch: int = 20
    protocol: str = PROTOCOL

    def hello(self) -> bytes:
        return b""

    async def read_welcome(self, reader: asyncio.StreamReader) -> None:
        return None  # HTTP: every request names the device

    def encode(self, readings: Sequence[Reading]) -> Batch:
        if self.format == "json":
            body = {"device_id": self.unique_id, "location": [json_location(r) for r in readings]}
            request = self._request("/", json.dumps(body).encode(), "application/json")
            return Batch(request, (ExpectedReply(len(readings), OK),))
        requests = [
            self._request("/?" + urlencode(query_parameters(self.unique_id, r)), b"", None)
            for r in readings
        ]
        replies = tuple(ExpectedReply(n, OK) for n in range(1, len(readings) + 1))
        return Batch(b"".join(requests), replies)

    async def read_reply(self, reader: asyncio.StreamReader, expected: bytes) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value)
        if length > MAX_RESPONSE_BODY:
            raise Disconnected(f"response body of {length} bytes")
        await reader.readexactly(length)  # a queued command's text: not for the simulator
        if len(parts) < 2 or parts[1].encode() != expected:
            raise Disconnected(f"HTTP {status_line[:64]!r}")

    def _request(self, target: str, body: bytes, content_type: str | None) -> bytes:
        lines = [f"POST {target} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
