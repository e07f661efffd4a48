"""Teltonika Codec 8 Extended over TCP: readings as AVL records with the FMB IO elements our
decoder maps (protocols/teltonika/io_elements.py), acknowledged by the record count.

| IO  | meaning                         | value                        |
|-----|---------------------------------|------------------------------|
| 239 | ignition                        | 0/1                          |
| 240 | movement                        | 0/1                          |
| 21  | GSM signal                      | 0–5                          |
| 66  | external voltage                | mV                           |
| 16  | total odometer                  | m                            |
| 36  | OBD engine rpm                  | rpm                          |
| 32  | OBD coolant temperature         | °C, signed                   |
| 48  | OBD fuel level                  | %                            |
| 31  | OBD engine load                 | %                            |
| 103 | engine worktime (counted)       | minutes (kept raw)           |
| 253 | green driving type              | 2 = harsh braking (event id) |
| 281 | fault codes (NX, ASCII)         | "P0301,P0420"                |

The DTC list goes in every record while the engine runs, empty when there is none, so a
cleared code clears its alert; with the engine off there is no OBD data and no list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from fleetyard.simulator.devices.link import Batch, Disconnected, ExpectedReply
from fleetyard.simulator.reading import Reading
from fleetyard.telematics.protocols.teltonika.codec8 import CODEC_8E, AvlRecord, IoValue
from fleetyard.telematics.protocols.teltonika.encoder import (
    ACK_SIZE,
    decode_record_ack,
    encode_avl_packet,
    encode_imei_packet,
)

PROTOCOL: Final = "teltonika"
E7: Final = 10_000_000
IGNITION, MOVEMENT, GSM_SIGNAL, EXTERNAL_VOLTAGE = 239, 240, 21, 66
ODOMETER, RPM, COOLANT, FUEL_LEVEL, ENGINE_LOAD = 16, 36, 32, 48, 31
ENGINE_WORKTIME_MIN, GREEN_DRIVING, FAULT_CODES = 103, 253, 281
HARSH_BRAKING_TYPE: Final = 2
HIGH_PRIORITY: Final = 1
ACCEPTED: Final = b"\x01"  # the server's answer to an IMEI it knows


def _u(value: float, size: int) -> IoValue:
    top = (1 << (8 * size)) - 1
    return IoValue(min(top, max(0, round(value))).to_bytes(size, "big"))


def _signed_byte(value: float) -> IoValue:
    return IoValue(max(-128, min(127, round(value))).to_bytes(1, "big", signed=True))


def _engine_io(reading: Reading) -> dict[int, IoValue]:
    io = {
        COOLANT: _signed_byte(reading.coolant_c),
        FUEL_LEVEL: _u(reading.fuel_pct, 1),
        ENGINE_WORKTIME_MIN: _u(reading.engine_hours * 60, 4),
    }
    if reading.ignition:
        io[RPM] = _u(reading.rpm, 2)
        io[ENGINE_LOAD] = _u(reading.engine_load_pct, 1)
    if reading.dtcs is not None:
        io[FAULT_CODES] = IoValue(",".join(reading.dtcs).encode("ascii"), variable=True)
    return io


def to_avl_record(reading: Reading, *, engine_data: bool = True) -> AvlRecord:
    """The reading as an FMB record; ``engine_data=False`` is a tracker without an OBD or CAN
    reader (ignition wire, movement, GSM, supply voltage and GPS odometer only)."""
    io: dict[int, IoValue] = {
        IGNITION: _u(reading.ignition, 1),
        MOVEMENT: _u(reading.speed_kmh > 0, 1),
        GSM_SIGNAL: _u(4, 1),
        EXTERNAL_VOLTAGE: _u(reading.vehicle_battery_v * 1000, 2),
        ODOMETER: _u(reading.odometer_m, 4),
    }
    if engine_data:
        io.update(_engine_io(reading))
    if reading.harsh_braking:
        io[GREEN_DRIVING] = _u(HARSH_BRAKING_TYPE, 1)
    return AvlRecord(
        timestamp_ms=round(reading.fix_time.timestamp() * 1000),
        priority=HIGH_PRIORITY if reading.harsh_braking else 0,
        longitude_e7=round(reading.longitude * E7),
        latitude_e7=round(reading.latitude * E7),
        altitude_m=round(reading.altitude_m),
        angle=round(reading.course) % 360,
        satellites=reading.satellites,
        speed_kmh=round(reading.speed_kmh),
        event_io_id=GREEN_DRIVING if reading.harsh_braking else 0,
        generation_type=None,
        io=io,
    )


@dataclass(frozen=True, slots=True)
class TeltonikaWire:
    unique_id: str  # the IMEI
    max_batch: int = 50
    protocol: str = PROTOCOL
    codec: int = CODEC_8E

    def __post_init__(self) -> None:
        encode_imei_packet(self.unique_id)  # refuse a bad IMEI now, not at every connect

    def hello(self) -> bytes:
        return encode_imei_packet(self.unique_id)

    async def read_welcome(self, reader: asyncio.StreamReader) -> None:
        if await reader.readexactly(1) != ACCEPTED:
            raise Disconnected(f"IMEI {self.unique_id} refused")

    def encode(self, readings: Sequence[Reading]) -> Batch:
        return self.encode_records([to_avl_record(reading) for reading in readings])

    def encode_records(self, records: Sequence[AvlRecord]) -> Batch:
        """One AVL packet of ready records (a backlog drawn from a ``Track``)."""
        count = len(records).to_bytes(ACK_SIZE, "big")
        return Batch(
            encode_avl_packet(records, codec=self.codec), (ExpectedReply(len(records), count),)
        )

    async def read_reply(self, reader: asyncio.StreamReader, expected: bytes) -> None:
        """The accepted record count; short of the packet's, the hardware sends it all again."""
        ack = await reader.readexactly(ACK_SIZE)
        if ack != expected:
            raise Disconnected(
                f"ack for {decode_record_ack(ack)} records, sent {decode_record_ack(expected)}"
            )
