"""Route plan requests that make no sense are 422s naming the field (never a 500), the
organisation's limits are 4xx naming the limit, and roles decide who queues and who reads."""

from __future__ import annotations

import copy
import math
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.auth.roles import Role
from tests.conftest import Tenants
from tests.routing.plans import PLANS, line_matrix, small_plan


def _locs(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    body = answer.json()["error"]
    assert body["code"] == "validation_failed"
    return [".".join(e["loc"][1:]) for e in body["details"]["errors"]]


def _with(change: str, value: Any) -> dict[str, Any]:
    """small_plan() with the dotted field set to ``value``."""
    body = small_plan()
    *path, last = change.split(".")
    target: Any = body
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body


CASES = [
    # (field changed, its value, the field the 422 names)
    ("matrix.distances.3", [0, 1], "matrix.distances.3"),
    ("matrix.durations", [[0]], "matrix.durations"),
    ("jobs.2.location_index", 99, "jobs.2.location_index"),
    ("vehicles.0.start_index", 9, "vehicles.0.start_index"),
    ("jobs.1.time_windows", [[500, 100]], "jobs.1.time_windows.0"),
    ("jobs.1.time_windows", [[-5, 100]], "jobs.1.time_windows.0.0"),
    ("vehicles.1.shift", [900, 100], "vehicles.1.shift"),
    ("jobs.4.id", "job-1", "jobs.4.id"),
    ("vehicles", [], "vehicles"),
    ("jobs.0.demand", [1, 2], "jobs.0.demand"),
    ("vehicles.1.capacity", [1, 2], "vehicles.1.capacity"),
    ("time_limit_s", 86_400, "time_limit_s"),
    ("objective", "speed", "objective"),
    ("jobs.3.location", {"lat": 60.1, "lon": 24.9}, "jobs.3.location"),
    ("vehicles.0.id", "van#2", "vehicles.0.id"),
    ("jobs.0.demand", [-1], "jobs.0.demand.0"),
]


async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    for field, value, named in CASES:
        answer = await client.post(PLANS, json=_with(field, value), headers=tenants.a.owner)
        assert named in _locs(answer), (field, answer.text)


async def test_coordinates_that_are_no_place_are_refused(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    for bad in ("NaN", "Infinity", "-Infinity", 91.0, -181.0):
        await _refused_at(client, tenants, bad)


async def _refused_at(client: httpx.AsyncClient, tenants: Tenants, bad: Any) -> None:
    body = small_plan()
    del body["matrix"]
    body["vehicles"] = [{"id": "van", "start": {"lat": 60.17, "lon": 24.94}}]
    body["jobs"] = [{"id": "a", "location": {"lat": 60.16, "lon": 24.93}}]
    raw = f'{{"lat": {bad}, "lon": 24.9}}' if isinstance(bad, str) else None
    if raw is None:
        key = "lat" if abs(bad) <= 180 else "lon"
        body["jobs"][0]["location"] = {"lat": 60.0, "lon": 24.9, key: bad}
        answer = await client.post(PLANS, json=body, headers=tenants.a.owner)
    else:
        text = httpx.Request("POST", "/", json=body).content.decode()
        text = text.replace('{"lat": 60.16, "lon": 24.93}', raw).replace(
            '{"lat":60.16,"lon":24.93}', raw
        )
        answer = await client.post(
            PLANS,
            content=text,
            headers={**tenants.a.owner, "Content-Type": "application/json"},
        )
    assert any(loc.startswith("jobs.0.location") for loc in _locs(answer)), answer.text


async def test_a_break_anywhere_on_the_road_is_refused_clearly(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    body = small_plan()
    body["vehicles"][0]["break"] = {"duration_s": 1800, "time_window": [3600, 7200]}
    answer = await client.post(PLANS, json=body, headers=tenants.a.owner)
    errors = answer.json()["error"]["details"]["errors"]
    assert answer.status_code == 422
    assert errors[0]["type"] == "break_not_supported"
    assert errors[0]["loc"] == ["body", "vehicles", "0", "break"]


async def test_a_hundred_thousand_jobs_are_refused_by_size(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    body = small_plan()
    body["jobs"] = [{"id": str(i), "location_index": 1} for i in range(100_000)]
    assert "jobs" in _locs(await client.post(PLANS, json=body, headers=tenants.a.owner))


async def test_the_organisations_limits_are_named(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    body = small_plan(jobs=1)
    body["jobs"] = [{"id": str(i), "location_index": 1} for i in range(2_001)]
    answer = await client.post(PLANS, json=body, headers=tenants.a.owner)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["limit"] == "max_jobs"
    body = small_plan(time_limit_s=301)
    answer = await client.post(PLANS, json=body, headers=tenants.a.owner)
    assert answer.json()["error"]["details"]["limit"] == "max_time_limit_s"
    body = small_plan()
    body["vehicles"][0]["count"] = 200
    answer = await client.post(PLANS, json=body, headers=tenants.a.owner)
    assert answer.json()["error"]["details"]["limit"] == "max_vehicles"
    for _ in range(3):
        assert (await client.post(PLANS, json=small_plan(), headers=tenants.a.owner)).is_success
    answer = await client.post(PLANS, json=small_plan(), headers=tenants.a.owner)
    assert answer.status_code == 409
    assert answer.json()["error"]["details"]["limit"] == "max_concurrent"
    # another organisation's plans are not counted against this one
    assert (await client.post(PLANS, json=small_plan(), headers=tenants.b.owner)).is_success


async def test_roles(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.post(PLANS, json=small_plan())).status_code == 401
    viewer = tenants.a.as_(Role.VIEWER)
    assert (await client.post(PLANS, json=small_plan(), headers=viewer)).status_code == 403
    answer = await client.post(PLANS, json=small_plan(), headers=tenants.a.as_(Role.DISPATCHER))
    assert answer.status_code == 202
    plan_id = answer.json()["id"]
    assert (await client.get(f"{PLANS}/{plan_id}", headers=viewer)).status_code == 200
    assert (await client.post(f"{PLANS}/{plan_id}/cancel", headers=viewer)).status_code == 403
    assert (await client.get(f"{PLANS}/{plan_id}", headers=tenants.b.owner)).status_code == 404
    driver = tenants.a.as_(Role.DRIVER)
    assert (await client.get(PLANS, headers=driver)).status_code == 403


async def test_list_cancel_delete_and_their_events(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    ids = [
        (await client.post(PLANS, json=small_plan(name=f"Plan {n}"), headers=headers)).json()["id"]
        for n in range(3)
    ]
    first = await client.get(PLANS, params={"limit": 2}, headers=headers)
    assert [p["id"] for p in first.json()["items"]] == ids[::-1][:2]
    rest = await client.get(
        PLANS, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    assert [p["id"] for p in rest.json()["items"]] == [ids[0]]
    plan = (await client.get(f"{PLANS}/{ids[0]}", headers=headers)).json()
    assert plan["status"] == "queued" and plan["solution"] is None
    assert plan["request"]["jobs"][0]["id"] == "job-1"
    stale = await client.post(f"{PLANS}/{ids[0]}/cancel", headers={**headers, "If-Match": "7"})
    assert stale.status_code == 409
    cancelled = await client.post(f"{PLANS}/{ids[0]}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["version"] == 2
    again = await client.post(f"{PLANS}/{ids[0]}/cancel", headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    edit = {"routes": [{"vehicle": "van-1", "job_ids": ["job-1"]}]}
    not_yet = await client.post(f"{PLANS}/{ids[1]}/check", json=edit, headers=headers)
    assert not_yet.status_code == 409
    only = await client.get(PLANS, params={"status": "cancelled"}, headers=headers)
    assert [p["id"] for p in only.json()["items"]] == [ids[0]]
    assert (await client.delete(f"{PLANS}/{ids[1]}", headers=headers)).status_code == 204
    assert (await client.get(f"{PLANS}/{ids[1]}", headers=headers)).status_code == 404
    events = await client.get(
        "/api/v1/events", params={"entity_type": "route_plan"}, headers=headers
    )
    types = [(e["type"], e["entity_id"]) for e in events.json()["items"]]
    assert ("route_plan_created", ids[2]) in types
    assert ("route_plan_cancelled", ids[0]) in types
    assert ("route_plan_deleted", ids[1]) in types


FIELD = st.sampled_from(
    ["name", "objective", "time_limit_s", "vehicles", "jobs", "matrix", "extra"]
)
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
PARTS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=8) | st.integers(),
        "start_index": st.integers(-2, 12),
        "location_index": st.integers(-2, 12),
        "capacity": st.lists(st.integers(-2, 5), max_size=3),
        "demand": st.lists(st.integers(-2, 5), max_size=3),
        "time_windows": st.lists(st.lists(st.integers(-10, 100), max_size=3), max_size=3),
        "shift": st.lists(st.integers(-10, 100), max_size=3),
        "skills": st.lists(st.text(max_size=5), max_size=3),
        "count": st.integers(-1, 5),
        "start": st.fixed_dictionaries({"lat": st.floats(), "lon": st.floats()}),
        "location": st.fixed_dictionaries({"lat": st.floats(), "lon": st.floats()}),
        "break": JUNK,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=FIELD,
    junk=JUNK,
    vehicles=st.lists(PARTS, max_size=3),
    jobs=st.lists(PARTS, max_size=4),
    size=st.integers(0, 4),
)
async def test_no_body_is_a_500(
    client: httpx.AsyncClient,
    tenants: Tenants,
    field: str,
    junk: Any,
    vehicles: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    size: int,
) -> None:
    body = copy.deepcopy(small_plan())
    body["vehicles"] = vehicles or body["vehicles"]
    body["jobs"] = jobs or body["jobs"]
    body["matrix"] = line_matrix(size) if size else None
    body[field] = junk
    text = httpx.Request("POST", "/", json=_finite(body)).content
    answer = await client.post(
        PLANS, content=text, headers={**tenants.a.owner, "Content-Type": "application/json"}
    )
    assert answer.status_code in (202, 409, 422), answer.text
    if answer.status_code == 202:  # keep the concurrency limit out of the way
        await client.delete(f"{PLANS}/{answer.json()['id']}", headers=tenants.a.owner)


def _finite(value: Any) -> Any:
    """JSON has no NaN: those go as the largest float instead (still out of range)."""
    if isinstance(value, float) and not math.isfinite(value):
        return 1e308
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
