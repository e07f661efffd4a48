"""Transaction-scoped advisory locks: serialise a check-then-write that no index can express."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def lock_until_commit(session: AsyncSession, key: str) -> None:
    """Wait for, then hold until the transaction ends, the lock named ``key``."""
    await session.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
    )
