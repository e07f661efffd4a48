"""Shared builders for the route-plan tests: small instances, a worker on the real database,
and a listener that waits for a plan's live items (no sleeping on a clock)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from fleetyard.config import Settings
from fleetyard.db import libpq_dsn, owner_url
from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.items import LiveBatch, LiveItem
from fleetyard.routing.limits import RoutingSettings
from fleetyard.routing.travel import TravelSettings
from fleetyard.routing.worker import RoutePlanWorker

PLANS = "/api/v1/route-plans"


def line_matrix(n: int, step: int = 100) -> dict[str, list[list[int]]]:
    """Places on a line, ``step`` metres and seconds apart."""
    grid = [[abs(i - j) * step for j in range(n)] for i in range(n)]
    return {"distances": grid, "durations": [row[:] for row in grid]}


def small_plan(jobs: int = 8, vehicles: int = 2, capacity: int = 4, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Small plan",
        "objective": "distance",
        "time_limit_s": 1,
        "vehicles": [
            {"id": f"van-{k}", "start_index": 0, "capacity": [capacity], "shift": [0, 10_000]}
            for k in range(1, vehicles + 1)
        ],
        "jobs": [
            {"id": f"job-{i}", "location_index": i, "demand": [1], "service_s": 30}
            for i in range(1, jobs + 1)
        ],
        "matrix": line_matrix(jobs + 1),
    }
    body.update(extra)
    return body


class Recorder:
    """Every live item of the bus, and a way to wait for one."""

    def __init__(self, bus: LocalBus) -> None:
        self.items: dict[str, list[LiveItem]] = defaultdict(list)
        self._changed = asyncio.Event()
        bus.listen(self._on_batch)

    def _on_batch(self, batch: LiveBatch) -> None:
        for item in batch.items:
            plan = str(item.payload.get("id", ""))
            self.items[plan].append(item)
        self._changed.set()

    def kinds(self, plan_id: str) -> list[str]:
        return [i.kind for i in self.items[plan_id]]

    async def wait(self, plan_id: str, *kinds: str, timeout_s: float = 30.0) -> LiveItem:
        async with asyncio.timeout(timeout_s):
            while True:
                for item in self.items[plan_id]:
                    if item.kind in kinds:
                        return item
                self._changed.clear()
                await self._changed.wait()


@asynccontextmanager
async def running_worker(
    settings: Settings, **options: Any
) -> AsyncIterator[tuple[RoutePlanWorker, Recorder]]:
    bus = LocalBus()
    recorder = Recorder(bus)
    routing = RoutingSettings(
        solvers=options.pop("solvers", 2),
        heartbeat_s=0.2,
        poll_interval_s=0.5,
        stale_after_s=options.pop("stale_after_s", 30.0),
    )
    worker = await RoutePlanWorker.start(
        libpq_dsn(owner_url(settings)),
        bus=bus,
        settings=routing,
        travel_settings=options.pop("travel", None) or TravelSettings(provider="haversine"),
    )
    try:
        yield worker, recorder
    finally:
        await worker.stop()


async def create(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> str:
    answer = await client.post(PLANS, json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    plan_id: str = answer.json()["id"]
    uuid.UUID(plan_id)
    return plan_id


async def solved(
    client: httpx.AsyncClient, headers: dict[str, str], recorder: Recorder, plan_id: str
) -> dict[str, Any]:
    await recorder.wait(plan_id, "route_plan.solved", "route_plan.failed")
    answer = await client.get(f"{PLANS}/{plan_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    plan: dict[str, Any] = answer.json()
    return plan


def _stops_of(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The request's jobs, and each vehicle's break as the job it is solved as."""
    jobs = {j["id"]: j for j in request["jobs"]}
    for v in request["vehicles"]:
        if "break" not in v:
            continue
        names = (
            [v["id"]]
            if v.get("count", 1) == 1
            else [f"{v['id']}#{k}" for k in range(1, v["count"] + 1)]
        )
        for name in names:
            jobs[f"break:{name}"] = {
                "id": f"break:{name}",
                "location_index": v["break"]["location_index"],
                "service_s": v["break"]["duration_s"],
                "time_windows": [v["break"]["time_window"]],
            }
    return jobs


def assert_feasible(plan: dict[str, Any]) -> None:
    """Our own replay of every route over the request's matrix: windows, capacity, skills,
    shift, maximum duration, each job at most once (H3's checker is the independent one)."""
    request = plan["request"]
    matrix = request["matrix"]
    jobs = _stops_of(request)
    vehicles = {v["id"]: v for v in request["vehicles"]}
    seen: set[str] = set()
    for route in plan["solution"]["routes"]:
        v = vehicles[route["vehicle"].split("#")[0]]
        shift = v.get("shift", [0, 31 * 86_400])
        at, t = v["start_index"], route["start_s"]
        assert t >= shift[0]
        carried = [0] * len(v.get("capacity", []))
        for stop in route["stops"]:
            job = jobs[stop["job_id"]]
            assert job["id"] not in seen
            assert set(job.get("skills", [])) <= set(v.get("skills", []))
            seen.add(job["id"])
            arrival = t + matrix["durations"][at][job["location_index"]]
            assert stop["arrival_s"] == arrival
            windows = job.get("time_windows") or [[0, 31 * 86_400]]
            start = max(arrival, next(w[0] for w in windows if w[1] >= arrival))
            assert any(w[0] <= start <= w[1] for w in windows)
            assert stop["departure_s"] == start + job.get("service_s", 0)
            for d, q in enumerate(job.get("demand", [])):
                carried[d] += q
            t, at = stop["departure_s"], job["location_index"]
        end_index = v.get("end_index", v["start_index"])
        end = t + matrix["durations"][at][end_index]
        assert end == route["end_s"] <= shift[1]
        assert all(c <= cap for c, cap in zip(carried, v.get("capacity", []), strict=True))
        if "max_duration_s" in v:
            assert route["end_s"] - route["start_s"] <= v["max_duration_s"]
    unassigned = {u["job_id"] for u in plan["solution"]["unassigned"]}
    wanted = {j for j in jobs if not j.startswith("break:")}
    assert wanted <= seen | unassigned
    assert not seen & unassigned
