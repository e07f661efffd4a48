"""A route plan's problem as the solver and the checker see it: vehicles (one entry per request
vehicle, with the names of its ``count`` instances), jobs, and the travel matrices they index.

Pure and picklable: the solver's process receives a ``Problem``; the API's feasibility check
(``routing.schedule``) reads the same one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from fleetyard.routing.schemas import (
    MAX_TIME_S,
    JobIn,
    RoutePlanCreate,
    UnassignedReason,
    VehicleIn,
)

HORIZON: Final = MAX_TIME_S
BREAK_PREFIX: Final = "break:"  # a located break's job id, followed by the vehicle's name
BREAK_SKILL: Final = "\x00break:"  # the skill only that vehicle has (never a request's)
Point = tuple[float, float]  # (lat, lon)


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    name: str  # the request's id
    instances: tuple[str, ...]  # "id" for one, "id#1" … "id#k" for a count of k
    start: int
    end: int
    capacity: tuple[int, ...]
    shift: tuple[int, int]
    max_duration: int | None
    cost_per_km: float
    cost_per_hour: float
    skills: frozenset[str]
    vehicle_id: str | None = None
    driver_id: str | None = None


@dataclass(frozen=True, slots=True)
class JobSpec:
    id: str
    index: int
    demand: tuple[int, ...]
    service: int
    windows: tuple[tuple[int, int], ...]
    priority: int = 0
    skills: frozenset[str] = frozenset()
    optional_penalty: int | None = None
    name: str | None = None  # shown, never solved on
    note: str | None = None

    @property
    def is_break(self) -> bool:
        return self.id.startswith(BREAK_PREFIX)


@dataclass(frozen=True, slots=True)
class Problem:
    objective: str
    vehicles: tuple[VehicleSpec, ...]
    jobs: tuple[JobSpec, ...]
    distances: list[list[int]]
    durations: list[list[int]]
    dims: int
    instance_of: dict[str, int] = field(default_factory=dict)  # instance name → vehicles[i]

    def vehicle(self, instance: str) -> VehicleSpec | None:
        position = self.instance_of.get(instance)
        return None if position is None else self.vehicles[position]


def instance_names(vehicle: VehicleIn) -> tuple[str, ...]:
    if vehicle.count == 1:
        return (vehicle.id,)
    return tuple(f"{vehicle.id}#{k}" for k in range(1, vehicle.count + 1))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where every vehicle and job is in the matrices: explicit indices, or the coordinates
    (``points``, deduplicated) a travel matrix is to be computed for."""

    points: list[Point] | None
    vehicle_ends: list[tuple[int, int]]
    break_indices: list[int | None]
    job_indices: list[int]


def layout(request: RoutePlanCreate) -> Layout:
    if request.matrix is not None:
        ends = []
        for v in request.vehicles:
            assert v.start_index is not None
            ends.append((v.start_index, v.start_index if v.end_index is None else v.end_index))
        breaks = [v.break_.location_index if v.break_ else None for v in request.vehicles]
        jobs = [j.location_index for j in request.jobs]
        assert all(i is not None for i in jobs)
        return Layout(None, ends, breaks, [i for i in jobs if i is not None])
    points: list[Point] = []
    seen: dict[Point, int] = {}

    def at(lat: float, lon: float) -> int:
        key = (lat, lon)
        if key not in seen:
            seen[key] = len(points)
            points.append(key)
        return seen[key]

    ends = []
    places: list[int | None] = []
    for v in request.vehicles:
        assert v.start is not None
        start = at(v.start.lat, v.start.lon)
        ends.append((start, start if v.end is None else at(v.end.lat, v.end.lon)))
        place = v.break_.location if v.break_ else None
        places.append(None if place is None else at(place.lat, place.lon))
    job_indices = []
    for j in request.jobs:
        assert j.location is not None
        job_indices.append(at(j.location.lat, j.location.lon))
    return Layout(points, ends, places, job_indices)


def build_problem(
    request: RoutePlanCreate,
    where: Layout,
    distances: list[list[int]],
    durations: list[list[int]],
) -> Problem:
    dims = max((len(v.capacity) for v in request.vehicles), default=0)
    vehicles: list[VehicleSpec] = []
    jobs = [_job(j, where.job_indices[n], dims) for n, j in enumerate(request.jobs)]
    instance_of: dict[str, int] = {}
    for n, v in enumerate(request.vehicles):
        start, end = where.vehicle_ends[n]
        for instance in instance_names(v):
            instance_of[instance] = len(vehicles)
            jobs.extend(_break_job(v, instance, where.break_indices[n], dims))
        skills = frozenset(v.skills)
        if v.break_ is not None:
            # each instance takes its own break: one spec per instance, with its own skill
            for instance in instance_names(v):
                instance_of[instance] = len(vehicles)
                vehicles.append(
                    _vehicle(v, (instance,), start, end, skills | {BREAK_SKILL + instance})
                )
        else:
            vehicles.append(_vehicle(v, instance_names(v), start, end, skills))
    return Problem(
        objective=request.objective.value,
        vehicles=tuple(vehicles),
        jobs=tuple(jobs),
        distances=distances,
        durations=durations,
        dims=dims,
        instance_of=instance_of,
    )


def _vehicle(
    v: VehicleIn, instances: tuple[str, ...], start: int, end: int, skills: frozenset[str]
) -> VehicleSpec:
    return VehicleSpec(
        name=v.id,
        instances=instances,
        start=start,
        end=end,
        capacity=tuple(v.capacity),
        shift=v.shift or (0, HORIZON),
        max_duration=v.max_duration_s,
        cost_per_km=v.cost_per_km,
        cost_per_hour=v.cost_per_hour,
        skills=skills,
        vehicle_id=str(v.vehicle_id) if v.vehicle_id else None,
        driver_id=str(v.driver_id) if v.driver_id else None,
    )


def _job(j: JobIn, index: int, dims: int) -> JobSpec:
    return JobSpec(
        id=j.id,
        index=index,
        demand=tuple(j.demand) if j.demand else (0,) * dims,
        service=j.service_s,
        windows=tuple(sorted(j.time_windows)) or ((0, HORIZON),),
        priority=j.priority,
        skills=frozenset(j.skills),
        optional_penalty=j.optional_penalty,
        name=j.name,
        note=j.note or None,
    )


def _break_job(v: VehicleIn, instance: str, index: int | None, dims: int) -> list[JobSpec]:
    if v.break_ is None or index is None:
        return []
    start, end = v.break_.time_window
    return [
        JobSpec(
            id=BREAK_PREFIX + instance,
            index=index,
            demand=(0,) * dims,
            service=v.break_.duration_s,
            windows=((start, end),),
            priority=100,
            skills=frozenset({BREAK_SKILL + instance}),
        )
    ]


# before the solver: the jobs no vehicle can ever serve ---------------------------------------
def unservable(problem: Problem) -> dict[str, tuple[UnassignedReason, str]]:
    """Job id → (reason, message) for each job no vehicle could serve even alone."""
    found: dict[str, tuple[UnassignedReason, str]] = {}
    for job in problem.jobs:
        verdict = _unservable(problem, job)
        if verdict is not None:
            found[job.id] = verdict
    return found


def _unservable(problem: Problem, job: JobSpec) -> tuple[UnassignedReason, str] | None:
    skilled = [v for v in problem.vehicles if job.skills <= v.skills]
    if not skilled:
        missing = sorted(job.skills - set().union(*(v.skills for v in problem.vehicles)))
        shown = ", ".join(s for s in missing if not s.startswith(BREAK_SKILL)) or "the skills"
        return "no_vehicle_with_skills", f"No vehicle has {shown}."
    fitting = [v for v in skilled if _fits(job.demand, v.capacity)]
    if not fitting:
        return "demand_exceeds_capacity", "The demand is above every vehicle's capacity."
    if not any(_reachable(problem, v, job) for v in fitting):
        return (
            "time_window_unreachable",
            "No vehicle can reach the job within its time windows and be back within its "
            "shift and maximum duration.",
        )
    return None


def _fits(demand: tuple[int, ...], capacity: tuple[int, ...]) -> bool:
    if not capacity:
        return not any(demand)
    return all(d <= c for d, c in zip(demand, capacity, strict=True))


def _reachable(problem: Problem, v: VehicleSpec, job: JobSpec) -> bool:
    to_job = problem.durations[v.start][job.index]
    back = problem.durations[job.index][v.end]
    for early, late in job.windows:
        begin = max(v.shift[0], early - to_job)  # leave as late as still useful
        service_start = max(begin + to_job, early)
        if service_start > late:
            continue
        done = service_start + job.service + back
        if done > v.shift[1]:
            continue
        if v.max_duration is not None and done - begin > v.max_duration:
            continue
        return True
    return False
