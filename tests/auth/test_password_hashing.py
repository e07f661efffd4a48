"""Passwords are argon2id at the library's strong defaults unless a test suite asks otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

from fleetyard.auth.secrets import FAST_HASHING_ENV, hash_password, verify_password

_HASH_IN_A_FRESH_PROCESS = (
    "from fleetyard.auth.secrets import hash_password; print(hash_password('correct horse'))"
)


def _hash_elsewhere(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != FAST_HASHING_ENV}
    done = subprocess.run(
        [sys.executable, "-c", _HASH_IN_A_FRESH_PROCESS],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_production_hashes_are_strong_argon2id() -> None:
    strong = _hash_elsewhere()
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(strong, "correct horse")  # a cheap hasher verifies it too
    assert not verify_password(strong, "wrong horse")


def test_the_fast_setting_is_only_taken_when_asked_for() -> None:
    assert _hash_elsewhere(**{FAST_HASHING_ENV: "yes"}).startswith("$argon2id$v=19$m=65536")
    cheap = _hash_elsewhere(**{FAST_HASHING_ENV: "1"})
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_this_suite_hashes_cheaply_and_verifies() -> None:
    hashed = hash_password("s3cret")
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_password(hashed, "s3cret")
    assert not verify_password(hashed, "S3cret")
    assert not verify_password(None, "s3cret")
