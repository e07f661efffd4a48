"""When a delivery that did not succeed is tried again, and when it is given up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

# Waits after the 1st, 2nd, … failed attempt, in multiples of the base (10 s by default):
# 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h; later attempts wait as long as the last.
STEPS = (1, 3, 12, 60, 180, 360, 1080, 2160)
JITTER = 0.2  # ± this fraction, so endpoints that failed together don't retry together


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def retry_delay(attempts: int, base_s: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` attempts have failed."""
    step = STEPS[min(max(attempts, 1), len(STEPS)) - 1]
    jitter = (rng or _rng).uniform(1 - JITTER, 1 + JITTER)
    return base_s * step * jitter


_rng = random.Random()  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True, slots=True)
class Settlement:
    status: DeliveryStatus
    retry_in_s: float | None = None  # set when status is pending


def settle(
    *,
    succeeded: bool,
    retryable: bool,
    attempts: int,
    max_attempts: int,
    base_s: float,
    rng: random.Random | None = None,
) -> Settlement:
    """What follows an attempt: done, another try later, or given up."""
    if succeeded:
        return Settlement(DeliveryStatus.SUCCEEDED)
    if not retryable or attempts >= max_attempts:
        return Settlement(DeliveryStatus.FAILED)
    return Settlement(DeliveryStatus.PENDING, retry_delay(attempts, base_s, rng))
