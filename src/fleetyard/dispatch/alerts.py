"""The dispatch domain's alerts, through the shared alert store (so their events, rules and
notification channels are those of any alert): ``stop_late`` (one open per stop, its code the
stop's id) and ``route_deviation`` (one open per route, its code the route's id), both on the
route's vehicle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.dispatch.models import DispatchRoute, DispatchStop
from fleetyard.maintenance.evaluate import raw_connection
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore

STOP_LATE: Final = "stop_late"
ROUTE_DEVIATION: Final = "route_deviation"


def late_key(stop_id: uuid.UUID) -> AlertKey:
    return AlertKey(STOP_LATE, stop_id.hex)


def deviation_key(route_id: uuid.UUID) -> AlertKey:
    return AlertKey(ROUTE_DEVIATION, route_id.hex)


async def store_for(session: AsyncSession, tenant_id: uuid.UUID) -> AlertStore:
    return AlertStore(await raw_connection(session), tenant_id)


def late_condition(stop: DispatchStop, route: DispatchRoute, late_s: int) -> Condition:
    minutes = round(late_s / 60)
    details: dict[str, Any] = {
        "route_id": str(route.id),
        "dispatch_id": str(route.dispatch_id),
        "stop_id": str(stop.id),
        "job_id": stop.job_id,
        "stop_name": stop.name,
        "window_end_at": stop.window_end_at.isoformat() if stop.window_end_at else None,
        "eta_at": stop.eta_at.isoformat() if stop.eta_at else None,
        "late_minutes": minutes,
    }
    return Condition(
        late_key(stop.id),
        Severity.WARNING,
        f"{stop.name} will be about {minutes} min late for its window.",
        details,
    )


def deviation_condition(route: DispatchRoute, metres: float, corridor_m: int) -> Condition:
    return Condition(
        deviation_key(route.id),
        Severity.WARNING,
        f"{round(metres)} m off its planned route (corridor {corridor_m} m).",
        {
            "route_id": str(route.id),
            "dispatch_id": str(route.dispatch_id),
            "distance_m": round(metres),
            "corridor_m": corridor_m,
        },
    )


_LAST_SEEN = """
select max(last_seen_at) from alerts
where tenant_id = $1 and vehicle_id = $2 and kind = $3 and code = $4 and cleared_at is null
"""


async def clear(store: AlertStore, vehicle_id: uuid.UUID, key: AlertKey) -> bool:
    """Clear now, or at the alert's last sighting when that was stamped ahead of this
    process's clock (a monitor round for a later instant)."""
    now = datetime.now(UTC)
    seen = await store.conn.fetchval(_LAST_SEEN, store.tenant_id, vehicle_id, key.kind, key.code)
    if seen is None:
        return False
    return await store.clear(vehicle_id, key, max(now, seen))


async def clear_stop_late(
    session: AsyncSession, tenant_id: uuid.UUID, vehicle_id: uuid.UUID, stop_id: uuid.UUID
) -> bool:
    return await clear(await store_for(session, tenant_id), vehicle_id, late_key(stop_id))


async def clear_route_deviation(
    session: AsyncSession, tenant_id: uuid.UUID, route: DispatchRoute
) -> bool:
    store = await store_for(session, tenant_id)
    return await clear(store, route.vehicle_id, deviation_key(route.id))


async def clear_for_dispatch(
    session: AsyncSession, tenant_id: uuid.UUID, dispatch_id: uuid.UUID
) -> int:
    """A superseded dispatch's open alerts end with it."""
    routes = (
        await session.execute(
            select(DispatchRoute.id, DispatchRoute.vehicle_id).where(
                DispatchRoute.tenant_id == tenant_id, DispatchRoute.dispatch_id == dispatch_id
            )
        )
    ).all()
    store = await store_for(session, tenant_id)
    cleared = 0
    for route_id, vehicle_id in routes:
        cleared += await clear(store, vehicle_id, deviation_key(route_id))
        stop_ids = (
            await session.execute(
                select(DispatchStop.id).where(
                    DispatchStop.tenant_id == tenant_id, DispatchStop.route_id == route_id
                )
            )
        ).scalars()
        for stop_id in list(stop_ids):
            cleared += await clear(store, vehicle_id, late_key(stop_id))
    return cleared
