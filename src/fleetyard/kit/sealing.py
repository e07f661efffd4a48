"""Secrets at rest: integration credentials and webhook signing secrets, sealed with AES-GCM.

The sealing key is derived (HKDF-SHA256) from the configured master key, never used as is.
A sealed value is ``format (1 byte) | key id (8) | nonce (12) | ciphertext and tag``; the key
id names the master key that sealed it, so a rotation knows which rows are still to do and a
row sealed under an unknown key says so instead of failing as "tampered". The associated data
binds a value to its place (purpose, tenant, record): a ciphertext copied to another row or
field does not open.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import HTTPConnection

from fleetyard.config import Settings

FORMAT = 1
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
KEY_FILE = "master.key"
_SEALING_INFO = b"fleetyard sealing v1"
_KEY_ID_INFO = b"fleetyard key id v1"


class SealError(Exception):
    """A sealed value that does not open: tampered, moved, or sealed under another key."""


def _derive(master: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


def associated_data(purpose: str, tenant_id: uuid.UUID, record_id: uuid.UUID) -> bytes:
    """What a value is bound to: ``integration_credentials``, ``webhook_secret`` …"""
    return f"{purpose}:{tenant_id}:{record_id}".encode()


@dataclass(frozen=True, slots=True)
class Sealer:
    """One master key's sealing key and its id (a fingerprint that reveals nothing of it)."""

    key_id: bytes
    _aead: AESGCM

    @classmethod
    def from_master_key(cls, master_key: str) -> Sealer:
        master = master_key.encode()
        key_id = _derive(master, _KEY_ID_INFO, KEY_ID_BYTES)
        return cls(key_id, AESGCM(_derive(master, _SEALING_INFO, 32)))

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        header = bytes([FORMAT]) + self.key_id + nonce
        return header + self._aead.encrypt(nonce, plaintext, header + aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        header = sealed[:HEADER_BYTES]
        nonce = header[1 + KEY_ID_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed[HEADER_BYTES:], header + aad)
        except InvalidTag:
            raise SealError("the sealed value was altered or belongs to another record") from None


def key_id_of(sealed: bytes) -> str:
    """The hex id of the master key that sealed a value."""
    if len(sealed) <= HEADER_BYTES or sealed[0] != FORMAT:
        raise SealError("not a sealed value of a known format")
    return sealed[1 : 1 + KEY_ID_BYTES].hex()


@dataclass(frozen=True, slots=True)
class Keyring:
    """Seals under the current master key; opens under it or the previous one (mid-rotation)."""

    current: Sealer
    previous: Sealer | None = None

    @classmethod
    def from_keys(cls, current: str, previous: str | None = None) -> Keyring:
        old = Sealer.from_master_key(previous) if previous else None
        return cls(Sealer.from_master_key(current), old)

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        previous = settings.master_key_previous
        return cls.from_keys(
            master_key(settings), previous.get_secret_value() if previous else None
        )

    @property
    def key_id(self) -> str:
        return self.current.key_id_hex

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return self.current.seal(plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        key_id = key_id_of(sealed)
        for sealer in (self.current, self.previous):
            if sealer is not None and sealer.key_id_hex == key_id:
                return sealer.open(sealed, aad)
        raise SealError(
            f"sealed under master key {key_id}, which is neither FLEETYARD_MASTER_KEY "
            "nor FLEETYARD_MASTER_KEY_PREVIOUS"
        )

    def is_current(self, sealed: bytes) -> bool:
        return key_id_of(sealed) == self.key_id

    def seal_text(self, text: str, aad: bytes) -> bytes:
        return self.seal(text.encode(), aad)

    def open_text(self, sealed: bytes, aad: bytes) -> str:
        return self.open(sealed, aad).decode()


def new_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def master_key(settings: Settings) -> str:
    """The configured master key; outside production (where config requires one) a key
    generated on first use and kept in ``data_dir/master.key``, readable by its owner only."""
    if settings.master_key is not None:
        return settings.master_key.get_secret_value()
    return _key_file(settings.data_dir / KEY_FILE)


def _key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_master_key()
    try:
        # O_EXCL: two processes starting together keep the one key written first.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def keyring_of(connection: HTTPConnection) -> Keyring:
    """The app's keyring, made from its settings on first use."""
    state = connection.app.state
    keyring: Keyring | None = getattr(state, "keyring", None)
    if keyring is None:
        keyring = state.keyring = Keyring.from_settings(state.settings)
    return keyring
