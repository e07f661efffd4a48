"""The device side of Teltonika TCP: the bytes a tracker sends, and reading the server's replies.

Pure, like the decoder: ``encode_imei_packet`` opens a connection, ``encode_avl_packet`` builds a
whole AVL data packet (preamble, length, data field, CRC-16/ARC) from ``AvlRecord`` values (the
decoder's own type, so ``decode_avl_data(encode_avl_data(r)) == r``), ``decode_record_ack`` reads
the server's 4-byte record-count ack. Codec 8 Extended (0x8E) by default; Codec 8 (0x08) too.

IO values go to the group their shape says: a fixed value of 1, 2, 4 or 8 bytes to
N1/N2/N4/N8, in the mapping's order (so a decoded real packet encodes back to its own bytes), a
``variable`` value to NX (8E only). Anything the wire cannot carry (a field out of range, a
3-byte fixed value, NX in Codec 8, more than 255 records) is a ValueError, never truncated.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from fleetyard.telematics.protocols.teltonika.codec8 import (
    CODEC_8,
    CODEC_8E,
    FIXED_VALUE_SIZES,
    AvlRecord,
    IoValue,
)
from fleetyard.telematics.protocols.teltonika.framing import MAX_IMEI_DIGITS, frame_data_packet

ACK_SIZE: Final = 4  # the server's reply to a data packet: the accepted record count
MAX_RECORDS: Final = 255  # Number of Data is one byte


@dataclass(frozen=True, slots=True)
class _Layout:
    io_id: struct.Struct  # IO ids and the event id
    count: struct.Struct  # N total and the group counts
    variable_group: bool


_LAYOUTS: Final[Mapping[int, _Layout]] = {
    CODEC_8: _Layout(struct.Struct(">B"), struct.Struct(">B"), variable_group=False),
    CODEC_8E: _Layout(struct.Struct(">H"), struct.Struct(">H"), variable_group=True),
}
ENCODABLE_CODECS: Final = frozenset(_LAYOUTS)

# timestamp, priority, longitude, latitude, altitude, angle, satellites, speed
_HEADER: Final = struct.Struct(">QBiihHBH")
_UINT16: Final = struct.Struct(">H")  # NX ids and lengths, whatever the codec


def encode_imei_packet(imei: str) -> bytes:
    """The first packet of a connection: length (2 bytes) then the IMEI in ASCII digits."""
    if not 0 < len(imei) <= MAX_IMEI_DIGITS or not (imei.isascii() and imei.isdigit()):
        raise ValueError(f"an IMEI is 1–{MAX_IMEI_DIGITS} ASCII digits, got {imei!r}")
    return len(imei).to_bytes(2, "big") + imei.encode("ascii")


def encode_avl_packet(records: Sequence[AvlRecord], *, codec: int = CODEC_8E) -> bytes:
    """A whole TCP data packet carrying ``records`` in the given order."""
    return frame_data_packet(encode_avl_data(records, codec=codec))


def encode_avl_data(records: Sequence[AvlRecord], *, codec: int = CODEC_8E) -> bytes:
    """The data field: ``codec | N1 | records | N2`` (also the tail of a UDP packet)."""
    layout = _LAYOUTS.get(codec)
    if layout is None:
        raise ValueError(f"cannot encode codec 0x{codec:02X}")
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValueError(f"a packet holds 1–{MAX_RECORDS} records, got {len(records)}")
    count = bytes([len(records)])
    body = b"".join(_encode_record(record, layout) for record in records)
    return bytes([codec]) + count + body + count


def decode_record_ack(ack: bytes) -> int:
    """The record count the server accepted (it stored them; the device may delete them)."""
    if len(ack) != ACK_SIZE:
        raise ValueError(f"a record ack is {ACK_SIZE} bytes, got {len(ack)}")
    return int.from_bytes(ack, "big")


def _encode_record(record: AvlRecord, layout: _Layout) -> bytes:
    try:
        header = _HEADER.pack(
            record.timestamp_ms,
            record.priority,
            record.longitude_e7,
            record.latitude_e7,
            record.altitude_m,
            record.angle,
            record.satellites,
            record.speed_kmh,
        )
    except struct.error as exc:
        raise ValueError(f"AVL record field out of range: {exc} in {record!r}") from exc
    event_id = _pack(layout.io_id, record.event_io_id, "event IO id")
    return header + event_id + _encode_io(record.io, layout)


def _encode_io(io: Mapping[int, IoValue], layout: _Layout) -> bytes:
    fixed: dict[int, list[tuple[int, bytes]]] = {size: [] for size in FIXED_VALUE_SIZES}
    variable: list[tuple[int, bytes]] = []
    for io_id, value in io.items():
        group = variable if value.variable else fixed.get(len(value.data))
        if group is None:
            size = len(value.data)
            raise ValueError(f"IO {io_id}: a fixed value is 1, 2, 4 or 8 bytes, not {size}")
        group.append((io_id, value.data))
    if variable and not layout.variable_group:
        raise ValueError("variable-length (NX) IO elements need Codec 8 Extended")
    parts = [_pack(layout.count, len(io), "IO element count")]
    for size in FIXED_VALUE_SIZES:
        parts.append(_pack(layout.count, len(fixed[size]), "IO element count"))
        for io_id, data in fixed[size]:
            parts += (_pack(layout.io_id, io_id, "IO id"), data)
    if layout.variable_group:
        parts.append(_pack(layout.count, len(variable), "IO element count"))
        for io_id, data in variable:
            parts += (_pack(_UINT16, io_id, "IO id"), _pack(_UINT16, len(data), "NX length"), data)
    return b"".join(parts)


def _pack(layout: struct.Struct, value: int, what: str) -> bytes:
    try:
        return layout.pack(value)
    except struct.error as exc:
        raise ValueError(f"{what} {value} does not fit in {layout.size} byte(s)") from exc
