"""Re-optimising a dispatched plan mid-route: a new plan request made from the old one, as
things stand now.

- **Completed and failed stops are gone**: their jobs leave the request.
- **A stop a driver is at** (arrived, not done) stays first on that vehicle's route: the
  vehicle starts the new plan at that stop, once its service is over, and the stop is put
  back first when the new plan is dispatched (``dispatch_replans.fixed_stops``).
- **Every other vehicle starts where it is** (its last fix; where it was planned to start
  when it has none) at *now*, counted in the old plan's seconds (so windows keep meaning the
  same instants and the new dispatch keeps the old start).
- Vehicles of routes already completed, and jobs that were left unassigned, are kept as the
  old request had them; the old matrix, whose rows can't hold the new positions, is dropped
  (the jobs' coordinates are used, so a plan over a bare matrix can't be re-planned: 409).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.dispatch.models import Dispatch, DispatchRoute, DispatchStop
from fleetyard.dispatch.plans import PlanNotDispatchable
from fleetyard.dispatch.repository import DispatchRepository, Fix
from fleetyard.dispatch.schemas import ReplanAccepted, ReplanCreate
from fleetyard.errors import Conflict, NotFound, ValidationFailed
from fleetyard.routing.schemas import RoutePlanCreate
from fleetyard.routing.service import RoutePlanService


@dataclass(frozen=True, slots=True)
class Replanned:
    request: dict[str, Any]
    fixed_stops: dict[str, uuid.UUID]  # vehicle key → the stop kept first
    removed_jobs: list[str]


def _shift(vehicle: Mapping[str, Any], start_s: int) -> list[int]:
    shift = vehicle.get("shift")
    end = int(shift[1]) if shift else None
    if end is None:
        return [start_s, start_s + 86_400]
    return [start_s, max(end, start_s)]


def replan_request(
    old: Mapping[str, Any],
    start_at: datetime,
    routes: Sequence[DispatchRoute],
    stops: Mapping[uuid.UUID, Sequence[DispatchStop]],
    fixes: Mapping[uuid.UUID, Fix],
    now: datetime,
    *,
    name: str,
    time_limit_s: int,
) -> Replanned:
    """The new request (pure: the old request, the dispatch's state, the fixes and now)."""
    now_s = max(int((now - start_at).total_seconds()), 0)
    jobs = {str(j["id"]): j for j in old.get("jobs", [])}
    if any("location" not in j for j in jobs.values()):
        raise PlanNotDispatchable(
            "A plan over a bare matrix (jobs without coordinates) can't be re-planned.",
        )
    vehicles_by_id = {str(v["id"]): v for v in old.get("vehicles", [])}
    removed: list[str] = []
    fixed: dict[str, uuid.UUID] = {}
    new_vehicles: list[dict[str, Any]] = []
    used_keys: set[str] = set()
    for route in routes:
        if route.status not in ("planned", "in_progress"):
            continue
        own = stops.get(route.id, [])
        removed += [s.job_id for s in own if s.status in ("completed", "failed", "arrived")]
        base = vehicles_by_id.get(route.vehicle_key.split("#", 1)[0], {})
        vehicle: dict[str, Any] = {
            k: copy.deepcopy(v)
            for k, v in base.items()
            if k not in ("count", "start_index", "end_index", "start", "shift", "max_duration_s")
        }
        vehicle["id"] = route.vehicle_key.replace("#", "-")
        vehicle["vehicle_id"] = str(route.vehicle_id)
        vehicle["driver_id"] = str(route.driver_id) if route.driver_id else None
        at_stop = next((s for s in own if s.status == "arrived"), None)
        start_s = now_s
        if at_stop is not None:
            fixed[vehicle["id"]] = at_stop.id
            arrived_s = int(((at_stop.arrived_at or now) - start_at).total_seconds())
            start_s = max(now_s, arrived_s + at_stop.service_s)
            vehicle["start"] = {"lat": at_stop.latitude, "lon": at_stop.longitude}
        elif (fix := fixes.get(route.vehicle_id)) is not None:
            vehicle["start"] = {"lat": fix.latitude, "lon": fix.longitude}
        elif route.start_lat is not None and route.start_lon is not None:
            vehicle["start"] = {"lat": route.start_lat, "lon": route.start_lon}
        else:
            raise Conflict(
                "A vehicle has neither a position nor a planned start.",
                details={"vehicle": route.vehicle_key},
            )
        if "end" in base:
            vehicle["end"] = base["end"]
        vehicle["shift"] = _shift(base, start_s)
        used_keys.add(vehicle["id"])
        new_vehicles.append(vehicle)
    if not new_vehicles:
        raise Conflict("No route of the dispatch is still on the road.")
    gone = set(removed)
    served = {s.job_id for ss in stops.values() for s in ss if s.status in ("completed", "failed")}
    request: dict[str, Any] = {
        k: copy.deepcopy(v) for k, v in old.items() if k not in ("jobs", "vehicles", "matrix")
    }
    request["name"] = name
    request["time_limit_s"] = time_limit_s
    request["vehicles"] = new_vehicles
    request["jobs"] = [
        copy.deepcopy(j) for jid, j in jobs.items() if jid not in gone and jid not in served
    ]
    if not request["jobs"]:
        raise Conflict("Every stop is served or being served: nothing is left to re-plan.")
    return Replanned(request, fixed, sorted(gone | served))


class ReplanService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.repo = DispatchRepository(session, actor.tenant_id)

    async def active_dispatch_of(self, plan_id: uuid.UUID) -> Dispatch:
        for dispatch in await self.repo.active_dispatches():
            if dispatch.plan_id == plan_id:
                return dispatch
        raise NotFound("No active dispatch of this plan.", details={"entity_type": "dispatch"})

    async def replan(self, plan_id: uuid.UUID, data: ReplanCreate) -> ReplanAccepted:
        dispatch = await self.active_dispatch_of(plan_id)
        plan = await self.repo.plan(plan_id)
        assert plan is not None  # a dispatch's plan stays (deleting it is refused)
        routes = await self.repo.routes_of([dispatch.id])
        stops = await self.repo.stops_of([r.id for r in routes])
        fixes = await self.repo.fixes([r.vehicle_id for r in routes])
        made = replan_request(
            plan.request,
            dispatch.start_at,
            routes,
            stops,
            fixes,
            datetime.now(UTC),
            name=data.name or f"{plan.name} (re-plan)",
            time_limit_s=data.time_limit_s,
        )
        new_id, status = await submit_plan(self.session, self.actor, made.request)
        self.repo.add_replan(new_id, dispatch.id, {k: str(v) for k, v in made.fixed_stops.items()})
        await self.session.flush()
        return ReplanAccepted(
            plan_id=new_id,
            dispatch_id=dispatch.id,
            status=status,
            fixed_stops=made.fixed_stops,
            removed_jobs=made.removed_jobs,
        )


async def submit_plan(
    session: AsyncSession, actor: Principal, request: dict[str, Any]
) -> tuple[uuid.UUID, str]:
    """Hand the request to the route planner (its validation, limits, queue and solver)."""
    try:
        body = RoutePlanCreate.model_validate(request)
    except ValidationError as error:
        first = error.errors()[0]
        raise ValidationFailed(
            f"The re-plan's request is not a valid plan: {first['msg']}",
            details={"field": ".".join(str(p) for p in first["loc"])},
        ) from error
    accepted = await RoutePlanService(session, actor).create(body)
    return accepted.id, accepted.status.value
