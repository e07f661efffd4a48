"""The dispatcher keeps its state in tables: a dispatcher stopped mid-way leaves nothing
lost or doubled for the next one; an assignment notifies the assignee."""

from __future__ import annotations

from fleetyard.auth.roles import Role
from tests.factories import member_session
from tests.notifications.conftest import Desk


async def test_a_new_dispatcher_carries_on_where_one_stopped(desk: Desk) -> None:
    await desk.setup_email(desk.a, desk.smtp_port)
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    await desk.client.put(
        "/api/v1/notification-settings",
        json={"channels": [{"channel": "email", "enabled": True}]},
        headers=manager.headers,
    )
    vehicle = await desk.vehicle(desk.a)
    # a long gathering delay: the first dispatcher routes, then stops before the release
    first = await desk.dispatcher(notification_gather_s=30.0)
    await desk.raise_alerts(desk.a, vehicle, code="P0113", times=40)
    await desk.rounds(2)
    await first.stop()
    desk.dispatchers.remove(first)
    [held] = [r for r in await desk.notifications(desk.a) if r["user_id"] != desk.owner_user_id]
    assert held["alert_count"] == 40 and held["released_at"] is None

    # more of the same while nobody runs; then a new process, later
    await desk.raise_alerts(desk.a, vehicle, code="P0113", times=10)
    desk.clock.set_to(held["due_at"])
    await desk.dispatcher()
    await desk.smtp.wait_for(1)
    await desk.settled()

    assert len(desk.smtp.messages) == 1
    assert desk.smtp.messages[0]["Subject"].startswith("[Fleetyard] 50 alerts:")
    rows = [r for r in await desk.notifications(desk.a) if r["user_id"] != desk.owner_user_id]
    assert [(r["alert_count"], r["released_at"] is not None) for r in rows] == [(50, True)]


async def test_an_assignment_notifies_the_assignee(desk: Desk) -> None:
    mechanic = await member_session(desk.client, desk.a, Role.MECHANIC, "Mikko Mechanic")
    vehicle = await desk.vehicle(desk.a, plate="ASG-1")
    await desk.dispatcher()
    [alert_id] = await desk.raise_alerts(desk.a, vehicle, kind="fuel_low", code="")
    await desk.settled()

    assigned = await desk.client.post(
        f"/api/v1/alerts/{alert_id}/assign",
        json={"user_id": mechanic.user_id},
        headers=desk.owner_session.headers,
    )
    assert assigned.status_code == 200, assigned.text
    await desk.settled()

    items = (await desk.client.get("/api/v1/notifications", headers=mechanic.headers)).json()[
        "items"
    ]
    assert [i["reason"] for i in items] == ["assigned", "alert"]
    assert items[0]["title"] == "Assigned to you: Fuel low on ASG-1"
    # the owner who assigned gets no notice of their own act
    owner_items = (
        await desk.client.get("/api/v1/notifications", headers=desk.owner_session.headers)
    ).json()["items"]
    assert [i["reason"] for i in owner_items] == ["alert"]
