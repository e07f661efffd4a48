"""Alerts end to end: fixes through a real IngestPipeline with the rules handler, alerts and
events in PostgreSQL, then the API (live, committed data; each test has its own tenant)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fleetyard.auth.roles import Role
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from tests.alerts.feeding import Feeder, fix
from tests.conftest import Tenants
from tests.telematics.conftest import Tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def coolant(tracked: Tracked, seconds: int, value: float) -> Position:
    return fix(tracked, at(seconds), **{attr.COOLANT_TEMP_C: value})


def dtcs(tracked: Tracked, seconds: int, *codes: str) -> Position:
    reading: dict[str, Any] = {attr.DTCS: list(codes)}
    return fix(tracked, at(seconds), **reading)


async def list_alerts(
    client: httpx.AsyncClient, tracked: Tracked, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/alerts",
        params={"vehicle_id": str(tracked.vehicle_id), **params},
        headers=tracked.tenant.as_(Role.VIEWER),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_alert_opens_once_and_clears_with_hysteresis(
    feeder: Feeder, tracked: Tracked
) -> None:
    await feeder.feed(
        tracked, [coolant(tracked, 0, 100), coolant(tracked, 10, 112), coolant(tracked, 20, 115)]
    )
    await feeder.feed(tracked, [coolant(tracked, 30, 113)])  # another batch: the same alert
    await feeder.feed(tracked, [coolant(tracked, 40, 108)])  # between 105 and 110: holds
    (alert,) = await feeder.alerts(tracked)
    assert (alert["kind"], alert["code"], alert["severity"]) == ("coolant_high", "", "critical")
    assert alert["message"] == "Coolant temperature 112 °C is above 110 °C."
    assert (alert["opened_at"], alert["last_seen_at"]) == (at(10), at(30))
    assert alert["device_id"] == tracked.device_id
    assert alert["cleared_at"] is None

    await feeder.feed(tracked, [coolant(tracked, 50, 103)])
    await feeder.feed(tracked, [coolant(tracked, 60, 111)])  # a new episode: a new alert
    first, second = await feeder.alerts(tracked)
    assert first["id"] == alert["id"] and first["cleared_at"] == at(50)
    assert second["opened_at"] == at(60) and second["cleared_at"] is None

    events = await feeder.events(tracked)
    assert [(e["type"], e["entity_id"]) for e in events] == [
        ("alert_opened", alert["id"]),
        ("alert_cleared", alert["id"]),
        ("alert_opened", second["id"]),
    ]
    assert {e["actor_type"] for e in events} == {"system"}
    assert {e["actor_id"] for e in events} == {None}


async def test_dtcs_open_per_code_and_clear_when_no_longer_reported(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient
) -> None:
    await feeder.feed(
        tracked, [dtcs(tracked, 0, "P0301", "P0420"), dtcs(tracked, 10, "p0420", "P0301")]
    )
    await feeder.feed(tracked, [coolant(tracked, 15, 90)])  # no DTC list: codes untouched
    assert len(await list_alerts(live_client, tracked, state="open")) == 2
    await feeder.feed(tracked, [dtcs(tracked, 20, "P0301", "NOT-A-DTC")])

    (still_open,) = await list_alerts(live_client, tracked, state="open")
    assert (still_open["kind"], still_open["code"], still_open["severity"]) == (
        "dtc",
        "P0301",
        "warning",
    )
    assert still_open["message"] == "P0301: Misfire detected in cylinder 1"
    assert still_open["details"]["description"] == "Misfire detected in cylinder 1"
    assert still_open["state"] == "open"
    (cleared,) = await list_alerts(live_client, tracked, state="cleared")
    assert cleared["code"] == "P0420" and cleared["state"] == "cleared"
    assert cleared["cleared_at"] == at(20).isoformat().replace("+00:00", "Z")
    assert len(await list_alerts(live_client, tracked, kind="dtc")) == 2
    assert await list_alerts(live_client, tracked, kind="fuel_low") == []

    opened = [e for e in await feeder.events(tracked) if e["type"] == "alert_opened"]
    assert len(opened) == 2  # the repeated readings opened nothing more


async def test_invalid_fixes_are_stored_but_kept_out_of_alerts(
    feeder: Feeder, tracked: Tracked
) -> None:
    await feeder.feed(tracked, [dtcs(tracked, 0, "P0171")])
    island = Position(
        tracked.unique_id,
        "teltonika",
        at(10),
        0.0,
        0.0,
        attributes={attr.COOLANT_TEMP_C: 130, attr.FUEL_LEVEL_PCT: 2, attr.DTCS: []},
    )
    no_fix = dtcs(tracked, 20)
    no_fix.valid = False  # the device itself says the fix is bad
    await feeder.feed(tracked, [island, no_fix])

    (alert,) = await feeder.alerts(tracked)
    assert (alert["code"], alert["cleared_at"]) == ("P0171", None)
    stored = await feeder.fetch(
        tracked.tenant.id,
        "select valid from positions where vehicle_id = $1 order by fix_time",
        tracked.vehicle_id,
    )
    assert [r["valid"] for r in stored] == [True, False, False]


async def test_acknowledge_and_the_standard_scenarios(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    await feeder.feed(tracked, [fix(tracked, at(0), **{attr.FUEL_LEVEL_PCT: 6.5})])
    (alert,) = await list_alerts(live_client, tracked)
    assert (alert["kind"], alert["severity"], alert["acknowledged_at"]) == (
        "fuel_low",
        "warning",
        None,
    )
    url = f"/api/v1/alerts/{alert['id']}"
    tenant = tracked.tenant

    assert (await live_client.get("/api/v1/alerts")).status_code == 401
    assert (await live_client.post(f"{url}/acknowledge")).status_code == 401
    for role in (Role.VIEWER, Role.DRIVER):
        denied = await live_client.post(f"{url}/acknowledge", headers=tenant.as_(role))
        assert denied.status_code == 403, role
        assert denied.json()["error"]["code"] == "permission_denied"

    other = live_tenants.b.owner
    assert (await live_client.get(url, headers=other)).status_code == 404
    assert (await live_client.post(f"{url}/acknowledge", headers=other)).status_code == 404
    others_list = await live_client.get("/api/v1/alerts", headers=other)
    assert alert["id"] not in {a["id"] for a in others_list.json()["items"]}
    missing = await live_client.get(f"/api/v1/alerts/{uuid.uuid4()}", headers=tenant.owner)
    assert missing.status_code == 404

    got = await live_client.get(url, headers=tenant.as_(Role.VIEWER))
    assert got.status_code == 200 and got.json() == alert

    first = await live_client.post(f"{url}/acknowledge", headers=tenant.as_(Role.MECHANIC))
    assert first.status_code == 200, first.text
    acked = first.json()
    assert acked["acknowledged_at"] is not None and acked["acknowledged_by"] is not None
    again = await live_client.post(f"{url}/acknowledge", headers=tenant.as_(Role.DISPATCHER))
    assert again.status_code == 200
    assert again.json() == acked  # idempotent: same state, the first acknowledger kept

    assert [a["id"] for a in await list_alerts(live_client, tracked, acknowledged="true")] == [
        alert["id"]
    ]
    assert await list_alerts(live_client, tracked, acknowledged="false") == []

    events = await live_client.get(
        "/api/v1/events",
        params={"entity_type": "alert", "entity_id": alert["id"]},
        headers=tenant.owner,
    )
    assert [(e["type"], e["actor_type"]) for e in events.json()["items"]] == [
        ("alert_acknowledged", "api_key"),
        ("alert_opened", "system"),
    ]
    change = events.json()["items"][0]["changes"]
    assert change["acknowledged_by"] == {"before": None, "after": acked["acknowledged_by"]}


async def test_list_newest_first_with_cursor_paging_and_filters(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient
) -> None:
    codes = ["P0100", "P0101", "P0102", "P0103", "P0104"]
    # each fix adds one code and keeps the earlier ones, so all five stay open
    await feeder.feed(tracked, [dtcs(tracked, i * 10, *codes[: i + 1]) for i in range(5)])
    await feeder.feed(tracked, [coolant(tracked, 60, 125)])
    headers = tracked.tenant.as_(Role.VIEWER)
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"vehicle_id": str(tracked.vehicle_id), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await live_client.get("/api/v1/alerts", params=params, headers=headers)).json()
        seen += [a["code"] or a["kind"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["coolant_high", *reversed(codes)]

    critical = await list_alerts(live_client, tracked, severity="critical")
    assert [a["kind"] for a in critical] == ["coolant_high"]
    assert len(await list_alerts(live_client, tracked, severity="warning", state="open")) == 5
    bad = await live_client.get(
        "/api/v1/alerts", params={"cursor": "not-a-cursor"}, headers=headers
    )
    assert bad.status_code == 422
    wrong_state = await live_client.get(
        "/api/v1/alerts", params={"state": "closed"}, headers=headers
    )
    assert wrong_state.status_code == 422
