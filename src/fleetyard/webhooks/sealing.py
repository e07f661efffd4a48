"""Webhook signing secrets at rest, sealed like integration credentials (``kit.sealing``).

Rows from before sealing hold plain text until sealed: the dispatcher seals them when it
starts and ``fleetyard integrations rotate-key`` seals any left, so a migration never needs
the master key. Until then the dispatcher signs with whichever form a row has.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from fleetyard.kit.sealing import Keyring, associated_data

CURRENT = "webhook_secret"
PREVIOUS = "webhook_previous_secret"
BATCH = 500


def seal(
    keyring: Keyring,
    tenant_id: uuid.UUID,
    webhook_id: uuid.UUID,
    secret: str,
    purpose: str = CURRENT,
) -> bytes:
    return keyring.seal_text(secret, associated_data(purpose, tenant_id, webhook_id))


def open_secret(
    keyring: Keyring,
    tenant_id: uuid.UUID,
    webhook_id: uuid.UUID,
    sealed: bytes | None,
    plain: str | None,
    purpose: str = CURRENT,
) -> str | None:
    """The secret from its sealed form, else from a not-yet-sealed row's plain text."""
    if sealed is not None:
        return keyring.open_text(bytes(sealed), associated_data(purpose, tenant_id, webhook_id))
    return plain


def current_secret(keyring: Keyring, row: Mapping[str, Any]) -> str | None:
    return open_secret(
        keyring, row["tenant_id"], row["id"], row["secret_sealed"], row["secret"], CURRENT
    )


def previous_secret(keyring: Keyring, row: Mapping[str, Any]) -> str | None:
    return open_secret(
        keyring,
        row["tenant_id"],
        row["id"],
        row["previous_secret_sealed"],
        row["previous_secret"],
        PREVIOUS,
    )


_TO_DO = """
select tenant_id, id, secret, secret_sealed, previous_secret, previous_secret_sealed
from webhooks
where (secret is not null or (not $4 and secret_key_id is distinct from $1))
  and not (id = any($2::uuid[]))
order by tenant_id, id
limit $3
for update skip locked
"""

_SEALED = """
update webhooks
set secret = null, previous_secret = null, secret_sealed = $3, previous_secret_sealed = $4,
    secret_key_id = $5
where tenant_id = $1 and id = $2
"""


async def seal_all(
    conn: asyncpg.Connection, keyring: Keyring, *, only_plain: bool = False
) -> tuple[int, int]:
    """On the owner connection: every webhook secret sealed under the current master key
    (plain ones, and ones sealed under the previous key), a batch per transaction, so it can
    stop and start again; ``only_plain`` leaves sealed ones as they are (the dispatcher's
    start, which is not a rotation). Returns (sealed, unreadable) counts."""
    done = 0
    unreadable: list[uuid.UUID] = []
    while True:
        async with conn.transaction():
            rows = await conn.fetch(_TO_DO, keyring.key_id, unreadable, BATCH, only_plain)
            for row in rows:
                try:
                    secret = current_secret(keyring, row)
                    previous = previous_secret(keyring, row)
                except Exception:
                    unreadable.append(row["id"])
                    continue
                tenant_id, webhook_id = row["tenant_id"], row["id"]
                await conn.execute(
                    _SEALED,
                    tenant_id,
                    webhook_id,
                    seal(keyring, tenant_id, webhook_id, secret) if secret else None,
                    seal(keyring, tenant_id, webhook_id, previous, PREVIOUS) if previous else None,
                    keyring.key_id,
                )
                done += 1
        if len(rows) < BATCH:
            return done, len(unreadable)
