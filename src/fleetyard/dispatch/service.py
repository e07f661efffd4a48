"""Dispatch rules: a solved plan put on the road (each route to a vehicle and a driver, the
plan's seconds turned into instants), the driver's day, and each stop's progress in order.

Drivers see and progress the routes of the driver records linked to their user
(``drivers.user_id``); dispatchers and managers see the tenant's. Every change is an event
in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.dispatch import alerts
from fleetyard.dispatch.models import Dispatch, DispatchRoute, DispatchSettings, DispatchStop
from fleetyard.dispatch.plans import PlannedRoute, SolvedPlan, read_plan, window_for
from fleetyard.dispatch.repository import DispatchRepository
from fleetyard.dispatch.schemas import DispatchCreate, RouteAssignment, StopProgress
from fleetyard.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from fleetyard.events.service import EventLog
from fleetyard.inspections.photos import check_photo, decode_base64
from fleetyard.kit.records import jsonable

DONE: Final = frozenset({"completed", "failed"})
# action → (statuses it may start from, status it leads to)
TRANSITIONS: Final = {
    "arrive": (frozenset({"pending"}), "arrived"),
    "complete": (frozenset({"pending", "arrived"}), "completed"),
    "fail": (frozenset({"pending", "arrived"}), "failed"),
}


class PlanAlreadyDispatched(Conflict):
    code = "plan_already_dispatched"
    message = "The plan is already dispatched."


class RouteClosed(Conflict):
    code = "route_closed"
    message = "The route is no longer on the road (completed or replaced by a re-plan)."


def snapshot(record: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: jsonable(getattr(record, f)) for f in fields}


STOP_FIELDS: Final = ("status", "arrived_at", "completed_at", "failed_at", "note")
ROUTE_FIELDS: Final = ("status", "vehicle_id", "driver_id")


def at(start: datetime, seconds: int) -> datetime:
    return start + timedelta(seconds=seconds)


class DispatchService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.repo = DispatchRepository(session, actor.tenant_id)
        self.events = EventLog(session, actor)

    @property
    def own_only(self) -> bool:
        return self.actor.role is Role.DRIVER

    # dispatching --------------------------------------------------------------------------
    async def dispatch_plan(self, plan_id: uuid.UUID, data: DispatchCreate) -> Dispatch:
        row = await self.repo.plan(plan_id)
        if row is None:
            raise NotFound("No such route plan.", details={"entity_type": "route_plan"})
        plan = read_plan(row.id, row.name, row.status, row.request, row.solution)
        replan = await self.repo.replan(plan_id)
        old = await self._replaced(replan.dispatch_id if replan else None)
        for existing in await self.repo.active_dispatches():
            if existing.plan_id == plan_id:
                raise PlanAlreadyDispatched(details={"dispatch_id": str(existing.id)})
        start_at = data.start_at or (old.start_at if old else await self._today())
        assigned = self._assignments(plan, data)
        await self._check_fleet(assigned)
        old_stops = await self._old_stops(old)
        dispatch = Dispatch(
            tenant_id=self.actor.tenant_id,
            version=1,
            plan_id=plan_id,
            name=plan.name,
            start_at=start_at,
            status="active",
        )
        self.session.add(dispatch)
        await self.session.flush()
        self.events.record(
            "dispatch",
            "created",
            dispatch.id,
            None,
            snapshot(dispatch, ("plan_id", "name", "start_at", "status")),
        )
        fixed = dict(replan.fixed_stops) if replan else {}
        for route, (vehicle_id, driver_id) in zip(plan.routes, assigned, strict=True):
            fixed_stop = (
                old_stops.get(uuid.UUID(fixed[route.vehicle])) if route.vehicle in fixed else None
            )
            await self._add_route(
                dispatch, route, vehicle_id, driver_id, data, old_stops, fixed_stop
            )
        if old is not None:
            await self._supersede(old, dispatch.id)
        return dispatch

    async def _replaced(self, dispatch_id: uuid.UUID | None) -> Dispatch | None:
        if dispatch_id is None:
            return None
        old = await self.repo.dispatch(dispatch_id, lock=True)
        if old is None or old.status != "active":
            raise Conflict(
                "The dispatch this re-plan was made for is no longer active.",
                details={"dispatch_id": str(dispatch_id)},
            )
        return old

    async def _today(self) -> datetime:
        zone = ZoneInfo(await self.repo.time_zone())
        today = datetime.now(zone).date()
        return datetime.combine(today, time(0), tzinfo=zone)

    def _assignments(
        self, plan: SolvedPlan, data: DispatchCreate
    ) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
        keys = {r.vehicle for r in plan.routes}
        given: dict[str, RouteAssignment] = {}
        for i, a in enumerate(data.routes):
            if a.vehicle not in keys:
                raise ValidationFailed(
                    "No route of the plan has this vehicle.",
                    details={"field": f"routes.{i}.vehicle", "vehicle": a.vehicle},
                )
            given[a.vehicle] = a
        out = []
        for route in plan.routes:
            chosen = given.get(route.vehicle)
            vehicle_id = (chosen.vehicle_id if chosen else None) or route.vehicle_id
            driver_id = (chosen.driver_id if chosen else None) or route.driver_id
            if vehicle_id is None:
                raise ValidationFailed(
                    "A route needs a vehicle: the plan names none, give routes[].vehicle_id.",
                    details={"field": "routes", "vehicle": route.vehicle},
                )
            out.append((vehicle_id, driver_id))
        vehicles = [v for v, _ in out]
        if len(set(vehicles)) != len(vehicles):
            raise ValidationFailed(
                "A vehicle can drive one route of a dispatch.", details={"field": "routes"}
            )
        return out

    async def _check_fleet(self, assigned: Sequence[tuple[uuid.UUID, uuid.UUID | None]]) -> None:
        vehicles = await self.repo.vehicle_names([v for v, _ in assigned])
        drivers = await self.repo.driver_names([d for _, d in assigned if d is not None])
        for vehicle_id, driver_id in assigned:
            if vehicle_id not in vehicles:
                raise ValidationFailed(
                    "No such vehicle in this tenant.",
                    details={"field": "routes.vehicle_id", "id": str(vehicle_id)},
                )
            if driver_id is not None and driver_id not in drivers:
                raise ValidationFailed(
                    "No such driver in this tenant.",
                    details={"field": "routes.driver_id", "id": str(driver_id)},
                )

    async def _old_stops(self, old: Dispatch | None) -> dict[uuid.UUID, DispatchStop]:
        if old is None:
            return {}
        routes = await self.repo.routes_of([old.id])
        stops = await self.repo.stops_of([r.id for r in routes])
        return {s.id: s for ss in stops.values() for s in ss}

    async def _add_route(
        self,
        dispatch: Dispatch,
        planned: PlannedRoute,
        vehicle_id: uuid.UUID,
        driver_id: uuid.UUID | None,
        data: DispatchCreate,
        old_stops: Mapping[uuid.UUID, DispatchStop],
        fixed: DispatchStop | None,
    ) -> None:
        start = dispatch.start_at
        route = DispatchRoute(
            tenant_id=self.actor.tenant_id,
            version=1,
            dispatch_id=dispatch.id,
            vehicle_key=planned.vehicle,
            vehicle_id=vehicle_id,
            driver_id=driver_id,
            status="in_progress" if fixed is not None else "planned",
            planned_start_at=at(start, planned.start_s),
            planned_end_at=at(start, planned.end_s),
            distance_m=planned.distance,
            duration_s=planned.duration,
            start_lat=planned.start[0] if planned.start else None,
            start_lon=planned.start[1] if planned.start else None,
            geometry=[list(p) for p in planned.geometry] if planned.geometry else None,
        )
        self.session.add(route)
        await self.session.flush()
        self.events.record(
            "dispatch_route",
            "created",
            route.id,
            None,
            {**snapshot(route, ROUTE_FIELDS), "dispatch_id": str(dispatch.id)},
        )
        by_job = {s.job_id: s for s in old_stops.values()}
        seq = 0
        if fixed is not None:  # the stop it is at: first, as it was
            self._add_stop(route, seq, fixed)
            seq += 1
        for stop in planned.stops:
            details = data.jobs.get(stop.job_id)
            before = by_job.get(stop.job_id)
            window = window_for(stop.windows, stop.arrival_s)
            record = DispatchStop(
                tenant_id=self.actor.tenant_id,
                version=1,
                route_id=route.id,
                seq=seq,
                job_id=stop.job_id,
                name=(details.name if details and details.name else None)
                or stop.name
                or (before.name if before else stop.job_id),
                place=(details.place if details else "") or (before.place if before else ""),
                notes=(details.notes if details else "")
                or stop.note
                or (before.notes if before else ""),
                latitude=stop.latitude,
                longitude=stop.longitude,
                service_s=stop.service_s,
                window_start_at=at(start, window[0]) if window else None,
                window_end_at=at(start, window[1]) if window else None,
                planned_arrival_at=at(start, stop.arrival_s),
                planned_departure_at=at(start, stop.departure_s),
                status="pending",
                note="",
            )
            self.session.add(record)
            seq += 1
        await self.session.flush()

    def _add_stop(
        self,
        route: DispatchRoute,
        seq: int,
        old: DispatchStop,
    ) -> None:
        self.session.add(
            DispatchStop(
                tenant_id=self.actor.tenant_id,
                version=1,
                route_id=route.id,
                seq=seq,
                **{
                    k: getattr(old, k)
                    for k in (
                        "job_id",
                        "name",
                        "place",
                        "notes",
                        "latitude",
                        "longitude",
                        "service_s",
                        "window_start_at",
                        "window_end_at",
                        "planned_arrival_at",
                        "planned_departure_at",
                        "status",
                        "arrived_at",
                        "note",
                    )
                },
            )
        )

    async def _supersede(self, old: Dispatch, new_id: uuid.UUID) -> None:
        before = snapshot(old, ("status", "superseded_by"))
        old.status = "superseded"
        old.superseded_by = new_id
        old.version += 1
        await self.repo.supersede_routes(old.id)
        self.events.record(
            "dispatch", "updated", old.id, before, snapshot(old, ("status", "superseded_by"))
        )
        await alerts.clear_for_dispatch(self.session, self.actor.tenant_id, old.id)

    async def update_settings(self, values: dict[str, int]) -> DispatchSettings:
        before = await self.repo.settings()
        fields = ("corridor_m", "off_route_after_s", "late_tolerance_s")
        old = snapshot(before, fields)
        saved = await self.repo.save_settings(values)
        self.events.record(
            "dispatch_settings", "updated", self.actor.tenant_id, old, snapshot(saved, fields)
        )
        return saved

    # reading ------------------------------------------------------------------------------
    async def visible_route(self, route_id: uuid.UUID, *, lock: bool = False) -> DispatchRoute:
        route = await self.repo.route(route_id, lock=lock)
        if route is None or (self.own_only and not await self._drives(route)):
            raise NotFound("No such route.", details={"entity_type": "dispatch_route"})
        return route

    async def _drives(self, route: DispatchRoute) -> bool:
        if self.actor.user_id is None or route.driver_id is None:
            return False
        return route.driver_id in await self.repo.drivers_of_user(self.actor.user_id)

    async def my_routes(self, day: date | None) -> list[DispatchRoute]:
        if self.actor.user_id is None:
            return []
        zone = ZoneInfo(await self.repo.time_zone())
        day = day or datetime.now(zone).date()
        start = datetime.combine(day, time(0), tzinfo=zone)
        drivers = await self.repo.drivers_of_user(self.actor.user_id)
        return await self.repo.routes_of_drivers(drivers, start, start + timedelta(days=1))

    async def get_dispatch(self, dispatch_id: uuid.UUID) -> tuple[Dispatch, list[DispatchRoute]]:
        dispatch = await self.repo.dispatch(dispatch_id)
        if dispatch is None:
            raise NotFound("No such dispatch.", details={"entity_type": "dispatch"})
        routes = await self.repo.routes_of([dispatch.id])
        if self.own_only:
            mine = (
                set(await self.repo.drivers_of_user(self.actor.user_id))
                if self.actor.user_id
                else set()
            )
            routes = [r for r in routes if r.driver_id in mine]
            if not routes:
                raise NotFound("No such dispatch.", details={"entity_type": "dispatch"})
        return dispatch, routes

    # progress -----------------------------------------------------------------------------
    async def progress(
        self, route_id: uuid.UUID, stop_id: uuid.UUID, action: str, data: StopProgress
    ) -> DispatchRoute:
        route = await self.visible_route(route_id, lock=True)
        if route.status not in ("planned", "in_progress"):
            raise RouteClosed(details={"status": route.status})
        stop = await self.repo.stop(route.id, stop_id)
        if stop is None:
            raise NotFound("No such stop on this route.", details={"entity_type": "dispatch_stop"})
        allowed, target = TRANSITIONS[action]
        if stop.status not in allowed:
            raise InvalidTransition(
                f"A stop that is {stop.status} can't be marked {target}.",
                details={"status": stop.status, "action": action},
            )
        stops = (await self.repo.stops_of([route.id]))[route.id]
        busy = [s for s in stops if s.status == "arrived" and s.id != stop.id]
        if action == "arrive" and busy:
            raise InvalidTransition(
                "The driver is still at another stop: complete or fail it first.",
                details={"status": stop.status, "action": action, "stop_id": str(busy[0].id)},
            )
        photo = None
        if data.photo is not None:
            raw = decode_base64(data.photo.data, "photo.data")
            photo = check_photo(data.photo.content_type, raw, "photo")
        when = data.at or datetime.now(UTC)
        before = snapshot(stop, STOP_FIELDS)
        stop.status = target
        if action == "arrive":
            stop.arrived_at = when
        elif action == "complete":
            stop.completed_at = when
            stop.arrived_at = stop.arrived_at or when
        else:
            stop.failed_at = when
        if data.note:
            stop.note = data.note
        stop.version += 1
        if photo is not None:
            self.repo.add_photo(stop.id, photo.content_type, photo.data, photo.sha256)
        await self.session.flush()
        self.events.record("dispatch_stop", "updated", stop.id, before, snapshot(stop, STOP_FIELDS))
        await self._follow_route(route, stops)
        if target in DONE:
            await alerts.clear_stop_late(
                self.session, self.actor.tenant_id, route.vehicle_id, stop.id
            )
        return route

    async def _follow_route(self, route: DispatchRoute, stops: Sequence[DispatchStop]) -> None:
        before = snapshot(route, ROUTE_FIELDS)
        route.status = "completed" if all(s.status in DONE for s in stops) else "in_progress"
        if route.status == before["status"]:
            return
        route.version += 1
        await self.session.flush()
        self.events.record(
            "dispatch_route", "updated", route.id, before, snapshot(route, ROUTE_FIELDS)
        )
        if route.status == "completed":
            await alerts.clear_route_deviation(self.session, self.actor.tenant_id, route)
            await self._complete_dispatch(route.dispatch_id)

    async def _complete_dispatch(self, dispatch_id: uuid.UUID) -> None:
        routes = await self.repo.routes_of([dispatch_id])
        if any(r.status in ("planned", "in_progress") for r in routes):
            return
        dispatch = await self.repo.dispatch(dispatch_id, lock=True)
        if dispatch is None or dispatch.status != "active":
            return
        dispatch.status = "completed"
        dispatch.version += 1
        await self.session.flush()
        self.events.record(
            "dispatch", "updated", dispatch.id, {"status": "active"}, {"status": "completed"}
        )

    async def photo(
        self, route_id: uuid.UUID, stop_id: uuid.UUID, photo_id: uuid.UUID
    ) -> tuple[str, bytes]:
        await self.visible_route(route_id)
        found = await self.repo.photo(stop_id, photo_id)
        if found is None or await self.repo.stop(route_id, stop_id) is None:
            raise NotFound("No such photo.", details={"entity_type": "dispatch_stop_photo"})
        return found
