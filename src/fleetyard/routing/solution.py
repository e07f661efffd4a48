"""A plan's solution from its routes (vehicle → job ids in order): each route's schedule,
the jobs left out with their reasons, and the totals. The solver's routes and the web's saved
edits are both written out here, through the same schedule the checker uses."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Final

from fleetyard.routing.problem import Problem
from fleetyard.routing.schedule import schedule
from fleetyard.routing.schemas import (
    CheckedRoute,
    Route,
    Solution,
    Unassigned,
    UnassignedReason,
)

NOT_SERVED: Final = (
    "The solver found no room for it: the vehicles' capacity, shifts and the other jobs' time "
    "windows left none within the time limit."
)
REMOVED: Final = "Taken off every route by an edit."

RouteOrder = tuple[str, list[str]]


def _feasible_part(
    problem: Problem, instance: str, job_ids: list[str]
) -> tuple[CheckedRoute, list[str]]:
    """The route with the jobs that break a rule taken off, one at a time (a stop's own
    violation first, else the last stop), and the jobs taken off."""
    dropped: list[str] = []
    ids = list(job_ids)
    while True:
        checked = schedule(problem, instance, ids)
        if not checked.violations or not ids:
            return checked, dropped
        culprit = next((v.job_id for v in checked.violations if v.job_id), None) or ids[-1]
        ids.remove(culprit)
        dropped.append(culprit)


def assemble(
    problem: Problem,
    routes: Sequence[RouteOrder],
    reasons: Mapping[str, tuple[UnassignedReason, str]],
    *,
    drop_violations: bool,
    default_reason: tuple[UnassignedReason, str] = ("not_served", NOT_SERVED),
) -> Solution:
    """``reasons``: why a job is left out when it is (the pre-checks'); a job in no route
    without one gets ``default_reason``."""
    out: list[Route] = []
    served: set[str] = set()
    used: set[str] = set()
    for instance, job_ids in routes:
        if drop_violations:
            checked, _ = _feasible_part(problem, instance, job_ids)
        else:
            checked = schedule(problem, instance, job_ids)
        real = [s for s in checked.stops if not s.job_id.startswith("break:")]
        if not real:
            continue  # a route that only takes its driver's break: the vehicle stays home
        v = problem.vehicle(instance)
        assert v is not None
        used.add(instance)
        served.update(s.job_id for s in checked.stops)
        out.append(
            Route(
                vehicle=instance,
                vehicle_id=uuid.UUID(v.vehicle_id) if v.vehicle_id else None,
                driver_id=uuid.UUID(v.driver_id) if v.driver_id else None,
                start_s=checked.start_s,
                end_s=checked.end_s,
                stops=checked.stops,
                distance=checked.distance,
                duration=checked.duration,
                cost=checked.cost,
            )
        )
    unassigned = []
    for job in problem.jobs:
        if job.id in served:
            continue
        if job.is_break and job.id.removeprefix("break:") not in used:
            continue  # a vehicle that stays home takes no break
        reason, message = reasons.get(job.id, default_reason)
        unassigned.append(Unassigned(job_id=job.id, reason=reason, message=message))
    return Solution(
        routes=out,
        unassigned=unassigned,
        distance=sum(r.distance for r in out),
        duration=sum(r.duration for r in out),
        cost=round(sum(r.cost for r in out), 4),
        vehicles_used=len(out),
    )
