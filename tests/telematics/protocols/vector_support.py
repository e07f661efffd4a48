"""Shared helpers for the GT06, H02 and OsmAnd decoder tests: the shared vectors, feeding a
session in chunks, and the sanity rules every decoded position must pass."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import Event, PositionsDecoded, ProtocolSession


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


VECTORS_PATH = _repo_root().parent / "shared" / "testdata" / "protocols" / "vectors.json"
FIXED_NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def load_vectors(protocol: str) -> list[dict[str, Any]]:
    found = [v for v in json.loads(VECTORS_PATH.read_text()) if v["protocol"] == protocol]
    assert found, f"no {protocol} vectors in {VECTORS_PATH}"
    return found


def params(vectors: list[dict[str, Any]], *kinds: str) -> list[Any]:
    return [pytest.param(v, id=v["id"]) for v in vectors if not kinds or v["kind"] in kinds]


def fixed_clock() -> datetime:
    return FIXED_NOW


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def byte_by_byte(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def feed(session: ProtocolSession, chunks: Iterable[bytes]) -> list[Event]:
    events: list[Event] = []
    for chunk in chunks:
        events += session.receive_data(chunk)
    return events


def positions_of(events: Iterable[Event]) -> list[Position]:
    return [p for e in events if isinstance(e, PositionsDecoded) for p in e.positions]


def check_sane(position: Position, protocol: str, unique_id: str) -> None:
    assert position.protocol == protocol
    assert position.unique_id == unique_id
    assert -90.0 <= position.latitude <= 90.0
    assert -180.0 <= position.longitude <= 180.0
    assert not (position.latitude == 0.0 and position.longitude == 0.0)
    if position.speed_kmh is not None:
        assert 0.0 <= position.speed_kmh < 400.0
    if position.course is not None:
        assert 0.0 <= position.course <= 360.0
    assert position.fix_time.utcoffset() == UTC.utcoffset(None)
    assert datetime(2000, 1, 1, tzinfo=UTC) <= position.fix_time < datetime(2100, 1, 1, tzinfo=UTC)


def in_range(position: Position) -> bool:
    """What even a fuzzed frame must never break: coordinates on the globe, aware UTC time."""
    return (
        -90.0 <= position.latitude <= 90.0
        and -180.0 <= position.longitude <= 180.0
        and position.fix_time.utcoffset() == UTC.utcoffset(None)
    )
