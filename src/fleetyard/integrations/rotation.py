"""Master key rotation: every integration's credentials, every webhook secret and every
tenant's notification secrets (SMTP password, VAPID key) re-sealed under the current master
key, opened with the previous one. A batch per transaction and only rows not yet under the
current key, so it is idempotent and resumes where it stopped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from fleetyard.integrations.credentials import PURPOSE
from fleetyard.kit.sealing import Keyring, SealError, associated_data
from fleetyard.notifications import sealing as notification_sealing
from fleetyard.webhooks import sealing as webhook_sealing

BATCH = 500

_TO_DO = """
select tenant_id, id, credentials from integrations
where credentials_key_id <> $1 and not (id = any($2::uuid[]))
order by tenant_id, id
limit $3
for update skip locked
"""

_RESEALED = """
update integrations set credentials = $3, credentials_key_id = $4
where tenant_id = $1 and id = $2
"""


@dataclass(frozen=True, slots=True)
class Rotation:
    integrations: int
    webhooks: int
    unreadable: int  # sealed under a key that is neither current nor previous: left as is
    notification_channels: int = 0  # tenants' SMTP passwords and VAPID keys


async def reseal_integrations(conn: asyncpg.Connection, keyring: Keyring) -> tuple[int, int]:
    done = 0
    unreadable: list[uuid.UUID] = []
    while True:
        async with conn.transaction():
            rows = await conn.fetch(_TO_DO, keyring.key_id, unreadable, BATCH)
            for row in rows:
                aad = associated_data(PURPOSE, row["tenant_id"], row["id"])
                try:
                    plain = keyring.open(bytes(row["credentials"]), aad)
                except SealError:
                    unreadable.append(row["id"])
                    continue
                sealed = keyring.seal(plain, aad)
                await conn.execute(_RESEALED, row["tenant_id"], row["id"], sealed, keyring.key_id)
                done += 1
        if len(rows) < BATCH:
            return done, len(unreadable)


async def rotate(owner_dsn: str, keyring: Keyring) -> Rotation:
    """On the owner connection (every tenant's rows)."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        integrations, bad_integrations = await reseal_integrations(conn, keyring)
        webhooks, bad_webhooks = await webhook_sealing.seal_all(conn, keyring)
        channels, bad_channels = await notification_sealing.reseal_all(conn, keyring)
    finally:
        await conn.close()
    return Rotation(
        integrations, webhooks, bad_integrations + bad_webhooks + bad_channels, channels
    )
