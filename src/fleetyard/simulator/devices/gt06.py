"""GT06 / Concox over TCP: login 0x01, location 0x22, alarm 0x26 (harsh braking), heartbeat
0x13, framed and CRC'd (CRC-16/X-25) by the decoder's own ``encode_frame``.

The server answers a login, each alarm and each heartbeat, and (as the GT06 document says)
nothing to a location. So every batch ends with a heartbeat: the gateway handles a
connection's frames in order and answers the heartbeat only after the locations before it
were stored, which makes its reply the acknowledgement of the whole batch. An alarm reply
acknowledges everything up to that alarm.

GT06 carries no engine data: position, speed, course, satellites, ignition (the ACC byte) and
the odometer (the 0x22 mileage field) reach the server; rpm, coolant, fuel and DTCs do not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Final

from fleetyard.simulator.devices.link import Batch, Disconnected, ExpectedReply
from fleetyard.simulator.reading import Reading
from fleetyard.telematics.protocols.gt06 import tables
from fleetyard.telematics.protocols.gt06.framing import encode_frame
from fleetyard.telematics.protocols.gt06.messages import COORDINATE_SCALE, encode_reply

PROTOCOL: Final = "gt06"
GPS_INFO_LENGTH: Final = 12  # high nibble of the satellites byte
NORTH, WEST, POSITIONED, REAL_TIME = 0x0400, 0x0800, 0x1000, 0x2000
# Helsinki's network, as a made-up serving cell: MCC 244 (Finland), MNC 91, LAC, cell id
CELL: Final = (244).to_bytes(2, "big") + bytes([91]) + (0x2F1A).to_bytes(2, "big") + bytes(3)
LBS_LENGTH: Final = 1 + len(CELL)  # counts itself
ACC_ON_INFO, GPS_TRACKING_INFO = 0x02, 0x40
VOLTAGE_LEVEL_NORMAL, GSM_STRONG, ENGLISH = 4, 4, 0x02
UPLOAD_TIMED: Final = 0x00
HARSH_BRAKING_ALARM: Final = 0x30
NO_ALARM: Final = 0x00
MAX_SERIAL: Final = 0xFFFF


def login_content(imei: str) -> bytes:
    """The terminal id: the IMEI as 8 BCD bytes, with a leading 0 digit."""
    return bytes.fromhex(imei.rjust(16, "0"))


def gps_block(reading: Reading) -> bytes:
    """Date/time (UTC) · GPS length + satellites · latitude · longitude · speed · course/status."""
    when = reading.fix_time.astimezone(UTC)
    stamp = bytes([when.year - 2000, when.month, when.day, when.hour, when.minute, when.second])
    status = round(reading.course) % 360 | POSITIONED | REAL_TIME
    if reading.latitude >= 0:
        status |= NORTH
    if reading.longitude < 0:
        status |= WEST
    return (
        stamp
        + bytes([GPS_INFO_LENGTH << 4 | min(reading.satellites, 15)])
        + round(abs(reading.latitude) * COORDINATE_SCALE).to_bytes(4, "big")
        + round(abs(reading.longitude) * COORDINATE_SCALE).to_bytes(4, "big")
        + bytes([min(255, round(reading.speed_kmh))])
        + status.to_bytes(2, "big")
    )


def location_content(reading: Reading) -> bytes:
    """0x22: GPS block · cell · ACC · upload mode · re-upload flag · mileage (m)."""
    flags = bytes([int(reading.ignition), UPLOAD_TIMED, 0])
    mileage = min(round(reading.odometer_m), 0xFFFFFFFF).to_bytes(4, "big")
    return gps_block(reading) + CELL + flags + mileage


def status_bytes(reading: Reading, alarm: int) -> bytes:
    """Terminal info · voltage level · GSM signal · alarm · language."""
    info = GPS_TRACKING_INFO | (ACC_ON_INFO if reading.ignition else 0)
    return bytes([info, VOLTAGE_LEVEL_NORMAL, GSM_STRONG, alarm, ENGLISH])


def alarm_content(reading: Reading, alarm: int) -> bytes:
    """0x26: GPS block · LBS length · cell · terminal status."""
    return gps_block(reading) + bytes([LBS_LENGTH]) + CELL + status_bytes(reading, alarm)


@dataclass
class Gt06Wire:
    unique_id: str  # the IMEI
    max_batch: int = 20
    protocol: str = PROTOCOL
    _serial: int = field(default=0, repr=False)

    def hello(self) -> bytes:
        self._serial = 0  # a new session counts from 1 again
        return encode_frame(tables.LOGIN, login_content(self.unique_id), self._next_serial())

    async def read_welcome(self, reader: asyncio.StreamReader) -> None:
        await self.read_reply(reader, encode_reply(tables.LOGIN, self._serial))

    def encode(self, readings: Sequence[Reading]) -> Batch:
        frames: list[bytes] = []
        replies: list[ExpectedReply] = []
        for count, reading in enumerate(readings, start=1):
            serial = self._next_serial()
            if reading.harsh_braking:
                content = alarm_content(reading, HARSH_BRAKING_ALARM)
                frames.append(encode_frame(tables.ALARM_2, content, serial))
                replies.append(ExpectedReply(count, encode_reply(tables.ALARM_2, serial)))
            else:
                frames.append(encode_frame(tables.LOCATION_2, location_content(reading), serial))
        serial = self._next_serial()
        frames.append(encode_frame(tables.STATUS, status_bytes(readings[-1], NO_ALARM), serial))
        replies.append(ExpectedReply(len(readings), encode_reply(tables.STATUS, serial)))
        return Batch(b"".join(frames), tuple(replies))

    async def read_reply(self, reader: asyncio.StreamReader, expected: bytes) -> None:
        """One short server frame; it must be the reply to the frame we expect."""
        head = await reader.readexactly(3)
        frame = head + await reader.readexactly(head[2] + 2)
        if frame != expected:
            raise Disconnected(f"unexpected GT06 reply {frame.hex()}, wanted {expected.hex()}")

    def _next_serial(self) -> int:
        self._serial = self._serial % MAX_SERIAL + 1
        return self._serial
