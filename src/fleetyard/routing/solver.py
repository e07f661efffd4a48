"""The route plan's problem in PyVRP's terms, solved, and the routes read back.

How each part maps (docs/routing.md says why):

- a location per job (so a job's skills can close it to vehicle types without closing a
  neighbour at the same matrix row) after one per vehicle start/end place (PyVRP's depots);
- a job with several time windows: one PyVRP client per window, the clients in a mutually
  exclusive group (at most one of them is visited);
- every job is a prize-collecting client: a required one with a prize larger than any detour
  it could cost (times ``1 + priority``), an optional one with its ``optional_penalty``; so a
  plan that cannot serve everything still comes back, with the rest ``not_served``;
- a request vehicle is a vehicle type (``count`` of them); capacity dimensions, shift
  (``tw_early``/``tw_late``), ``max_duration_s`` (``shift_duration``) as PyVRP has them;
- skills: vehicle types with the same skills share a routing profile in which the locations
  of the jobs they lack a skill for are unreachable (an edge longer than any shift);
- the objective: distance (unit distance cost 1), duration (unit duration cost 1), or cost
  (``cost_per_km`` and ``cost_per_hour`` in millionths of the currency per metre / second).

Imported by the solver's own process: numpy and pyvrp only, no application code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from fleetyard.routing.problem import HORIZON, JobSpec, Problem, VehicleSpec

COST_SCALE: Final = 1_000_000  # the cost objective, in millionths of the currency
UNREACHABLE: Final = 4 * HORIZON  # an edge no shift can drive
MAX_PRIZE_TOTAL: Final = 2**60


@dataclass(frozen=True, slots=True)
class Tick:
    best_cost: int
    iterations: int
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class Solved:
    routes: list[tuple[str, list[str]]]  # vehicle instance → job ids in order
    cost: int
    feasible: bool
    iterations: int
    elapsed_s: float


Progress = Callable[[Tick], None]
Cancelled = Callable[[], bool]


def unit_costs(problem: Problem, v: VehicleSpec) -> tuple[int, int]:
    if problem.objective == "distance":
        return 1, 0
    if problem.objective == "duration":
        return 0, 1
    return round(v.cost_per_km * COST_SCALE / 1000), round(v.cost_per_hour * COST_SCALE / 3600)


def _prizes(problem: Problem, jobs: list[JobSpec], matrix_max: tuple[int, int]) -> list[int]:
    """A required job is worth more than any detour to it (twice the longest edge) and any
    time it could add (the horizon), ten times over, times ``1 + priority``."""
    max_distance, max_duration = matrix_max
    horizon = max([v.shift[1] for v in problem.vehicles] + [1])
    worst = 1
    for v in problem.vehicles:
        per_m, per_s = unit_costs(problem, v)
        worst = max(worst, 2 * max_distance * per_m + (2 * max_duration + horizon) * per_s)
    base = 10 * worst
    ceiling = MAX_PRIZE_TOTAL // (101 * max(1, len(jobs)))
    base = max(1, min(base, ceiling))
    prizes = []
    for job in jobs:
        if job.optional_penalty is not None:
            scale = COST_SCALE if problem.objective == "cost" else 1
            prizes.append(min(job.optional_penalty * scale, ceiling))
        else:
            prizes.append(base * (1 + job.priority))
    return prizes


def build(problem: Problem, jobs: list[JobSpec]) -> tuple[pyvrp.ProblemData, list[int], list[int]]:
    """PyVRP's data for ``jobs``; with it, each client's job (position in ``jobs``) and each
    vehicle type's vehicle (position in ``problem.vehicles``)."""
    depot_rows = sorted({i for v in problem.vehicles for i in (v.start, v.end)})
    depot_of = {row: n for n, row in enumerate(depot_rows)}
    rows = np.asarray(depot_rows + [j.index for j in jobs], dtype=np.int64)
    distances = np.asarray(problem.distances, dtype=np.int64)[np.ix_(rows, rows)]
    durations = np.asarray(problem.durations, dtype=np.int64)[np.ix_(rows, rows)]
    locations = [pyvrp.Location(0, 0) for _ in rows]
    depots = [pyvrp.Depot(n) for n in range(len(depot_rows))]
    prizes = _prizes(problem, jobs, (int(distances.max(initial=0)), int(durations.max(initial=0))))
    clients: list[pyvrp.Client] = []
    client_job: list[int] = []
    groups: list[pyvrp.ClientGroup] = []
    for n, job in enumerate(jobs):
        location = len(depot_rows) + n
        members = list(range(len(clients), len(clients) + len(job.windows)))
        group = len(groups) if len(members) > 1 else None
        if group is not None:
            groups.append(pyvrp.ClientGroup(members, required=False))
        for early, late in job.windows:
            clients.append(
                pyvrp.Client(
                    location,
                    delivery=list(job.demand),
                    service_duration=job.service,
                    tw_early=early,
                    tw_late=late,
                    prize=prizes[n],
                    required=False,
                    group=group,
                )
            )
            client_job.append(n)
    profiles, profile_of = _profiles(problem, jobs, len(depot_rows), distances, durations)
    types = []
    for v in problem.vehicles:
        per_m, per_s = unit_costs(problem, v)
        types.append(
            pyvrp.VehicleType(
                num_available=len(v.instances),
                capacity=list(v.capacity) or [0] * problem.dims,
                start_depot=depot_of[v.start],
                end_depot=depot_of[v.end],
                tw_early=v.shift[0],
                tw_late=v.shift[1],
                shift_duration=v.max_duration if v.max_duration is not None else HORIZON * 4,
                unit_distance_cost=per_m,
                unit_duration_cost=per_s,
                profile=profile_of[v.skills],
            )
        )
    data = pyvrp.ProblemData(
        locations,
        clients,
        depots,
        types,
        [p[0] for p in profiles],  # type: ignore[misc]
        [p[1] for p in profiles],  # type: ignore[misc]
        groups,
    )
    return data, client_job, list(range(len(problem.vehicles)))


def _profiles(
    problem: Problem,
    jobs: list[JobSpec],
    first_job: int,
    distances: np.ndarray,
    durations: np.ndarray,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[frozenset[str], int]]:
    """One routing profile per distinct set of vehicle skills: the jobs needing a skill the
    set lacks are unreachable in it. Without skills, one profile."""
    profiles: list[tuple[np.ndarray, np.ndarray]] = []
    profile_of: dict[frozenset[str], int] = {}
    for skills in dict.fromkeys(v.skills for v in problem.vehicles):
        closed = [first_job + n for n, j in enumerate(jobs) if not j.skills <= skills]
        dist, dur = distances, durations
        if closed:
            dist, dur = distances.copy(), durations.copy()
            for grid in (dist, dur):
                grid[closed, :] = UNREACHABLE
                grid[:, closed] = UNREACHABLE
                grid[closed, closed] = 0
        profile_of[skills] = len(profiles)
        profiles.append((dist, dur))
    return profiles, profile_of


def solve(
    problem: Problem,
    jobs: list[JobSpec],
    time_limit_s: float,
    *,
    cancelled: Cancelled,
    progress: Progress,
    every_s: float = 0.5,
    seed: int = 1,
) -> Solved:
    """Solve for ``jobs`` (the ones that passed the pre-checks) within ``time_limit_s``,
    stopping as soon as ``cancelled()`` says so; ``progress`` hears of the best cost
    every ``every_s`` seconds."""
    if not jobs:
        return Solved([], 0, True, 0, 0.0)
    data, client_job, _ = build(problem, jobs)
    limit = MaxRuntime(time_limit_s)
    began = time.monotonic()
    state = {"iterations": 0, "told": began}

    def stop(best_cost: int) -> bool:
        state["iterations"] += 1
        now = time.monotonic()
        if now - state["told"] >= every_s:
            state["told"] = now
            progress(Tick(int(best_cost), int(state["iterations"]), now - began))
        return cancelled() or limit(best_cost)

    result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    return Solved(
        routes=_routes(problem, jobs, result.best, client_job),
        cost=int(result.cost()) if result.is_feasible() else 0,
        feasible=bool(result.is_feasible()),
        iterations=int(result.num_iterations),
        elapsed_s=time.monotonic() - began,
    )


def _routes(
    problem: Problem, jobs: list[JobSpec], best: pyvrp.Solution, client_job: list[int]
) -> list[tuple[str, list[str]]]:
    unused = {n: list(v.instances) for n, v in enumerate(problem.vehicles)}
    routes = []
    for route in best.routes():
        vehicle = route.vehicle_type()
        ids = [jobs[client_job[a.idx]].id for a in route if a.is_client()]
        if ids:
            routes.append((unused[vehicle].pop(0), ids))
    return routes
