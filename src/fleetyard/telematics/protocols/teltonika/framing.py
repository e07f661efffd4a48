"""TCP framing: the IMEI packet, the 0xFF keep-alive, and the envelope of data packets.

A data packet is ``preamble(4)=0 | data field length(4) | data field | CRC(4)``; the data field
runs from the codec id through Number of Data 2, and the CRC (CRC-16/ARC, upper two bytes zero)
covers exactly the data field. The framer checks the envelope only; codec8/codec12 read inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastcrc import crc16

from fleetyard.telematics.protocols.base import ProtocolError

PREAMBLE: Final = bytes(4)
KEEPALIVE: Final = 0xFF
HEADER_SIZE: Final = 8  # preamble + data field length
CRC_SIZE: Final = 4
ENVELOPE_SIZE: Final = HEADER_SIZE + CRC_SIZE
MIN_DATA_FIELD: Final = 3  # codec id, Number of Data 1, Number of Data 2
MAX_IMEI_DIGITS: Final = 20  # IMEIs have 15 digits; read the length, refuse nonsense


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (a.k.a. CRC-16/IBM): poly 0x8005 reflected, init 0, xorout 0.

    Computed natively (fastcrc): a Python loop over a frame's bytes was a fifth of the
    gateway's CPU under load."""
    return crc16.arc(data)


@dataclass(frozen=True, slots=True)
class ImeiPacket:
    imei: str


@dataclass(frozen=True, slots=True)
class KeepAlive:
    pass


@dataclass(frozen=True, slots=True)
class DataPacket:
    data_field: bytes  # codec id … Number of Data 2, CRC already checked

    @property
    def codec_id(self) -> int:
        return self.data_field[0]


Frame = ImeiPacket | KeepAlive | DataPacket


def next_frame(
    buffer: bytes | bytearray, *, expect_imei: bool, max_frame: int
) -> tuple[Frame, int] | None:
    """The first complete frame in ``buffer`` and how many bytes it used; None until complete.

    Raises ProtocolError as soon as the bytes seen cannot begin a valid frame, so a hostile
    peer is dropped without waiting for a length it announced.
    """
    if not buffer:
        return None
    if buffer[0] == KEEPALIVE:
        return KeepAlive(), 1
    if expect_imei:
        return _imei_packet(buffer)
    return _data_packet(buffer, max_frame)


def parse_imei(raw: bytes) -> str:
    if not 0 < len(raw) <= MAX_IMEI_DIGITS or not raw.isdigit():
        raise ProtocolError(f"invalid IMEI {raw[:MAX_IMEI_DIGITS]!r}")
    return raw.decode("ascii")


def frame_data_packet(data_field: bytes) -> bytes:
    """Wrap a data field (codec id … quantity 2) in preamble, length and CRC."""
    return (
        PREAMBLE
        + len(data_field).to_bytes(4, "big")
        + data_field
        + crc16_arc(data_field).to_bytes(CRC_SIZE, "big")
    )


def _imei_packet(buffer: bytes | bytearray) -> tuple[Frame, int] | None:
    if len(buffer) < 2:
        return None
    length = int.from_bytes(buffer[:2], "big")
    if not 0 < length <= MAX_IMEI_DIGITS:
        raise ProtocolError(f"expected an IMEI packet, got length prefix {length}")
    if len(buffer) < 2 + length:
        return None
    return ImeiPacket(parse_imei(bytes(buffer[2 : 2 + length]))), 2 + length


def _data_packet(buffer: bytes | bytearray, max_frame: int) -> tuple[Frame, int] | None:
    head = bytes(buffer[: len(PREAMBLE)])
    if head != PREAMBLE[: len(head)]:
        raise ProtocolError(f"data packet must start with a zero preamble, got {head.hex()}")
    if len(buffer) < HEADER_SIZE:
        return None
    length = int.from_bytes(buffer[4:HEADER_SIZE], "big")
    total = ENVELOPE_SIZE + length
    if length < MIN_DATA_FIELD or total > max_frame:
        raise ProtocolError(f"data field length {length} outside 3..{max_frame - ENVELOPE_SIZE}")
    if len(buffer) < total:
        return None
    data_field = bytes(buffer[HEADER_SIZE : HEADER_SIZE + length])
    sent = int.from_bytes(buffer[HEADER_SIZE + length : total], "big")
    computed = crc16_arc(data_field)
    if sent != computed:
        raise ProtocolError(f"CRC mismatch: sent 0x{sent:08X}, computed 0x{computed:04X}")
    return DataPacket(data_field), total
