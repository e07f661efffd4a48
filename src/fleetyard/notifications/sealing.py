"""The tenant's SMTP password and VAPID private key at rest, sealed like integration
credentials (``kit.sealing``): bound to their purpose and tenant, never returned by the API."""

from __future__ import annotations

import uuid

import asyncpg

from fleetyard.kit.sealing import Keyring, SealError, associated_data

SMTP_PASSWORD = "smtp_password"  # noqa: S105 - a purpose label, not a password
VAPID_PRIVATE_KEY = "vapid_private_key"


def seal(keyring: Keyring, purpose: str, tenant_id: uuid.UUID, secret: str) -> bytes:
    return keyring.seal_text(secret, associated_data(purpose, tenant_id, tenant_id))


def open_sealed(
    keyring: Keyring, purpose: str, tenant_id: uuid.UUID, sealed: bytes | None
) -> str | None:
    if sealed is None:
        return None
    return keyring.open_text(bytes(sealed), associated_data(purpose, tenant_id, tenant_id))


_WITH_SECRETS = """
select tenant_id, smtp_password_sealed, vapid_private_key_sealed
from notification_channel_settings
where tenant_id > $1
  and (smtp_password_sealed is not null or vapid_private_key_sealed is not null)
order by tenant_id
limit $2
for update skip locked
"""

_RESEALED = """
update notification_channel_settings
set smtp_password_sealed = $2, vapid_private_key_sealed = $3, key_id = $4
where tenant_id = $1
"""

BATCH = 500
_PURPOSES = (
    ("smtp_password_sealed", SMTP_PASSWORD),
    ("vapid_private_key_sealed", VAPID_PRIVATE_KEY),
)


async def reseal_all(conn: asyncpg.Connection, keyring: Keyring) -> tuple[int, int]:
    """On the owner connection (``fleetyard integrations rotate-key``): every tenant's SMTP
    password and VAPID key re-sealed under the current master key, opened with the current
    or previous one; a batch per transaction, so it resumes. Returns (resealed, unreadable)."""
    done = unreadable = 0
    after = uuid.UUID(int=0)
    while True:
        async with conn.transaction():
            rows = await conn.fetch(_WITH_SECRETS, after, BATCH)
            for row in rows:
                tenant_id = row["tenant_id"]
                try:
                    values = [_current(keyring, tenant_id, row[c], p) for c, p in _PURPOSES]
                except SealError:
                    unreadable += 1
                    continue
                if all(fresh is None for fresh in values):
                    continue  # already under the current key
                sealed = [
                    fresh if fresh is not None else row[column]
                    for fresh, (column, _) in zip(values, _PURPOSES, strict=True)
                ]
                await conn.execute(_RESEALED, tenant_id, *sealed, keyring.key_id)
                done += 1
        if len(rows) < BATCH:
            return done, unreadable
        after = rows[-1]["tenant_id"]


def _current(
    keyring: Keyring, tenant_id: uuid.UUID, sealed: bytes | None, purpose: str
) -> bytes | None:
    """The value sealed anew under the current key, or None when there is nothing to do."""
    if sealed is None or keyring.is_current(bytes(sealed)):
        return None
    plain = open_sealed(keyring, purpose, tenant_id, sealed)
    assert plain is not None
    return seal(keyring, purpose, tenant_id, plain)
