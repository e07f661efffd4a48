"""Live ETAs from a vehicle's last fix, late stops and leaving the corridor: one alert each,
however many rounds see it, cleared when the cause ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.dispatch.monitor import ETA, Monitor, Round
from fleetyard.kit.ids import TenantId
from fleetyard.routing.travel import travel_matrix
from tests.conftest import Tenants
from tests.dispatch.helpers import JOBS, START, dispatch, set_fix, setup

ROUTES = "/api/v1/dispatch/routes"


async def monitor_round(session: AsyncSession, tenant_id: Any, now: Any) -> Round:
    await set_tenant(session, TenantId(tenant_id))
    outcome = await Monitor(session, TenantId(tenant_id)).run(now)
    await session.commit()
    return outcome


async def alerts_of(session: AsyncSession, tenant_id: Any, kind: str) -> list[Any]:
    await set_tenant(session, TenantId(tenant_id))
    rows = await session.execute(
        text("select code, cleared_at from alerts where kind = :k order by opened_at"), {"k": kind}
    )
    return list(rows.all())


async def test_etas_from_the_last_fix(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(client, tenants.a, s.plan_id)
    route = next(r for r in out["routes"] if r["vehicle"] == "van1")
    now = START + timedelta(minutes=1)
    fix = (60.1699, 24.9384)
    await set_fix(db_session, tenants.a.id, s.vehicles[0], *fix, now)
    outcome = await monitor_round(db_session, tenants.a.id, now)
    assert outcome.routes == 2 - 1  # van2 has no fix yet: nothing to estimate from
    points = [fix, (JOBS[0][1], JOBS[0][2]), (JOBS[1][1], JOBS[1][2])]
    legs = (await travel_matrix(points, tenant_id=tenants.a.id)).durations_s
    first_eta = now + timedelta(seconds=legs[0][1])
    second_eta = first_eta + timedelta(seconds=300 + legs[1][2])
    got = (await client.get(f"{ROUTES}/{route['id']}", headers=tenants.a.owner)).json()
    etas = [st["eta_at"] for st in got["stops"]]
    iso = [t.isoformat().replace("+00:00", "Z") for t in (first_eta, second_eta)]
    assert etas == iso
    assert got["eta_position_at"] == now.isoformat().replace("+00:00", "Z")
    assert got["stops"][0]["late_minutes"] == 0
    item = next(i for i in outcome.live if i.kind == ETA)
    assert item.payload["route_id"] == got["id"] or str(item.payload["route_id"]) == got["id"]
    assert [str(x["stop_id"]) for x in item.payload["stops"]] == [st["id"] for st in got["stops"]]
    live = await client.get("/api/v1/dispatch/live", headers=tenants.a.owner)
    assert live.status_code == 200
    van1 = next(r for d in live.json() for r in d["routes"] if r["route_id"] == route["id"])
    assert (van1["next_stop_name"], van1["completed"], van1["total"]) == ("j1", 0, 2)
    assert van1["next_eta_at"] == iso[0]


async def test_a_late_stop_raises_one_alert_and_clears(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(client, tenants.a, s.plan_id)
    route = next(r for r in out["routes"] if r["vehicle"] == "van1")
    j1 = route["stops"][0]
    # 20 km away a minute before j1's window closes (09:00): late, every round
    t0 = START + timedelta(minutes=59)
    for step in range(4):
        now = t0 + timedelta(seconds=30 * step)
        await set_fix(db_session, tenants.a.id, s.vehicles[0], 60.30, 24.60, now)
        await monitor_round(db_session, tenants.a.id, now)
    late = await alerts_of(db_session, tenants.a.id, "stop_late")
    assert len(late) == 1 and late[0].cleared_at is None
    assert late[0].code == j1["id"].replace("-", "")
    view = (await client.get(f"{ROUTES}/{route['id']}", headers=tenants.a.owner)).json()
    assert view["stops"][0]["late_minutes"] > 5
    live = (await client.get("/api/v1/dispatch/live", headers=tenants.a.owner)).json()
    assert (
        next(r for d in live for r in d["routes"] if r["route_id"] == route["id"])["late_minutes"]
        > 5
    )
    # at the stop in time after all: no longer late, cleared
    now = t0 - timedelta(seconds=0) + timedelta(minutes=2)
    await set_fix(db_session, tenants.a.id, s.vehicles[0], JOBS[0][1], JOBS[0][2], now)
    settings = await client.put(
        "/api/v1/dispatch/settings", json={"late_tolerance_s": 600}, headers=tenants.a.owner
    )
    assert settings.status_code == 200, settings.text
    await monitor_round(db_session, tenants.a.id, now)
    late = await alerts_of(db_session, tenants.a.id, "stop_late")
    assert len(late) == 1 and late[0].cleared_at is not None

    # late again, then served: the open alert clears with the stop
    now += timedelta(minutes=30)
    await set_fix(db_session, tenants.a.id, s.vehicles[0], 60.30, 24.60, now)
    await monitor_round(db_session, tenants.a.id, now)
    assert [a.cleared_at for a in await alerts_of(db_session, tenants.a.id, "stop_late")][
        -1
    ] is None
    done = await client.post(
        f"{ROUTES}/{route['id']}/stops/{j1['id']}/complete", json={}, headers=s.users[0]
    )
    assert done.status_code == 200, done.text
    j1_code = j1["id"].replace("-", "")
    late = [a for a in await alerts_of(db_session, tenants.a.id, "stop_late") if a.code == j1_code]
    assert len(late) == 2 and all(a.cleared_at is not None for a in late)
    await set_tenant(db_session, TenantId(tenants.a.id))
    opened = await db_session.scalar(
        text(
            "select count(*) from events e join alerts a on a.id = e.entity_id "
            "where e.type = 'alert_opened' and a.code = :c"
        ),
        {"c": j1_code},
    )
    assert opened == 2


async def test_off_route_raises_after_a_minute_and_clears(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(client, tenants.a, s.plan_id)
    route = next(r for r in out["routes"] if r["vehicle"] == "van2")
    j3 = route["stops"][0]
    started = await client.post(
        f"{ROUTES}/{route['id']}/stops/{j3['id']}/arrive", json={}, headers=s.users[1]
    )
    assert started.status_code == 200
    t0 = START + timedelta(minutes=10)
    # 1.1 km north of the line (24.93..24.98 along 60.17)
    for seconds in (0, 30, 59):
        now = t0 + timedelta(seconds=seconds)
        await set_fix(db_session, tenants.a.id, s.vehicles[1], 60.18, 24.965, now)
        await monitor_round(db_session, tenants.a.id, now)
    assert await alerts_of(db_session, tenants.a.id, "route_deviation") == []
    for seconds in (61, 90, 120):
        now = t0 + timedelta(seconds=seconds)
        await set_fix(db_session, tenants.a.id, s.vehicles[1], 60.18, 24.965, now)
        await monitor_round(db_session, tenants.a.id, now)
    off = await alerts_of(db_session, tenants.a.id, "route_deviation")
    assert len(off) == 1 and off[0].cleared_at is None
    view = (await client.get(f"{ROUTES}/{route['id']}", headers=tenants.a.owner)).json()
    assert 1000 < view["off_route_m"] < 1200 and view["off_route_since"] is not None
    # 200 m from the line: inside the corridor, cleared
    now = t0 + timedelta(seconds=150)
    await set_fix(db_session, tenants.a.id, s.vehicles[1], 60.1718, 24.965, now)
    await monitor_round(db_session, tenants.a.id, now)
    off = await alerts_of(db_session, tenants.a.id, "route_deviation")
    assert len(off) == 1 and off[0].cleared_at is not None
    view = (await client.get(f"{ROUTES}/{route['id']}", headers=tenants.a.owner)).json()
    assert view["off_route_since"] is None and view["off_route_m"] < 500
    await set_tenant(db_session, TenantId(tenants.a.id))
    changes = await db_session.scalar(
        text(
            "select count(*) from events where type = 'dispatch_route_updated' "
            "and changes ? 'off_route_since'"
        )
    )
    assert changes == 2  # left the corridor, came back


async def test_settings_bad_input(client: httpx.AsyncClient, tenants: Tenants) -> None:
    url = "/api/v1/dispatch/settings"
    assert (await client.get(url, headers=tenants.a.owner)).json() == {
        "corridor_m": 500,
        "off_route_after_s": 60,
        "late_tolerance_s": 300,
    }
    for bad in ({"corridor_m": 0}, {"corridor_m": "wide"}, {"late_tolerance_s": -1}, {"x": 1}):
        response = await client.put(url, json=bad, headers=tenants.a.owner)
        assert response.status_code == 422, bad
