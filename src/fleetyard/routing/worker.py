"""The route-plan worker: in each API process, a loop that claims queued plans of every tenant
(owner connection, ``FOR UPDATE SKIP LOCKED``: two processes never take the same plan), woken
by ``NOTIFY fleetyard_route_plans`` when a plan is queued, and solves each in a child process
(``routing.solving``), ``solvers`` at a time.

While a plan solves, its row's ``heartbeat_at`` and ``progress`` are written every
``heartbeat_s``; the same statement reads the row's status, so a cancel (or a delete) is seen
within that time and the child is told to stop. A ``solving`` row whose heartbeat is older than
``stale_after_s`` belonged to a process that died: it is queued again (failed after
``max_attempts``). Progress and outcomes go out as live items (``route_plan.progress``,
``route_plan.solved``, ``route_plan.failed``, and ``route_plan.cancelled`` once a cancelled
solve has stopped); outcomes are events in the log too."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from fleetyard.kit.listening_loop import ListeningLoop
from fleetyard.realtime.bus import Bus
from fleetyard.realtime.items import LiveItem
from fleetyard.routing.limits import RoutingSettings, routing_settings
from fleetyard.routing.problem import Layout, Problem, build_problem, layout, unservable
from fleetyard.routing.schemas import RoutePlanCreate, Solution
from fleetyard.routing.solution import assemble
from fleetyard.routing.solver import Solved, Tick
from fleetyard.routing.solving import SolverFailed, run_solver
from fleetyard.routing.stored import StoredTravel
from fleetyard.routing.travel import (
    TravelInputError,
    TravelProviderError,
    TravelSettings,
    route_geometry,
    travel_matrix,
)

log = logging.getLogger(__name__)

CHANNEL: Final = "fleetyard_route_plans"
PROGRESS: Final = "route_plan.progress"
SOLVED: Final = "route_plan.solved"
FAILED: Final = "route_plan.failed"
STOPPED: Final = "route_plan.cancelled"  # the solve stopped; its best routes are kept

_CLAIM = """
update route_plans p set status = 'solving', worker = $1, heartbeat_at = now(),
    started_at = now(), attempts = p.attempts + 1, updated_at = now(), version = p.version + 1,
    progress = '{}'
from (
    select tenant_id, id from route_plans where status = 'queued'
    order by created_at limit $2 for update skip locked
) q
where p.tenant_id = q.tenant_id and p.id = q.id
returning p.tenant_id, p.id, p.request, p.time_limit_s
"""

_STALE = """
update route_plans set
    status = case when attempts >= $2 then 'failed' else 'queued' end,
    error_code = case when attempts >= $2 then 'worker_lost' end,
    error_message = case when attempts >= $2
        then 'The process solving the plan stopped, ' || attempts || ' times.' end,
    finished_at = case when attempts >= $2 then now() end,
    worker = null, heartbeat_at = null, updated_at = now(), version = version + 1
where status = 'solving' and heartbeat_at < now() - make_interval(secs => $1)
returning tenant_id, id, status
"""

_BEAT = """
update route_plans set heartbeat_at = now(), progress = $4::jsonb
where tenant_id = $1 and id = $2 and worker = $3
returning status
"""

_SOLVED = """
update route_plans set
    status = case when status = 'solving' then 'solved' else status end,
    solution = $4::jsonb, travel = $5, travel_source = $6, distance = $7, duration = $8,
    cost = $9, progress = $10::jsonb, finished_at = coalesce(finished_at, now()),
    updated_at = now(), version = version + 1, worker = null, heartbeat_at = null
where tenant_id = $1 and id = $2 and worker = $3 and status in ('solving', 'cancelled')
returning status, version
"""

_FAILED = """
update route_plans set status = 'failed', error_code = $4, error_message = $5,
    finished_at = now(), updated_at = now(), version = version + 1, worker = null,
    heartbeat_at = null
where tenant_id = $1 and id = $2 and worker = $3 and status = 'solving'
returning version
"""

_REQUEUE = """
update route_plans set status = 'queued', worker = null, heartbeat_at = null,
    attempts = greatest(attempts - 1, 0), updated_at = now()
where tenant_id = $1 and id = $2 and worker = $3 and status = 'solving'
"""

_EVENT = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
values ($1, $2, 'route_plan', $3, 'system', $4::jsonb)
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    tenant_id: uuid.UUID
    plan_id: uuid.UUID
    request: dict[str, Any]
    time_limit_s: int


class PlanFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _changes(values: dict[str, Any]) -> str:
    return json.dumps({k: {"before": None, "after": v} for k, v in values.items()})


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class RoutePlanWorker(ListeningLoop):
    channel = CHANNEL
    task_name = "route-plan-worker"
    pool_size = 3

    def __init__(
        self,
        owner_dsn: str,
        *,
        bus: Bus | None = None,
        settings: RoutingSettings | None = None,
        travel_settings: TravelSettings | None = None,
    ) -> None:
        self.settings = settings or routing_settings()
        super().__init__(owner_dsn, poll_interval_s=self.settings.poll_interval_s)
        self.bus = bus
        self.travel_settings = travel_settings
        self.worker_id = uuid.uuid4()
        self.solved = 0  # plans finished here (solved, failed or cancelled), for tests

    @classmethod
    async def start(cls, owner_dsn: str, **options: Any) -> RoutePlanWorker:
        worker = cls(owner_dsn, **options)
        await worker.open()
        return worker

    async def _round(self) -> None:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            for row in await conn.fetch(
                _STALE, self.settings.stale_after_s, self.settings.max_attempts
            ):
                if row["status"] == "failed":
                    await self._fail_event(row["tenant_id"], row["id"], "worker_lost")
        free = self.settings.solvers - len(self._in_flight)
        if free <= 0:
            return
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_CLAIM, self.worker_id, free)
        for row in rows:
            plan = Claimed(row["tenant_id"], row["id"], _json(row["request"]), row["time_limit_s"])
            task = asyncio.create_task(self._run_plan(plan), name=f"route-plan-{plan.plan_id}")
            self._in_flight[plan.plan_id] = task
            task.add_done_callback(self._finished(plan.plan_id))

    def _finished(self, key: uuid.UUID) -> Callable[[asyncio.Task[None]], None]:
        def done(_: asyncio.Task[None]) -> None:
            self._in_flight.pop(key, None)
            self.solved += 1
            self.wake()

        return done

    async def _run_plan(self, plan: Claimed) -> None:
        cancel = asyncio.Event()
        ticks: list[Tick] = []
        beat = asyncio.create_task(self._keepalive(plan, cancel, ticks))
        try:
            await self._solve(plan, cancel, ticks)
        except asyncio.CancelledError:  # this process is stopping: another takes it up
            with contextlib.suppress(Exception):
                await self._execute(_REQUEUE, plan.tenant_id, plan.plan_id, self.worker_id)
            raise
        except PlanFailed as failure:
            await self._fail(plan, failure.code, failure.message)
        except SolverFailed as failure:
            await self._fail(plan, failure.code, failure.message)
        except Exception:  # a fault of ours: the plan says so, the loop goes on
            log.exception("route plan failed", extra={"plan_id": str(plan.plan_id)})
            await self._fail(plan, "internal_error", "The plan could not be solved (an error).")
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _execute(self, sql: str, *args: Any) -> Any:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            return await conn.fetchval(sql, *args)

    async def _keepalive(self, plan: Claimed, cancel: asyncio.Event, ticks: list[Tick]) -> None:
        told: Tick | None = None
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            tick = ticks[-1] if ticks else None
            progress = _progress(tick)
            try:
                status = await self._execute(
                    _BEAT, plan.tenant_id, plan.plan_id, self.worker_id, json.dumps(progress)
                )
            except Exception:  # the next beat tries again; a stale one requeues the plan
                log.warning("route plan heartbeat failed", exc_info=True)
                continue
            if status != "solving":
                cancel.set()
            if tick is not None and tick is not told:
                told = tick
                await self._publish(plan.tenant_id, PROGRESS, {"id": plan.plan_id, **progress})

    async def _solve(self, plan: Claimed, cancel: asyncio.Event, ticks: list[Tick]) -> None:
        request = RoutePlanCreate.model_validate(plan.request)
        where = layout(request)
        travel = await self._travel(plan.tenant_id, request, where)
        problem = build_problem(request, where, travel.distances, travel.durations)
        reasons = unservable(problem)
        jobs = [j for j in problem.jobs if j.id not in reasons]
        solved = await run_solver(
            problem,
            jobs,
            plan.time_limit_s,
            on_tick=ticks.append,
            cancel=cancel,
            grace_s=self.settings.grace_s,
        )
        solution = assemble(problem, solved.routes, reasons, drop_violations=True)
        if travel.points is not None:
            await self._geometry(plan.tenant_id, problem, solution, travel.points)
        await self._finish(plan, travel, solution, solved)

    async def _travel(
        self, tenant_id: uuid.UUID, request: RoutePlanCreate, where: Layout
    ) -> StoredTravel:
        if request.matrix is not None:
            return StoredTravel("matrix", None, request.matrix.distances, request.matrix.durations)
        assert where.points is not None
        if len(where.points) < 2:
            return StoredTravel("same_place", where.points, [[0]], [[0]])
        try:
            matrix = await travel_matrix(
                where.points, tenant_id=tenant_id, settings=self.travel_settings
            )
        except TravelInputError as error:
            raise PlanFailed("invalid_points", str(error)) from error
        except TravelProviderError as error:
            raise PlanFailed("travel_failed", str(error)) from error
        return StoredTravel(matrix.source, where.points, matrix.distances_m, matrix.durations_s)

    async def _geometry(
        self,
        tenant_id: uuid.UUID,
        problem: Problem,
        solution: Solution,
        points: list[tuple[float, float]],
    ) -> None:
        index = {j.id: j.index for j in problem.jobs}
        for route in solution.routes:
            v = problem.vehicle(route.vehicle)
            assert v is not None
            rows = [v.start, *(index[s.job_id] for s in route.stops), v.end]
            try:
                route.geometry = await route_geometry(
                    [points[r] for r in rows], tenant_id=tenant_id, settings=self.travel_settings
                )
            except (TravelInputError, TravelProviderError) as error:
                log.warning("route geometry not drawn: %s", error)

    async def _finish(
        self, plan: Claimed, travel: StoredTravel, solution: Solution, solved: Solved
    ) -> None:
        assert self._pool is not None
        progress = {
            **_progress(Tick(solved.cost, solved.iterations, solved.elapsed_s)),
            "feasible": solved.feasible,
        }
        summary = {
            "status": "solved",
            "distance": solution.distance,
            "duration": solution.duration,
            "vehicles_used": solution.vehicles_used,
            "unassigned": len(solution.unassigned),
        }
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                _SOLVED,
                plan.tenant_id,
                plan.plan_id,
                self.worker_id,
                solution.model_dump_json(),
                travel.pack(),
                travel.source,
                solution.distance,
                solution.duration,
                solution.cost,
                json.dumps(progress),
            )
            if row is not None and row["status"] == "solved":
                await conn.execute(
                    _EVENT, plan.tenant_id, "route_plan_solved", plan.plan_id, _changes(summary)
                )
        if row is None:
            return  # deleted meanwhile
        if row["status"] != "solved":  # cancelled: the best routes so far are kept
            stopped = {"id": plan.plan_id, "version": row["version"], "status": row["status"]}
            await self._publish(plan.tenant_id, STOPPED, stopped)
            return
        vehicle_ids = tuple(r.vehicle_id for r in solution.routes if r.vehicle_id is not None)
        await self._publish(
            plan.tenant_id,
            SOLVED,
            {"id": plan.plan_id, "version": row["version"], **summary},
            vehicle_ids,
        )

    async def _fail(self, plan: Claimed, code: str, message: str) -> None:
        try:
            version = await self._execute(
                _FAILED, plan.tenant_id, plan.plan_id, self.worker_id, code, message[:2000]
            )
        except Exception:  # the heartbeat goes stale and the plan is tried again
            log.exception("route plan failure not recorded")
            return
        if version is not None:
            await self._fail_event(plan.tenant_id, plan.plan_id, code, message)

    async def _fail_event(
        self, tenant_id: uuid.UUID, plan_id: uuid.UUID, code: str, message: str = ""
    ) -> None:
        summary = {"status": "failed", "error_code": code}
        await self._execute(_EVENT, tenant_id, "route_plan_failed", plan_id, _changes(summary))
        await self._publish(tenant_id, FAILED, {"id": plan_id, **summary, "message": message})

    async def _publish(
        self,
        tenant_id: uuid.UUID,
        kind: str,
        payload: dict[str, Any],
        vehicle_ids: tuple[uuid.UUID, ...] = (),
    ) -> None:
        if self.bus is None:
            return
        try:
            await self.bus.publish(tenant_id, [LiveItem(kind, "route_plan", vehicle_ids, payload)])
        except Exception:  # live delivery is best effort; the plan's row has it all
            log.warning("route plan live item not sent", exc_info=True)


def _progress(tick: Tick | None) -> dict[str, Any]:
    if tick is None:
        return {"best_cost": None, "iterations": 0, "elapsed_s": 0.0}
    return {
        "best_cost": tick.best_cost,
        "iterations": tick.iterations,
        "elapsed_s": round(tick.elapsed_s, 2),
    }
