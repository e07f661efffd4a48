"""A route's schedule from its order of jobs, and what it breaks: the solver's routes are
written out through it, and the web's edits are checked by it (``POST …/check``).

The vehicle leaves at its shift's start, or later when it would only wait at the first stops
(as late as no stop's window is missed because of it: Savelsbergh's forward time slack), so a
route's duration is what the driver really spends. At each stop it starts service at its
arrival or at the opening of the first time window it can still make, whichever is later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fleetyard.routing.problem import JobSpec, Problem, VehicleSpec
from fleetyard.routing.schemas import CheckedRoute, PlannedStop, Violation

COST_DIGITS = 4


@dataclass(frozen=True, slots=True)
class _Visit:
    job: JobSpec
    arrival: int
    service_start: int
    window: tuple[int, int]


def route_cost(v: VehicleSpec, distance: int, duration: int) -> float:
    return round(distance / 1000 * v.cost_per_km + duration / 3600 * v.cost_per_hour, COST_DIGITS)


def _forward(
    problem: Problem, v: VehicleSpec, jobs: Sequence[JobSpec], depart: int
) -> tuple[list[_Visit], int]:
    visits = []
    t, at = depart, v.start
    for job in jobs:
        arrival = t + problem.durations[at][job.index]
        window = next((w for w in job.windows if w[1] >= arrival), job.windows[-1])
        start = max(arrival, window[0])
        visits.append(_Visit(job, arrival, start, window))
        t, at = start + job.service, job.index
    return visits, t + problem.durations[at][v.end]


def _slack(visits: Sequence[_Visit]) -> int:
    """How much later the vehicle may leave: as much as it waits, without making any stop
    start its service after its window closes."""
    waited = 0
    slack: int | None = None
    for visit in visits:
        waited += visit.service_start - visit.arrival
        room = visit.window[1] - visit.service_start + waited
        slack = room if slack is None else min(slack, room)
    if slack is None:
        return 0
    return max(0, min(waited, slack))


def schedule(problem: Problem, instance: str, job_ids: Sequence[str]) -> CheckedRoute:
    """The route's stops, times, distance and cost, and each rule it breaks. Unknown job ids
    and an unknown vehicle are the caller's to refuse first."""
    v = problem.vehicle(instance)
    assert v is not None
    by_id = {j.id: j for j in problem.jobs}
    jobs = [by_id[i] for i in job_ids]
    visits, end = _forward(problem, v, jobs, v.shift[0])
    delay = _slack(visits)
    if delay:
        visits, end = _forward(problem, v, jobs, v.shift[0] + delay)
    start = v.shift[0] + delay
    violations: list[Violation] = []
    load = [sum(j.demand[d] for j in jobs) for d in range(problem.dims)]
    _check_capacity(v, load, violations)
    stops = []
    distance, at = 0, v.start
    for visit in visits:
        job = visit.job
        distance += problem.distances[at][job.index]
        at = job.index
        load = [load[d] - job.demand[d] for d in range(problem.dims)]
        departure = visit.service_start + job.service
        stops.append(
            PlannedStop(
                job_id=job.id,
                arrival_s=visit.arrival,
                departure_s=departure,
                load=load,
                name=job.name,
                note=job.note,
            )
        )
        _check_stop(v, visit, violations)
    distance += problem.distances[at][v.end]
    duration = end - start
    if end > v.shift[1]:
        violations.append(
            Violation(
                kind="shift_exceeded",
                message=f"The route ends at {end} s, after the shift's end {v.shift[1]} s.",
            )
        )
    if v.max_duration is not None and duration > v.max_duration:
        violations.append(
            Violation(
                kind="max_duration_exceeded",
                message=f"The route lasts {duration} s, over the maximum {v.max_duration} s.",
            )
        )
    return CheckedRoute(
        vehicle=instance,
        stops=stops,
        start_s=start,
        end_s=end,
        distance=distance,
        duration=duration,
        cost=route_cost(v, distance, duration),
        violations=violations,
    )


def _check_capacity(v: VehicleSpec, load: list[int], violations: list[Violation]) -> None:
    for d, carried in enumerate(load):
        room = v.capacity[d] if d < len(v.capacity) else 0
        if carried > room:
            violations.append(
                Violation(
                    kind="capacity_exceeded",
                    message=f"The route carries {carried} in dimension {d}, over the "
                    f"capacity {room}.",
                )
            )


def _check_stop(v: VehicleSpec, visit: _Visit, violations: list[Violation]) -> None:
    job = visit.job
    if visit.service_start > visit.window[1]:
        violations.append(
            Violation(
                kind="time_window_missed",
                job_id=job.id,
                message=f"Arrives at {visit.arrival} s, after every time window "
                f"(the last closes at {job.windows[-1][1]} s).",
            )
        )
    if not job.skills <= v.skills:
        missing = ", ".join(sorted(s for s in job.skills - v.skills if s.isprintable()))
        violations.append(
            Violation(
                kind="skill_missing",
                job_id=job.id,
                message=f"The vehicle lacks {missing or 'this break'}.",
            )
        )
