"""The after-store handler that turns freshly stored fixes into driving events.

Per device, a ``Detector`` kept in memory and checkpointed to ``behaviour_detectors``:

- **In order** (the usual case): each fix gets its speed limit (the road under it, one
  vectorised R-tree query per batch, and any geofence limit), the device's detector eats the
  batch, and a transaction opens only when an event came out or a checkpoint is due.
- **First sight in this process** (a restart, a new device): the checkpoint is loaded and the
  stored positions after it replayed (they include this batch). Events are keyed by device,
  kind and start, so a replay that finds an event again inserts nothing.
- **Late fixes** (not newer than the detector's last): harsh events their device reported
  still count (each is whole in its fix); the fix-to-fix measurements don't run backwards.

Duplicates never get here (the store passes on only newly inserted fixes). Invalid fixes and
fixes of devices without a vehicle are left out. One tenant's failure is logged, its devices'
detectors dropped (the next batch reloads their checkpoints) and the next tenant still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from prometheus_client import CollectorRegistry

from fleetyard.behaviour import thresholds as t
from fleetyard.behaviour.detector import Detected, Detector, DetectorState, Fix, Limit
from fleetyard.behaviour.limits import RoadLimits
from fleetyard.behaviour.store import (
    BehaviourStore,
    Found,
    VehicleInfo,
    reported_g,
    reported_kinds,
)
from fleetyard.geofences.index import INSIDE, TenantFences
from fleetyard.realtime.bus import Bus
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.stages import (
    ByDevice,
    StageMeter,
    StageStats,
    checkpoints_of,
    each_tenant,
    valid_by_device,
)
from fleetyard.telematics.ingest.store import Resolved

log = logging.getLogger(__name__)

CHECKPOINT_EVERY: Final = timedelta(seconds=60)  # of fix time, between events
ZONE_TTL_S: Final = 60.0
TICK: Final = timedelta(microseconds=1)
NEEDS_LIMIT_KMH: Final = t.LOWEST_LIMIT_KMH + t.SPEEDING_TOLERANCE_KMH
# attributes that may carry a device-reported harsh event (most fixes have none of them)
_REPORTING: Final = frozenset(
    {attr.HARSH_ACCELERATION, attr.HARSH_BRAKING, attr.HARSH_CORNERING, attr.ALARM}
)

RoadsLoader = Callable[[], Coroutine[None, None, RoadLimits]]
FencesOf = Callable[[uuid.UUID], Awaitable[TenantFences]]


@dataclass
class DeviceDetector:
    detector: Detector
    vehicle_id: uuid.UUID
    checkpoint_at: datetime | None = None


@dataclass
class BehaviourStats(StageStats):
    events: int = 0


def to_fix(item: Resolved) -> Fix:
    p = item.position
    attributes = p.attributes
    accuracy = attributes.get(attr.ACCURACY_M)
    return Fix(
        p.fix_time,
        p.latitude,
        p.longitude,
        p.speed_kmh,
        p.course,
        p.ignition,
        p.hdop,
        float(accuracy) if isinstance(accuracy, int | float) else None,
        p.satellites,
        reported := reported_kinds(attributes) if _REPORTING.intersection(attributes) else (),
        reported_g=reported_g(attributes.get(attr.IO)) if reported else None,
    )


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or t.DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(t.DEFAULT_ZONE)


@dataclass
class BehaviourDetection:
    """``IngestPipeline.on_stored`` handler:
    ``pipeline.on_stored.append(BehaviourDetection(pool, roads=..., fences=...))``.

    ``roads``: loads the road limits (once, in the background: until it is ready, speeding is
    checked against geofence limits only); ``road_limits``: an index already built (tests).
    ``fences``: the geofences' index of a tenant, for their speed limits."""

    pool: asyncpg.Pool
    bus: Bus | None = None
    registry: CollectorRegistry | None = None
    roads: RoadsLoader | None = None
    road_limits: RoadLimits | None = None
    fences: FencesOf | None = None
    stats: BehaviourStats = field(default_factory=BehaviourStats)

    def __post_init__(self) -> None:
        self._devices: dict[uuid.UUID, DeviceDetector] = {}
        self._vehicles: dict[uuid.UUID, VehicleInfo] = {}
        self._zones: dict[uuid.UUID, tuple[float, ZoneInfo]] = {}
        self._loading: asyncio.Task[RoadLimits] | None = None
        self._meter = StageMeter(
            "behaviour_detection", "Driving-behaviour detection", self.registry
        )

    async def __call__(self, stored: Sequence[Resolved]) -> None:
        started = time.perf_counter()
        await each_tenant(
            valid_by_device(stored), self.apply_tenant, self._failed, "driving behaviour"
        )
        elapsed = time.perf_counter() - started
        self.stats.batches += 1
        self.stats.records += len(stored)
        self.stats.seconds += elapsed
        self._meter.observe(elapsed, len(stored))

    def _failed(self, tenant_id: uuid.UUID, devices: ByDevice) -> None:
        """Memory may be ahead of the database: the next batch reloads from checkpoints."""
        self.stats.failures += 1
        for device_id in devices:
            self._devices.pop(device_id, None)

    async def close(self) -> None:
        """Stop a road-limits load still under way (shutdown)."""
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._loading

    def forget(self) -> None:
        """Drop every in-memory detector (tests: a restart)."""
        self._devices.clear()
        self._vehicles.clear()
        self._zones.clear()

    # --- road limits ----------------------------------------------------------------------
    def _road_index(self) -> RoadLimits | None:
        if self.road_limits is None and self.roads is not None:
            if self._loading is None:
                self._loading = asyncio.create_task(self.roads())
            elif self._loading.done():
                try:
                    self.road_limits = self._loading.result()
                except Exception:  # logged once; speeding then uses geofence limits only
                    log.warning("road speed limits unavailable", exc_info=True)
                    self.roads = None
        return self.road_limits

    async def _limits(
        self, tenant_id: uuid.UUID, work: Sequence[tuple[uuid.UUID, list[Fix]]]
    ) -> list[list[Limit | None] | None]:
        """Per (vehicle, fixes): each fix fast enough to break some limit gets the lowest that
        applies to it (None: no fix has one). One road query for the whole batch."""
        out: list[list[Limit | None] | None] = [None] * len(work)
        fast = [
            (w, i)
            for w, (_, fixes) in enumerate(work)
            for i, f in enumerate(fixes)
            if f.speed_kmh is not None and f.speed_kmh > NEEDS_LIMIT_KMH and f.trusted
        ]
        if not fast:
            return out
        found: dict[tuple[int, int], Limit] = {}
        roads = self._road_index()
        if roads is not None:
            points = [(work[w][1][i].latitude, work[w][1][i].longitude, work[w][1][i].course)
                      for w, i in fast]  # fmt: skip
            for key, road in zip(fast, roads.limits(points), strict=True):
                if road is not None:
                    found[key] = Limit(road.limit_kmh, road.source, road.road)
        if self.fences is not None:
            await self._fence_limits(tenant_id, work, fast, found)
        for (w, i), limit in found.items():
            limits = out[w]
            if limits is None:
                limits = out[w] = [None] * len(work[w][1])
            limits[i] = limit
        return out

    async def _fence_limits(
        self,
        tenant_id: uuid.UUID,
        work: Sequence[tuple[uuid.UUID, list[Fix]]],
        fast: list[tuple[int, int]],
        found: dict[tuple[int, int], Limit],
    ) -> None:
        """Geofence limits of the fast fixes: one tree query and one vectorised inside test
        for the batch (the geofences' own), only where some fence has a limit."""
        assert self.fences is not None
        index = await self.fences(tenant_id)
        limited = [f.speed_limit_kmh for f in index.fences if f.speed_limit_kmh is not None]
        if not limited:
            return
        lowest = min(limited) + t.SPEEDING_TOLERANCE_KMH
        candidates = [(w, i) for w, i in fast if (work[w][1][i].speed_kmh or 0.0) > lowest]
        if not candidates:
            return
        fixes = [work[w][1][i] for w, i in candidates]
        near = index.near(
            [f.latitude for f in fixes], [f.longitude for f in fixes], [0.0] * len(fixes)
        )
        for k, j, side in zip(
            near.fix.tolist(), near.fence.tolist(), near.side.tolist(), strict=True
        ):
            fence = index.fences[j]
            limit = fence.speed_limit_kmh
            if side != INSIDE or limit is None:
                continue
            w, i = candidates[k]
            if not fence.applies_to(index.groups_of(work[w][0])):
                continue
            if not fence.hours.active(fixes[k].time):
                continue
            if (w, i) not in found or limit < found[(w, i)].limit_kmh:
                found[(w, i)] = Limit(float(limit), "geofence", fence.name)

    # --- per tenant -----------------------------------------------------------------------
    async def apply_tenant(self, tenant_id: uuid.UUID, devices: ByDevice) -> None:
        unknown = [d for d in devices if d not in self._devices]
        vehicles = {items[-1].route.vehicle_id for items in devices.values()}
        missing = sorted(v for v in vehicles if v is not None and v not in self._vehicles)
        cached_zone = self._zones.get(tenant_id)
        zone_due = cached_zone is None or cached_zone[0] <= time.monotonic()
        found: dict[uuid.UUID, list[Detected]] = defaultdict(list)
        loaded: list[uuid.UUID] = []
        if unknown or missing or zone_due:
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
                store = BehaviourStore(conn, tenant_id)
                if zone_due:
                    zone = zone_of(await store.zone())
                    self._zones[tenant_id] = (time.monotonic() + ZONE_TTL_S, zone)
                self._vehicles.update(await store.vehicles(missing) if missing else {})
                loaded = await self._load(store, tenant_id, devices, unknown, found)
        await self._feed(tenant_id, [d for d in devices if d not in loaded], devices, found)
        due = [d for d in devices if d in loaded or found.get(d) or self._checkpoint_due(d)]
        if not due:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            store = BehaviourStore(conn, tenant_id)
            self.stats.events += await store.record_all(self._found(found))
            await store.checkpoints.save(checkpoints_of(self._devices, due))
        if self.bus is not None and store.alerts.live:
            await self.bus.publish(tenant_id, store.alerts.live)

    async def _feed(
        self,
        tenant_id: uuid.UUID,
        device_ids: list[uuid.UUID],
        devices: ByDevice,
        found: dict[uuid.UUID, list[Detected]],
    ) -> None:
        """Known devices' fixes in order: limits for all of them at once, then each detector;
        fixes older than a detector's last are late (their device reports still count)."""
        zone = self._zones[tenant_id][1]
        work: list[tuple[uuid.UUID, list[Fix]]] = []
        fed: list[tuple[uuid.UUID, DeviceDetector]] = []
        for device_id in device_ids:
            items = devices[device_id]
            track = self._devices[device_id]
            vehicle_id = items[-1].route.vehicle_id
            assert vehicle_id is not None
            track.vehicle_id = vehicle_id
            track.detector.set_zone(zone)
            track.detector.harsh = t.harsh_thresholds(self._vehicle(vehicle_id).type)
            last = track.detector.state.last
            fixes = [to_fix(i) for i in items]
            if last is not None and fixes[0].time <= last.time:
                found[device_id].extend(_late_reports([f for f in fixes if f.time <= last.time]))
                fixes = [f for f in fixes if f.time > last.time]
            if fixes:
                work.append((vehicle_id, fixes))
                fed.append((device_id, track))
        limits = await self._limits(tenant_id, work)
        for (device_id, track), (_, fixes), its_limits in zip(fed, work, limits, strict=True):
            found_now = track.detector.feed(fixes, its_limits)
            if found_now:
                found[device_id].extend(found_now)

    async def _load(
        self,
        store: BehaviourStore,
        tenant_id: uuid.UUID,
        devices: ByDevice,
        unknown: list[uuid.UUID],
        found: dict[uuid.UUID, list[Detected]],
    ) -> list[uuid.UUID]:
        """Detectors of devices this process has not seen: a checkpoint and the positions
        after it (which hold this batch), or a fresh detector fed by this batch."""
        saved = await store.checkpoints.states(unknown) if unknown else {}
        zone = self._zones[tenant_id][1]
        replayed: list[uuid.UUID] = []
        for device_id in sorted(unknown):
            items = devices[device_id]
            vehicle_id = items[-1].route.vehicle_id
            assert vehicle_id is not None
            harsh = t.harsh_thresholds(self._vehicle(vehicle_id).type)
            if device_id not in saved:
                self._devices[device_id] = DeviceDetector(Detector(harsh, zone), vehicle_id)
                continue  # fed with the others
            self.stats.replays += 1
            state = DetectorState.from_json(saved[device_id])
            track = DeviceDetector(Detector(harsh, zone, state), vehicle_id)
            track.checkpoint_at = state.last.time if state.last else None
            self._devices[device_id] = track
            since = state.last.time if state.last else items[0].position.fix_time - TICK
            found[device_id].extend(
                _late_reports([to_fix(i) for i in items if i.position.fix_time <= since])
            )
            async for fixes in store.positions_after(device_id, since):
                [limits] = await self._limits(tenant_id, [(vehicle_id, fixes)])
                found[device_id].extend(track.detector.feed(fixes, limits))
            replayed.append(device_id)
        return replayed

    def _vehicle(self, vehicle_id: uuid.UUID) -> VehicleInfo:
        return self._vehicles.get(vehicle_id) or VehicleInfo(None, "A vehicle")

    def _checkpoint_due(self, device_id: uuid.UUID) -> bool:
        track = self._devices.get(device_id)
        last = track.detector.state.last if track else None
        if track is None or last is None:
            return False
        return track.checkpoint_at is None or last.time - track.checkpoint_at >= CHECKPOINT_EVERY

    def _found(self, found: dict[uuid.UUID, list[Detected]]) -> list[Found]:
        """The batch's events to record, device by device in order."""
        out = []
        for device_id in sorted(found):
            track = self._devices.get(device_id)
            if track is None:
                continue
            vehicle = self._vehicle(track.vehicle_id)
            out += [Found(device_id, track.vehicle_id, vehicle, e) for e in found[device_id]]
        return out


def _late_reports(fixes: list[Fix]) -> list[Detected]:
    """Harsh events devices reported in late fixes: each whole in its fix (idempotent by
    device, kind and time), so they count even out of order."""
    found: list[Detected] = []
    for fix in fixes:
        if fix.reported:
            found.extend(Detector(t.CAR, ZoneInfo("UTC")).feed([dataclasses.replace(fix)]))
    return [f for f in found if f.source == "device"]


__all__ = ["BehaviourDetection", "BehaviourStats", "to_fix", "zone_of"]
