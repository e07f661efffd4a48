"""H02 framing: ``*…#`` ASCII sentences and fixed-length binary ``$`` records on one stream.

Text sentences may be followed by CR/LF, which is skipped. A binary record carries no length or
terminator, so its size is a per-port setting (45 bytes for the common "long" format with a
5-byte id, 32 for the short one); Traccar guesses it from the size of the first read, which a
split or glued read defeats. Anything else at a frame start is not H02.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetyard.telematics.protocols.base import ProtocolError

TEXT_START = ord("*")
TEXT_END = ord("#")
BINARY_START = ord("$")
MAX_TEXT_FRAME = 1024  # the longest documented sentences (NBR cell lists) are ~300 bytes
BINARY_LENGTHS = frozenset({32, 45})
_SKIPPED = b"\r\n"


@dataclass(frozen=True, slots=True)
class RawFrame:
    data: bytes  # the whole frame, marker and terminator included
    binary: bool


class H02Framer:
    def __init__(self, binary_length: int = 45) -> None:
        if binary_length not in BINARY_LENGTHS:
            raise ValueError(f"binary_length must be one of {sorted(BINARY_LENGTHS)}")
        self.binary_length = binary_length
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the current text frame already checked

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def receive(self, data: bytes) -> None:
        self._buffer += data

    def clear(self) -> None:
        self._buffer.clear()
        self._scanned = 0

    def next_frame(self) -> RawFrame | None:
        """The next whole frame, or None until more bytes arrive. Raises ProtocolError."""
        buffer = self._buffer
        skip = len(buffer) - len(buffer.lstrip(_SKIPPED))
        if skip:
            del buffer[:skip]
        if not buffer:
            return None
        if buffer[0] == TEXT_START:
            return self._text()
        if buffer[0] == BINARY_START:
            if len(buffer) < self.binary_length:
                return None
            return RawFrame(self._cut(self.binary_length), binary=True)
        raise ProtocolError(f"byte 0x{buffer[0]:02X} cannot start an H02 frame")

    def _text(self) -> RawFrame | None:
        buffer = self._buffer
        for index in range(max(self._scanned, 1), len(buffer)):
            byte = buffer[index]
            if byte == TEXT_END:
                self._scanned = 0
                return RawFrame(self._cut(index + 1), binary=False)
            if not 0x20 <= byte < 0x7F or byte == TEXT_START:
                raise ProtocolError(f"byte 0x{byte:02X} inside a text sentence")
            if index + 1 >= MAX_TEXT_FRAME:
                raise ProtocolError(f"text sentence longer than {MAX_TEXT_FRAME} bytes")
        self._scanned = len(buffer)
        return None

    def _cut(self, size: int) -> bytes:
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        return chunk
