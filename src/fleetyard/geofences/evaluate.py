"""The geofence state machine for one vehicle: its fixes, oldest first, against the fences
near them and the fences it is inside. Pure: the caller loads the vehicle's presence, hands
in the candidates the tree found, and writes what changed.

- **Hysteresis.** A fix enters a fence only when inside it by more than ``h`` metres and
  leaves only when outside by more than ``h`` (``h`` from the fix's accuracy, 10-50 m, and at
  most half the fence's depth). Between the two, nothing changes: GPS jitter at an edge
  can't flap.
- **Order.** A fix no newer than the last one evaluated for the vehicle (a late, buffered or
  resent record) changes nothing: it can't close a visit the vehicle is still on.
- **Active hours.** Presence is tracked at all times; an entry is reported when it happens
  within the fence's hours, its exit whenever its entry was reported (or it happens within
  them), dwell and speeding only within them.
- **Speeding.** Inside a fence with a limit, an episode runs from the first fix over the
  limit (plus a small tolerance) to the first fix back under it, or the exit; it is reported
  when it ends, with its duration and its top excess.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

import numpy as np

from fleetyard.geofences.index import INSIDE, OUTSIDE, Fence, TenantFences

MIN_MARGIN_M: Final = 10.0  # consumer GPS in the open is good to a few metres, rarely better
MAX_MARGIN_M: Final = 50.0  # beyond, the fix is too vague to decide anything on
DEFAULT_MARGIN_M: Final = 10.0
HDOP_TO_M: Final = 5.0  # a rough user-equivalent range error per unit of HDOP
SPEED_TOLERANCE_KMH: Final = 2.0  # speedometers and GPS disagree by about this much
LAST_FIX_EVERY: Final = timedelta(seconds=30)  # how stale a stored last_fix_at may grow


def margin_m(accuracy_m: float | None, hdop: float | None) -> float:
    if accuracy_m is not None and accuracy_m > 0:
        raw = accuracy_m
    elif hdop is not None and hdop > 0:
        raw = hdop * HDOP_TO_M
    else:
        raw = DEFAULT_MARGIN_M
    return min(max(raw, MIN_MARGIN_M), MAX_MARGIN_M)


@dataclass(frozen=True, slots=True)
class Fix:
    fix_time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    margin_m: float = DEFAULT_MARGIN_M
    device_id: uuid.UUID | None = None


@dataclass(slots=True)
class Presence:
    """A vehicle inside a fence (a ``geofence_presence`` row)."""

    geofence_id: uuid.UUID
    entered_at: datetime
    last_fix_at: datetime
    device_id: uuid.UUID | None = None
    dwell_reported_at: datetime | None = None
    speeding_since: datetime | None = None
    speeding_max_kmh: float | None = None
    stored_fix_at: datetime | None = None  # last_fix_at as last written; None: never written
    dirty: bool = True  # something besides last_fix_at changed since it was written

    def needs_write(self) -> bool:
        if self.dirty or self.stored_fix_at is None:
            return True
        return self.last_fix_at - self.stored_fix_at >= LAST_FIX_EVERY


@dataclass(frozen=True, slots=True)
class Entered:
    fence: Fence
    at: datetime
    device_id: uuid.UUID | None
    reported: bool


@dataclass(frozen=True, slots=True)
class Exited:
    fence: Fence
    at: datetime
    entered_at: datetime
    device_id: uuid.UUID | None
    reported: bool


@dataclass(frozen=True, slots=True)
class Dwelt:
    fence: Fence
    at: datetime
    entered_at: datetime
    device_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class SpeedingStarted:
    fence: Fence
    at: datetime
    speed_kmh: float
    device_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class SpeedingEnded:
    fence: Fence
    since: datetime
    until: datetime
    max_speed_kmh: float
    limit_kmh: int
    device_id: uuid.UUID | None

    @property
    def duration_s(self) -> float:
        return (self.until - self.since).total_seconds()

    @property
    def excess_kmh(self) -> float:
        return self.max_speed_kmh - self.limit_kmh


Change = Entered | Exited | Dwelt | SpeedingStarted | SpeedingEnded


@dataclass(slots=True)
class VehicleState:
    """What the evaluator keeps per vehicle: where it is inside, and how far it has read."""

    presence: dict[uuid.UUID, Presence] = field(default_factory=dict)
    cursor: datetime | None = None  # the newest fix evaluated
    gone: set[uuid.UUID] = field(default_factory=set)  # presence rows to delete


def evaluate(
    fences: TenantFences,
    vehicle_id: uuid.UUID,
    fixes: Sequence[Fix],
    near: Sequence[Sequence[tuple[Fence, int]]],
    state: VehicleState,
) -> list[Change]:
    """The changes ``fixes`` (oldest first, each with its (fence, side) pairs from
    ``TenantFences.near``) make; ``state`` is updated in place."""
    changes: list[Change] = []
    groups = fences.groups_of(vehicle_id)
    presence = state.presence
    for fix, pairs in zip(fixes, near, strict=True):
        if state.cursor is not None and fix.fix_time <= state.cursor:
            continue  # late or resent: the vehicle has moved on since
        state.cursor = fix.fix_time
        if not presence and not pairs:
            continue
        seen: set[uuid.UUID] = set()
        for fence, side in pairs:
            if not fence.all_vehicles and not fence.applies_to(groups):
                continue
            seen.add(fence.id)
            inside = presence.get(fence.id)
            if inside is None:
                if side == INSIDE:
                    _enter(fence, fix, state, changes)
            elif side == OUTSIDE:
                _exit(fence, fix, state, changes)
            elif fence.watches_stay:
                _stay(fence, fix, inside, changes)
            else:
                inside.last_fix_at = fix.fix_time
        if presence.keys() <= seen:
            continue
        for fence_id in [f for f in presence if f not in seen]:
            gone = fences.by_id.get(fence_id)
            if gone is None:  # deleted: its rows went with it
                del state.presence[fence_id]
                continue
            _exit(gone, fix, state, changes)  # far away, or no longer its vehicle
    return changes


def _enter(fence: Fence, fix: Fix, state: VehicleState, changes: list[Change]) -> None:
    presence = Presence(fence.id, fix.fix_time, fix.fix_time, fix.device_id)
    state.presence[fence.id] = presence
    state.gone.discard(fence.id)
    changes.append(Entered(fence, fix.fix_time, fix.device_id, fence.hours.active(fix.fix_time)))
    _stay(fence, fix, presence, changes)


def _exit(fence: Fence, fix: Fix, state: VehicleState, changes: list[Change]) -> None:
    presence = state.presence.pop(fence.id)
    state.gone.add(fence.id)
    _end_speeding(fence, presence, fix, changes)
    reported = fence.hours.active(presence.entered_at) or fence.hours.active(fix.fix_time)
    changes.append(Exited(fence, fix.fix_time, presence.entered_at, fix.device_id, reported))


def _stay(fence: Fence, fix: Fix, presence: Presence, changes: list[Change]) -> None:
    presence.last_fix_at = fix.fix_time
    presence.device_id = fix.device_id or presence.device_id
    active = fence.hours.active(fix.fix_time)
    dwell = fence.dwell_minutes
    if (
        dwell is not None
        and active
        and presence.dwell_reported_at is None
        and fix.fix_time - presence.entered_at >= timedelta(minutes=dwell)
    ):
        presence.dwell_reported_at = fix.fix_time
        presence.dirty = True
        changes.append(Dwelt(fence, fix.fix_time, presence.entered_at, fix.device_id))
    limit = fence.speed_limit_kmh
    if limit is None or fix.speed_kmh is None:
        return
    if active and fix.speed_kmh > limit + SPEED_TOLERANCE_KMH:
        if presence.speeding_since is None:
            presence.speeding_since = fix.fix_time
            presence.speeding_max_kmh = fix.speed_kmh
            changes.append(SpeedingStarted(fence, fix.fix_time, fix.speed_kmh, fix.device_id))
        else:
            presence.speeding_max_kmh = max(presence.speeding_max_kmh or 0.0, fix.speed_kmh)
        presence.dirty = True
    else:
        _end_speeding(fence, presence, fix, changes)


def _end_speeding(fence: Fence, presence: Presence, fix: Fix, changes: list[Change]) -> None:
    if presence.speeding_since is None or fence.speed_limit_kmh is None:
        return
    changes.append(
        SpeedingEnded(
            fence,
            presence.speeding_since,
            fix.fix_time,
            presence.speeding_max_kmh or 0.0,
            fence.speed_limit_kmh,
            fix.device_id,
        )
    )
    presence.speeding_since = None
    presence.speeding_max_kmh = None
    presence.dirty = True


def restore(rows: Sequence[Mapping[str, Any]]) -> dict[uuid.UUID, VehicleState]:
    """Vehicle → state from stored presence rows (after a restart): each vehicle's cursor is
    the newest ``last_fix_at`` stored, so records older than that are still ignored."""
    states: dict[uuid.UUID, VehicleState] = {}
    for row in rows:
        state = states.setdefault(row["vehicle_id"], VehicleState())
        presence = Presence(
            geofence_id=row["geofence_id"],
            entered_at=row["entered_at"],
            last_fix_at=row["last_fix_at"],
            device_id=row["device_id"],
            dwell_reported_at=row["dwell_reported_at"],
            speeding_since=row["speeding_since"],
            speeding_max_kmh=row["speeding_max_kmh"],
            stored_fix_at=row["last_fix_at"],
            dirty=False,
        )
        state.presence[presence.geofence_id] = presence
        if state.cursor is None or presence.last_fix_at > state.cursor:
            state.cursor = presence.last_fix_at
    return states


T = TypeVar("T")


def evaluate_batch(
    fences: TenantFences,
    vehicles: Sequence[tuple[uuid.UUID, Sequence[T]]],
    latitudes: Sequence[float],
    longitudes: Sequence[float],
    margins_m: Sequence[float],
    fix_of: Callable[[T, float], Fix],
    states: dict[uuid.UUID, VehicleState],
) -> tuple[list[tuple[uuid.UUID, Change]], list[uuid.UUID]]:
    """One tenant's batch: ``vehicles`` in order, each with its records oldest first, and
    every record's latitude, longitude and margin in that same order (``fix_of`` makes a
    record a ``Fix``, only for the vehicles that need one). One tree query and one
    vectorised side test for all records; then only the vehicles inside a fence, or
    entering one, go through the state machine. Returns the changes and the vehicles whose
    state was evaluated."""
    owner = np.empty(len(margins_m), dtype=np.intp)
    starts = []
    k = 0
    for number, (_, records) in enumerate(vehicles):
        starts.append(k)
        k += len(records)
        owner[starts[-1] : k] = number
    near = fences.near(latitudes, longitudes, margins_m)
    entering = np.bincount(owner[near.fix[near.side == INSIDE]], minlength=len(vehicles)) > 0
    bounds = np.searchsorted(near.fix, [*starts, len(margins_m)]).tolist()
    pair_fix, pair_fence, pair_side = near.fix.tolist(), near.fence.tolist(), near.side.tolist()
    changes: list[tuple[uuid.UUID, Change]] = []
    touched: list[uuid.UUID] = []
    all_fences = fences.fences
    for number, (vehicle_id, records) in enumerate(vehicles):
        state = states.get(vehicle_id)
        if (state is None or not state.presence) and not entering[number]:
            if state is not None and records:  # later records can't go before these
                last = fix_of(records[-1], 0.0).fix_time
                state.cursor = last if state.cursor is None else max(state.cursor, last)
            continue  # the common case: inside nothing, entering nothing
        if state is None:
            state = states[vehicle_id] = VehicleState()
        first = starts[number]
        pairs: list[list[tuple[Fence, int]]] = [[] for _ in records]
        for p in range(bounds[number], bounds[number + 1]):
            pairs[pair_fix[p] - first].append((all_fences[pair_fence[p]], pair_side[p]))
        fixes = [fix_of(r, margins_m[first + i]) for i, r in enumerate(records)]
        changes.extend((vehicle_id, c) for c in evaluate(fences, vehicle_id, fixes, pairs, state))
        touched.append(vehicle_id)
    return changes, touched
