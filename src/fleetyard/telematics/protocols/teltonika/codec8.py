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
from typing import Final, NamedTuple

from fleetyard.telematics.protocols.base import ProtocolError

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

    @property
    def head(self) -> struct.Struct:
        """The record's fixed head: the GPS element, the event IO id (and generation type)."""
        return _HEADS[(self.id_size, self.generation_type)]


_LAYOUTS: Final[Mapping[int, _Layout]] = {
    CODEC_8: _Layout(id_size=1, count_size=1, generation_type=False, variable_group=False),
    CODEC_8E: _Layout(id_size=2, count_size=2, generation_type=False, variable_group=True),
    CODEC_16: _Layout(id_size=2, count_size=1, generation_type=True, variable_group=False),
}
AVL_CODECS: Final = frozenset(_LAYOUTS)


class IoValue(NamedTuple):
    """One IO element as sent: big-endian bytes, from a fixed-size group or the NX group.

    A named tuple, not a dataclass: a frame of 50 records makes ~500 of them, and a tuple is
    built several times faster than a frozen dataclass."""

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


class AvlRecord(NamedTuple):
    """One AVL record, fields in wire order (a named tuple, built from the unpacked head)."""

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
    if len(avl_data) < 3:
        raise ProtocolError(f"truncated: need 3 bytes, have {len(avl_data)}")
    codec_id, count = avl_data[0], avl_data[1]
    layout = _LAYOUTS.get(codec_id)
    if layout is None:
        raise ProtocolError(f"unsupported codec 0x{codec_id:02X}")
    records: list[AvlRecord] = []
    pos = 2
    for _ in range(count):
        record, pos = _read_record(avl_data, pos, layout)
        records.append(record)
    if pos >= len(avl_data):
        raise ProtocolError(f"truncated: need 1 byte at offset {pos}")
    count_again = avl_data[pos]
    if count_again != count:
        raise ProtocolError(f"Number of Data 1 ({count}) != Number of Data 2 ({count_again})")
    if pos + 1 != len(avl_data):
        raise ProtocolError(f"{len(avl_data) - pos - 1} unexpected bytes after Number of Data 2")
    return records


# timestamp, priority, longitude, latitude, altitude, angle, satellites, speed, event IO id
# (1 or 2 bytes) and, for Codec 16, the generation type
_HEADS: Final[Mapping[tuple[int, bool], struct.Struct]] = {
    (1, False): struct.Struct(">QBiihHBHB"),
    (2, False): struct.Struct(">QBiihHBHH"),
    (2, True): struct.Struct(">QBiihHBHHB"),
}


def _read_record(data: bytes, pos: int, layout: _Layout) -> tuple[AvlRecord, int]:
    head = layout.head
    if pos + head.size > len(data):
        raise ProtocolError(f"truncated: need {head.size} bytes at offset {pos}")
    fields = head.unpack_from(data, pos)
    io, pos = _read_io(data, pos + head.size, layout)
    # the head's fields are the record's first ones, in order; only Codec 16 has a generation type
    if layout.generation_type:
        return AvlRecord._make((*fields, io)), pos
    return AvlRecord._make((*fields, None, io)), pos


def _uint(data: bytes, pos: int, size: int) -> int:
    end = pos + size
    if end > len(data):
        raise ProtocolError(f"truncated: need {size} bytes at offset {pos}")
    return int.from_bytes(data[pos:end], "big")


def _read_io(data: bytes, pos: int, layout: _Layout) -> tuple[dict[int, IoValue], int]:
    # N total is informational: the group counters drive the parse (as in Traccar), and the
    # CRC plus "the data field is consumed exactly" already catch a misread packet.
    id_size, count_size = layout.id_size, layout.count_size
    pos += count_size
    io: dict[int, IoValue] = {}
    for size in FIXED_VALUE_SIZES:
        count = _uint(data, pos, count_size)
        pos += count_size
        step = id_size + size
        end = pos + count * step
        if end > len(data):  # one bounds check for the group
            raise ProtocolError(f"truncated: need {count * step} bytes at offset {pos}")
        for at in range(pos, end, step):
            value_at = at + id_size
            io[int.from_bytes(data[at:value_at], "big")] = IoValue(data[value_at : value_at + size])
        pos = end
    if layout.variable_group:
        count = _uint(data, pos, 2)
        pos += 2
        for _ in range(count):
            io_id = _uint(data, pos, 2)
            length = _uint(data, pos + 2, 2)
            value = data[pos + 4 : pos + 4 + length]
            if len(value) != length:
                raise ProtocolError(f"truncated: need {length} bytes at offset {pos + 4}")
            io[io_id] = IoValue(value, variable=True)
            pos += 4 + length
    return io, pos
