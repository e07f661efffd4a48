"""An independent feasibility check of a route plan's solution, without the solver.

Given the plan's request as the API takes it (a JSON object) and the solution the API answered,
``check_plan`` replays every route from the matrix alone and returns every violation it finds.
It imports nothing from the solver on purpose: a bug in how we model the problem for PyVRP
(or in how we read its answer back) shows up here as a disagreement, not as a second copy of
the same mistake. The web planner's "move a stop and re-check" and the tests use it.

The schedule it replays, per route:

- the vehicle leaves its start (``start_index``) at the route's reported ``start_s``, which
  must not be before its shift's start (a solver may leave later rather than wait at the first
  stop); without ``start_s``, at the later of the shift's start and the first stop's reported
  arrival less the drive there;
- at each stop: arrival = previous departure + drive time; service starts when the arrival is
  within a time window, or when the next window opens (waiting); departure = service start +
  ``service_s``; an arrival after every window has closed is a violation;
- it then drives to its end (``end_index``; none: back to its start), and must be there by the
  shift's end; the route's duration (leaving the start to reaching the end) is within
  ``max_duration_s``;
- a vehicle with ``count`` k drives routes named ``id#1`` … ``id#k`` (``id`` when k is 1), each
  at most once; a vehicle's ``break`` is a stop ``break:<route's vehicle>`` at the break's
  place, lasting ``duration_s``, started within its ``time_window``, taken once by a route
  that drives (or listed unassigned);
- ``load`` at a stop is what the vehicle carries after it: the route's deliveries all leave the
  start on board, each stop unloads its ``demand``; the route's total demand fits ``capacity``
  in every dimension (a dimension the vehicle does not list has no room).

Times are the matrix's integers, so reported figures must agree exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

Json = Mapping[str, Any]

ViolationKind = Literal[
    "malformed",
    "unknown_vehicle",
    "unknown_job",
    "job_served_twice",
    "job_missing",
    "unassigned_without_reason",
    "time_window",
    "capacity",
    "shift_start",
    "shift_end",
    "max_duration",
    "skills",
    "vehicle_count",
    "break",
    "arrival",
    "departure",
    "load",
    "distance",
    "duration",
    "end_time",
    "total",
]

NO_LIMIT: Final = 2**62
BREAK_PREFIX: Final = "break:"


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    message: str
    route: int | None = None  # position in the solution's routes
    job_id: str | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    start: int
    end: int
    capacity: tuple[int, ...]
    shift: tuple[int, int]
    count: int
    max_duration: int
    skills: frozenset[str]
    rest: Job | None = None  # the vehicle's break, as a job at its place


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    location: int
    demand: tuple[int, ...]
    service: int
    windows: tuple[tuple[int, int], ...]
    skills: frozenset[str]
    optional: bool


@dataclass(frozen=True, slots=True)
class Problem:
    vehicles: Mapping[str, Vehicle]
    jobs: Mapping[str, Job]
    distances: Sequence[Sequence[int]]
    durations: Sequence[Sequence[int]]


@dataclass(frozen=True, slots=True)
class Visit:
    job_id: str
    arrival: int
    service_start: int
    departure: int
    load: tuple[int, ...]
    window_missed: bool


@dataclass(frozen=True, slots=True)
class Schedule:
    """One route replayed: what the reported figures must equal."""

    leave: int
    visits: tuple[Visit, ...]
    end_time: int
    distance: int
    duration: int
    demand: tuple[int, ...]


class MalformedPlan(ValueError):
    """The request or the solution cannot be read as a plan (a missing matrix, a bad index)."""


# reading -------------------------------------------------------------------------------------
def _ints(value: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in (value or ()))


def _skills(value: Any) -> frozenset[str]:
    return frozenset(str(s) for s in (value or ()))


def _inside(index: int, size: int, what: str) -> int:
    if not 0 <= index < size:
        raise MalformedPlan(f"{what}: index {index} outside the matrix of {size}")
    return index


def _index(item: Json, key: str, overrides: Mapping[str, int], size: int) -> int:
    raw = overrides.get(str(item["id"]), item.get(key))
    if raw is None:
        raise MalformedPlan(f"{item['id']}: no {key} and no resolved matrix index")
    return _inside(int(raw), size, f"{item['id']} {key}")


def _ends(item: Json, size: int, overrides: Mapping[str, Any]) -> tuple[int, int]:
    """(start, end) in the matrix: the resolved indices, else the request's; no end: the start."""
    resolved = overrides.get(str(item["id"]))
    if resolved is not None:
        start, end = int(resolved[0]), int(resolved[1])
    else:
        start = _index(item, "start_index", {}, size)
        end = start if item.get("end_index") is None else int(item["end_index"])
    return _inside(start, size, f"{item['id']} start"), _inside(end, size, f"{item['id']} end")


def _break(item: Json, size: int, locations: Sequence[Any]) -> Job | None:
    """The vehicle's break as a job at its place (None: no break, or no place for it)."""
    rest = item.get("break")
    if not rest:
        return None
    index = rest.get("location_index")
    place = rest.get("location")
    if index is None and place is not None:
        wanted = (float(place["lat"]), float(place["lon"]))
        found = [n for n, p in enumerate(locations) if (float(p["lat"]), float(p["lon"])) == wanted]
        index = found[0] if found else None
    if index is None:
        return None
    window = rest["time_window"]
    return Job(
        id=BREAK_PREFIX + str(item["id"]),
        location=_inside(int(index), size, f"{item['id']} break"),
        demand=(),
        service=int(rest["duration_s"]),
        windows=((int(window[0]), int(window[1])),),
        skills=frozenset(),
        optional=False,
    )


def _vehicle(
    item: Json, size: int, overrides: Mapping[str, Any], locations: Sequence[Any]
) -> Vehicle:
    shift = item.get("shift") or (0, NO_LIMIT)
    start, end = _ends(item, size, overrides)
    return Vehicle(
        id=str(item["id"]),
        start=start,
        end=end,
        capacity=_ints(item.get("capacity")),
        shift=(int(shift[0]), int(shift[1])),
        count=1 if item.get("count") is None else int(item["count"]),
        max_duration=NO_LIMIT
        if item.get("max_duration_s") is None
        else int(item["max_duration_s"]),
        skills=_skills(item.get("skills")),
        rest=_break(item, size, locations),
    )


def _job(item: Json, size: int, overrides: Mapping[str, int]) -> Job:
    windows = tuple((int(w[0]), int(w[1])) for w in (item.get("time_windows") or ()))
    return Job(
        id=str(item["id"]),
        location=_index(item, "location_index", overrides, size),
        demand=_ints(item.get("demand")),
        service=int(item.get("service_s") or 0),
        windows=tuple(sorted(windows)),
        skills=_skills(item.get("skills")),
        optional=item.get("optional_penalty") is not None,
    )


def _square(rows: Any, name: str) -> list[list[int]]:
    matrix = [[int(v) for v in row] for row in rows]
    if any(len(row) != len(matrix) for row in matrix):
        raise MalformedPlan(f"the {name} matrix is not square")
    return matrix


def read_problem(request: Json, travel: Json | None = None) -> Problem:
    """The request's vehicles and jobs over its matrix, or over ``travel`` (what
    ``?include=matrix`` answers: the matrices and where each job and vehicle is in them, needed
    when the request gave points instead of a matrix)."""
    travel = travel or {}
    matrix = request.get("matrix") or travel
    if not matrix or "durations" not in matrix:
        raise MalformedPlan("no matrix: neither the request's nor the solution's travel")
    durations = _square(matrix["durations"], "durations")
    distances = _square(matrix.get("distances") or durations, "distances")
    if len(distances) != len(durations):
        raise MalformedPlan("the distances and durations matrices differ in size")
    size = len(durations)
    vehicle_ends = dict(travel.get("vehicle_indices") or {})
    job_index = {str(k): int(v) for k, v in (travel.get("job_indices") or {}).items()}
    locations = travel.get("locations") or ()
    vehicles = [_vehicle(v, size, vehicle_ends, locations) for v in request.get("vehicles") or ()]
    jobs = [_job(j, size, job_index) for j in request.get("jobs") or ()]
    return Problem(
        vehicles={v.id: v for v in vehicles},
        jobs={j.id: j for j in jobs},
        distances=distances,
        durations=durations,
    )


# replaying -----------------------------------------------------------------------------------
def service_start(arrival: int, windows: Sequence[tuple[int, int]]) -> int | None:
    """When service can start for a vehicle arriving at ``arrival``: now or when the next
    window opens; None when every window has closed (no windows: always open)."""
    if not windows:
        return arrival
    for opens, closes in windows:
        if arrival <= closes:
            return max(arrival, opens)
    return None


def _pad(values: Sequence[int], size: int) -> tuple[int, ...]:
    return tuple(values) + (0,) * (size - len(values))


def route_demand(jobs: Sequence[Job], dimensions: int) -> tuple[int, ...]:
    total = [0] * dimensions
    for job in jobs:
        for k, amount in enumerate(_pad(job.demand, dimensions)):
            total[k] += amount
    return tuple(total)


def replay(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], leave: int) -> Schedule:
    """The route's schedule when the vehicle leaves its start at ``leave``."""
    dims = max([len(vehicle.capacity), *(len(j.demand) for j in jobs)], default=0)
    demand = route_demand(jobs, dims)
    load = list(demand)
    visits: list[Visit] = []
    here, now, distance = vehicle.start, leave, 0
    for job in jobs:
        arrival = now + problem.durations[here][job.location]
        distance += problem.distances[here][job.location]
        start = service_start(arrival, job.windows)
        for k, amount in enumerate(_pad(job.demand, dims)):
            load[k] -= amount
        begin = arrival if start is None else start
        now = begin + job.service
        visits.append(Visit(job.id, arrival, begin, now, tuple(load), start is None))
        here = job.location
    now += problem.durations[here][vehicle.end]
    distance += problem.distances[here][vehicle.end]
    return Schedule(leave, tuple(visits), now, distance, now - leave, demand)


def departure_time(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], route: Json) -> int:
    """The route's reported ``start_s``; without it, the later of the shift's start and the
    first reported arrival less the drive there."""
    if route.get("start_s") is not None:
        return int(route["start_s"])
    stops = route.get("stops") or ()
    if not jobs or not stops or stops[0].get("arrival_s") is None:
        return vehicle.shift[0]
    drive = problem.durations[vehicle.start][jobs[0].location]
    return max(vehicle.shift[0], int(stops[0]["arrival_s"]) - drive)


# checking ------------------------------------------------------------------------------------
def vehicle_of(problem: Problem, name: str) -> tuple[Vehicle | None, str]:
    """The request's vehicle a route's ``vehicle`` names (``id`` or ``id#k``), and what is
    wrong with the name (an unknown vehicle, or a k beyond its count) or ""."""
    vehicle = problem.vehicles.get(name)
    if vehicle is not None:
        return vehicle, ""
    base, _, k = name.rpartition("#")
    vehicle = problem.vehicles.get(base)
    if vehicle is None or not k.isdigit():
        return None, f"unknown vehicle {name}"
    if not 1 <= int(k) <= vehicle.count:
        return vehicle, f"{name}: {base} has {vehicle.count}"
    return vehicle, ""


def _stop_rules(vehicle: Vehicle, jobs: Sequence[Job], plan: Schedule, r: int) -> list[Violation]:
    found: list[Violation] = []
    for job, visit in zip(jobs, plan.visits, strict=True):
        if visit.window_missed:
            found.append(
                Violation(
                    "time_window",
                    f"{job.id}: arrives at {visit.arrival}, after its windows {list(job.windows)}",
                    r,
                    job.id,
                )
            )
        missing = job.skills - vehicle.skills
        if missing:
            found.append(
                Violation("skills", f"{job.id}: {vehicle.id} lacks {sorted(missing)}", r, job.id)
            )
    return found


def _route_rules(vehicle: Vehicle, jobs: Sequence[Job], plan: Schedule, r: int) -> list[Violation]:
    """What the route breaks by itself: windows, skills, capacity, shift, duration."""
    found = _stop_rules(vehicle, jobs, plan, r)
    capacity = _pad(vehicle.capacity, len(plan.demand))
    for k, (need, room) in enumerate(zip(plan.demand, capacity, strict=False)):
        if need > room:
            found.append(
                Violation("capacity", f"dimension {k}: {need} on board, capacity {room}", r)
            )
    if plan.leave < vehicle.shift[0]:
        found.append(
            Violation("shift_start", f"leaves at {plan.leave}, shift from {vehicle.shift[0]}", r)
        )
    if plan.end_time > vehicle.shift[1]:
        found.append(
            Violation("shift_end", f"ends at {plan.end_time}, shift until {vehicle.shift[1]}", r)
        )
    if plan.duration > vehicle.max_duration:
        found.append(
            Violation("max_duration", f"lasts {plan.duration} s, at most {vehicle.max_duration}", r)
        )
    return found


def _reported_figures(route: Json, plan: Schedule, r: int) -> list[Violation]:
    """Where the solution's own numbers disagree with the replay."""
    found: list[Violation] = []
    fields: tuple[tuple[ViolationKind, str, str], ...] = (
        ("arrival", "arrival_s", "arrival"),
        ("departure", "departure_s", "departure"),
    )
    for stop, visit in zip(route.get("stops") or (), plan.visits, strict=False):
        for kind, key, attr in fields:
            value = stop.get(key)
            expected = getattr(visit, attr)
            if value is not None and int(value) != expected:
                found.append(
                    Violation(kind, f"{key} {value}, replay gives {expected}", r, visit.job_id)
                )
        load = stop.get("load")
        if load is not None and _pad(_ints(load), len(visit.load)) != visit.load:
            message = f"load {list(load)}, replay gives {list(visit.load)}"
            found.append(Violation("load", message, r, visit.job_id))
    totals: tuple[tuple[ViolationKind, str, int], ...] = (
        ("distance", "distance", plan.distance),
        ("duration", "duration", plan.duration),
        ("end_time", "end_s", plan.end_time),
    )
    for kind, key, expected in totals:
        value = route.get(key)
        if value is not None and int(value) != expected:
            found.append(Violation(kind, f"route {key} {value}, replay gives {expected}", r))
    return found


def _route_jobs(
    problem: Problem, vehicle: Vehicle, name: str, route: Json, r: int
) -> tuple[list[Job], list[Violation]]:
    """The route's stops as jobs: the request's, or this route's own break."""
    jobs: list[Job] = []
    found: list[Violation] = []
    for stop in route.get("stops") or ():
        job_id = str(stop.get("job_id"))
        job = problem.jobs.get(job_id)
        if job is not None:
            jobs.append(job)
        elif job_id == BREAK_PREFIX + name and vehicle.rest is not None:
            jobs.append(vehicle.rest)
        elif job_id.startswith(BREAK_PREFIX):
            found.append(Violation("break", f"{job_id} taken by {name}", r, job_id))
        else:
            found.append(Violation("unknown_job", f"stop for unknown job {job_id}", r, job_id))
    return jobs, found


def check_route(problem: Problem, route: Json, r: int = 0) -> list[Violation]:
    """Every violation of one route (its rules and its reported figures)."""
    name = str(route.get("vehicle"))
    vehicle, why = vehicle_of(problem, name)
    if vehicle is None:
        return [Violation("unknown_vehicle", why, r)]
    named = [Violation("vehicle_count", why, r)] if why else []
    jobs, found = _route_jobs(problem, vehicle, name, route, r)
    if found:
        return named + found
    plan = replay(problem, vehicle, jobs, departure_time(problem, vehicle, jobs, route))
    return named + _route_rules(vehicle, jobs, plan, r) + _reported_figures(route, plan, r)


def _served_once(served: Counter[str], unassigned: Mapping[str, Json]) -> list[Violation]:
    found: list[Violation] = []
    for job_id, times in served.items():
        if times > 1:
            message = f"{job_id} served {times} times"
            found.append(Violation("job_served_twice", message, None, job_id))
        if job_id in unassigned:
            message = f"{job_id} served and unassigned"
            found.append(Violation("job_served_twice", message, None, job_id))
    return found


def _accounted(
    problem: Problem, served: Counter[str], unassigned: Mapping[str, Json]
) -> list[Violation]:
    """Each job served or listed unassigned, a required one with its reason."""
    found: list[Violation] = []
    for job in problem.jobs.values():
        if job.id in served:
            continue
        entry = unassigned.get(job.id)
        if entry is None:
            message = f"{job.id} neither served nor unassigned"
            found.append(Violation("job_missing", message, None, job.id))
        elif not job.optional and not entry.get("reason"):
            message = f"{job.id} is required and unassigned without a reason"
            found.append(Violation("unassigned_without_reason", message, None, job.id))
    for job_id in unassigned.keys() - problem.jobs.keys():
        if not job_id.startswith(BREAK_PREFIX):
            found.append(Violation("unknown_job", f"unassigned unknown job {job_id}", None, job_id))
    return found


def _fleet(
    problem: Problem, routes: Sequence[Json], served: Counter[str], unassigned: Mapping[str, Json]
) -> list[Violation]:
    """Each vehicle drives at most its count of routes, each named once; each driving route
    takes its vehicle's break (or lists it unassigned)."""
    found: list[Violation] = []
    driving = [str(route.get("vehicle")) for route in routes if route.get("stops")]
    for name, times in Counter(driving).items():
        if times > 1:
            found.append(Violation("vehicle_count", f"{name} drives {times} routes"))
    per_vehicle: Counter[str] = Counter()
    for name in driving:
        vehicle, _ = vehicle_of(problem, name)
        if vehicle is None:
            continue
        per_vehicle[vehicle.id] += 1
        rest = BREAK_PREFIX + name
        if vehicle.rest is not None and rest not in served and rest not in unassigned:
            found.append(Violation("break", f"{name} takes no break", None, rest))
    for vehicle_id, times in per_vehicle.items():
        count = problem.vehicles[vehicle_id].count
        if times > count:
            found.append(Violation("vehicle_count", f"{vehicle_id} drives {times} of {count}"))
    return found


def _coverage(problem: Problem, solution: Json) -> list[Violation]:
    routes = solution.get("routes") or ()
    served = Counter(str(s.get("job_id")) for route in routes for s in route.get("stops") or ())
    unassigned = {str(u.get("job_id")): u for u in solution.get("unassigned") or ()}
    return (
        _served_once(served, unassigned)
        + _accounted(problem, served, unassigned)
        + _fleet(problem, routes, served, unassigned)
    )


def _totals(solution: Json) -> list[Violation]:
    found: list[Violation] = []
    routes = solution.get("routes") or ()
    for key in ("distance", "duration"):
        total = solution.get(key)
        parts = [route.get(key) for route in routes]
        if total is None or any(p is None for p in parts):
            continue
        if int(total) != sum(int(p) for p in parts):
            found.append(Violation("total", f"total {key} {total}, routes sum to {sum(parts)}"))
    return found


def check_plan(request: Json, solution: Json, travel: Json | None = None) -> list[Violation]:
    """Every violation of ``solution`` against ``request``; an empty list means feasible and
    reported faithfully. ``travel``: the plan's ``travel`` (``?include=matrix``), needed when the
    request gave points rather than a matrix (the solution's own ``travel`` is read too)."""
    try:
        problem = read_problem(request, travel or solution.get("travel"))
        found: list[Violation] = []
        for r, route in enumerate(solution.get("routes") or ()):
            found += check_route(problem, route, r)
        return found + _coverage(problem, solution) + _totals(solution)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        return [Violation("malformed", f"{type(error).__name__}: {error}")]
