"""Solomon instances through the HTTP API with a short time limit: every route passes the
independent feasibility check, and C101 lands within 1 % of its best known distance.

The instances, the DIMACS matrix and the request come from bench/vrp.py (the benchmark's own
code, so the test and the benchmark send the very same plans)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.routing.feasibility import check_plan
from tests.conftest import Tenants
from tests.routing.plans import create, running_worker, solved

REPO = Path(__file__).resolve().parents[2]
SOLOMON = REPO.parent / "shared" / "testdata" / "solomon"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_vrp", REPO / "bench" / "vrp.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


vrp = _bench()


async def solve(
    client: httpx.AsyncClient, tenants: Tenants, settings: Settings, request: dict[str, Any]
) -> dict[str, Any]:
    """The plan through the API, solved by a real worker; the plan as GET answers it."""
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(client, headers, request)
        plan = await solved(client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    return plan


async def test_c101_is_feasible_and_within_one_percent_of_the_best_known(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    instance = vrp.parse_solomon(SOLOMON / "C101.txt")
    request = vrp.plan_request(instance, time_limit_s=2)
    solution = (await solve(live_client, live_tenants, settings, request))["solution"]
    assert check_plan(request, solution) == []
    assert solution["unassigned"] == []
    best = vrp.best_known(SOLOMON / "bks.csv")["C101"]
    assert best <= solution["distance"] / vrp.SCALE <= best * 1.01
    assert solution["vehicles_used"] == len(solution["routes"]) <= 25


async def test_a_cut_of_r101_is_feasible(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    instance = vrp.parse_solomon(SOLOMON / "R101.txt").cut(25)
    request = vrp.plan_request(instance, time_limit_s=1)
    solution = (await solve(live_client, live_tenants, settings, request))["solution"]
    assert check_plan(request, solution) == []
    served = sorted(stop["job_id"] for route in solution["routes"] for stop in route["stops"])
    assert served == sorted(job["id"] for job in request["jobs"])


def test_the_solomon_reader_reads_every_instance_and_the_dimacs_matrix() -> None:
    c101 = vrp.parse_solomon(SOLOMON / "C101.txt")
    assert (c101.name, c101.size, c101.vehicles, c101.capacity) == ("C101", 101, 25, 200)
    assert (c101.ready[0], c101.due[0], c101.service[1]) == (0, 1236, 90)
    matrix = vrp.dimacs_matrix(c101)
    # depot (40, 50) to customer 1 (45, 68): √(25 + 324) = 18.68… → 186
    assert matrix[0][1] == matrix[1][0] == 186
    assert all(matrix[i][i] == 0 for i in range(c101.size))
    for path in sorted(SOLOMON.glob("*.txt")):
        instance = vrp.parse_solomon(path)
        assert instance.size > 1 and instance.capacity > 0
        assert sum(instance.demand) > 0


def test_the_reader_takes_the_format_as_others_write_it(tmp_path: Path) -> None:
    """Tabs, CRLF line ends, no blank lines, customers out of order: the same instance."""
    original = vrp.parse_solomon(SOLOMON / "R101.txt").cut(5)
    rows = [
        f"{i}\t{original.x[i]:g}\t{original.y[i]:g}\t{original.demand[i]}\t"
        f"{original.ready[i]}\t{original.due[i]}\t{original.service[i]}"
        for i in range(original.size)
    ]
    text = "\r\n".join(
        [
            "R101.5",
            "VEHICLE",
            "NUMBER\tCAPACITY",
            "25\t200",
            "CUSTOMER",
            "CUST NO.\tXCOORD.\tYCOORD.\tDEMAND\tREADY TIME\tDUE DATE\tSERVICE TIME",
            *reversed(rows),
        ]
    )
    path = tmp_path / "r101-5.txt"
    path.write_text(text)
    assert vrp.parse_solomon(path) == original
