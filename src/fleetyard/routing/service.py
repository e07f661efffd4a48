"""Route plans' rules: a request is checked whole (fields, then the tenant's limits) and
stored ``queued``; the worker solves it (``routing.worker``). A plan is read with its
solution, cancelled while queued or solving, deleted, and its routes checked and saved as
edited. Every change is an event in the same transaction."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import undefer

from fleetyard.errors import InvalidTransition, ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.models import RoutePlan as PlanRow
from fleetyard.routing.limits import limits_for
from fleetyard.routing.problem import Problem
from fleetyard.routing.schedule import schedule
from fleetyard.routing.schemas import (
    PlanError,
    PlanStatus,
    Progress,
    RoutePlan,
    RoutePlanAccepted,
    RoutePlanCreate,
    RoutePlanSummary,
    RoutesCheck,
    RoutesChecked,
    RoutesSave,
    Solution,
    UnassignedReason,
)
from fleetyard.routing.solution import REMOVED, assemble
from fleetyard.routing.stored import StoredTravel, problem_of, travel_answer
from fleetyard.routing.travel import TravelInputError, TravelProviderError, route_geometry
from fleetyard.routing.validation import check_concurrency, check_limits, check_request
from fleetyard.routing.worker import CHANNEL

ACTIVE = (PlanStatus.QUEUED.value, PlanStatus.SOLVING.value)


class RoutesInfeasible(ValidationFailed):
    code = "routes_infeasible"
    message = "The routes break rules; send accept_violations to save them anyway."


def _unassigned_count(solution: dict[str, Any] | None) -> int | None:
    if not solution:
        return None
    unassigned = solution.get("unassigned")
    return len(unassigned) if isinstance(unassigned, list) else 0


def _summary(row: PlanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "name": row.name,
        "status": row.status,
        "objective": row.objective,
        "job_count": row.job_count,
        "vehicle_count": row.vehicle_count,
        "progress": Progress.model_validate(row.progress or {}),
        "error": PlanError(code=row.error_code, message=row.error_message or "")
        if row.error_code
        else None,
        "distance": row.distance,
        "duration": row.duration,
        "cost": float(row.cost) if row.cost is not None else None,
        "unassigned": _unassigned_count(row.solution),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


def _logged(row: PlanRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "status": row.status,
        "objective": row.objective,
        "job_count": row.job_count,
        "vehicle_count": row.vehicle_count,
        "time_limit_s": row.time_limit_s,
    }


class RoutePlanService(RecordService[PlanRow]):
    entity_type = "route_plan"
    model = PlanRow
    sort_fields = ("created_at", "updated_at", "name", "id")

    async def create(self, body: RoutePlanCreate) -> RoutePlanAccepted:
        check_request(body)
        limits = await limits_for(self.session, self.actor.tenant_id)
        check_limits(body, limits)
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.actor.tenant_id}:route_plans"},
        )
        active = await self.session.scalar(
            select(func.count())
            .select_from(PlanRow)
            .where(PlanRow.tenant_id == self.actor.tenant_id, PlanRow.status.in_(ACTIVE))
        )
        check_concurrency(active or 0, limits)
        row = PlanRow(
            tenant_id=self.actor.tenant_id,
            version=1,
            name=body.name,
            status=PlanStatus.QUEUED.value,
            objective=body.objective.value,
            time_limit_s=body.time_limit_s,
            job_count=len(body.jobs),
            vehicle_count=sum(v.count for v in body.vehicles),
            request=body.model_dump(mode="json", by_alias=True, exclude_none=True),
            progress={},
            attempts=0,
        )
        self.session.add(row)
        await self.flush()
        self.events.record(self.entity_type, "created", row.id, None, _logged(row))
        await self.session.execute(text("select pg_notify(:channel, '')"), {"channel": CHANNEL})
        return RoutePlanAccepted(id=row.id, status=PlanStatus.QUEUED, version=row.version)

    async def _row(self, plan_id: uuid.UUID, *, for_update: bool = False) -> PlanRow:
        stmt = self._scoped().where(PlanRow.id == plan_id).options(undefer(PlanRow.travel))
        if for_update:
            stmt = stmt.with_for_update(key_share=True)
        row: PlanRow | None = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            await self.get(plan_id)  # the same 404 as every record
        assert row is not None
        return row

    async def read(self, plan_id: uuid.UUID, *, include_matrix: bool = False) -> RoutePlan:
        return self._out(await self._row(plan_id), include_matrix=include_matrix)

    def _out(self, row: PlanRow, *, include_matrix: bool) -> RoutePlan:
        travel = None
        if include_matrix and row.travel is not None:
            request = RoutePlanCreate.model_validate(row.request)
            travel = travel_answer(request, StoredTravel.unpack(row.travel))
        return RoutePlan.model_validate(
            {
                **_summary(row),
                "request": row.request,
                "solution": Solution.model_validate(row.solution) if row.solution else None,
                "travel": travel,
            }
        )

    async def list(
        self, status: PlanStatus | None, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[builtins.list[RoutePlanSummary], str | None]:
        filters: builtins.list[ColumnElement[bool]] = []
        if status is not None:
            filters.append(PlanRow.status == status.value)
        rows, next_cursor = await self.list_page(filters, sort=sort, cursor=cursor, limit=limit)
        return [RoutePlanSummary.model_validate(_summary(r)) for r in rows], next_cursor

    async def cancel(self, plan_id: uuid.UUID, expected_version: int | None) -> RoutePlan:
        row = await self._row(plan_id, for_update=True)
        self.check_version(row, expected_version)
        if row.status not in ACTIVE:
            raise InvalidTransition(
                f"A {row.status} plan cannot be cancelled.", details={"status": row.status}
            )
        before = _logged(row)
        row.status = PlanStatus.CANCELLED.value
        row.finished_at = datetime.now(UTC)
        await self._bump(row)
        self.events.record(self.entity_type, "cancelled", row.id, before, _logged(row))
        return self._out(row, include_matrix=False)

    async def delete(self, plan_id: uuid.UUID, expected_version: int | None) -> None:
        row = await self._row(plan_id, for_update=True)
        self.check_version(row, expected_version)
        before = _logged(row)
        await self.session.delete(row)
        await self.flush()
        self.events.record(self.entity_type, "deleted", plan_id, before, None)

    async def _bump(self, row: PlanRow) -> None:
        row.version += 1
        row.updated_at = func.now()
        await self.flush()
        await self.session.refresh(row)

    # edits ---------------------------------------------------------------------------------
    def _problem(self, row: PlanRow) -> tuple[RoutePlanCreate, Problem, StoredTravel]:
        if row.travel is None or row.solution is None:
            raise InvalidTransition(
                "The plan has no solution yet to edit.", details={"status": row.status}
            )
        request = RoutePlanCreate.model_validate(row.request)
        travel = StoredTravel.unpack(row.travel)
        problem, _ = problem_of(request, travel)
        return request, problem, travel

    async def check(self, plan_id: uuid.UUID, body: RoutesCheck) -> RoutesChecked:
        row = await self._row(plan_id)
        _, problem, _ = self._problem(row)
        return _checked(problem, body)

    async def save_routes(
        self, plan_id: uuid.UUID, body: RoutesSave, expected_version: int | None
    ) -> RoutePlan:
        row = await self._row(plan_id, for_update=True)
        self.check_version(row, expected_version if expected_version is not None else body.version)
        if row.status != PlanStatus.SOLVED.value:
            raise InvalidTransition(
                f"Only a solved plan's routes can be changed (this one is {row.status}).",
                details={"status": row.status},
            )
        _, problem, travel = self._problem(row)
        checked = _checked(problem, body)
        if not checked.feasible and not body.accept_violations:
            raise RoutesInfeasible(
                details={
                    "routes": [
                        {"vehicle": r.vehicle, "violations": [v.model_dump() for v in r.violations]}
                        for r in checked.routes
                        if r.violations
                    ]
                }
            )
        old = Solution.model_validate(row.solution)
        reasons: dict[str, tuple[UnassignedReason, str]] = {
            u.job_id: (u.reason, u.message) for u in old.unassigned
        }
        orders = [(r.vehicle, list(r.job_ids)) for r in body.routes]
        solution = assemble(
            problem,
            orders,
            reasons,
            drop_violations=False,
            default_reason=("removed_by_edit", REMOVED),
        )
        await self._geometry(problem, solution, old, travel)
        before = {"routes": _orders(old)}
        row.solution = solution.model_dump(mode="json")
        row.distance, row.duration = solution.distance, solution.duration
        row.cost = Decimal(str(solution.cost))
        await self._bump(row)
        self.events.record(
            self.entity_type, "routes_changed", row.id, before, {"routes": _orders(solution)}
        )
        return self._out(row, include_matrix=False)

    async def _geometry(
        self, problem: Problem, solution: Solution, old: Solution, travel: StoredTravel
    ) -> None:
        """Unchanged routes keep their line; changed ones follow the roads again."""
        if travel.points is None:
            return
        kept = {(r.vehicle, tuple(s.job_id for s in r.stops)): r.geometry for r in old.routes}
        index = {j.id: j.index for j in problem.jobs}
        for route in solution.routes:
            key = (route.vehicle, tuple(s.job_id for s in route.stops))
            if kept.get(key) is not None:
                route.geometry = kept[key]
                continue
            v = problem.vehicle(route.vehicle)
            assert v is not None
            rows = [v.start, *(index[s.job_id] for s in route.stops), v.end]
            try:
                route.geometry = await route_geometry(
                    [travel.points[r] for r in rows], tenant_id=self.actor.tenant_id
                )
            except (TravelInputError, TravelProviderError):
                route.geometry = None


def _orders(solution: Solution) -> dict[str, builtins.list[str]]:
    return {r.vehicle: [s.job_id for s in r.stops] for r in solution.routes}


def _checked(problem: Problem, body: RoutesCheck) -> RoutesChecked:
    known = {j.id for j in problem.jobs}
    errors: builtins.list[dict[str, Any]] = []
    seen_jobs: dict[str, int] = {}
    seen_vehicles: set[str] = set()
    for n, route in enumerate(body.routes):
        if problem.vehicle(route.vehicle) is None:
            errors.append(_error(("routes", n, "vehicle"), f"no vehicle {route.vehicle!r}"))
        elif route.vehicle in seen_vehicles:
            errors.append(_error(("routes", n, "vehicle"), f"{route.vehicle!r} has two routes"))
        seen_vehicles.add(route.vehicle)
        for k, job_id in enumerate(route.job_ids):
            if job_id not in known:
                errors.append(_error(("routes", n, "job_ids", k), f"no job {job_id!r}"))
            elif job_id in seen_jobs:
                errors.append(
                    _error(("routes", n, "job_ids", k), f"{job_id!r} is on a route twice")
                )
            seen_jobs[job_id] = n
    if errors:
        first = errors[0]
        raise ValidationFailed(
            f"{'.'.join(first['loc'][1:])}: {first['msg']}", details={"errors": errors[:20]}
        )
    routes = [schedule(problem, r.vehicle, r.job_ids) for r in body.routes]
    return RoutesChecked(
        feasible=not any(r.violations for r in routes),
        routes=routes,
        unassigned=[j.id for j in problem.jobs if j.id not in seen_jobs and not j.is_break],
    )


def _error(loc: tuple[str | int, ...], msg: str) -> dict[str, Any]:
    return {"loc": ["body", *map(str, loc)], "msg": msg, "type": "value_error"}
