"""Passwords (argon2id) and opaque tokens (stored only as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

FAST_HASHING_ENV = "FLEETYARD_INSECURE_FAST_PASSWORD_HASHING"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults (64 MiB, 3 passes: ~0.2 s a hash here, on purpose).
    ``FLEETYARD_INSECURE_FAST_PASSWORD_HASHING=1`` takes the cheapest parameters instead, for
    test suites that create thousands of users; a hash carries its parameters, so either
    hasher verifies both kinds."""
    if os.environ.get(FAST_HASHING_ENV) == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both paths take the same time."""
    return _hasher().hash("fleetyard-timing-equaliser")


API_KEY_PREFIX = "fy_"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """Returns (key, display prefix). The key is shown once; only its digest is stored."""
    prefix = API_KEY_PREFIX + secrets.token_hex(4)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix
