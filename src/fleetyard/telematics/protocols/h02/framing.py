"""H02 framing: ``*…#`` ASCII sentences and binary ``$`` records on one stream.

Text sentences may be followed by CR/LF, which is skipped. A binary record carries no length or
terminator, and firmware variants send 32, 42, 45, 46 or 48 bytes (binary.py). Traccar takes
the size of the first read as the record length, which a split or glued read defeats. Every
variant holds its whole fix in the first 32 bytes, so we cut those as soon as they are in (no
waiting for the next frame to see where this one ends) and then skip the record's tail: as
long as the port's configured record length says, or else the possible tail length after
which the next frame starts, told when that frame arrives (a device may append a tail to
some records only, so one record's length says nothing of the next).
Anything else at a frame start is not H02.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.h02.binary import CORE_LENGTH, TAIL_LENGTHS, id_width

TEXT_START = ord("*")
TEXT_END = ord("#")
BINARY_START = ord("$")
FRAME_STARTS = frozenset({TEXT_START, BINARY_START})
MAX_TEXT_FRAME = 1024  # the longest documented sentences (NBR cell lists) are ~300 bytes
BINARY_LENGTHS = frozenset(CORE_LENGTH + tail for tails in TAIL_LENGTHS.values() for tail in tails)
_SKIPPED = b"\r\n"


@dataclass(frozen=True, slots=True)
class RawFrame:
    data: bytes  # the whole text frame, marker and terminator included; a record's first 32 B
    binary: bool


class H02Framer:
    """``binary_length``: the port's record size when known; None tells each record's end by
    where the next frame starts."""

    def __init__(self, binary_length: int | None = None) -> None:
        if binary_length is not None and binary_length not in BINARY_LENGTHS:
            raise ValueError(f"binary_length must be one of {sorted(BINARY_LENGTHS)}")
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the current text frame already checked
        self._tail = None if binary_length is None else binary_length - CORE_LENGTH
        self._tail_candidates: tuple[int, ...] = ()  # set while a record's tail is due

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame; a due tail that could be whole counts as finished."""
        if self._tail_candidates and len(self._buffer) in self._tail_candidates:
            return 0
        return len(self._buffer)

    def receive(self, data: bytes) -> None:
        self._buffer += data

    def clear(self) -> None:
        self._buffer.clear()
        self._scanned = 0
        self._tail_candidates = ()

    def next_frame(self) -> RawFrame | None:
        """The next whole frame, or None until more bytes arrive. Raises ProtocolError."""
        if self._tail_candidates and not self._skip_tail():
            return None
        buffer = self._buffer
        skip = len(buffer) - len(buffer.lstrip(_SKIPPED))
        if skip:
            del buffer[:skip]
        if not buffer:
            return None
        if buffer[0] == TEXT_START:
            return self._text()
        if buffer[0] == BINARY_START:
            return self._binary()
        raise ProtocolError(f"byte 0x{buffer[0]:02X} cannot start an H02 frame")

    def _binary(self) -> RawFrame | None:
        if len(self._buffer) < CORE_LENGTH:
            return None
        core = self._cut(CORE_LENGTH)
        self._tail_candidates = (
            TAIL_LENGTHS[id_width(core)] if self._tail is None else (self._tail,)
        )
        return RawFrame(core, binary=True)

    def _skip_tail(self) -> bool:
        """Drop the tail of the record just cut; False while its end can't be told yet."""
        buffer = self._buffer
        if self._tail is not None:  # configured
            if len(buffer) < self._tail:
                return False
            del buffer[: self._tail]
            self._tail_candidates = ()
            return True
        for tail in self._tail_candidates:
            if len(buffer) <= tail:
                return False  # the next frame may yet start here
            if buffer[tail] in FRAME_STARTS:
                del buffer[:tail]
                self._tail_candidates = ()
                return True
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
