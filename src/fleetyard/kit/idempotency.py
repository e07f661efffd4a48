"""Idempotency-Key: a mutation replayed within 24 h returns its first response, changes nothing.

The key row is inserted in the request's own transaction, so a concurrent duplicate waits on
the primary key until the first commits, then reads its stored response.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.errors import FleetyardError, IdempotencyKeyReused, ValidationFailed
from fleetyard.models import IdempotencyKey

RETENTION = "24 hours"
MAX_KEY_LENGTH = 200


class IdempotentReplay(FleetyardError):
    """Not an error: carries the stored response back out through the exception handlers."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__("replayed")
        self.status_code = status_code
        self.body = body


@dataclass
class PendingIdempotency:
    tenant_id: uuid.UUID
    key: str

    async def store(self, session: AsyncSession, status: int, body: bytes) -> None:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.tenant_id == self.tenant_id, IdempotencyKey.key == self.key)
            .values(status_code=status, response_body=body.decode())
        )


def request_fingerprint(actor: str, method: str, path: str, query: str, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (actor, method, path, query):
        h.update(part.encode())
        h.update(b"\0")
    h.update(body)
    return h.hexdigest()


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            "Idempotency-Key must be 1–200 printable characters.",
            details={"header": "Idempotency-Key"},
        )
    return key


async def claim(
    session: AsyncSession, tenant_id: uuid.UUID, key: str, fingerprint: str
) -> PendingIdempotency:
    """Claim the key for this request, or raise the stored first response as a replay."""
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.tenant_id == tenant_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < text(f"now() - interval '{RETENTION}'"),
        )
    )
    inserted = await session.execute(
        insert(IdempotencyKey)
        .values(tenant_id=tenant_id, key=key, request_hash=fingerprint)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    if inserted.scalar_one_or_none() is not None:
        return PendingIdempotency(tenant_id, key)
    stored = (
        await session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key
            )
        )
    ).scalar_one()
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(details={"idempotency_key": key})
    assert stored.status_code is not None and stored.response_body is not None
    raise IdempotentReplay(stored.status_code, stored.response_body.encode())
