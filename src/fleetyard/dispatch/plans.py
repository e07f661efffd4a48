"""A solved route plan as dispatch reads it: the route-planning domain's stored request and
solution (``route_plans``, migration 0021) turned into routes of located, windowed stops.

Only the documented shapes are read (the request's ``vehicles`` and ``jobs``, the solution's
``routes``), so the planner may store more without this module changing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fleetyard.errors import Conflict


class PlanNotDispatchable(Conflict):
    code = "plan_not_dispatchable"
    message = "The plan can't be dispatched."


@dataclass(frozen=True, slots=True)
class PlannedStop:
    job_id: str
    latitude: float
    longitude: float
    service_s: int
    windows: tuple[tuple[int, int], ...]
    arrival_s: int
    departure_s: int
    name: str = ""  # the request's job name and note ("" when it gave none)
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    vehicle: str
    vehicle_id: uuid.UUID | None
    driver_id: uuid.UUID | None
    start: tuple[float, float] | None
    start_s: int
    end_s: int
    distance: int
    duration: int
    geometry: list[tuple[float, float]] | None
    stops: list[PlannedStop] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SolvedPlan:
    id: uuid.UUID
    name: str
    request: Mapping[str, Any]
    routes: list[PlannedRoute]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _point(value: Any) -> tuple[float, float] | None:
    if isinstance(value, Mapping) and "lat" in value and "lon" in value:
        return float(value["lat"]), float(value["lon"])
    return None


def _located(
    item: Mapping[str, Any], key: str, index_key: str, locations: Sequence[Any] | None
) -> tuple[float, float] | None:
    point = _point(item.get(key))
    if point is None and locations is not None and isinstance(item.get(index_key), int):
        index = int(item[index_key])
        if 0 <= index < len(locations):
            point = _point(locations[index])
    return point


def read_plan(
    plan_id: uuid.UUID,
    name: str,
    status: str,
    request: Mapping[str, Any],
    solution: Mapping[str, Any] | None,
    locations: Sequence[Any] | None = None,
) -> SolvedPlan:
    """The plan's routes with every stop located; a plan not solved, or whose jobs have no
    coordinates (an explicit matrix without locations), is refused (409)."""
    if status != "solved" or solution is None:
        raise PlanNotDispatchable(
            "Only a solved plan can be dispatched.", details={"status": status}
        )
    jobs = {str(j["id"]): j for j in request.get("jobs", [])}
    vehicles = {str(v["id"]): v for v in request.get("vehicles", [])}
    routes: list[PlannedRoute] = []
    for route in solution.get("routes", []):
        key = str(route["vehicle"])
        vehicle = vehicles.get(key.split("#", 1)[0], {})
        stops = []
        for stop in route.get("stops", []):
            job_id = str(stop["job_id"])
            job = jobs.get(job_id, {})
            point = _located(job, "location", "location_index", locations)
            if point is None:
                raise PlanNotDispatchable(
                    "A job has no coordinates (plans over a bare matrix can't be followed "
                    "on the road).",
                    details={"job_id": job_id},
                )
            stops.append(
                PlannedStop(
                    job_id,
                    point[0],
                    point[1],
                    int(job.get("service_s", 0)),
                    tuple((int(w[0]), int(w[1])) for w in job.get("time_windows", [])),
                    int(stop["arrival_s"]),
                    int(stop["departure_s"]),
                    str(job.get("name") or ""),
                    str(job.get("note") or ""),
                )
            )
        if not stops:
            continue
        first, last = stops[0], stops[-1]
        geometry = route.get("geometry")
        routes.append(
            PlannedRoute(
                vehicle=key,
                vehicle_id=_uuid(route.get("vehicle_id") or vehicle.get("vehicle_id")),
                driver_id=_uuid(route.get("driver_id") or vehicle.get("driver_id")),
                start=_located(vehicle, "start", "start_index", locations),
                start_s=int(route.get("start_s", first.arrival_s)),
                end_s=int(route.get("end_s", last.departure_s)),
                distance=int(route.get("distance", 0)),
                duration=int(route.get("duration", 0)),
                geometry=[(float(p[0]), float(p[1])) for p in geometry] if geometry else None,
                stops=stops,
            )
        )
    return SolvedPlan(plan_id, name, request, routes)


def window_for(windows: Sequence[tuple[int, int]], arrival_s: int) -> tuple[int, int] | None:
    """The window a stop is served in: the first whose end is not before the arrival (the
    last one when all closed before it); None for a stop without windows."""
    if not windows:
        return None
    for window in sorted(windows):
        if window[1] >= arrival_s:
            return window
    return sorted(windows)[-1]
