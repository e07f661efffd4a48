"""H02 text over TCP: one ``*HQ,<id>,V1,…#`` sentence per reading.

    *HQ,<id>,V1,hhmmss,A,DDMM.MMMM,N,DDDMM.MMMM,E,<knots>,<course>,DDMMYY,<status>#

There is no login: the first sentence names the device. The server answers each V1 with
``*HQ,<id>,V4,V1,<server time>#`` once it is stored, so that reply is the sentence's ack.
The status word is active-low (a 0 bit is an active alarm): all ones but bit 10, the
ignition, which is set while it is on. H02 carries no engine data and no odometer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Final

from fleetyard.simulator.devices.link import Batch, Disconnected, ExpectedReply
from fleetyard.simulator.reading import Reading
from fleetyard.telematics.position import KNOTS_TO_KMH
from fleetyard.telematics.protocols.h02.tables import IGNITION_BIT

PROTOCOL: Final = "h02"
ALL_INACTIVE: Final = 0xFFFFFFFF
MINUTE_UNITS: Final = 10_000  # 4 decimals of a minute
MAX_REPLY: Final = 128


def nmea_coordinate(value: float, degree_digits: int) -> str:
    """Decimal degrees → ``DDMM.MMMM`` / ``DDDMM.MMMM`` (hemisphere given separately)."""
    units = round(abs(value) * 60 * MINUTE_UNITS)
    degrees, rest = divmod(units, 60 * MINUTE_UNITS)
    minutes, fraction = divmod(rest, MINUTE_UNITS)
    return f"{degrees:0{degree_digits}d}{minutes:02d}.{fraction:04d}"


def status_word(ignition: bool) -> int:
    return ALL_INACTIVE if ignition else ALL_INACTIVE & ~(1 << IGNITION_BIT)


def location_sentence(device_id: str, reading: Reading) -> bytes:
    when = reading.fix_time.astimezone(UTC)
    fields = (
        "HQ",
        device_id,
        "V1",
        when.strftime("%H%M%S"),
        "A",
        nmea_coordinate(reading.latitude, 2),
        "N" if reading.latitude >= 0 else "S",
        nmea_coordinate(reading.longitude, 3),
        "E" if reading.longitude >= 0 else "W",
        f"{reading.speed_kmh / KNOTS_TO_KMH:.2f}",
        str(round(reading.course) % 360),
        when.strftime("%d%m%y"),
        f"{status_word(reading.ignition):08X}",
    )
    return ("*" + ",".join(fields) + "#").encode("ascii")


@dataclass(frozen=True, slots=True)
class H02Wire:
    unique_id: str  # the IMEI
    max_batch: int = 20
    protocol: str = PROTOCOL

    def hello(self) -> bytes:
        return b""

    async def read_welcome(self, reader: asyncio.StreamReader) -> None:
        return None  # no login: an unknown device learns it when the server hangs up

    def encode(self, readings: Sequence[Reading]) -> Batch:
        reply = f"*HQ,{self.unique_id},V4,V1,".encode("ascii")
        sentences = b"".join(location_sentence(self.unique_id, r) for r in readings)
        return Batch(sentences, tuple(ExpectedReply(n, reply) for n in range(1, len(readings) + 1)))

    async def read_reply(self, reader: asyncio.StreamReader, expected: bytes) -> None:
        """``*HQ,<id>,V4,V1,<yyyyMMddHHmmss>#``: the prefix says it answers our V1."""
        reply = (await reader.readuntil(b"#")).lstrip(b"\r\n")
        if not reply.startswith(expected) or len(reply) > MAX_REPLY:
            raise Disconnected(f"unexpected H02 reply {reply[:MAX_REPLY]!r}")
