"""A detector's changes written as rows and events, in the handler's transaction.

| change          | row                                   | event                               |
|-----------------|---------------------------------------|-------------------------------------|
| a trip counts   | trip inserted, open                   | ``trip_started``                    |
| a trip ends     | trip completed                        | ``trip_completed``                  |
| derived again   | trip changed                          | ``trip_updated`` (``trip_deleted``) |
| a stop begins   | stop inserted, open                   | ``stop_started``                    |
| a stop ends     | stop completed                        | ``stop_ended``                      |
| derived again   | stop changed                          | ``stop_updated`` (``stop_deleted``) |

Changes are collected (the last per trip or stop wins) and written at ``flush``: one statement
for the trips, one for the stops, one for the events, however many devices changed, so a
fleet starting its day together costs a few round trips, not three per vehicle. A change that
leaves its row as it was (a replay after a restart) writes no event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import asyncpg

from fleetyard.trips.detector import Change, StopEnded, StopStarted, TripEnded, TripStarted
from fleetyard.trips.store import (
    EventRow,
    StopRow,
    TripRow,
    TripStore,
    stop_snapshot,
    trip_snapshot,
)

TRIP: Final = "trip"
STOP: Final = "stop"
Key = tuple[str, uuid.UUID, datetime]  # entity, device, start


class ChangeWriter:
    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
        self.store = TripStore(conn, tenant_id)
        self._trips: dict[Key, TripRow] = {}
        self._stops: dict[Key, StopRow] = {}
        self._rederived: set[Key] | None = None  # what a re-derivation produced again

    async def apply(
        self, device_id: uuid.UUID, vehicle_id: uuid.UUID, changes: Sequence[Change]
    ) -> None:
        for change in changes:
            if isinstance(change, TripStarted | TripEnded):
                key: Key = (TRIP, device_id, change.trip.started_at)
                completed = isinstance(change, TripEnded)
                self._trips[key] = TripRow(device_id, vehicle_id, change.trip, completed)
            else:
                assert isinstance(change, StopStarted | StopEnded)
                key = (STOP, device_id, change.stop.started_at)
                self._stops[key] = StopRow(device_id, vehicle_id, change.stop)
            if self._rederived is not None:
                self._rederived.add(key)

    async def flush(self) -> None:
        trips = await self.store.upsert_trips(list(self._trips.values()))
        stops = await self.store.upsert_stops(list(self._stops.values()))
        self._trips.clear()
        self._stops.clear()
        events = [
            *(e for row in trips for e in _events(TRIP, row, "started", "completed")),
            *(e for row in stops for e in _events(STOP, row, "started", "ended")),
        ]
        events.sort(key=lambda pair: pair[0])
        await self.store.events([event for _, event in events])

    def begin_rederivation(self) -> None:
        self._rederived = set()

    async def end_rederivation(self, device_id: uuid.UUID, since: datetime) -> None:
        """Write what was derived again, then delete the device's trips and stops from
        ``since`` on that it did not produce again."""
        assert self._rederived is not None
        kept, self._rederived = self._rederived, None
        await self.flush()

        def starts(entity: str) -> list[datetime]:
            return sorted(start for e, d, start in kept if e == entity and d == device_id)

        trips = await self.store.delete_from("trips", device_id, since, starts(TRIP))
        stops = await self.store.delete_from("stops", device_id, since, starts(STOP))
        await self.store.events(
            [EventRow("trip_deleted", TRIP, r["id"], trip_snapshot(r), None) for r in trips]
            + [EventRow("stop_deleted", STOP, r["id"], stop_snapshot(r), None) for r in stops]
        )


def _events(
    entity: str, row: asyncpg.Record, began: str, finished: str
) -> list[tuple[tuple[datetime, int], EventRow]]:
    """The events of one written row, each with the moment it tells of (for their order):
    began (a new open row), finished (it completed now: a new completed row began too), or
    updated (anything else)."""
    snapshot: dict[str, Any] = trip_snapshot(row) if entity == TRIP else stop_snapshot(row)

    def event(kind: str) -> EventRow:
        return EventRow(f"{entity}_{kind}", entity, row["id"], None, snapshot)

    start, end = row["started_at"], row["ended_at"]
    if row["status"] == "open":
        kind = began if row["inserted"] else "updated"
        return [((start, 1), event(kind))]
    if row["inserted"]:
        return [((start, 1), event(began)), ((end, 0), event(finished))]
    if row["old_status"] == "open":
        return [((end, 0), event(finished))]
    return [((end, 2), event("updated"))]
