from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one connection, and all of them together, may cost."""

    max_connections: int = 20_000
    idle_timeout_s: float = 600.0  # trackers report at least every few minutes
    read_size: int = 4096
    write_timeout_s: float = 30.0
