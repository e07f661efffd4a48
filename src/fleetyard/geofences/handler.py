"""The after-store handler that evaluates geofences: ``pipeline.on_stored.append(handler)``.

Per tenant in a batch: its index (cached; built from its fences, vehicles and groups on first
use and again after a change), its vehicles' presence (read once, then kept in memory and
written through), one STRtree query for all the batch's fixes, the state machine per vehicle
in fix-time order, and — only when something changed — one transaction with the presence
rows, the ``geofence_*`` events and the alerts, published live once committed.

A tenant with no geofences costs a dictionary lookup. Index changes come from the event log
through the live bus (``geofence_*``, ``vehicle_*``, ``group_*`` and ``tenant_updated``
events drop the tenant's index; a gap in the bus drops every index), with a time limit as a
backstop. A tenant whose batch fails to write is logged, and its in-memory state is dropped
so it is read again from the database.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import asyncpg
from prometheus_client import CollectorRegistry

from fleetyard.geofences.evaluate import Fix, VehicleState, evaluate_batch, margin_m, restore
from fleetyard.geofences.index import Fence, TenantFences, build, group_chains
from fleetyard.geofences.store import (
    BatchWrites,
    fence_row,
    load_presence,
    load_tenant,
    scoped,
    write,
)
from fleetyard.realtime.bus import Bus
from fleetyard.realtime.items import LiveBatch
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.stages import StageMeter, StageStats, each_tenant
from fleetyard.telematics.ingest.store import Resolved

INDEX_TTL_S: Final = 300.0
# event types after which a tenant's index is built again
_CHANGES_INDEX: Final = ("geofence_created", "geofence_updated", "geofence_deleted")
_CHANGES_SCOPE: Final = ("vehicle_", "group_", "tenant_updated")


@dataclass
class GeofenceStats(StageStats):
    """The stage's share of the pipeline, and what evaluating cost in writes and builds."""

    write_seconds: float = 0.0
    index_builds: int = 0
    changes: int = 0


@dataclass
class _Tenant:
    fences: TenantFences
    labels: dict[uuid.UUID, str]
    built_at: float
    states: dict[uuid.UUID, VehicleState] | None = None  # read on first need


@dataclass
class GeofenceRules:
    pool: asyncpg.Pool
    bus: Bus | None = None
    registry: CollectorRegistry | None = None  # the stage's cost on /metrics
    index_ttl_s: float = INDEX_TTL_S
    stats: GeofenceStats = field(default_factory=GeofenceStats)

    def __post_init__(self) -> None:
        self._tenants: dict[uuid.UUID, _Tenant] = {}
        self._stale: set[uuid.UUID] = set()
        # one build at a time per tenant: the behaviour stage asks for the same index while
        # this stage runs beside it, and a second build must not drop the first's presence
        self._building: dict[uuid.UUID, asyncio.Lock] = {}
        # the pipeline's geofence stage on /metrics: per batch, records
        self._meter = StageMeter("geofence_evaluation", "Geofence evaluation", self.registry)
        if self.bus is not None:  # wants nothing: publishers skip no work for us
            self.bus.listen(self._on_live, self._on_gap, wants=lambda _: False)

    # index life ---------------------------------------------------------------------------
    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        """Build the tenant's (or every) index again before its next use; presence stays."""
        if tenant_id is None:
            self._stale.update(self._tenants)
        else:
            self._stale.add(tenant_id)

    def _on_live(self, batch: LiveBatch) -> None:
        if batch.items and batch.items[0].is_position:
            return  # the positions publisher's batches hold positions only
        for item in batch.items:
            kind = item.kind
            if kind in _CHANGES_INDEX or kind.startswith(_CHANGES_SCOPE):
                self.invalidate(batch.tenant_id)
                return

    def _on_gap(self) -> None:
        self.invalidate()

    async def fences(self, tenant_id: uuid.UUID) -> TenantFences:
        """The tenant's index, built if missing, stale or old."""
        return (await self._tenant(tenant_id)).fences

    def _current(self, tenant_id: uuid.UUID) -> _Tenant | None:
        known = self._tenants.get(tenant_id)
        if (
            known is not None
            and tenant_id not in self._stale
            and time.monotonic() - known.built_at < self.index_ttl_s
        ):
            return known
        return None

    async def _tenant(self, tenant_id: uuid.UUID) -> _Tenant:
        if (known := self._current(tenant_id)) is not None:
            return known
        async with self._building.setdefault(tenant_id, asyncio.Lock()):
            if (known := self._current(tenant_id)) is not None:
                return known  # built by whoever held the lock
            return await self._build(tenant_id)

    async def _build(self, tenant_id: uuid.UUID) -> _Tenant:
        now = time.monotonic()
        self._stale.discard(tenant_id)
        async with self.pool.acquire() as conn, conn.transaction():
            await scoped(conn, tenant_id)
            rows = await load_tenant(conn, tenant_id)
        vehicle_groups = {r["id"]: r["group_id"] for r in rows.vehicles}
        parents = {r["id"]: r["parent_id"] for r in rows.groups}
        fences = build(
            [fence_row(r) for r in rows.fences], rows.zone, group_chains(vehicle_groups, parents)
        )
        labels = {r["id"]: r["label"] for r in rows.vehicles}
        known = self._tenants.get(tenant_id)  # read after the awaits: its presence carries over
        fresh = _Tenant(fences, labels, now, known.states if known else None)
        self._tenants[tenant_id] = fresh
        self.stats.index_builds += 1
        return fresh

    async def _states(self, tenant: _Tenant, tenant_id: uuid.UUID) -> dict[uuid.UUID, VehicleState]:
        if tenant.states is None:
            async with self.pool.acquire() as conn, conn.transaction():
                await scoped(conn, tenant_id)
                tenant.states = restore(await load_presence(conn, tenant_id))
        return tenant.states

    # lookups for other domains -------------------------------------------------------------
    async def geofence_at(
        self, tenant_id: uuid.UUID, latitude: float, longitude: float
    ) -> Fence | None:
        """The smallest of the tenant's geofences the point is inside (a trip's start or end
        named by the place it is in), or None."""
        inside = (await self.fences(tenant_id)).containing(latitude, longitude)
        return inside[0] if inside else None

    # the handler --------------------------------------------------------------------------
    async def __call__(self, stored: Sequence[Resolved]) -> None:
        started = time.perf_counter()
        by_tenant: dict[uuid.UUID, dict[uuid.UUID, list[Resolved]]] = defaultdict(
            lambda: defaultdict(list)
        )
        count = 0
        for item in stored:
            if item.valid and item.route.vehicle_id is not None:
                by_tenant[item.route.tenant_id][item.route.vehicle_id].append(item)
                count += 1
        await each_tenant(by_tenant, self.apply_tenant, self._failed, "geofence evaluation")
        spent = time.perf_counter() - started
        self.stats.batches += 1
        self.stats.records += count
        self.stats.seconds += spent
        self._meter.observe(spent, count)

    def _failed(self, tenant_id: uuid.UUID, _: object) -> None:
        self.stats.failures += 1
        self._forget(tenant_id)

    def _forget(self, tenant_id: uuid.UUID) -> None:
        known = self._tenants.get(tenant_id)
        if known is not None:
            known.states = None  # what memory holds may be ahead of the database
        self.invalidate(tenant_id)

    async def apply_tenant(
        self, tenant_id: uuid.UUID, vehicles: dict[uuid.UUID, list[Resolved]]
    ) -> None:
        tenant = await self._tenant(tenant_id)
        if not len(tenant.fences):
            return  # nothing to be inside of (deleted fences took their presence rows along)
        states = await self._states(tenant, tenant_id)
        batch = BatchWrites(tenant_id, tenant.labels)
        ordered = [
            (v, sorted(vehicles[v], key=lambda i: i.position.fix_time)) for v in sorted(vehicles)
        ]
        lats: list[float] = []
        lons: list[float] = []
        margins: list[float] = []
        for _, items in ordered:
            for item in items:
                p = item.position
                lats.append(p.latitude)
                lons.append(p.longitude)
                margins.append(margin_m(_number(p.attributes.get(attr.ACCURACY_M)), p.hdop))
        changes, touched = evaluate_batch(tenant.fences, ordered, lats, lons, margins, _fix, states)
        batch.changes.extend(changes)
        for vehicle_id in touched:
            _collect_writes(batch, vehicle_id, states[vehicle_id])
        if batch:
            await self._write(batch)

    async def _write(self, batch: BatchWrites) -> None:
        started = time.perf_counter()
        async with self.pool.acquire() as conn, conn.transaction():
            await scoped(conn, batch.tenant_id)
            await write(conn, batch)
        for _, presence in batch.upserts:  # durable now
            presence.stored_fix_at = presence.last_fix_at
            presence.dirty = False
        self.stats.write_seconds += time.perf_counter() - started
        self.stats.changes += len(batch.changes)
        if self.bus is not None and batch.live:
            await self.bus.publish(batch.tenant_id, batch.live)


def _fix(item: Resolved, margin: float) -> Fix:
    p = item.position
    return Fix(p.fix_time, p.latitude, p.longitude, p.speed_kmh, margin, item.route.device_id)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _collect_writes(batch: BatchWrites, vehicle_id: uuid.UUID, state: VehicleState) -> None:
    for fence_id in state.gone:
        if fence_id not in state.presence:
            batch.deletes.append((vehicle_id, fence_id))
    state.gone.clear()
    for presence in state.presence.values():
        if presence.needs_write():
            batch.upserts.append((vehicle_id, presence))
