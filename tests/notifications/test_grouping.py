"""A burst of identical alerts reaches each member as one notification with a count: in the
app, and as one e-mail received by a real SMTP server."""

from __future__ import annotations

from fleetyard.auth.roles import Role
from tests.factories import member_session
from tests.notifications.conftest import Desk


async def test_a_burst_of_1000_identical_alerts_is_one_notification_per_member(desk: Desk) -> None:
    await desk.setup_email(desk.a, desk.smtp_port)
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER, "Maija Manager")
    mechanic = await member_session(desk.client, desk.a, Role.MECHANIC)
    response = await desk.client.put(
        "/api/v1/notification-settings",
        json={"channels": [{"channel": "email", "enabled": True}]},
        headers=manager.headers,
    )
    assert response.status_code == 200, response.text
    vehicle = await desk.vehicle(desk.a, plate="BRST-1")
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle, times=1000)
    await desk.smtp.wait_for(1)
    await desk.settled()

    # one e-mail (the manager turned e-mail on), saying how many alerts it stands for
    assert len(desk.smtp.messages) == 1
    mail = desk.smtp.messages[0]
    assert mail["Subject"] == "[Fleetyard] 1,000 alerts: Diagnostic trouble code P0301"
    text = desk.smtp.text(mail)
    assert "1,000 identical alerts" in text
    assert "P0301" in text
    # one in-app notification per member who handles alerts (owner, manager, mechanic)
    rows = await desk.notifications(desk.a)
    assert len(rows) == 3
    assert {r["alert_count"] for r in rows} == {1000}
    for session in (manager, mechanic):
        listed = await desk.client.get("/api/v1/notifications", headers=session.headers)
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["items"]
        assert item["alert_count"] == 1000
        assert item["title"] == "1,000 alerts: Diagnostic trouble code P0301"
        assert item["read_at"] is None
    deliveries = await desk.fetch(
        "select * from notification_deliveries where tenant_id = $1", desk.a.id
    )
    assert [(d["channel"], d["status"], d["alert_count"]) for d in deliveries] == [
        ("email", "succeeded", 1000)
    ]


async def test_read_and_unread(desk: Desk) -> None:
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    vehicle = await desk.vehicle(desk.a)
    await desk.dispatcher()
    await desk.raise_alerts(desk.a, vehicle, code="P0420")
    await desk.raise_alerts(desk.a, vehicle, kind="fuel_low", code="")
    await desk.settled()

    count = await desk.client.get("/api/v1/notifications/unread-count", headers=manager.headers)
    assert count.json() == {"unread": 2}
    items = (await desk.client.get("/api/v1/notifications", headers=manager.headers)).json()[
        "items"
    ]
    read = await desk.client.post(
        f"/api/v1/notifications/{items[0]['id']}/read", headers=manager.headers
    )
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = await desk.client.get(
        "/api/v1/notifications", params={"unread": True}, headers=manager.headers
    )
    assert [i["id"] for i in unread.json()["items"]] == [items[1]["id"]]
    everything = await desk.client.post("/api/v1/notifications/read-all", headers=manager.headers)
    assert everything.json() == {"marked": 1}
    # someone else's notification is not yours to read
    other = await member_session(desk.client, desk.a, Role.DISPATCHER)
    missing = await desk.client.post(
        f"/api/v1/notifications/{items[0]['id']}/read", headers=other.headers
    )
    assert missing.status_code == 404
    # an API key has no inbox, nor settings
    keyed = await desk.client.get("/api/v1/notifications", headers=desk.a.owner)
    assert keyed.status_code == 200 and keyed.json()["items"] == []
    settings = await desk.client.get("/api/v1/notification-settings", headers=desk.a.owner)
    assert settings.status_code == 403 and settings.json()["error"]["code"] == "member_only"
