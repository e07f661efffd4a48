"""The after-store stages, built once for whichever process runs them (the stage worker, or
the gateway itself with ``FLEETYARD_STAGES_IN_PROCESS``), and run side by side on a batch."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from prometheus_client import CollectorRegistry

from fleetyard.behaviour.handler import BehaviourDetection
from fleetyard.behaviour.limits import basemap_road_limits
from fleetyard.config import Settings
from fleetyard.geofences.handler import GeofenceRules
from fleetyard.realtime.bus import Bus
from fleetyard.telematics.ingest.pipeline import StoredHandler
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.rules.handler import AlertRules
from fleetyard.trips.handler import TripDetection

log = logging.getLogger(__name__)


@dataclass
class StageChain:
    alerts: AlertRules
    trips: TripDetection
    geofences: GeofenceRules
    behaviour: BehaviourDetection

    @classmethod
    def build(
        cls,
        pool: asyncpg.Pool,
        settings: Settings,
        bus: Bus | None,
        registry: CollectorRegistry | None,
    ) -> StageChain:
        geofences = GeofenceRules(pool, bus, registry)
        behaviour = BehaviourDetection(
            pool,
            bus,
            registry,
            roads=basemap_road_limits(settings.data_dir),
            fences=geofences.fences,
        )
        return cls(AlertRules(pool, bus), TripDetection(pool, registry), geofences, behaviour)

    @property
    def handlers(self) -> list[StoredHandler]:
        return [self.alerts, self.trips, self.geofences, self.behaviour]

    async def run(self, stored: Sequence[Resolved]) -> None:
        """Every stage on the batch, side by side (each keeps its own state per device and
        reads only what is committed); a failing stage is logged and the others go on."""
        await asyncio.gather(*(_guarded(handler, stored) for handler in self.handlers))

    def forget(self, tenants: Sequence[uuid.UUID]) -> None:
        """What memory holds for these tenants may be behind the database (another worker
        ran them since): read again from the checkpoints before their next fixes."""
        if not tenants:
            return
        self.trips.forget()
        self.behaviour.forget()
        for tenant_id in tenants:
            self.geofences._forget(tenant_id)

    async def close(self) -> None:
        await self.behaviour.close()


async def _guarded(handler: StoredHandler, stored: Sequence[Resolved]) -> None:
    try:
        await handler(stored)
    except Exception:  # one failing stage must not stop the others
        log.exception(
            "after-store stage failed",
            extra={"handler": getattr(handler, "__qualname__", type(handler).__name__)},
        )
