"""Which tenant, device record and vehicle a hardware id belongs to (cached briefly)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class DeviceRoute:
    tenant_id: uuid.UUID
    device_id: uuid.UUID
    vehicle_id: uuid.UUID | None


class DeviceDirectory:
    """Looks devices up through the app role: the ``device_identities`` lookup policy shows
    exactly the row whose id we present, then the tenant's own policy shows its device."""

    def __init__(self, pool: asyncpg.Pool, *, ttl_s: float = 30.0, unknown_ttl_s: float = 5.0):
        self.pool = pool
        self.ttl_s = ttl_s
        self.unknown_ttl_s = unknown_ttl_s
        self._cache: dict[str, tuple[float, DeviceRoute | None]] = {}

    def invalidate(self, unique_id: str | None = None) -> None:
        if unique_id is None:
            self._cache.clear()
        else:
            self._cache.pop(unique_id, None)

    async def resolve(self, unique_id: str) -> DeviceRoute | None:
        now = time.monotonic()
        cached = self._cache.get(unique_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        route = await self._lookup(unique_id)
        ttl = self.ttl_s if route is not None else self.unknown_ttl_s
        if len(self._cache) > 200_000:  # bounded: a flood of random ids can't grow it forever
            self._cache.clear()
        self._cache[unique_id] = (now + ttl, route)
        return route

    async def resolve_many(
        self, tenant_id: uuid.UUID, unique_ids: Iterable[str]
    ) -> dict[str, DeviceRoute | None]:
        """Routes of many devices named by a caller acting for one tenant (a vendor
        connection's vehicles): the cached ones as they are, the rest in one query under that
        tenant's own row-level security, so only its devices can be found. Found routes are
        cached as ``resolve`` caches them; misses are not (a device of another tenant is no
        unknown device to the gateway), and the caller asks for them again."""
        now = time.monotonic()
        routes: dict[str, DeviceRoute | None] = {}
        missing: list[str] = []
        for unique_id in unique_ids:
            cached = self._cache.get(unique_id)
            route = cached[1] if cached is not None and cached[0] > now else None
            if route is not None and route.tenant_id == tenant_id:
                routes[unique_id] = route
            else:
                missing.append(unique_id)
        if not missing:
            return routes
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            rows = await conn.fetch(
                "select unique_id, id, vehicle_id from devices "
                "where tenant_id = $1 and unique_id = any($2::text[])",
                tenant_id,
                missing,
            )
        found = {
            row["unique_id"]: DeviceRoute(tenant_id, row["id"], row["vehicle_id"]) for row in rows
        }
        if len(self._cache) + len(found) > 200_000:
            self._cache.clear()
        for unique_id in missing:
            route = found.get(unique_id)
            routes[unique_id] = route
            if route is not None:
                self._cache[unique_id] = (now + self.ttl_s, route)
        return routes

    async def _lookup(self, unique_id: str) -> DeviceRoute | None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.device_unique_id', $1, true)", unique_id)
            row = await conn.fetchrow(
                "select tenant_id, device_id from device_identities where unique_id = $1",
                unique_id,
            )
            if row is None:
                return None
            await conn.execute(
                "select set_config('app.tenant_id', $1, true)", str(row["tenant_id"])
            )
            vehicle_id = await conn.fetchval(
                "select vehicle_id from devices where tenant_id = $1 and id = $2",
                row["tenant_id"],
                row["device_id"],
            )
        return DeviceRoute(row["tenant_id"], row["device_id"], vehicle_id)

    async def record_unknown(self, unique_id: str, protocol: str, remote: str | None) -> None:
        """Remember a device nobody registered, so an admin can find and claim it."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                """
                insert into unknown_devices (unique_id, protocol, remote_address)
                values ($1, $2, $3)
                on conflict (unique_id) do update
                   set last_seen_at = now(),
                       attempts = unknown_devices.attempts + 1,
                       protocol = excluded.protocol,
                       remote_address = excluded.remote_address
                """,
                unique_id[:64],
                protocol,
                (remote or "")[:64] or None,
            )
