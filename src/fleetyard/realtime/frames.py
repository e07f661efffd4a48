"""Server messages as encoded text, built once and shared by every client that gets them.

Every message is ``{"type", "seq", "ts", "payload"}``. A position batch is assembled from
positions encoded once each (``fragment``), so a frame for a subset of the fleet costs a
byte join, not a second encoding.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from fleetyard.realtime.items import POSITION


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    seq: int
    text: str

    @property
    def size(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class PositionFragment:
    """One vehicle's position, numbered and encoded once."""

    seq: int
    vehicle_id: uuid.UUID
    encoded: bytes


def _fallback(value: Any) -> Any:
    """Types orjson doesn't know: asyncpg's own UUID, Decimal, sets."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_fallback)


def timestamp() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def encode_frame(type_: str, seq: int, payload: Any) -> Frame:
    text = dumps({"type": type_, "seq": seq, "ts": timestamp(), "payload": payload})
    return Frame(type_, seq, text.decode())


def encode_position(seq: int, vehicle_id: uuid.UUID, payload: dict[str, Any]) -> PositionFragment:
    return PositionFragment(seq, vehicle_id, dumps({**payload, "seq": seq}))


def position_frame(fragments: Iterable[PositionFragment]) -> Frame:
    parts = list(fragments)
    seq = max(p.seq for p in parts)
    head = f'{{"type":"{POSITION}","seq":{seq},"ts":"{timestamp()}","payload":{{"positions":['
    body = b",".join(p.encoded for p in parts)
    return Frame(POSITION, seq, head + body.decode() + "]}}")
