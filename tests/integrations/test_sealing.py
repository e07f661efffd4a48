"""Sealing secrets at rest: AES-GCM under a key derived from the master key, bound to the
record it belongs to, naming the master key that sealed it."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.config import Environment, Settings
from fleetyard.kit.sealing import (
    HEADER_BYTES,
    Keyring,
    Sealer,
    SealError,
    associated_data,
    key_id_of,
    master_key,
)

KEY = "k" * 40
OTHER = "o" * 40
TENANT, RECORD = uuid.uuid4(), uuid.uuid4()
AAD = associated_data("integration_credentials", TENANT, RECORD)


@given(st.binary(max_size=2000))
def test_what_is_sealed_opens_again_and_is_not_the_plain_text(plain: bytes) -> None:
    keyring = Keyring.from_keys(KEY)
    sealed = keyring.seal(plain, AAD)
    assert keyring.open(sealed, AAD) == plain
    assert len(sealed) == HEADER_BYTES + len(plain) + 16
    if len(plain) >= 8:
        assert plain not in sealed


def test_each_seal_has_its_own_nonce() -> None:
    keyring = Keyring.from_keys(KEY)
    assert keyring.seal(b"same", AAD) != keyring.seal(b"same", AAD)


def test_a_value_moved_to_another_record_or_purpose_does_not_open() -> None:
    keyring = Keyring.from_keys(KEY)
    sealed = keyring.seal(b"token", AAD)
    for elsewhere in (
        associated_data("integration_credentials", uuid.uuid4(), RECORD),
        associated_data("integration_credentials", TENANT, uuid.uuid4()),
        associated_data("webhook_secret", TENANT, RECORD),
    ):
        with pytest.raises(SealError):
            keyring.open(sealed, elsewhere)


@pytest.mark.parametrize("index", [0, 1, HEADER_BYTES - 1, HEADER_BYTES, -1])
def test_any_altered_byte_is_refused(index: int) -> None:
    keyring = Keyring.from_keys(KEY)
    sealed = bytearray(keyring.seal(b"a credential", AAD))
    sealed[index] ^= 0x01
    with pytest.raises(SealError):
        keyring.open(bytes(sealed), AAD)


def test_the_key_id_names_the_master_key_and_the_previous_one_still_opens() -> None:
    old = Keyring.from_keys(OTHER)
    sealed = old.seal(b"x", AAD)
    assert key_id_of(sealed) == Sealer.from_master_key(OTHER).key_id_hex
    rotated = Keyring.from_keys(KEY, previous=OTHER)
    assert not rotated.is_current(sealed)
    assert rotated.open(sealed, AAD) == b"x"
    with pytest.raises(SealError, match="neither"):
        Keyring.from_keys(KEY).open(sealed, AAD)
    assert rotated.is_current(rotated.seal(b"x", AAD))


def test_garbage_is_a_seal_error() -> None:
    with pytest.raises(SealError):
        Keyring.from_keys(KEY).open(b"plain text secret", AAD)
    with pytest.raises(SealError):
        Keyring.from_keys(KEY).open(b"", AAD)


def test_development_keeps_a_generated_key_in_a_private_file(tmp_path: Path) -> None:
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=tmp_path / "data")
    first = master_key(settings)
    path = tmp_path / "data" / "master.key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert master_key(settings) == first
    assert len(first) >= 40


def test_a_configured_key_wins_and_production_refuses_to_start_without_one(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, master_key=KEY)
    assert master_key(settings) == KEY
    assert not (tmp_path / "master.key").exists()
    with pytest.raises(ValueError, match="MASTER_KEY"):
        Settings(env=Environment.PRODUCTION, secret_key="s" * 40)
    assert Settings(env=Environment.PRODUCTION, secret_key="s" * 40, master_key=KEY)
    with pytest.raises(ValueError, match="master_key"):
        Settings(master_key="too short")
