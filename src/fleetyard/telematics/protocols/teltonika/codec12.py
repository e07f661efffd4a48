"""Codec 12: GPRS commands (server → device, type 0x05) and their responses (type 0x06).

Data field: ``0x0C | quantity 1 | type | size(4) | payload | quantity 2``, framed and CRC'd like
an AVL packet. The payload is ASCII, without the SMS login and password. Only one message per
packet is defined in practice, so any other quantity is refused rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.teltonika.framing import frame_data_packet
from fleetyard.telematics.protocols.teltonika.reader import Reader

CODEC_12: Final = 0x0C
TYPE_COMMAND: Final = 0x05
TYPE_RESPONSE: Final = 0x06


@dataclass(frozen=True, slots=True)
class Codec12Message:
    type: int
    text: str


def encode_command(command: str) -> bytes:
    """The whole TCP packet that sends ``command`` (e.g. "getinfo") to a device."""
    if not command:
        raise ValueError("empty command")
    payload = command.encode("ascii")  # UnicodeEncodeError (a ValueError) for non-ASCII
    data_field = (
        bytes([CODEC_12, 1, TYPE_COMMAND]) + len(payload).to_bytes(4, "big") + payload + b"\x01"
    )
    return frame_data_packet(data_field)


def decode_codec12(data_field: bytes) -> Codec12Message:
    reader = Reader(data_field)
    codec_id = reader.uint(1)
    if codec_id != CODEC_12:
        raise ProtocolError(f"not a Codec 12 packet: codec 0x{codec_id:02X}")
    quantity = reader.uint(1)
    if quantity != 1:
        raise ProtocolError(f"Codec 12 quantity {quantity}, expected 1")
    kind = reader.uint(1)
    payload = reader.take(reader.uint(4))
    quantity_again = reader.uint(1)
    if quantity_again != quantity:
        raise ProtocolError(f"Codec 12 quantity 1 ({quantity}) != quantity 2 ({quantity_again})")
    reader.expect_end("Codec 12 quantity 2")
    return Codec12Message(kind, payload.decode("ascii", errors="replace"))


def decode_response(data_field: bytes) -> str:
    """A device's answer to a command; a command coming *from* a device is a protocol error."""
    message = decode_codec12(data_field)
    if message.type != TYPE_RESPONSE:
        raise ProtocolError(f"Codec 12 type 0x{message.type:02X} from a device, expected 0x06")
    return message.text
