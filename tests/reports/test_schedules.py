"""Report schedules over HTTP: CRUD by a manager, read by a viewer, recipients only members,
every change in the event log, another tenant's schedule a 404."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.auth.roles import Role
from tests.reports.conftest import Fleet, build_fleet

BASE = "/api/v1/report-schedules"


def body(fleet: Fleet, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Weekly distance",
        "kind": "daily-summary",
        "format": "xlsx",
        "cadence": "weekly",
        "hour": 6,
        "recipients": [fleet.tracked.tenant.owner_email],
        **overrides,
    }


async def test_crud_and_events(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    owner = fleet.tracked.tenant.owner
    created = await live_client.post(BASE, json=body(fleet), headers=owner)
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["recipients"] == [fleet.tracked.tenant.owner_email.lower()]
    viewer = fleet.tracked.tenant.as_(Role.VIEWER)
    listed = await live_client.get(BASE, headers=viewer)
    assert [s["id"] for s in listed.json()] == [schedule["id"]]
    denied = await live_client.post(BASE, json=body(fleet), headers=viewer)
    assert denied.status_code == 403
    changed = await live_client.put(
        f"{BASE}/{schedule['id']}", json=body(fleet, cadence="daily", hour=7), headers=owner
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.json()["next_run_at"] != schedule["next_run_at"]
    runs = await live_client.get(f"{BASE}/{schedule['id']}/runs", headers=viewer)
    assert runs.status_code == 200 and runs.json() == []
    deleted = await live_client.delete(f"{BASE}/{schedule['id']}", headers=owner)
    assert deleted.status_code == 204
    assert (await live_client.get(f"{BASE}/{schedule['id']}", headers=owner)).status_code == 404
    events = await live_client.get(
        "/api/v1/events", params={"entity_type": "report_schedule"}, headers=owner
    )
    types = [e["type"] for e in events.json()["items"]]
    assert sorted(types) == sorted(
        ["report_schedule_created", "report_schedule_updated", "report_schedule_deleted"]
    )


async def test_recipients_must_be_members(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    response = await live_client.post(
        BASE,
        json=body(fleet, recipients=["stranger@example.com"]),
        headers=fleet.tracked.tenant.owner,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["unknown"] == ["stranger@example.com"]


async def test_another_tenants_schedule_is_a_404(
    live_client: httpx.AsyncClient, fleet: Fleet, app_database: Any, database_url: str
) -> None:
    created = await live_client.post(BASE, json=body(fleet), headers=fleet.tracked.tenant.owner)
    other = await build_fleet(app_database, database_url, "reports-b")
    theirs = other.tracked.tenant.owner
    schedule_id = created.json()["id"]
    assert (await live_client.get(f"{BASE}/{schedule_id}", headers=theirs)).status_code == 404
    assert (await live_client.get(f"{BASE}/{schedule_id}/runs", headers=theirs)).status_code == 404
    assert (await live_client.delete(f"{BASE}/{schedule_id}", headers=theirs)).status_code == 404
    assert (await live_client.get(BASE, headers=theirs)).json() == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["name", "kind", "format", "cadence", "hour", "recipients", "filters"]),
        st.one_of(
            st.none(),
            st.integers(-5, 40),
            st.text(max_size=30),
            st.lists(st.text(max_size=10), max_size=3),
        ),
    )
)
async def test_bad_bodies_are_never_a_500(
    live_client: httpx.AsyncClient, fleet: Fleet, overrides: dict[str, Any]
) -> None:
    response = await live_client.post(
        BASE, json=body(fleet, **overrides), headers=fleet.tracked.tenant.owner
    )
    assert response.status_code < 500, response.text
