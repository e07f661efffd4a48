"""What the cache holds: an answer's JSON body with its validator and its times.

The body is kept as the bytes that go on the wire, so a hit costs no serialisation at all,
and the same bytes travel through Redis (no pickle: a value read back from Redis is data,
never code)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import orjson


def weak_etag(body: bytes) -> str:
    """A weak validator from the body's digest: equal bodies, equal tags, on every node."""
    return f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    etag: str
    fresh_until: float  # wall clock: shared by every node through Redis
    expires_at: float  # after this it is never served, not even stale
    tags: tuple[str, ...]

    @classmethod
    def of(cls, body: bytes, *, fresh_for: float, ttl: float, tags: tuple[str, ...]) -> Entry:
        now = time.time()
        return cls(body, weak_etag(body), now + fresh_for, now + max(ttl, fresh_for), tags)

    def encode(self) -> bytes:
        head = orjson.dumps([self.fresh_until, self.expires_at, self.etag, self.tags])
        return head + b"\n" + self.body

    @classmethod
    def decode(cls, blob: bytes) -> Entry | None:
        """None for anything this version did not write (the key space is versioned too)."""
        head, _, body = blob.partition(b"\n")
        try:
            fresh_until, expires_at, etag, tags = orjson.loads(head)
            return cls(body, str(etag), float(fresh_until), float(expires_at), tuple(tags))
        except (orjson.JSONDecodeError, TypeError, ValueError):
            return None
