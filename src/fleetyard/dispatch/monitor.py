"""Following dispatched routes on the road: from each vehicle's last fix (``vehicle_state``),
the ETAs of its remaining stops, the stops that will be late, and whether it left its corridor.

One round per tenant in one transaction (the loop in :mod:`fleetyard.dispatch.loop`, or a
test): ETAs and lateness are stored on the stops, ``stop_late`` and ``route_deviation`` alerts
are raised once and cleared when their cause ends (the alert store keeps one open per key,
so a round that finds a stop still late only marks the open alert seen), and what changed is
returned as live items (``dispatch.eta``) to publish after the commit."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.dispatch import alerts
from fleetyard.dispatch.corridor import distance_to_route_m
from fleetyard.dispatch.eta import StopEta, StopPlan, estimate, is_late
from fleetyard.dispatch.models import DispatchRoute, DispatchSettings, DispatchStop
from fleetyard.dispatch.repository import DispatchRepository, Fix
from fleetyard.events.service import EventLog
from fleetyard.kit.ids import TenantId
from fleetyard.kit.records import jsonable
from fleetyard.realtime.items import LiveItem
from fleetyard.routing.travel import (
    TravelInputError,
    TravelProviderError,
    haversine_matrix,
    travel_matrix,
)
from fleetyard.telematics.rules.conditions import AlertKey
from fleetyard.telematics.rules.store import AlertStore

log = logging.getLogger(__name__)

ETA: Final = "dispatch.eta"
REMAINING: Final = frozenset({"pending", "arrived"})


@dataclass
class Round:
    routes: int = 0
    raised: int = 0
    cleared: int = 0
    live: list[LiveItem] = field(default_factory=list)


async def legs(tenant_id: uuid.UUID, fix: Fix, stops: Sequence[DispatchStop]) -> list[float]:
    """Travel seconds into each stop: from the fix to the first, then stop to stop (the
    tenant's travel provider; haversine with its road factor when that fails)."""
    points = [(fix.latitude, fix.longitude)] + [(s.latitude, s.longitude) for s in stops]
    try:
        durations = (await travel_matrix(points, tenant_id=tenant_id)).durations_s
    except (TravelProviderError, TravelInputError):
        log.warning("travel times fell back to haversine", extra={"tenant_id": str(tenant_id)})
        durations = haversine_matrix(points).durations_s
    return [float(durations[i][i + 1]) for i in range(len(stops))]


class Monitor:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.repo = DispatchRepository(session, tenant_id)
        self.events = EventLog(session, Principal.system(tenant_id))
        self.open: dict[uuid.UUID, set[AlertKey]] = {}

    async def run(self, now: datetime) -> Round:
        out = Round()
        routes = await self.repo.moving_routes()
        if not routes:
            return out
        settings = await self.repo.settings()
        fixes = await self.repo.fixes([r.vehicle_id for r in routes])
        stops = await self.repo.stops_of([r.id for r in routes])
        store = await alerts.store_for(self.session, self.tenant_id)
        self.open = await store.open_keys(sorted({r.vehicle_id for r in routes}))
        for route in routes:
            fix = fixes.get(route.vehicle_id)
            if fix is None:
                continue
            out.routes += 1
            await self._follow(route, stops[route.id], fix, now, settings, store, out)
        out.live.extend(store.live)
        await self.session.flush()
        return out

    async def _follow(
        self,
        route: DispatchRoute,
        stops: list[DispatchStop],
        fix: Fix,
        now: datetime,
        settings: DispatchSettings,
        store: AlertStore,
        out: Round,
    ) -> None:
        remaining = [s for s in stops if s.status in REMAINING]
        etas = await self._etas(route, remaining, fix, now)
        for stop in stops:
            key = alerts.late_key(stop.id)
            eta = etas.get(stop.id)
            if eta is not None and is_late(eta, settings.late_tolerance_s):
                out.raised += await store.raise_alert(
                    route.vehicle_id, None, alerts.late_condition(stop, route, eta.late_s), now, now
                )
            elif key in self.open.get(route.vehicle_id, set()):
                out.cleared += await store.clear(route.vehicle_id, key, now)
        await self._corridor(route, fix, now, settings, store, out)
        out.live.append(self._live(route, remaining, etas, fix))

    async def _etas(
        self, route: DispatchRoute, remaining: list[DispatchStop], fix: Fix, now: datetime
    ) -> dict[uuid.UUID, StopEta]:
        if not remaining:
            return {}
        plans = [
            StopPlan(
                s.id,
                s.latitude,
                s.longitude,
                s.service_s,
                s.window_start_at,
                s.window_end_at,
                s.arrived_at if s.status == "arrived" else None,
            )
            for s in remaining
        ]
        # before the route starts, the vehicle leaves no earlier than planned
        start = max(now, route.planned_start_at) if route.status == "planned" else now
        found = estimate(start, plans, await legs(self.tenant_id, fix, remaining))
        for stop, eta in zip(remaining, found, strict=True):
            stop.eta_at = eta.eta_at
            stop.late_s = eta.late_s
        route.eta_at = found[-1].departure_at
        route.eta_position_at = fix.fix_time
        return {e.stop_id: e for e in found}

    async def _corridor(
        self,
        route: DispatchRoute,
        fix: Fix,
        now: datetime,
        settings: DispatchSettings,
        store: AlertStore,
        out: Round,
    ) -> None:
        if route.geometry is None or route.status != "in_progress":
            return
        metres = distance_to_route_m(fix.latitude, fix.longitude, route.geometry)
        if metres is None:
            return
        before = {"off_route_since": jsonable(route.off_route_since)}
        route.off_route_m = round(metres, 1)
        key = alerts.deviation_key(route.id)
        if metres <= settings.corridor_m:
            if key in self.open.get(route.vehicle_id, set()):
                out.cleared += await store.clear(route.vehicle_id, key, now)
            route.off_route_since = None
        else:
            route.off_route_since = route.off_route_since or fix.fix_time
            if (fix.fix_time - route.off_route_since).total_seconds() >= settings.off_route_after_s:
                condition = alerts.deviation_condition(route, metres, settings.corridor_m)
                out.raised += await store.raise_alert(route.vehicle_id, None, condition, now, now)
        after = {"off_route_since": jsonable(route.off_route_since)}
        if after != before:
            self.events.record("dispatch_route", "updated", route.id, before, after)

    def _live(
        self,
        route: DispatchRoute,
        remaining: list[DispatchStop],
        etas: dict[uuid.UUID, StopEta],
        fix: Fix,
    ) -> LiveItem:
        payload: dict[str, Any] = {
            "route_id": route.id,
            "dispatch_id": route.dispatch_id,
            "vehicle_id": route.vehicle_id,
            "position_at": fix.fix_time,
            "eta_at": route.eta_at,
            "off_route_m": route.off_route_m,
            "stops": [
                {
                    "stop_id": s.id,
                    "eta_at": etas[s.id].eta_at,
                    "late_minutes": round(etas[s.id].late_s / 60, 1),
                }
                for s in remaining
            ],
        }
        return LiveItem(ETA, "dispatch_route", (route.vehicle_id,), payload)
