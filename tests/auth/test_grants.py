"""The in-process cache of resolved API keys: TTL, bound, key expiry, races, touches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fleetyard.auth.grants import TOUCH_EVERY_S, ApiKeyGrants
from fleetyard.auth.repository import ApiKeyGrant


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def grant(expires_at: float | None = None, last_used_at: float | None = None) -> ApiKeyGrant:
    def moment(ts: float | None) -> datetime | None:
        return None if ts is None else datetime.fromtimestamp(ts, UTC)

    return ApiKeyGrant(
        uuid.uuid4(), uuid.uuid4(), "viewer", 600, moment(expires_at), moment(last_used_at)
    )


def cache(clock: Clock, **kwargs: float) -> ApiKeyGrants:
    return ApiKeyGrants(monotonic=clock, wall=clock, **kwargs)  # type: ignore[arg-type]


def test_entries_live_for_the_ttl() -> None:
    clock = Clock()
    grants = cache(clock, ttl_s=10)
    g = grant()
    grants.put("h", g, grants.stamp())
    clock.now += 9.9
    assert grants.get("h") is g
    clock.now += 0.1
    assert grants.get("h") is None


def test_a_cached_key_stops_at_its_expiry() -> None:
    clock = Clock()
    grants = cache(clock, ttl_s=10)
    grants.put("h", grant(expires_at=clock.now + 2), grants.stamp())
    clock.now += 1.9
    assert grants.get("h") is not None
    clock.now += 0.1
    assert grants.get("h") is None


def test_size_is_bounded_oldest_out() -> None:
    clock = Clock()
    grants = cache(clock, max_entries=2)
    for name in ("a", "b", "c"):
        grants.put(name, grant(), grants.stamp())
    assert grants.get("a") is None
    assert grants.get("b") is not None
    assert grants.get("c") is not None


def test_invalidate_forgets_and_refuses_a_racing_lookup() -> None:
    clock = Clock()
    grants = cache(clock)
    grants.put("h", grant(), grants.stamp())
    stamp = grants.stamp()  # a look-up starts …
    grants.invalidate("h")  # … the key is revoked meanwhile …
    grants.put("h", grant(), stamp)  # … and its (possibly old) answer is not kept
    assert grants.get("h") is None


def test_touch_at_most_once_a_minute() -> None:
    clock = Clock()
    grants = cache(clock)
    grants.put("h", grant(last_used_at=clock.now - 30), grants.stamp())
    assert not grants.should_touch("h")  # used 30 s ago (by any process)
    clock.now += 30
    assert grants.should_touch("h")
    assert not grants.should_touch("h")
    clock.now += TOUCH_EVERY_S
    assert grants.should_touch("h")


def test_never_used_key_is_touched() -> None:
    clock = Clock()
    grants = cache(clock)
    grants.put("h", grant(), grants.stamp())
    assert grants.should_touch("h")
    assert grants.should_touch("unknown")
