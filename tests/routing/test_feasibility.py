"""The independent feasibility checker: one hand-made case per violation, and a property that
its verdict matches a brute recomputation on random small plans."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetyard.config import Settings
from fleetyard.routing.feasibility import Violation, check_plan
from tests.conftest import Tenants
from tests.routing.plans import PLANS, create, running_worker, solved

# four places in a row, 10 s (and 100 m) apart; the depot is 0
DURATIONS = [[10 * abs(i - j) for j in range(4)] for i in range(4)]
DISTANCES = [[100 * abs(i - j) for j in range(4)] for i in range(4)]


def request(**vehicle: Any) -> dict[str, Any]:
    van = {
        "id": "van",
        "start_index": 0,
        "end_index": 0,
        "capacity": [10, 2],
        "shift": [0, 1000],
        "count": 1,
        "skills": ["fridge"],
        **vehicle,
    }
    return {
        "vehicles": [van],
        "jobs": [
            {"id": "a", "location_index": 1, "demand": [3, 1], "service_s": 5},
            {
                "id": "b",
                "location_index": 2,
                "demand": [4],
                "service_s": 5,
                "time_windows": [[50, 60], [100, 200]],
            },
            {
                "id": "c",
                "location_index": 3,
                "demand": [2, 1],
                "service_s": 5,
                "skills": ["fridge"],
            },
        ],
        "matrix": {"distances": DISTANCES, "durations": DURATIONS},
    }


def solution() -> dict[str, Any]:
    """a at 10 (done 15), b at 25 waits for 50 (done 55), c at 65 (done 70), home at 100."""
    return {
        "routes": [
            {
                "vehicle": "van",
                "stops": [
                    {"job_id": "a", "arrival_s": 10, "departure_s": 15, "load": [6, 1]},
                    {"job_id": "b", "arrival_s": 25, "departure_s": 55, "load": [2, 1]},
                    {"job_id": "c", "arrival_s": 65, "departure_s": 70, "load": [0, 0]},
                ],
                "distance": 600,
                "duration": 100,
            }
        ],
        "unassigned": [],
        "distance": 600,
        "duration": 100,
    }


def kinds(found: list[Violation]) -> list[str]:
    return sorted(v.kind for v in found)


def stops(plan: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = plan["routes"][0]["stops"]
    return result


def test_a_correct_solution_has_no_violation() -> None:
    assert check_plan(request(), solution()) == []


def test_a_solver_may_leave_later_than_the_shift_starts() -> None:
    plan = solution()
    for stop, (arrival, departure) in zip(stops(plan), [(40, 45), (55, 60), (70, 75)], strict=True):
        stop["arrival_s"], stop["departure_s"] = arrival, departure
    plan["routes"][0]["duration"] = plan["duration"] = 75
    assert check_plan(request(), plan) == []


def test_without_an_end_the_vehicle_returns_to_its_start() -> None:
    assert check_plan(request(end_index=None), solution()) == []
    plan = solution()
    plan["routes"][0]["distance"] = plan["distance"] = 300
    plan["routes"][0]["duration"] = plan["duration"] = 70
    assert check_plan(request(end_index=3), plan) == []


def test_the_reported_start_is_replayed_and_not_before_the_shift() -> None:
    plan = solution()
    plan["routes"][0].update(start_s=0, end_s=100)
    assert check_plan(request(), plan) == []
    plan["routes"][0].update(start_s=5, end_s=105)
    assert {"arrival", "end_time"} <= set(kinds(check_plan(request(), plan)))
    early = kinds(check_plan(request(shift=[1, 1000]), solution()))  # no start_s: from arrivals
    assert "arrival" in early and "shift_start" not in early
    plan = solution()
    plan["routes"][0].update(start_s=0)
    assert kinds(check_plan(request(shift=[1, 1000]), plan)) == ["shift_start"]


def test_a_job_served_twice() -> None:
    plan = solution()
    stops(plan).append({"job_id": "a"})
    assert "job_served_twice" in kinds(check_plan(request(), plan))


def test_a_job_served_and_listed_unassigned() -> None:
    plan = solution()
    plan["unassigned"] = [{"job_id": "a", "reason": "time window"}]
    assert kinds(check_plan(request(), plan)) == ["job_served_twice"]


def test_a_job_neither_served_nor_unassigned() -> None:
    plan = solution()
    del stops(plan)[2]
    found = check_plan(request(), plan)
    assert "job_missing" in kinds(found)
    assert [v.job_id for v in found if v.kind == "job_missing"] == ["c"]


def test_a_required_job_unassigned_needs_a_reason_an_optional_one_does_not() -> None:
    plan = solution()
    del stops(plan)[2]
    plan["unassigned"] = [{"job_id": "c", "reason": None}]
    assert "unassigned_without_reason" in kinds(check_plan(request(), plan))
    plan["unassigned"] = [{"job_id": "c", "reason": "no vehicle has the skills"}]
    assert "unassigned_without_reason" not in kinds(check_plan(request(), plan))
    optional = request()
    optional["jobs"][2]["optional_penalty"] = 500
    plan["unassigned"] = [{"job_id": "c"}]
    assert "unassigned_without_reason" not in kinds(check_plan(optional, plan))


def test_unknown_jobs_and_vehicles() -> None:
    plan = solution()
    stops(plan)[0]["job_id"] = "zz"
    assert "unknown_job" in kinds(check_plan(request(), plan))
    plan = solution()
    plan["routes"][0]["vehicle"] = "lorry"
    assert "unknown_vehicle" in kinds(check_plan(request(), plan))


def test_a_missed_window() -> None:
    late = request(shift=[150, 1000])  # leaves at 150: b (windows close at 200) is fine, ...
    late["jobs"][0]["time_windows"] = [[0, 100]]  # ... but a's closed at 100
    plan = solution()
    for stop, (arrival, departure) in zip(
        stops(plan), [(160, 165), (175, 180), (190, 195)], strict=True
    ):
        stop["arrival_s"], stop["departure_s"] = arrival, departure
    plan["routes"][0]["duration"] = plan["duration"] = 75
    found = check_plan(late, plan)
    assert kinds(found) == ["time_window"]
    assert found[0].job_id == "a"


def test_capacity_in_any_dimension() -> None:
    found = check_plan(request(capacity=[10, 1]), solution())
    assert kinds(found) == ["capacity"]
    assert "dimension 1" in found[0].message


def test_the_shift_end_and_the_maximum_duration() -> None:
    assert kinds(check_plan(request(shift=[0, 99]), solution())) == ["shift_end"]
    assert kinds(check_plan(request(max_duration_s=99), solution())) == ["max_duration"]


def test_missing_skills() -> None:
    found = check_plan(request(skills=[]), solution())
    assert kinds(found) == ["skills"]
    assert found[0].job_id == "c"


def test_a_vehicle_used_more_than_its_count() -> None:
    def routes(*names: str) -> dict[str, Any]:
        orders = [["a"], ["b", "c"], []]
        return {
            "routes": [
                {"vehicle": name, "stops": [{"job_id": j} for j in order]}
                for name, order in zip(names, orders, strict=False)
            ],
            "unassigned": [],
        }

    assert set(kinds(check_plan(request(), routes("van", "van")))) == {"vehicle_count"}
    assert check_plan(request(count=2), routes("van#1", "van#2")) == []
    assert check_plan(request(count=2), routes("van#2", "van#1", "van#1")) == []  # one is empty
    assert set(kinds(check_plan(request(count=2), routes("van#1", "van#1")))) == {"vehicle_count"}
    assert set(kinds(check_plan(request(count=2), routes("van#1", "van#3")))) == {"vehicle_count"}


def test_a_break_is_a_stop_at_its_place_within_its_window() -> None:
    rested = request(**{"break": {"duration_s": 20, "time_window": [70, 90], "location_index": 3}})
    plan = solution()
    stops(plan).append({"job_id": "break:van", "arrival_s": 70, "departure_s": 90, "load": [0, 0]})
    plan["routes"][0]["duration"] = plan["duration"] = 120
    assert check_plan(rested, plan) == []
    stops(plan)[2:] = stops(plan)[2:][::-1]  # the break first: c arrives at 90+0
    assert "time_window" not in kinds(check_plan(rested, plan))
    late = request(**{"break": {"duration_s": 20, "time_window": [0, 60], "location_index": 3}})
    assert "time_window" in kinds(check_plan(late, plan))
    assert kinds(check_plan(rested, solution())) == ["break"]  # driving, and no break
    skipped = solution()
    skipped["unassigned"] = [{"job_id": "break:van", "reason": "time_window_unreachable"}]
    assert check_plan(rested, skipped) == []
    other = solution()
    stops(other).append({"job_id": "break:lorry"})
    assert "break" in kinds(check_plan(rested, other))


def test_reported_figures_that_disagree_with_the_replay() -> None:
    cases: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("arrival", lambda p: stops(p)[1].update(arrival_s=26)),
        ("departure", lambda p: stops(p)[1].update(departure_s=54)),
        ("load", lambda p: stops(p)[0].update(load=[7, 1])),
        ("distance", lambda p: p["routes"][0].update(distance=601)),
        ("duration", lambda p: p["routes"][0].update(duration=101)),
        ("total", lambda p: p.update(distance=700)),
    ]
    for kind, change in cases:
        plan = solution()
        change(plan)
        found = kinds(check_plan(request(), plan))
        assert kind in found, (kind, found)


def test_malformed_plans_are_one_violation_not_an_exception() -> None:
    no_matrix = request()
    del no_matrix["matrix"]
    assert kinds(check_plan(no_matrix, solution())) == ["malformed"]
    outside = request()
    outside["jobs"][0]["location_index"] = 9
    assert kinds(check_plan(outside, solution())) == ["malformed"]
    plan = solution()
    stops(plan)[0]["arrival_s"] = "soon"
    assert kinds(check_plan(request(), plan)) == ["malformed"]


def test_the_matrix_may_come_from_the_solutions_travel() -> None:
    given_points = request()
    del given_points["matrix"]
    for job in given_points["jobs"]:
        del job["location_index"]
    del given_points["vehicles"][0]["start_index"]
    plan = solution()
    travel = {
        "source": "haversine",
        "distances": DISTANCES,
        "durations": DURATIONS,
        "job_indices": {"a": 1, "b": 2, "c": 3},
        "vehicle_indices": {"van": [0, 0]},
    }
    assert check_plan(given_points, plan, travel) == []
    plan["travel"] = travel
    assert check_plan(given_points, plan) == []


# the property ----------------------------------------------------------------------------------
def brute(
    request: dict[str, Any], routes: list[tuple[str, list[str]]]
) -> tuple[dict[str, Any], set[str]]:
    """The solution with every figure recomputed the plain way, and which rules it breaks."""
    matrix = request["matrix"]
    jobs = {j["id"]: j for j in request["jobs"]}
    vehicles = {v["id"]: v for v in request["vehicles"]}
    broken: set[str] = set()
    answered = []
    taken: dict[str, int] = {}
    for vehicle_id, route in routes:
        vehicle = vehicles[vehicle_id]
        taken[vehicle_id] = taken.get(vehicle_id, 0) + 1
        if taken[vehicle_id] > vehicle["count"]:
            broken.add("vehicle_count")
        one = vehicle["count"] == 1
        name = vehicle_id if one else f"{vehicle_id}#{taken[vehicle_id]}"
        here, clock, metres = vehicle["start_index"], vehicle["shift"][0], 0
        total = [sum(jobs[j]["demand"][k] for j in route) for k in range(2)]
        if any(t > c for t, c in zip(total, vehicle["capacity"], strict=True)):
            broken.add("capacity")
        carried = list(total)
        reported = []
        for job_id in route:
            job = jobs[job_id]
            arrival = clock + matrix["durations"][here][job["location_index"]]
            metres += matrix["distances"][here][job["location_index"]]
            starts = [max(arrival, o) for o, c in job["time_windows"] if max(arrival, o) <= c]
            if job["time_windows"] and not starts:
                broken.add("time_window")
            start = min(starts) if starts else arrival
            clock = start + job["service_s"]
            carried = [c - d for c, d in zip(carried, job["demand"], strict=True)]
            if not set(job["skills"]) <= set(vehicle["skills"]):
                broken.add("skills")
            reported.append(
                {"job_id": job_id, "arrival_s": arrival, "departure_s": clock, "load": carried}
            )
            here = job["location_index"]
        clock += matrix["durations"][here][vehicle["end_index"]]
        metres += matrix["distances"][here][vehicle["end_index"]]
        if clock > vehicle["shift"][1]:
            broken.add("shift_end")
        if clock - vehicle["shift"][0] > vehicle["max_duration_s"]:
            broken.add("max_duration")
        answered.append(
            {
                "vehicle": name,
                "start_s": vehicle["shift"][0],
                "end_s": clock,
                "stops": reported,
                "distance": metres,
                "duration": clock - vehicle["shift"][0],
            }
        )
    served = {j for _, r in routes for j in r}
    unassigned = [{"job_id": j, "reason": "left out"} for j in jobs if j not in served]
    return {"routes": answered, "unassigned": unassigned}, broken


@st.composite
def plans(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[str, list[str]]]]:
    places = draw(st.integers(2, 5))
    cell = st.integers(0, 30)
    durations = [[0 if i == j else draw(cell) for j in range(places)] for i in range(places)]
    distances = [[0 if i == j else draw(cell) for j in range(places)] for i in range(places)]
    skill = st.lists(st.sampled_from(["fridge", "lift"]), max_size=2, unique=True)
    jobs = []
    for n in range(draw(st.integers(1, 6))):
        opens = sorted(draw(st.lists(st.integers(0, 120), max_size=4, unique=True)))
        windows = [[opens[i], opens[i + 1]] for i in range(0, len(opens) - 1, 2)]
        jobs.append(
            {
                "id": f"j{n}",
                "location_index": draw(st.integers(1, places - 1)),
                "demand": [draw(st.integers(0, 5)), draw(st.integers(0, 5))],
                "service_s": draw(st.integers(0, 10)),
                "time_windows": windows,
                "skills": draw(skill),
            }
        )
    vehicles = []
    for n in range(draw(st.integers(1, 2))):
        start = draw(st.integers(0, 60))
        vehicles.append(
            {
                "id": f"v{n}",
                "start_index": draw(st.integers(0, places - 1)),
                "end_index": draw(st.integers(0, places - 1)),
                "capacity": [draw(st.integers(0, 15)), draw(st.integers(0, 15))],
                "shift": [start, start + draw(st.integers(0, 200))],
                "count": draw(st.integers(1, 2)),
                "max_duration_s": draw(st.integers(0, 200)),
                "skills": draw(skill),
            }
        )
    job_ids: list[str] = [f"j{n}" for n in range(len(jobs))]
    vehicle_ids: list[str] = [f"v{n}" for n in range(len(vehicles))]
    order = draw(st.permutations(job_ids))
    rest = list(order)
    routes: list[tuple[str, list[str]]] = []
    while rest:
        if not draw(st.booleans()):
            break
        size = draw(st.integers(1, len(rest)))
        routes.append((draw(st.sampled_from(vehicle_ids)), rest[:size]))
        rest = rest[size:]
    problem = {
        "vehicles": vehicles,
        "jobs": jobs,
        "matrix": {"distances": distances, "durations": durations},
    }
    return problem, routes


@settings(max_examples=300, deadline=None)
@given(plans())
def test_the_verdict_matches_a_brute_recomputation(
    case: tuple[dict[str, Any], list[tuple[str, list[str]]]],
) -> None:
    problem, routes = case
    answer, broken = brute(problem, routes)
    assert set(kinds(check_plan(problem, answer))) == broken


@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_any_changed_figure_is_noticed(
    case: tuple[dict[str, Any], list[tuple[str, list[str]]]], data: st.DataObject
) -> None:
    problem, routes = case
    answer, _ = brute(problem, routes)
    figures = [
        (route, key)
        for route in answer["routes"]
        for key in ("start_s", "end_s", "distance", "duration")
    ] + [
        (stop, key)
        for route in answer["routes"]
        for stop in route["stops"]
        for key in ("arrival_s", "departure_s")
    ]
    if not figures:
        return
    target, key = data.draw(st.sampled_from(figures))
    target[key] += data.draw(st.sampled_from([-1, 1, 7]))
    assert set(kinds(check_plan(problem, answer))) & {
        "arrival",
        "departure",
        "distance",
        "duration",
        "end_time",
    }


# the API's own answers ---------------------------------------------------------------------------
def mixed_plan(seed: int) -> dict[str, Any]:
    """Points (travel computed by the API), two capacity dimensions, several windows, skills,
    a vehicle count, a located break, a maximum duration and optional jobs."""
    rng = random.Random(seed)

    def point() -> dict[str, float]:
        return {"lat": 60.15 + rng.random() * 0.06, "lon": 24.88 + rng.random() * 0.12}

    depot = {"lat": 60.17, "lon": 24.94}
    jobs = []
    for n in range(30):
        opens = rng.randrange(0, 20_000)
        windows = [[opens, opens + rng.randrange(1_800, 7_200)]]
        if rng.random() < 0.3:
            windows.append([windows[0][1] + 3_600, windows[0][1] + 9_000])
        job: dict[str, Any] = {
            "id": f"job-{n}",
            "location": point(),
            "demand": [rng.randrange(0, 4), rng.randrange(0, 2)],
            "service_s": rng.randrange(60, 600),
            "time_windows": windows,
        }
        if rng.random() < 0.2:
            job["skills"] = ["fridge"]
        if rng.random() < 0.2:
            job["optional_penalty"] = rng.randrange(100, 5_000)
        jobs.append(job)
    return {
        "name": f"Mixed {seed}",
        "objective": "duration",
        "time_limit_s": 1,
        "vehicles": [
            {
                "id": "van",
                "start": depot,
                "capacity": [12, 5],
                "shift": [0, 30_000],
                "count": 3,
                "skills": ["fridge"],
                "max_duration_s": 20_000,
            },
            {
                "id": "bike",
                "start": depot,
                "end": point(),
                "capacity": [4, 1],
                "shift": [3_600, 25_000],
                "break": {"duration_s": 1_800, "time_window": [10_000, 16_000], "location": depot},
            },
        ],
        "jobs": jobs,
    }


async def test_the_apis_answers_pass_the_independent_check(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    async with running_worker(settings) as (_, recorder):
        requests = {
            await create(live_client, headers, mixed_plan(s)): mixed_plan(s) for s in (1, 2)
        }
        for plan_id, request in requests.items():
            await solved(live_client, headers, recorder, plan_id)
            got = await live_client.get(f"{PLANS}/{plan_id}?include=matrix", headers=headers)
            plan = got.json()
            assert plan["status"] == "solved", plan
            assert check_plan(request, plan["solution"], plan["travel"]) == []
            served = [s for route in plan["solution"]["routes"] for s in route["stops"]]
            assert len(served) >= 10
