"""What the rules decide: quiet hours in the tenant's zone hold non-critical notifications
until they end; an alert not acknowledged in time is escalated once; a rule's scope (a
group and its subgroups, a vehicle) picks the most specific rule; each member's preferences
pick the channels."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fleetyard.auth.roles import Role
from fleetyard.telematics.rules.conditions import Severity
from tests.factories import member_session
from tests.notifications.conftest import Desk

HELSINKI = ZoneInfo("Europe/Helsinki")


def next_local(hour: int, minute: int = 0) -> datetime:
    """Tomorrow at this local time in Helsinki (always ahead of the real clock)."""
    tomorrow = datetime.now(HELSINKI).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, minute, tzinfo=HELSINKI)


async def test_quiet_hours_hold_non_critical_notifications_until_they_end(desk: Desk) -> None:
    zone = await desk.client.patch(
        "/api/v1/tenant", json={"time_zone": "Europe/Helsinki"}, headers=desk.a.owner
    )
    assert zone.status_code == 200 and zone.json()["time_zone"] == "Europe/Helsinki"
    quiet = {"start": "22:00", "end": "06:00"}
    await desk.rule(desk.a, kind="dtc", quiet_hours=quiet)
    await desk.rule(desk.a, kind="coolant_high", quiet_hours=quiet)
    vehicle = await desk.vehicle(desk.a)
    desk.clock.set_to(next_local(23, 30))
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle, code="P0300")
    await desk.raise_alerts(
        desk.a, vehicle, kind="coolant_high", code="", severity=Severity.CRITICAL
    )
    await desk.settled()

    rows = {r["kind"]: r for r in await desk.notifications(desk.a)}
    assert rows["coolant_high"]["released_at"] is not None  # critical: never held
    held = rows["dtc"]
    assert held["released_at"] is None
    morning = next_local(6) + timedelta(days=1)
    assert held["due_at"] == morning
    listed = await desk.client.get("/api/v1/notifications", headers=desk.owner_session.headers)
    assert [i["kind"] for i in listed.json()["items"]] == ["coolant_high"]

    desk.clock.set_to(morning + timedelta(seconds=1))
    await desk.settled()
    [released] = [r for r in await desk.notifications(desk.a) if r["kind"] == "dtc"]
    assert released["released_at"] >= morning
    listed = await desk.client.get("/api/v1/notifications", headers=desk.owner_session.headers)
    assert {i["kind"] for i in listed.json()["items"]} == {"dtc", "coolant_high"}


async def test_an_unacknowledged_alert_escalates_once(desk: Desk) -> None:
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER, "Eetu Escalation")
    await desk.rule(desk.a, kind="dtc", escalation={"after_minutes": 5, "to": [manager.user_id]})
    vehicle = await desk.vehicle(desk.a)
    other = await desk.vehicle(desk.a)
    # two schedulers race for the same alerts
    await desk.dispatcher()
    await desk.dispatcher()
    [ignored] = await desk.raise_alerts(desk.a, vehicle, code="P0128")
    [handled] = await desk.raise_alerts(desk.a, other, code="P0128")
    await desk.settled()
    acknowledged = await desk.client.post(
        f"/api/v1/alerts/{handled}/acknowledge", headers=desk.a.owner
    )
    assert acknowledged.status_code == 200

    desk.clock.advance(timedelta(minutes=6))
    await desk.settled()
    await desk.rounds(3)

    events = await desk.fetch(
        "select entity_id, changes from events where tenant_id = $1 and type = 'alert_escalated'",
        desk.a.id,
    )
    assert [e["entity_id"] for e in events] == [ignored]
    escalations = [r for r in await desk.notifications(desk.a) if r["reason"] == "escalation"]
    assert [(str(r["user_id"]), r["alert_id"]) for r in escalations] == [(manager.user_id, ignored)]
    alert = await desk.client.get(f"/api/v1/alerts/{ignored}", headers=desk.a.owner)
    assert alert.json()["escalated_at"] is not None
    listed = await desk.client.get("/api/v1/notifications", headers=manager.headers)
    titles = [i["title"] for i in listed.json()["items"]]
    assert any(t.startswith("Not acknowledged: ") for t in titles)


async def test_the_most_specific_rule_decides(desk: Desk) -> None:
    north = await desk.group(desk.a, "North")
    north_depot = await desk.group(desk.a, "North depot", parent_id=north)
    silenced = await desk.vehicle(desk.a, group_id=str(north_depot))
    special = await desk.vehicle(desk.a, group_id=str(north_depot))
    elsewhere = await desk.vehicle(desk.a)
    await desk.rule(desk.a, kind="dtc", enabled=False, group_ids=[str(north)])
    await desk.rule(desk.a, kind="dtc", severity="critical", vehicle_ids=[str(special)])
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, silenced, code="P0500")
    await desk.raise_alerts(desk.a, special, code="P0501")
    await desk.raise_alerts(desk.a, elsewhere, code="P0502")
    await desk.settled()

    rows = await desk.notifications(desk.a)
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"P0501", "P0502"}
    assert by_code["P0501"]["severity"] == "critical"
    assert by_code["P0502"]["severity"] == "warning"


async def test_each_member_gets_what_they_chose(desk: Desk) -> None:
    await desk.setup_email(desk.a, desk.smtp_port)
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    mechanic = await member_session(desk.client, desk.a, Role.MECHANIC)
    viewer = await member_session(desk.client, desk.a, Role.VIEWER)
    choices = {
        manager.user_id: [
            {"channel": "in_app", "enabled": False},
            {"channel": "email", "enabled": True, "kinds": ["coolant_high"]},
        ],
        viewer.user_id: [{"channel": "in_app", "enabled": True, "min_severity": "critical"}],
    }
    for member in (manager, viewer):
        response = await desk.client.put(
            "/api/v1/notification-settings",
            json={"channels": choices[member.user_id]},
            headers=member.headers,
        )
        assert response.status_code == 200, response.text
    vehicle = await desk.vehicle(desk.a)
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle, code="P0442")
    await desk.raise_alerts(
        desk.a, vehicle, kind="coolant_high", code="", severity=Severity.CRITICAL
    )
    await desk.smtp.wait_for(1)
    await desk.settled()

    received = {
        (str(r["user_id"]), r["kind"], tuple(r["channels"]))
        for r in await desk.notifications(desk.a)
    }
    owner = str(desk.owner_user_id)
    assert received == {
        (manager.user_id, "coolant_high", ("email",)),
        (mechanic.user_id, "dtc", ("in_app",)),
        (mechanic.user_id, "coolant_high", ("in_app",)),
        (viewer.user_id, "coolant_high", ("in_app",)),
        (owner, "dtc", ("in_app",)),
        (owner, "coolant_high", ("in_app",)),
    }
    [mail] = desk.smtp.messages
    assert mail["Subject"].startswith("[Fleetyard] Coolant too hot on ")
    assert len(desk.smtp.messages) == 1
    # the log says who changed what they receive
    changed = await desk.fetch(
        "select entity_id from events where tenant_id = $1 "
        "and type = 'notification_preferences_updated'",
        desk.a.id,
    )
    assert {str(e["entity_id"]) for e in changed} == {manager.user_id, viewer.user_id}
    assert uuid.UUID(manager.user_id)
