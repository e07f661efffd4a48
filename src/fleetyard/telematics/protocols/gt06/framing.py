"""GT06 framing: splits a TCP byte stream into CRC-checked frames, and encodes replies.

```
78 78 | length(1) | protocol(1) | content | serial(2) | crc(2) | 0D 0A     short frame
79 79 | length(2) | protocol(1) | content | serial(2) | crc(2) | 0D 0A     long frame
```
``length`` counts protocol … crc. The CRC is CRC-16/X-25 over length … serial. Frames are cut by
the length field, never by searching for ``0D 0A`` (it can occur inside binary content).
Unlike Traccar we check the CRC and the stop bytes, and do not resynchronise on garbage.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastcrc import crc16

from fleetyard.telematics.protocols.base import ProtocolError

START_SHORT = b"\x78\x78"
START_LONG = b"\x79\x79"
STOP = b"\r\n"
MIN_LENGTH = 5  # protocol(1) + serial(2) + crc(2)
MAX_FRAME_SIZE = 2048  # login/location frames are < 64 bytes; photo chunks ~1 KiB


@dataclass(frozen=True, slots=True)
class Frame:
    protocol: int
    content: bytes  # between the protocol number and the serial
    serial: int
    extended: bool  # came in a 0x7979 long frame


def crc16_x25(data: bytes) -> int:
    """CRC-16/X-25 (a.k.a. CRC-ITU, CRC-16/IBM-SDLC): reflected 0x1021, init and xorout 0xFFFF.

    Native (fastcrc), like the Teltonika CRC."""
    return crc16.ibm_sdlc(data)


def encode_frame(protocol: int, content: bytes, serial: int, *, extended: bool = False) -> bytes:
    length = MIN_LENGTH + len(content)
    if extended:
        head, size = START_LONG, length.to_bytes(2, "big")
    else:
        head, size = START_SHORT, length.to_bytes(1, "big")
    body = size + bytes([protocol]) + content + serial.to_bytes(2, "big")
    return head + body + crc16_x25(body).to_bytes(2, "big") + STOP


def frame_size(head: bytes | bytearray) -> int | None:
    """The whole frame's size from its first bytes; None until the length field is in."""
    if head[:1] not in (b"", b"\x78", b"\x79"):
        raise ProtocolError(f"bad start byte 0x{head[0]:02X}")
    if len(head) >= 2 and head[1] != head[0]:
        raise ProtocolError(f"bad start bytes {bytes(head[:2]).hex().upper()}")
    long_frame = head[:1] == b"\x79"
    header = 4 if long_frame else 3
    if len(head) < header:
        return None
    length = int.from_bytes(head[2:header], "big")
    if length < MIN_LENGTH:
        raise ProtocolError(f"length {length} is shorter than an empty message")
    size = header + length + len(STOP)
    if size > MAX_FRAME_SIZE:
        raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME_SIZE}")
    return size


def parse_frame(raw: bytes) -> Frame:
    """One whole frame (as cut by ``frame_size``) to its parts, checking stop bytes and CRC."""
    size = frame_size(raw)
    if size is None or size != len(raw):
        raise ProtocolError(f"frame is {len(raw)} bytes, its length field says {size}")
    if raw[-2:] != STOP:
        raise ProtocolError(f"bad stop bytes 0x{raw[-2:].hex().upper()} (must be 0x0D0A)")
    header = 4 if raw[:2] == START_LONG else 3
    sent = int.from_bytes(raw[-4:-2], "big")
    computed = crc16_x25(raw[2:-4])
    if sent != computed:
        raise ProtocolError(f"CRC mismatch: 0x{sent:04X} sent, 0x{computed:04X} computed")
    return Frame(
        protocol=raw[header],
        content=raw[header + 1 : -6],
        serial=int.from_bytes(raw[-6:-4], "big"),
        extended=header == 4,
    )


class Gt06Framer:
    """Accumulates received bytes and cuts whole frames off the front, one at a time."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received and not yet cut into a frame."""
        return len(self._buffer)

    def receive(self, data: bytes) -> None:
        self._buffer += data

    def clear(self) -> None:
        self._buffer.clear()

    def next_frame(self) -> Frame | None:
        """The next whole frame, or None until more bytes arrive. Raises ProtocolError."""
        size = frame_size(self._buffer)
        if size is None or len(self._buffer) < size:
            return None
        raw = bytes(self._buffer[:size])
        del self._buffer[:size]
        return parse_frame(raw)
