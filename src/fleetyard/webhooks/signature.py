"""Signing deliveries, Stripe-style: ``Fleetyard-Signature: t=<unix time>,v1=<hex>``, where
``v1`` is the HMAC-SHA256 under the webhook's secret of ``f"{t}.{body}"``.

Right after a rotation that keeps the previous secret for a while, the header carries one
``v1`` per valid secret; a receiver accepts the delivery when any of them matches its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

HEADER = "Fleetyard-Signature"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
# Receivers should refuse a signature older (or further in the future) than this.
DEFAULT_TOLERANCE_S = 300
_MAX_TIMESTAMP_DIGITS = 12


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under the secret's UTF-8 bytes."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_value(keys: Sequence[str], timestamp: int, body: bytes) -> str:
    """``t=…,v1=…`` with one signature per secret, the current one first."""
    signatures = [f"{SCHEME}={compute(key, timestamp, body)}" for key in keys]
    return ",".join([f"t={timestamp}", *signatures])


def parse(value: str) -> tuple[int | None, list[str]]:
    """(timestamp, v1 signatures) from a header; unknown schemes are ignored."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        if key == "t" and part.isascii() and part.isdigit():
            if len(part) <= _MAX_TIMESTAMP_DIGITS:
                timestamp = int(part)
        elif key == SCHEME and part:
            signatures.append(part)
    return timestamp, signatures


def verify(
    value: str,
    secret: str,
    body: bytes,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """What a receiver does: the timestamp is recent and one ``v1`` matches the body."""
    timestamp, signatures = parse(value)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = compute(secret, timestamp, body).encode()
    return any(
        hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
        for candidate in signatures
    )
