"""The after-store handler that turns freshly stored fixes into alerts.

Per tenant in the batch: one transaction on the ingest pool (app role, ``app.tenant_id`` set
for the transaction, so row-level security applies), the open alerts of the batch's vehicles
and the tenant's alert rules of the telemetry kinds read once (no rules: the built-in set;
see ``tenant_rules``), the rules run per vehicle in fix-time order, and every opened or
cleared alert written with its ``alert_opened`` / ``alert_cleared`` event in that same
transaction.

Only valid fixes of devices attached to a vehicle feed the rules; invalid fixes are stored
but never raise or clear an alert. A tenant whose batch fails is logged and the next tenant
still runs.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from fleetyard.alerts.rules.store import group_chains, load_rules
from fleetyard.realtime.bus import Bus
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.rules.conditions import AlertKey, Rule
from fleetyard.telematics.rules.evaluate import Cleared, Reading, evaluate, watched
from fleetyard.telematics.rules.store import AlertStore
from fleetyard.telematics.rules.tenant_rules import TELEMETRY_KINDS, rules_for_vehicle

log = logging.getLogger(__name__)

ByVehicle = dict[uuid.UUID, list[Resolved]]


def group_for_rules(stored: Sequence[Resolved]) -> dict[uuid.UUID, ByVehicle]:
    """tenant → vehicle → its valid fixes that carry a reading some rule watches; fixes of
    unattached devices are left out (a GPS-only batch costs no transaction at all)."""
    grouped: dict[uuid.UUID, ByVehicle] = defaultdict(lambda: defaultdict(list))
    for item in stored:
        if item.valid and item.route.vehicle_id is not None and watched(item.position.attributes):
            grouped[item.route.tenant_id][item.route.vehicle_id].append(item)
    return grouped


class AlertRules:
    """``IngestPipeline.on_stored`` handler: ``pipeline.on_stored.append(AlertRules(pool))``."""

    def __init__(self, pool: asyncpg.Pool, bus: Bus | None = None) -> None:
        self.pool = pool
        self.bus = bus  # told of opened and cleared alerts once they are committed

    async def __call__(self, stored: Sequence[Resolved]) -> None:
        for tenant_id, vehicles in group_for_rules(stored).items():
            try:
                await self.apply_tenant(tenant_id, vehicles)
            except Exception:  # one tenant's failure must not cost the others their alerts
                log.exception(
                    "alert rules failed for a tenant batch",
                    extra={"tenant_id": str(tenant_id), "vehicles": len(vehicles)},
                )

    async def apply_tenant(self, tenant_id: uuid.UUID, vehicles: ByVehicle) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            store = AlertStore(conn, tenant_id)
            open_keys = await store.open_keys(sorted(vehicles))
            # the tenant's rules of telemetry kinds (none: the built-in set, no more queries)
            rules = await load_rules(conn, tenant_id, TELEMETRY_KINDS)
            chains = {}
            if any(rule.scoped_by_group for rule in rules):
                chains = await group_chains(conn, tenant_id, sorted(vehicles))
            for vehicle_id in sorted(vehicles):
                await self._apply_vehicle(
                    store,
                    vehicle_id,
                    vehicles[vehicle_id],
                    open_keys.get(vehicle_id, set()),
                    rules_for_vehicle(rules, vehicle_id, chains.get(vehicle_id, ())),
                )
        if self.bus is not None and store.live:
            await self.bus.publish(tenant_id, store.live)

    @staticmethod
    async def _apply_vehicle(
        store: AlertStore,
        vehicle_id: uuid.UUID,
        items: list[Resolved],
        open_keys: set[AlertKey],
        rules: Sequence[Rule],
    ) -> None:
        readings = [
            Reading(i.position.fix_time, i.position.attributes, i.route.device_id) for i in items
        ]
        for change in evaluate(readings, open_keys, rules):
            if isinstance(change, Cleared):
                await store.clear(vehicle_id, change.key, change.at)
            else:
                await store.raise_alert(
                    vehicle_id, change.device_id, change.condition, change.first_at, change.last_at
                )
