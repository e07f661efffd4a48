"""The after-store handler that turns freshly stored fixes into trips and stops.

Per device, a ``Detector`` kept in memory and checkpointed to ``trip_detectors``:

- **In order** (the usual case): the batch's fixes are fed to the device's detector; nothing
  is read, and a transaction is opened only when something changed or a checkpoint is due.
- **First sight in this process** (a restart, a new device): the checkpoint is loaded and the
  stored positions after it are replayed (they include this batch: the handler runs after
  commit), so a trip open before a restart goes on where it was.
- **Late fixes** (older than the detector's last): the device's trips and stops are derived
  again from the stored positions, from the start of the stop before the late fix. Rows keep
  their ids (keyed by device and start), changed ones are updated, ones that no longer exist
  are deleted, each with its event.

Duplicates never get here (the store passes on only newly inserted fixes), and a detector
skips a fix not newer than its last. Invalid fixes and fixes of devices without a vehicle are
left out. One tenant's failure is logged, its devices' detectors are dropped (the next batch
reloads them from their checkpoints) and the next tenant still runs.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import asyncpg
from prometheus_client import CollectorRegistry

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
from fleetyard.trips.detector import (
    Change,
    Detector,
    DetectorState,
    Fix,
    Rules,
    StopEnded,
    StopStarted,
    TripEnded,
    TripStarted,
)
from fleetyard.trips.events import ChangeWriter

log = logging.getLogger(__name__)

CHECKPOINT_EVERY: Final = timedelta(seconds=60)  # of fix time, between changes
TICK: Final = timedelta(microseconds=1)  # "after t - TICK" reads from t on
SETTINGS_TTL_S: Final = 30.0
DEFAULT_RULES: Final = Rules()
STAGE: Final = "trip_detection"  # on /metrics: fleetyard_trip_detection_seconds, _records_total


@dataclass
class DeviceTrack:
    """A device's detector and what it knows about it."""

    detector: Detector
    vehicle_id: uuid.UUID
    checkpoint_at: datetime | None = None
    every: timedelta = CHECKPOINT_EVERY

    @classmethod
    def of(cls, device_id: uuid.UUID, detector: Detector, vehicle_id: uuid.UUID) -> DeviceTrack:
        # a fleet that started together must not checkpoint together: spread over a minute
        spread = timedelta(seconds=device_id.int % 60)
        return cls(detector, vehicle_id, every=CHECKPOINT_EVERY + spread)


def to_fix(item: Resolved) -> Fix:
    p = item.position
    attributes = p.attributes
    fuel_used = attributes.get(attr.FUEL_USED_L) if attributes else None
    fuel_level = attributes.get(attr.FUEL_LEVEL_PCT) if attributes else None
    return Fix(
        p.fix_time,
        p.latitude,
        p.longitude,
        p.speed_kmh,
        p.ignition,
        p.odometer_m,
        None if fuel_used is None else _number(fuel_used),
        None if fuel_level is None else _number(fuel_level),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass
class TripDetection:
    """``IngestPipeline.on_stored`` handler: ``pipeline.on_stored.append(TripDetection(pool))``."""

    pool: asyncpg.Pool
    registry: CollectorRegistry | None = None
    stats: StageStats = field(default_factory=StageStats)

    def __post_init__(self) -> None:
        self._devices: dict[uuid.UUID, DeviceTrack] = {}
        self._rules: dict[uuid.UUID, tuple[float, Rules]] = {}
        self._meter = StageMeter(STAGE, "Trip detection", self.registry)

    async def __call__(self, stored: Sequence[Resolved]) -> None:
        started = time.perf_counter()
        await each_tenant(valid_by_device(stored), self.apply_tenant, self._failed, "trips")
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

    def forget(self) -> None:
        """Drop every in-memory detector (tests: a restart)."""
        self._devices.clear()
        self._rules.clear()

    async def apply_tenant(self, tenant_id: uuid.UUID, devices: ByDevice) -> None:
        pending: dict[uuid.UUID, list[Change]] = {}
        late: list[uuid.UUID] = []
        unknown: list[uuid.UUID] = []
        for device_id, items in devices.items():  # known devices, in order: no I/O at all
            track = self._devices.get(device_id)
            if track is None:
                unknown.append(device_id)
            elif self._late(track, items):
                late.append(device_id)
            else:
                track.vehicle_id = items[-1].route.vehicle_id or track.vehicle_id
                changes = track.detector.feed([to_fix(i) for i in items])
                if changes or self._checkpoint_due(track):
                    pending[device_id] = changes
        cached = self._rules.get(tenant_id)
        rules_due = cached is None or cached[0] <= time.monotonic()
        if not (pending or late or unknown or rules_due):
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            writer = ChangeWriter(conn, tenant_id)
            rules = await self._tenant_rules(writer, tenant_id)
            for device_id in devices:  # a changed rule applies from now on
                if (known := self._devices.get(device_id)) is not None:
                    known.detector.rules = rules
            for device_id, changes in pending.items():
                await writer.apply(device_id, self._devices[device_id].vehicle_id, changes)
            await self._load(writer, rules, devices, unknown)
            for device_id in sorted(late):
                self.stats.replays += 1
                await self._rederive(writer, rules, device_id, devices[device_id])
            await writer.flush()
            await writer.store.checkpoints.save(
                checkpoints_of(self._devices, [*pending, *unknown, *late])
            )

    @staticmethod
    def _late(track: DeviceTrack, items: list[Resolved]) -> bool:
        last = track.detector.state.last
        return last is not None and items[0].position.fix_time < last.time

    @staticmethod
    def _checkpoint_due(track: DeviceTrack) -> bool:
        last = track.detector.state.last
        if last is None:
            return False
        return track.checkpoint_at is None or last.time - track.checkpoint_at >= track.every

    async def _tenant_rules(self, writer: ChangeWriter, tenant_id: uuid.UUID) -> Rules:
        cached = self._rules.get(tenant_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        stop_after = await writer.store.stop_after_s()
        rules = DEFAULT_RULES if stop_after is None else Rules(stop_after_s=float(stop_after))
        self._rules[tenant_id] = (time.monotonic() + SETTINGS_TTL_S, rules)
        return rules

    async def _load(
        self, writer: ChangeWriter, rules: Rules, devices: ByDevice, unknown: list[uuid.UUID]
    ) -> None:
        """Devices this process has not seen: their checkpoints and the positions after them
        (which hold this batch), or, for a device never seen at all, this batch."""
        saved = await writer.store.checkpoints.states(unknown) if unknown else {}
        for device_id in sorted(unknown):
            items = devices[device_id]
            vehicle_id = items[-1].route.vehicle_id
            assert vehicle_id is not None
            if device_id not in saved:
                track = DeviceTrack.of(device_id, Detector(rules), vehicle_id)
                self._devices[device_id] = track
                changes = track.detector.feed([to_fix(i) for i in items])
                await writer.apply(device_id, vehicle_id, changes)
                continue
            self.stats.replays += 1
            try:
                state = DetectorState.from_json(saved[device_id])
            except (KeyError, TypeError, ValueError):  # a checkpoint this code can't read
                log.warning("trip detector state unreadable; starting afresh", exc_info=True)
                state = DetectorState()
            track = DeviceTrack.of(device_id, Detector(rules, state), vehicle_id)
            self._devices[device_id] = track
            track.checkpoint_at = state.last.time if state.last else None
            since = state.last.time if state.last else items[0].position.fix_time - TICK
            async for fixes in writer.store.positions_after(device_id, since):
                await writer.apply(device_id, vehicle_id, track.detector.feed(fixes))
            if any(i.position.fix_time <= since for i in items):  # late for the checkpoint too
                await self._rederive(writer, rules, device_id, items)

    async def _rederive(
        self, writer: ChangeWriter, rules: Rules, device_id: uuid.UUID, items: list[Resolved]
    ) -> None:
        """Trips and stops again from the stop before the earliest of ``items``."""
        vehicle_id = items[-1].route.vehicle_id
        assert vehicle_id is not None
        since = await writer.store.rederive_from(device_id, items[0].position.fix_time)
        track = self._devices[device_id] = DeviceTrack.of(device_id, Detector(rules), vehicle_id)
        writer.begin_rederivation()
        async for fixes in writer.store.positions_after(device_id, since - TICK):
            await writer.apply(device_id, vehicle_id, track.detector.feed(fixes))
        await writer.end_rederivation(device_id, since)


__all__ = [
    "DeviceTrack",
    "StopEnded",
    "StopStarted",
    "TripDetection",
    "TripEnded",
    "TripStarted",
    "to_fix",
]
