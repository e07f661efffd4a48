"""How often each provider is polled, and how long to wait after trouble."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How one provider is paced. ``idle_min_s`` after a round with records, doubling after
    each empty one up to ``idle_max_s``; errors from ``error_first_s`` doubling to
    ``error_cap_s`` (with jitter); every adapter call within ``call_timeout_s``."""

    idle_min_s: float = 5.0
    idle_max_s: float = 60.0
    error_first_s: float = 2.0
    error_cap_s: float = 300.0
    call_timeout_s: float = 240.0  # a poll may be several requests of its own timeout each
    deliver_timeout_s: float = 120.0
    vehicles_every_s: float = 600.0


POLICIES: Final[Mapping[str, PollPolicy]] = {
    "samsara": PollPolicy(idle_min_s=5.0, idle_max_s=60.0),
    "geotab": PollPolicy(idle_min_s=10.0, idle_max_s=60.0),
    # Verizon asks not to poll a vehicle more often than every few minutes.
    "verizon_connect": PollPolicy(idle_min_s=180.0, idle_max_s=300.0),
    "mqtt": PollPolicy(),
}


def policy_for(provider: str) -> PollPolicy:
    return POLICIES.get(provider, PollPolicy())


class Backoff:
    """Exponential with jitter, bounded: first, 2×, 4× … up to cap, each × [0.5, 1)."""

    def __init__(self, first_s: float, cap_s: float, rng: random.Random) -> None:
        self.first_s, self.cap_s, self.rng = first_s, cap_s, rng
        self.failures = 0

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self) -> float:
        self.failures += 1
        ceiling = min(self.cap_s, self.first_s * 2.0 ** min(self.failures - 1, 30))
        return ceiling * (0.5 + 0.5 * self.rng.random())
