"""The rate limiter itself: exact in one process, shared through Redis with a bounded lease
per process, and still answering (per process) while Redis is down."""

from __future__ import annotations

import pytest

from fleetyard.errors import RateLimited
from fleetyard.kit.ratelimit import LEASE_FRACTION, RateLimiter
from tests.cache.redis_process import RedisProcess


async def admitted(limiter: RateLimiter, key: str, per_minute: int, tries: int) -> int:
    count = 0
    retry_after: list[int] = []
    for _ in range(tries):
        try:
            await limiter.hit("tenant", key, per_minute)
            count += 1
        except RateLimited as refused:
            retry_after.append(int((refused.headers or {})["Retry-After"]))
    assert all(1 <= seconds <= 60 for seconds in retry_after)
    return count


async def test_in_memory_the_budget_is_exact_and_refusals_are_not_counted() -> None:
    limiter = RateLimiter()
    assert await admitted(limiter, "a", 5, 12) == 5
    assert await admitted(limiter, "b", 5, 1) == 1  # another key has its own budget


async def test_small_budgets_are_exact_across_processes(own_redis: RedisProcess) -> None:
    one, two = RateLimiter(own_redis.url), RateLimiter(own_redis.url)
    try:
        counts = [await admitted(limiter, "login-ip", 10, 1) for limiter in (one, two) * 8]
        assert sum(counts) == 10  # under 50 a minute: every hit asks Redis
    finally:
        await one.aclose()
        await two.aclose()


async def test_large_budgets_overshoot_by_at_most_the_leases(own_redis: RedisProcess) -> None:
    budget = 1_000
    one, two = RateLimiter(own_redis.url), RateLimiter(own_redis.url)
    try:
        total = 0
        for _ in range(700):
            total += await admitted(one, "tenant-x", budget, 1)
            total += await admitted(two, "tenant-x", budget, 1)
        assert budget <= total <= budget + 2 * int(budget * LEASE_FRACTION)
    finally:
        await one.aclose()
        await two.aclose()


async def test_redis_down_counts_per_process_and_never_fails(
    own_redis: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(own_redis.url)
    try:
        assert await admitted(limiter, "t", 3, 1) == 1
        own_redis.kill()
        assert await admitted(limiter, "t", 3, 5) == 3  # alone, from zero: still a limit
        assert "Redis unreachable" in caplog.text
    finally:
        await limiter.aclose()
