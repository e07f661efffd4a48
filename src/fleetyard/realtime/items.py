"""What travels on the bus: per-tenant batches of live items, each numbered by the bus."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

POSITION = "vehicle.position"
ALERT_OPENED = "alert.opened"
ALERT_CLEARED = "alert.cleared"
NOTIFICATIONS_RELEASED = "notifications.released"


@dataclass(frozen=True, slots=True)
class LiveItem:
    """One thing that happened in a tenant.

    ``kind`` is the message type clients see (``vehicle.position``, ``alert.opened``,
    ``vehicle_updated`` …); ``entity_type`` decides which permission may read it;
    ``vehicle_ids`` are the vehicles it concerns (what per-vehicle and per-group
    subscriptions match on); ``payload`` is JSON-ready. ``audience``, when not empty, are
    the only users it is for (their own notifications): it reaches their connections
    whatever they subscribed to, and nobody else's.
    """

    kind: str
    entity_type: str
    vehicle_ids: tuple[uuid.UUID, ...]
    payload: dict[str, Any]
    audience: tuple[uuid.UUID, ...] = ()

    @property
    def is_position(self) -> bool:
        return self.kind == POSITION


@dataclass(frozen=True, slots=True)
class LiveBatch:
    """Items of one tenant, numbered ``first_seq``, ``first_seq + 1``, … in order."""

    tenant_id: uuid.UUID
    first_seq: int
    items: tuple[LiveItem, ...]

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.items) - 1
