"""Resolved API keys, kept in process memory for a few seconds.

A warm request then costs no key look-up: only the tenant setting. What that trades away:

- a key revoked through *this* process stops at once (:meth:`ApiKeyGrants.invalidate`), but
  another process may honour it for up to ``ttl_s`` more seconds;
- a key's expiry is cached with it and checked on every use, so an expiring key stops at its
  time everywhere;
- ``last_used_at`` is written at most once a minute per key, decided here, so warm reads
  stay reads.

Entries are keyed by the key's digest, never the key itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fleetyard.auth.repository import ApiKeyGrant

TTL_S = 10.0
MAX_ENTRIES = 10_000
TOUCH_EVERY_S = 60.0


@dataclass(slots=True)
class _Entry:
    grant: ApiKeyGrant
    stored_at: float  # monotonic
    expires_at: float | None  # wall clock (POSIX seconds), from the key
    last_used_at: float  # wall clock; 0 when the key was never used


class ApiKeyGrants:
    """A bounded TTL cache of key digest → grant, with the "touch" decision beside it."""

    def __init__(
        self,
        ttl_s: float = TTL_S,
        max_entries: int = MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._wall = wall
        self._entries: dict[str, _Entry] = {}
        self._invalidations = 0

    def stamp(self) -> int:
        """Taken before a database look-up and handed to :meth:`put`: a look-up that raced
        an invalidation is not cached (it may have read the row from before the revocation)."""
        return self._invalidations

    def get(self, key_hash: str) -> ApiKeyGrant | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        stale = self._monotonic() - entry.stored_at >= self.ttl_s
        if stale or (entry.expires_at is not None and self._wall() >= entry.expires_at):
            del self._entries[key_hash]
            return None
        return entry.grant

    def put(self, key_hash: str, grant: ApiKeyGrant, stamp: int) -> None:
        if stamp != self._invalidations:
            return
        self._entries.pop(key_hash, None)
        while len(self._entries) >= self.max_entries:  # drop the oldest
            del self._entries[next(iter(self._entries))]
        expires_at = grant.expires_at.timestamp() if grant.expires_at else None
        last_used = grant.last_used_at.timestamp() if grant.last_used_at else 0.0
        self._entries[key_hash] = _Entry(grant, self._monotonic(), expires_at, last_used)

    def invalidate(self, key_hash: str) -> None:
        """Forget one key at once (revoked through this process)."""
        self._invalidations += 1
        self._entries.pop(key_hash, None)

    def should_touch(self, key_hash: str) -> bool:
        """True at most once a minute per key: the caller then records ``last_used_at``."""
        entry = self._entries.get(key_hash)
        now = self._wall()
        if entry is None:
            return True
        if now - entry.last_used_at < TOUCH_EVERY_S:
            return False
        entry.last_used_at = now
        return True
