"""Codec 8, 8 Extended and 16: the AVL records of a data field (TCP) or of a UDP packet.

The three codecs share the record header and differ only in the IO element layout:

| codec | IO id | counts | extra                                   |
|-------|-------|--------|-----------------------------------------|
| 0x08  | 1 B   | 1 B    |                                         |
| 0x8E  | 2 B   | 2 B    | NX group: {id(2) length(2) value(len)}  |
| 0x10  | 2 B   | 1 B    | generation type (1 B) after the event id |

Values are kept raw here (bytes); meaning and units are io_elements' job.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.teltonika.reader import Reader

CODEC_8: Final = 0x08
CODEC_8E: Final = 0x8E
CODEC_16: Final = 0x10
FIXED_VALUE_SIZES: Final = (1, 2, 4, 8)  # the N1, N2, N4, N8 groups, in wire order


@dataclass(frozen=True, slots=True)
class _Layout:
    id_size: int
    count_size: int
    generation_type: bool
    variable_group: bool


_LAYOUTS: Final[Mapping[int, _Layout]] = {
    CODEC_8: _Layout(id_size=1, count_size=1, generation_type=False, variable_group=False),
    CODEC_8E: _Layout(id_size=2, count_size=2, generation_type=False, variable_group=True),
    CODEC_16: _Layout(id_size=2, count_size=1, generation_type=True, variable_group=False),
}
AVL_CODECS: Final = frozenset(_LAYOUTS)


@dataclass(frozen=True, slots=True)
class IoValue:
    """One IO element as sent: big-endian bytes, from a fixed-size group or the NX group."""

    data: bytes
    variable: bool = False

    @property
    def unsigned(self) -> int:
        return int.from_bytes(self.data, "big")

    @property
    def signed(self) -> int:
        return int.from_bytes(self.data, "big", signed=True)

    @property
    def raw(self) -> int | str:
        """The value for the raw IO map: an unsigned int, or hex for NX elements."""
        return self.data.hex() if self.variable else self.unsigned


@dataclass(frozen=True, slots=True)
class AvlRecord:
    timestamp_ms: int  # ms since 1970-01-01 UTC
    priority: int  # 0 low, 1 high, 2 panic
    longitude_e7: int  # signed, degrees × 10⁷ (longitude comes first on the wire)
    latitude_e7: int
    altitude_m: int  # signed
    angle: int  # degrees from north
    satellites: int
    speed_kmh: int
    event_io_id: int  # 0: periodic record
    generation_type: int | None  # Codec 16 only
    io: dict[int, IoValue]


def decode_avl_data(avl_data: bytes) -> list[AvlRecord]:
    """``codec id | N1 | records | N2``, nothing more, nothing less."""
    reader = Reader(avl_data)
    codec_id = reader.uint(1)
    layout = _LAYOUTS.get(codec_id)
    if layout is None:
        raise ProtocolError(f"unsupported codec 0x{codec_id:02X}")
    count = reader.uint(1)
    records = [_read_record(reader, layout) for _ in range(count)]
    count_again = reader.uint(1)
    if count_again != count:
        raise ProtocolError(f"Number of Data 1 ({count}) != Number of Data 2 ({count_again})")
    reader.expect_end("Number of Data 2")
    return records


# timestamp, priority, longitude, latitude, altitude, angle, satellites, speed
_RECORD_HEAD = struct.Struct(">QBiihHBH")


def _read_record(reader: Reader, layout: _Layout) -> AvlRecord:
    (
        timestamp_ms,
        priority,
        longitude_e7,
        latitude_e7,
        altitude_m,
        angle,
        satellites,
        speed_kmh,
    ) = reader.unpack(_RECORD_HEAD)
    event_io_id = reader.uint(layout.id_size)
    generation_type = reader.uint(1) if layout.generation_type else None
    return AvlRecord(
        timestamp_ms=timestamp_ms,
        priority=priority,
        longitude_e7=longitude_e7,
        latitude_e7=latitude_e7,
        altitude_m=altitude_m,
        angle=angle,
        satellites=satellites,
        speed_kmh=speed_kmh,
        event_io_id=event_io_id,
        generation_type=generation_type,
        io=_read_io(reader, layout),
    )


def _read_io(reader: Reader, layout: _Layout) -> dict[int, IoValue]:
    # N total is informational: the group counters drive the parse (as in Traccar), and the
    # CRC plus "the data field is consumed exactly" already catch a misread packet.
    reader.uint(layout.count_size)
    io: dict[int, IoValue] = {}
    for size in FIXED_VALUE_SIZES:
        for _ in range(reader.uint(layout.count_size)):
            io_id = reader.uint(layout.id_size)
            io[io_id] = IoValue(reader.take(size))
    if layout.variable_group:
        for _ in range(reader.uint(2)):
            io_id = reader.uint(2)
            io[io_id] = IoValue(reader.take(reader.uint(2)), variable=True)
    return io
