"""What feeds the bus, always after the change committed: positions the ingest pipeline
stored, alerts the rules opened or cleared, and the events an API transaction wrote."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.events.repository import COMMITTED_EVENTS
from fleetyard.models import Event
from fleetyard.realtime.bus import Bus
from fleetyard.realtime.items import POSITION, LiveItem
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.store import Resolved

log = logging.getLogger(__name__)

# Bulky or raw attributes stay out of the live stream (the positions API has them all).
_NOT_LIVE = frozenset({attr.IO, attr.CELL_TOWERS, attr.WIFI_ACCESS_POINTS, attr.EXTRAS})
# Fields whose values name the vehicles a record event concerns.
_VEHICLE_FIELDS = ("vehicle_id", "assigned_vehicle_id")


def position_item(item: Resolved) -> LiveItem:
    assert item.route.vehicle_id is not None
    p = item.position
    return LiveItem(
        kind=POSITION,
        entity_type="vehicle",
        vehicle_ids=(item.route.vehicle_id,),
        payload={
            "vehicle_id": item.route.vehicle_id,
            "device_id": item.route.device_id,
            "fix_time": p.fix_time,
            "server_time": item.server_time,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "speed_kmh": p.speed_kmh,
            "course": p.course,
            "altitude_m": p.altitude_m,
            "satellites": p.satellites,
            "ignition": p.ignition,
            "odometer_m": p.odometer_m,
            "attributes": {k: v for k, v in p.attributes.items() if k not in _NOT_LIVE},
        },
    )


class PositionPublisher:
    """``IngestPipeline.on_committed`` hook: each vehicle's newest valid fix of the batch,
    when it is newer than the last one published (a late upload of buffered records, or the
    older fixes of a packet that carried several, are history: the positions API has them;
    the map wants where the vehicle is). Tenants nobody listens to cost nothing."""

    def __init__(self, bus: Bus, lag: Histogram | None = None) -> None:
        self.bus = bus
        self.lag = lag  # gateway arrival → publication
        self._latest: dict[uuid.UUID, datetime] = {}

    async def __call__(self, stored: Sequence[Resolved]) -> None:
        newest: dict[uuid.UUID, Resolved] = {}
        wanted: dict[uuid.UUID, bool] = {}
        for item in stored:
            vehicle_id = item.route.vehicle_id
            if not item.valid or vehicle_id is None:
                continue
            tenant_id = item.route.tenant_id
            if not wanted.setdefault(tenant_id, self.bus.wants(tenant_id)):
                continue
            known = newest.get(vehicle_id)
            if known is None or item.position.fix_time > known.position.fix_time:
                newest[vehicle_id] = item
        by_tenant: dict[uuid.UUID, list[Resolved]] = defaultdict(list)
        for vehicle_id, item in newest.items():
            latest = self._latest.get(vehicle_id)
            if latest is None or item.position.fix_time > latest:
                self._latest[vehicle_id] = item.position.fix_time
                by_tenant[item.route.tenant_id].append(item)
        now = datetime.now(UTC)
        for tenant_id, items in by_tenant.items():
            items.sort(key=lambda i: i.position.fix_time)
            await self.bus.publish(tenant_id, [position_item(i) for i in items])
            if self.lag is not None:
                for item in items:
                    self.lag.observe((now - item.server_time).total_seconds())


def _vehicle_ids(
    entity_type: str, entity_id: uuid.UUID, changes: Mapping[str, Any]
) -> tuple[uuid.UUID, ...]:
    found: list[uuid.UUID] = [entity_id] if entity_type == "vehicle" else []
    for field in _VEHICLE_FIELDS:
        change = changes.get(field)
        if not isinstance(change, Mapping):
            continue
        for value in (change.get("before"), change.get("after")):
            try:
                vehicle_id = uuid.UUID(str(value)) if value else None
            except ValueError:
                continue
            if vehicle_id is not None and vehicle_id not in found:
                found.append(vehicle_id)
    return tuple(found)


def event_item(event: Event) -> LiveItem:
    changes = dict(event.changes or {})
    return LiveItem(
        kind=event.type,
        entity_type=event.entity_type,
        vehicle_ids=_vehicle_ids(event.entity_type, event.entity_id, changes),
        payload={
            "id": event.id,
            "type": event.type,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "occurred_at": event.__dict__.get("occurred_at"),
            "actor_type": event.actor_type,
            "actor_id": event.actor_id,
            "changes": changes,
        },
    )


async def publish_events(bus: Bus, events: Iterable[Event]) -> None:
    by_tenant: dict[uuid.UUID, list[LiveItem]] = defaultdict(list)
    for event in events:
        by_tenant[event.tenant_id].append(event_item(event))
    for tenant_id, items in by_tenant.items():
        await bus.publish(tenant_id, items)


class CommittedEvents:
    """``app.state.on_committed``: after an API transaction committed (and its response
    left), publish the events it wrote."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def __call__(self, session: AsyncSession) -> None:
        events: list[Event] | None = session.info.pop(COMMITTED_EVENTS, None)
        if events:
            try:
                await publish_events(self.bus, events)
            except Exception:  # live delivery is best effort; the event log has it all
                log.exception("publishing committed events failed")
