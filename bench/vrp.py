"""Route plans on the Solomon VRPTW instances against the best known solutions and OR-Tools.

    .venv/bin/python bench/vrp.py [--instances DIR] [--time-limit 10] [--only NAME] [--keep-db]

Each instance (every ``*.txt`` in --instances, standard Solomon format) is sent through the
HTTP API as a real client would: a throw-away database, one tenant and its API key, the real
server (``fleetyard serve``), ``POST /api/v1/route-plans`` with an explicit matrix, then
``GET /api/v1/route-plans/{id}`` until it is solved. The matrix is the DIMACS convention the
published best known solutions use: Euclidean distance ×10 truncated to an integer, the same
figure for time; windows, service times and the depot's hours ×10; 25 vehicles (or the
instance's own number) of its capacity, all starting and ending at the depot; objective:
distance. Every returned route is replayed by ``fleetyard.routing.feasibility`` (which knows
nothing of the solver) and the distance /10 is compared with ``bks.csv``'s ``distance_dimacs``.

OR-Tools (RoutingModel, time and capacity dimensions, guided local search) then solves the very
same integer matrix with the same time limit in the same run, in this process, one instance at
a time, so both solvers get the same machine. Goal: average gap to the best known ≤ 0.3 %,
and ahead of OR-Tools.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fleetyard.routing.feasibility import check_plan

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCES: Final = REPO.parent / "shared" / "testdata" / "solomon"
DEFAULT_ADMIN_URL: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
GOAL_GAP_PCT: Final = 0.3
VEHICLES: Final = 25
SCALE: Final = 10
TERMINAL: Final = {"solved", "failed", "cancelled"}


# instances -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.x)

    def cut(self, customers: int) -> Instance:
        """The depot and the first ``customers`` customers (a smaller instance for tests)."""
        n = customers + 1
        return Instance(
            f"{self.name}.{customers}",
            self.vehicles,
            self.capacity,
            self.x[:n],
            self.y[:n],
            self.demand[:n],
            self.ready[:n],
            self.due[:n],
            self.service[:n],
        )


def _numbers(line: str) -> list[float] | None:
    try:
        return [float(part) for part in line.split()]
    except ValueError:
        return None


def parse_solomon(path: Path) -> Instance:
    """Standard Solomon text: the name, ``VEHICLE`` with ``NUMBER CAPACITY`` and their values,
    then ``CUSTOMER`` rows of CUST NO., X, Y, DEMAND, READY TIME, DUE DATE, SERVICE TIME, the
    depot first (customer 0). Blank lines and headings may be anywhere."""
    lines = path.read_text().splitlines()
    name = next((line.split()[0] for line in lines if line.strip()), path.stem)
    fleet: list[float] | None = None
    rows: list[list[float]] = []
    section = ""
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0].upper() in {"VEHICLE", "CUSTOMER"}:
            section = words[0].upper()
            continue
        values = _numbers(line)
        if values is None:
            continue
        if section == "VEHICLE" and fleet is None and len(values) == 2:
            fleet = values
        elif section == "CUSTOMER" and len(values) == 7:
            rows.append(values)
    if fleet is None or not rows:
        raise ValueError(f"{path}: not a Solomon instance (no VEHICLE or CUSTOMER section)")
    rows.sort(key=lambda row: row[0])
    if [int(row[0]) for row in rows] != list(range(len(rows))):
        raise ValueError(f"{path}: customers are not numbered 0..{len(rows) - 1}")
    return Instance(
        name=name,
        vehicles=int(fleet[0]),
        capacity=int(fleet[1]),
        x=tuple(row[1] for row in rows),
        y=tuple(row[2] for row in rows),
        demand=tuple(int(row[3]) for row in rows),
        ready=tuple(int(row[4]) for row in rows),
        due=tuple(int(row[5]) for row in rows),
        service=tuple(int(row[6]) for row in rows),
    )


def dimacs_matrix(instance: Instance) -> list[list[int]]:
    """Euclidean distance ×10, truncated: the convention of the DIMACS challenge's BKS."""
    xs, ys = instance.x, instance.y
    return [
        [int(SCALE * math.hypot(xs[i] - xs[j], ys[i] - ys[j])) for j in range(instance.size)]
        for i in range(instance.size)
    ]


def plan_request(instance: Instance, time_limit_s: int, vehicles: int = VEHICLES) -> dict[str, Any]:
    """The route plan as the API takes it: depot 0 is every vehicle's start and end."""
    matrix = dimacs_matrix(instance)
    depot_hours = [SCALE * instance.ready[0], SCALE * instance.due[0]]
    return {
        "name": f"Solomon {instance.name}",
        "objective": "distance",
        "time_limit_s": time_limit_s,
        "vehicles": [
            {
                "id": "truck",
                "start_index": 0,
                "end_index": 0,
                "capacity": [instance.capacity],
                "shift": depot_hours,
                "count": vehicles,
            }
        ],
        "jobs": [
            {
                "id": f"c{i}",
                "location_index": i,
                "demand": [instance.demand[i]],
                "service_s": SCALE * instance.service[i],
                "time_windows": [[SCALE * instance.ready[i], SCALE * instance.due[i]]],
            }
            for i in range(1, instance.size)
        ],
        "matrix": {"distances": matrix, "durations": matrix},
    }


def best_known(path: Path) -> dict[str, float]:
    """``bks.csv``'s ``distance_dimacs`` rows: instance → distance (DIMACS, one decimal)."""
    if not path.exists():
        return {}
    with path.open() as handle:
        return {
            row["instance"].strip().upper(): float(row["distance"])
            for row in csv.DictReader(handle)
            if row.get("objective") == "distance_dimacs"
        }


# results -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    distance: float | None  # in the instance's units (the integer total / 10)
    vehicles: int
    seconds: float
    feasible: bool
    note: str = ""
    solve_s: float | None = None  # the server's own: the plan's started_at to finished_at

    def gap_pct(self, bks: float | None) -> float | None:
        if self.distance is None or bks is None:
            return None
        return 100.0 * (self.distance - bks) / bks


def outcome_of(request: dict[str, Any], solution: dict[str, Any], seconds: float) -> Outcome:
    """The API's answer, every route replayed independently of the solver."""
    routes = [r for r in solution.get("routes") or () if r.get("stops")]
    violations = check_plan(request, solution)
    distance = sum(int(r["distance"]) for r in routes) / SCALE
    unassigned = len(solution.get("unassigned") or ())
    note = ""
    if violations:
        kinds = sorted({v.kind for v in violations})
        note = f"{len(violations)} violations ({', '.join(kinds)}): {violations[0].message}"
    elif unassigned:
        note = f"{unassigned} jobs unassigned"
    return Outcome(distance, len(routes), seconds, not violations and not unassigned, note)


# the HTTP API --------------------------------------------------------------------------------
def solve_api(
    base_url: str, headers: dict[str, str], request: dict[str, Any], timeout_s: float
) -> Outcome:
    import httpx

    started = time.perf_counter()
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        answer = client.post("/api/v1/route-plans", json=request)
        if answer.status_code != 202:
            return Outcome(None, 0, 0.0, False, f"POST {answer.status_code}: {answer.text[:200]}")
        plan_id = answer.json()["id"]
        while True:
            got = client.get(f"/api/v1/route-plans/{plan_id}")
            body = got.json()
            if got.status_code != 200 or body.get("status") in TERMINAL:
                break
            if time.perf_counter() - started > timeout_s:
                return Outcome(None, 0, timeout_s, False, f"still {body.get('status')}")
            time.sleep(0.1)
    seconds = time.perf_counter() - started
    if body.get("status") != "solved":
        return Outcome(None, 0, seconds, False, f"{got.status_code} {str(body)[:200]}")
    outcome = outcome_of(request, body.get("solution") or {}, seconds)
    if body.get("started_at") and body.get("finished_at"):
        started_at = datetime.fromisoformat(body["started_at"])
        outcome.solve_s = (datetime.fromisoformat(body["finished_at"]) - started_at).total_seconds()
    return outcome


# OR-Tools ------------------------------------------------------------------------------------
def solve_ortools(instance: Instance, time_limit_s: int, vehicles: int = VEHICLES) -> Outcome:
    """The textbook VRPTW model on the same integer matrix: arc cost = distance, a time
    dimension (transit = service at the origin + drive, waiting allowed) and a capacity one."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    matrix = dimacs_matrix(instance)
    service = [SCALE * s for s in instance.service]
    ready = [SCALE * r for r in instance.ready]
    due = [SCALE * d for d in instance.due]
    manager = pywrapcp.RoutingIndexManager(instance.size, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance(i: int, j: int) -> int:
        return matrix[int(manager.IndexToNode(i))][int(manager.IndexToNode(j))]

    def transit(i: int, j: int) -> int:
        a, b = int(manager.IndexToNode(i)), int(manager.IndexToNode(j))
        return service[a] + matrix[a][b]

    def demand(i: int) -> int:
        return instance.demand[int(manager.IndexToNode(i))]

    arc = routing.RegisterTransitCallback(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    horizon = due[0]
    routing.AddDimension(routing.RegisterTransitCallback(transit), horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, instance.size):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(ready[node], due[node])
    for v in range(vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(ready[0], due[0])
        time_dim.CumulVar(routing.End(v)).SetRange(ready[0], due[0])
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(demand),
        0,
        [instance.capacity] * vehicles,
        True,
        "load",
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    started = time.perf_counter()
    assignment = routing.SolveWithParameters(params)
    seconds = time.perf_counter() - started
    if assignment is None:
        return Outcome(None, 0, seconds, False, "no solution")
    request = plan_request(instance, time_limit_s, vehicles)
    solution = _ortools_solution(routing, manager, assignment, time_dim)
    return outcome_of(request, solution, seconds)


def _ortools_solution(routing: Any, manager: Any, assignment: Any, time_dim: Any) -> dict[str, Any]:
    """OR-Tools' routes written as the API's solution, so the same checker replays them (the
    arrival times are left out: OR-Tools reports service starts, not arrivals)."""
    routes = []
    for v in range(routing.vehicles()):
        index = routing.Start(v)
        stops, distance = [], 0
        while not routing.IsEnd(index):
            following = assignment.Value(routing.NextVar(index))
            distance += routing.GetArcCostForVehicle(index, following, v)
            index = following
            if not routing.IsEnd(index):
                stops.append({"job_id": f"c{manager.IndexToNode(index)}"})
        if stops:
            name = "truck" if routing.vehicles() == 1 else f"truck#{v + 1}"
            routes.append({"vehicle": name, "stops": stops, "distance": distance})
    return {"routes": routes, "unassigned": []}


# report --------------------------------------------------------------------------------------
def _cell(outcome: Outcome, bks: float | None, *, solve: bool = False) -> str:
    solve_text = ""
    if solve:
        solve_text = f"{outcome.solve_s:>7.1f}" if outcome.solve_s is not None else f"{'—':>7}"
    if outcome.distance is None:
        return f"{'—':>9}{'':>5}{'':>8}{outcome.seconds:>7.1f}{solve_text}"
    gap = outcome.gap_pct(bks)
    gap_text = "—" if gap is None else f"{gap:.2f}"
    flag = "" if outcome.feasible else "!"
    return (
        f"{outcome.distance:>8.1f}{flag:1}{outcome.vehicles:>5}{gap_text:>8}"
        f"{outcome.seconds:>7.1f}{solve_text}"
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def report(
    rows: list[tuple[str, float | None, Outcome, Outcome]], time_limit_s: float, machine: str
) -> bool:
    print()
    print(f"Solomon VRPTW, DIMACS rounding, {time_limit_s:g} s per instance and solver; {machine}")
    print(f"{'':<10}{'':>9}  {'fleetyard (HTTP API, PyVRP)':<36}  {'OR-Tools (GLS)':<28}")
    head = f"{'distance':>9}{'veh':>5}{'gap %':>8}{'s':>7}"
    print(f"{'instance':<10}{'BKS':>9}  {head}{'solve':>7}  {head}")
    for name, bks, ours, theirs in rows:
        bks_text = "—" if bks is None else f"{bks:.1f}"
        print(f"{name:<10}{bks_text:>9}  {_cell(ours, bks, solve=True)}  {_cell(theirs, bks)}")
    gaps_ours = [g for _, b, o, _ in rows if o.feasible and (g := o.gap_pct(b)) is not None]
    gaps_theirs = [g for _, b, _, t in rows if t.feasible and (g := t.gap_pct(b)) is not None]
    mean_ours, mean_theirs = _mean(gaps_ours), _mean(gaps_theirs)
    secs_ours = _mean([o.seconds for _, _, o, _ in rows]) or 0.0
    solve_ours = _mean([o.solve_s for _, _, o, _ in rows if o.solve_s is not None]) or 0.0
    secs_theirs = _mean([t.seconds for _, _, _, t in rows]) or 0.0
    print(
        f"{'average':<10}{'':>9}  {'':>14}{_pct(mean_ours):>8}{secs_ours:>7.1f}{solve_ours:>7.1f}"
        f"  {'':>14}{_pct(mean_theirs):>8}{secs_theirs:>7.1f}"
    )
    for name, _, ours, theirs in rows:
        for who, outcome in (("fleetyard", ours), ("OR-Tools", theirs)):
            if outcome.note:
                print(f"  {name} {who}: {outcome.note}")
    print(
        "s: from the POST to the solved answer, as the client sees it; solve: the plan's own\n"
        "started_at to finished_at (the worker's child process, model built and read back).\n"
        "! = a route failed the independent feasibility check, or jobs were left unassigned;\n"
        "averages are over the feasible answers."
    )
    known = sum(1 for _, b, _, _ in rows if b is not None)
    all_ok = all(o.feasible for _, _, o, _ in rows) and len(gaps_ours) == known
    theirs_failed = not all(t.feasible for _, _, _, t in rows)
    ahead = (
        mean_theirs is None
        or (mean_ours is not None and mean_ours < mean_theirs)
        or (theirs_failed and mean_ours is not None and mean_ours <= mean_theirs)
    )
    passed = all_ok and mean_ours is not None and mean_ours <= GOAL_GAP_PCT and ahead
    print(
        f"Goal: every route feasible, average gap ≤ {GOAL_GAP_PCT} % and ahead of OR-Tools: "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return passed


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# the bench's own database, tenant and server ------------------------------------------------
@contextmanager
def api_tenant(admin_url: str, *, keep_db: bool) -> Iterator[tuple[str, dict[str, str], str]]:
    """A fresh migrated database, one tenant with a fleet-manager API key, and the real
    server on it (with a redis-server of the bench's own); yields (URL, headers, machine)."""
    import asyncio
    import tempfile

    from _seed import create_database, create_tenants, drop_database, new_database_name
    from _server import machine_note, own_redis, running_server

    started = time.perf_counter()
    database = new_database_name()
    try:
        url = create_database(admin_url, database)
        (tenant,) = asyncio.run(create_tenants(url, ["vrp"]))
        print(f"Database {database} created and migrated: {time.perf_counter() - started:.1f} s")
        log = Path(tempfile.mkdtemp(prefix="fleetyard-bench-vrp-")) / "server.log"
        with (
            own_redis() as redis_url,
            running_server(url, log, redis_url=redis_url, workers=1) as server,
        ):
            yield server.base_url, tenant.headers, machine_note()
    finally:
        if not keep_db:
            drop_database(admin_url, database)


# main ----------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--instances", type=Path, default=DEFAULT_INSTANCES, help="*.txt there")
    parser.add_argument("--time-limit", type=int, default=10, help="seconds per solve")
    parser.add_argument("--only", action="append", help="instance name (repeatable)")
    parser.add_argument("--vehicles", type=int, help="fleet size (default 25 or the instance's)")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="PostgreSQL superuser URL")
    parser.add_argument("--keep-db", action="store_true", help="leave the database behind")
    return parser.parse_args()


def load_instances(args: argparse.Namespace) -> list[Instance]:
    paths = sorted(args.instances.glob("*.txt"))
    instances = [parse_solomon(p) for p in paths]
    if args.only:
        wanted = {name.upper() for name in args.only}
        instances = [i for i in instances if i.name.upper() in wanted]
    if not instances:
        raise SystemExit(f"no instances in {args.instances} (--only {args.only})")
    return instances


def main() -> None:
    args = parse_args()
    instances = load_instances(args)
    bks = best_known(DEFAULT_INSTANCES / "bks.csv") | best_known(args.instances / "bks.csv")
    rows = []
    with api_tenant(args.admin_url, keep_db=args.keep_db) as (base_url, headers, machine):
        print(f"Machine: {machine}")
        for instance in instances:
            vehicles = args.vehicles or instance.vehicles or VEHICLES
            request = plan_request(instance, args.time_limit, vehicles)
            ours = solve_api(base_url, headers, request, timeout_s=args.time_limit * 6 + 60)
            theirs = solve_ortools(instance, args.time_limit, vehicles)
            best = bks.get(instance.name.upper())
            rows.append((instance.name, best, ours, theirs))
            ours_text, theirs_text = _cell(ours, best, solve=True), _cell(theirs, best)
            print(f"  {instance.name}: ours {ours_text} | OR-Tools {theirs_text}")
    from _server import machine_note

    passed = report(rows, args.time_limit, machine_note())
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
