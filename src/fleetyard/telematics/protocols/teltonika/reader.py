"""A bounds-checked big-endian cursor over one frame: running past the end is a ProtocolError."""

from __future__ import annotations

import struct
from typing import Any

from fleetyard.telematics.protocols.base import ProtocolError


class Reader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos

    def take(self, n: int) -> bytes:
        if n > self.remaining:
            raise ProtocolError(f"truncated: need {n} bytes at offset {self._pos}")
        chunk = self._data[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def unpack(self, layout: struct.Struct) -> tuple[Any, ...]:
        """Several fixed-size fields at once (one bounds check, one C call)."""
        if layout.size > self.remaining:
            raise ProtocolError(f"truncated: need {layout.size} bytes at offset {self._pos}")
        values = layout.unpack_from(self._data, self._pos)
        self._pos += layout.size
        return values

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def sint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big", signed=True)

    def rest(self) -> bytes:
        return self.take(self.remaining)

    def expect_end(self, what: str) -> None:
        if self.remaining:
            raise ProtocolError(f"{self.remaining} unexpected bytes after {what}")
