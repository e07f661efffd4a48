"""Today's GPS path length per device, kept in process memory so a dashboard request reads only
the fixes of the last few minutes instead of the whole day.

A path is additive: the length over ``[day, t)`` plus the length over ``[t, end)`` (counting
the step from the last fix before ``t``) is the length over ``[day, end)``. So each tenant's
entry holds the settled part, ``[day, until)``, and a request adds what settled since and
reads the open tail fresh. ``until`` trails the clock by ``SETTLE``: fixes a tracker sends
later than that (a buffer emptied after a tunnel) are missed by this process until its entry
is rebuilt from the day's start, at most ``REBUILD_AFTER`` later (or sooner, when a device
needs its path that the entry doesn't hold). Devices with an odometer need none of this: two
index probes a request.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from fleetyard.kit.ids import TenantId

SETTLE = timedelta(minutes=2)
REBUILD_AFTER = timedelta(hours=1)
MAX_TENANTS = 1_000


@dataclass(frozen=True, slots=True)
class SettledPath:
    day: datetime
    until: datetime
    built_at: datetime
    devices: frozenset[uuid.UUID]
    km: Mapping[uuid.UUID, float]


def add_km(a: Mapping[uuid.UUID, float], b: Mapping[uuid.UUID, float]) -> Mapping[uuid.UUID, float]:
    total = dict(a)
    for device_id, km in b.items():
        total[device_id] = total.get(device_id, 0.0) + km
    return MappingProxyType(total)


class PathCache:
    """Tenant → its settled path of today; entries are immutable and replaced whole, so two
    requests racing each store a consistent answer. Least recently used tenants go first."""

    def __init__(self, max_tenants: int = MAX_TENANTS) -> None:
        self.max_tenants = max_tenants
        self._entries: OrderedDict[TenantId, SettledPath] = OrderedDict()

    def get(
        self, tenant_id: TenantId, devices: frozenset[uuid.UUID], day: datetime, now: datetime
    ) -> SettledPath | None:
        """The tenant's settled path of ``day`` when it covers ``devices`` and is recent."""
        entry = self._entries.get(tenant_id)
        if (
            entry is None
            or entry.day != day
            or not devices <= entry.devices
            or now - entry.built_at > REBUILD_AFTER
        ):
            return None
        self._entries.move_to_end(tenant_id)
        return entry

    def put(self, tenant_id: TenantId, entry: SettledPath) -> None:
        self._entries[tenant_id] = entry
        self._entries.move_to_end(tenant_id)
        while len(self._entries) > self.max_tenants:
            self._entries.popitem(last=False)
