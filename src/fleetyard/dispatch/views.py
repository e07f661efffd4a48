"""Routes and dispatches as the API answers them: stops with their photos, vehicle and
driver names, progress counts and lateness (one query per kind of record, never per row)."""

from __future__ import annotations

from collections.abc import Sequence

from fleetyard.dispatch.models import Dispatch, DispatchRoute, DispatchStop
from fleetyard.dispatch.repository import DispatchRepository, PhotoMeta
from fleetyard.dispatch.schemas import (
    DispatchedRoute,
    DispatchedStop,
    DispatchOut,
    LiveDispatch,
    LiveRoute,
    RouteStatus,
    StopPhoto,
)

DONE = ("completed", "failed")


def late_minutes(stop: DispatchStop) -> float | None:
    if stop.status in DONE or stop.late_s is None:
        return None
    return round(stop.late_s / 60, 1)


ROUTE_COLUMNS = (
    "id",
    "version",
    "dispatch_id",
    "vehicle_id",
    "driver_id",
    "status",
    "planned_start_at",
    "planned_end_at",
    "distance_m",
    "duration_s",
    "geometry",
    "eta_at",
    "eta_position_at",
    "off_route_m",
    "off_route_since",
)


def stop_out(stop: DispatchStop, photos: Sequence[PhotoMeta]) -> DispatchedStop:
    return DispatchedStop.model_validate(stop).model_copy(
        update={
            "late_minutes": late_minutes(stop),
            "photos": [
                StopPhoto(id=p.id, content_type=p.content_type, size_bytes=p.size_bytes)
                for p in photos
            ],
        }
    )


async def routes_out(
    repo: DispatchRepository, routes: Sequence[DispatchRoute]
) -> list[DispatchedRoute]:
    dispatches = await repo.dispatches([r.dispatch_id for r in routes])
    stops = await repo.stops_of([r.id for r in routes])
    photos = await repo.photos_of([s.id for ss in stops.values() for s in ss])
    vehicles = await repo.vehicle_names([r.vehicle_id for r in routes])
    drivers = await repo.driver_names([r.driver_id for r in routes if r.driver_id])
    out = []
    for route in routes:
        dispatch = dispatches[route.dispatch_id]
        own = stops[route.id]
        out.append(
            DispatchedRoute.model_validate(
                {
                    **{c: getattr(route, c) for c in ROUTE_COLUMNS},
                    "vehicle_key": route.vehicle_key,
                    "plan_id": dispatch.plan_id,
                    "name": dispatch.name,
                    "vehicle_name": vehicles.get(route.vehicle_id),
                    "driver_name": drivers.get(route.driver_id) if route.driver_id else None,
                    "completed": sum(s.status in DONE for s in own),
                    "total": len(own),
                    "stops": [stop_out(s, photos.get(s.id, [])) for s in own],
                }
            )
        )
    return out


async def dispatch_out(
    repo: DispatchRepository, dispatch: Dispatch, routes: Sequence[DispatchRoute]
) -> DispatchOut:
    out = DispatchOut.model_validate(dispatch)
    return out.model_copy(update={"routes": await routes_out(repo, routes)})


async def live_view(repo: DispatchRepository) -> list[LiveDispatch]:
    dispatches = await repo.active_dispatches()
    routes = await repo.routes_of([d.id for d in dispatches])
    stops = await repo.stops_of([r.id for r in routes])
    vehicles = await repo.vehicle_names([r.vehicle_id for r in routes])
    drivers = await repo.driver_names([r.driver_id for r in routes if r.driver_id])
    by_dispatch: dict[object, list[LiveRoute]] = {d.id: [] for d in dispatches}
    for route in routes:
        own = stops[route.id]
        remaining = [s for s in own if s.status not in DONE]
        upcoming = remaining[0] if remaining else None
        by_dispatch[route.dispatch_id].append(
            LiveRoute(
                route_id=route.id,
                vehicle=route.vehicle_key,
                vehicle_id=route.vehicle_id,
                vehicle_name=vehicles.get(route.vehicle_id),
                driver_id=route.driver_id,
                driver_name=drivers.get(route.driver_id) if route.driver_id else None,
                status=RouteStatus(route.status),
                next_stop_id=upcoming.id if upcoming else None,
                next_stop_name=upcoming.name if upcoming else None,
                next_eta_at=upcoming.eta_at if upcoming else None,
                late_minutes=max((late_minutes(s) or 0.0 for s in remaining), default=0.0),
                off_route_m=route.off_route_m,
                completed=len(own) - len(remaining),
                total=len(own),
            )
        )
    return [
        LiveDispatch(
            dispatch_id=d.id,
            plan_id=d.plan_id,
            name=d.name,
            start_at=d.start_at,
            routes=by_dispatch[d.id],
        )
        for d in dispatches
    ]
