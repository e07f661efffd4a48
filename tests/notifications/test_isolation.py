"""Two tenants on one dispatcher and one SMTP server: each tenant's alerts reach only its
own members, through its own settings; one tenant's notifications, rules and alerts are
not found by the other."""

from __future__ import annotations

from fleetyard.auth.roles import Role
from tests.factories import member_session
from tests.notifications.conftest import Desk


async def test_two_tenants_never_mix(desk: Desk) -> None:
    await desk.setup_email(desk.a, desk.smtp_port)
    await desk.setup_email(desk.b, desk.smtp_port)
    ours = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    theirs = await member_session(desk.client, desk.b, Role.FLEET_MANAGER)
    for member in (ours, theirs):
        chosen = await desk.client.put(
            "/api/v1/notification-settings",
            json={"channels": [{"channel": "email", "enabled": True}]},
            headers=member.headers,
        )
        assert chosen.status_code == 200
    rule = await desk.rule(desk.a, kind="dtc", dedupe_window_s=60)
    vehicle_a = await desk.vehicle(desk.a, plate="ISO-A")
    vehicle_b = await desk.vehicle(desk.b, plate="ISO-B")
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle_a, code="P0700", times=5)
    await desk.raise_alerts(desk.b, vehicle_b, code="P0700", times=2)
    await desk.smtp.wait_for(2)
    await desk.settled()

    assert len(desk.smtp.messages) == 2
    [mail_a] = [m for m in desk.smtp.messages if "5 alerts" in m["Subject"]]
    [mail_b] = [m for m in desk.smtp.messages if "2 alerts" in m["Subject"]]
    emails_a = {
        m["email"] for m in (await desk.client.get("/api/v1/members", headers=desk.a.owner)).json()
    }
    emails_b = {
        m["email"] for m in (await desk.client.get("/api/v1/members", headers=desk.b.owner)).json()
    }
    assert mail_a["To"] in emails_a and mail_b["To"] in emails_b
    assert "ISO-B" not in desk.smtp.text(mail_a) and "ISO-A" not in desk.smtp.text(mail_b)
    rows_a = await desk.notifications(desk.a)
    rows_b = await desk.notifications(desk.b)
    assert {r["alert_count"] for r in rows_a} == {5}
    assert {r["alert_count"] for r in rows_b} == {2}
    assert {str(r["rule_id"]) for r in rows_a} == {rule["id"]}
    assert {r["rule_id"] for r in rows_b} == {None}  # A's rule is not B's

    mine = (await desk.client.get("/api/v1/notifications", headers=ours.headers)).json()["items"]
    assert [i["alert_count"] for i in mine] == [5]
    foreign = await desk.client.post(
        f"/api/v1/notifications/{mine[0]['id']}/read", headers=theirs.headers
    )
    assert foreign.status_code == 404
    assert (
        await desk.client.get(f"/api/v1/alert-rules/{rule['id']}", headers=desk.b.owner)
    ).status_code == 404
    comment = await desk.client.post(
        f"/api/v1/alerts/{mine[0]['alert_id']}/comments", json={"body": "x"}, headers=desk.b.owner
    )
    assert comment.status_code == 404
