"""The alerts list's order and words: critical first and the newest first within a
severity, paged by cursor without gaps or repeats (ties at one moment broken by id), the
old newest-first order on request, and who acknowledged each alert, by name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.kit.ids import TenantId
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.auth.test_sessions import login
from tests.conftest import Tenants, set_tenant

URL = "/api/v1/alerts"
T0 = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)
RANK = {"critical": 0, "warning": 1, "info": 2}


async def add_alerts(
    session: AsyncSession, tenant_id: uuid.UUID, specs: list[tuple[str, int]], *, cleared: int = -1
) -> list[dict[str, Any]]:
    """One alert per (severity, minutes after T0), on one new vehicle; the ``cleared``-th
    is cleared. Returns them as (id, severity, opened_at)."""
    await set_tenant(session, tenant_id)
    vehicle = await VehicleService(session, Principal.system(TenantId(tenant_id))).create(
        VehicleCreate(plate=f"AL-{uuid.uuid4().hex[:6]}")
    )
    made = []
    for n, (severity, minutes) in enumerate(specs):
        opened = T0 + timedelta(minutes=minutes)
        alert = {"id": uuid.uuid4(), "severity": severity, "opened_at": opened}
        await session.execute(
            text(
                "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message, "
                "details, opened_at, last_seen_at, cleared_at) values (:t, :id, :v, 'dtc', :code, "
                ":severity, :message, '{}', :opened, :opened, :cleared)"
            ),
            {
                "t": tenant_id,
                "v": vehicle.id,
                "code": f"P{n:04d}",
                "message": f"{severity} {minutes}",
                "cleared": opened + timedelta(minutes=1) if n == cleared else None,
                **alert,
                "opened": opened,
            },
        )
        made.append(alert)
    await session.commit()
    return made


async def read_all(
    client: httpx.AsyncClient, headers: dict[str, str], limit: int, **params: Any
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {"limit": limit, **params} | ({"cursor": cursor} if cursor else {})
        response = await client.get(URL, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("paging never ended")


SPECS = [
    ("warning", 50),
    ("critical", 0),  # the oldest, and still first
    ("info", 90),
    ("warning", 50),  # a tie with the first warning: broken by id
    ("critical", 30),
    ("warning", 10),
    ("info", 5),
    ("critical", 30),  # a tie
    ("warning", 80),
]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 100])
async def test_critical_first_then_newest_across_pages(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession, limit: int
) -> None:
    made = await add_alerts(db_session, tenants.a.id, SPECS, cleared=3)
    expected = sorted(
        made, key=lambda a: (RANK[a["severity"]], -a["opened_at"].timestamp(), -a["id"].int)
    )
    seen = await read_all(client, tenants.a.as_(Role.VIEWER), limit)
    assert [a["id"] for a in seen] == [str(a["id"]) for a in expected]
    assert [a["severity"] for a in seen[:3]] == ["critical"] * 3
    # the order holds under a filter too (open ones only: the cleared tie drops out)
    open_ = await read_all(client, tenants.a.owner, limit, state="open")
    assert [a["id"] for a in open_] == [str(a["id"]) for a in expected if a is not made[3]]


async def test_the_newest_first_order_stays_available(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    made = await add_alerts(db_session, tenants.a.id, SPECS)
    newest = sorted(made, key=lambda a: (a["opened_at"], a["id"].int), reverse=True)
    seen = await read_all(client, tenants.a.owner, 2, sort="-opened_at")
    assert [a["id"] for a in seen] == [str(a["id"]) for a in newest]
    oldest = await read_all(client, tenants.a.owner, 4, sort="opened_at")
    assert [a["id"] for a in oldest] == [str(a["id"]) for a in reversed(newest)]


async def test_bad_sorts_and_cursors_are_422(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await add_alerts(db_session, tenants.a.id, SPECS)
    headers = tenants.a.owner
    newest_cursor = (
        await client.get(URL, params={"limit": 1, "sort": "-opened_at"}, headers=headers)
    ).json()["next_cursor"]
    severity_cursor = (await client.get(URL, params={"limit": 1}, headers=headers)).json()[
        "next_cursor"
    ]
    for params in (
        {"sort": "kind"},
        {"sort": "-severity"},
        {"cursor": "garbage"},
        {"cursor": newest_cursor},  # a cursor belongs to the order it came from
        {"cursor": severity_cursor, "sort": "-opened_at"},
    ):
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "validation_failed"


async def test_each_alert_says_who_acknowledged_it(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    by_key, by_user, by_nameless, untouched = await add_alerts(
        db_session, tenants.a.id, [("critical", 0), ("warning", 1), ("info", 2), ("info", 3)]
    )
    # an API key acknowledges: its name
    acked = await client.post(
        f"{URL}/{by_key['id']}/acknowledge", headers=tenants.a.as_(Role.DISPATCHER)
    )
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged_by_name"] == "test dispatcher"

    # a signed-in user acknowledges: their display name
    await set_tenant(db_session, tenants.a.id)
    await db_session.execute(
        text("update users set display_name = 'Anna Virtanen' where email = :e"),
        {"e": tenants.a.owner_email},
    )
    await db_session.commit()
    csrf = await login(client, tenants.a.owner_email)
    mine = await client.post(f"{URL}/{by_user['id']}/acknowledge", headers={"X-CSRF-Token": csrf})
    assert mine.status_code == 200, mine.text
    assert mine.json()["acknowledged_by_name"] == "Anna Virtanen"
    assert mine.json()["acknowledged_at"] is not None

    # a user without a display name is named by their email
    await db_session.execute(
        text("update users set display_name = ' ' where email = :e"),
        {"e": tenants.a.owner_email},
    )
    await db_session.commit()
    again = await client.post(
        f"{URL}/{by_nameless['id']}/acknowledge", headers={"X-CSRF-Token": csrf}
    )
    assert again.json()["acknowledged_by_name"] == tenants.a.owner_email

    listed = {
        a["id"]: a
        for a in (await client.get(URL, headers=tenants.a.as_(Role.VIEWER))).json()["items"]
    }
    assert listed[str(by_key["id"])]["acknowledged_by_name"] == "test dispatcher"
    assert listed[str(by_user["id"])]["acknowledged_by_name"] == tenants.a.owner_email
    assert listed[str(untouched["id"])]["acknowledged_by_name"] is None
    assert listed[str(untouched["id"])]["acknowledged_by"] is None
    got = await client.get(f"{URL}/{by_key['id']}", headers=tenants.a.as_(Role.VIEWER))
    assert got.json()["acknowledged_by_name"] == "test dispatcher"


async def test_an_acknowledger_of_another_tenant_is_never_named(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    """acknowledged_by holding another tenant's API key id (written by hand) names nobody:
    keys are joined within the tenant, under row-level security."""
    (alert,) = await add_alerts(db_session, tenants.a.id, [("critical", 0)])
    await set_tenant(db_session, tenants.b.id)
    b_key = await db_session.scalar(text("select id from api_keys limit 1"))
    await set_tenant(db_session, tenants.a.id)
    await db_session.execute(
        text("update alerts set acknowledged_at = now(), acknowledged_by = :k where id = :id"),
        {"k": b_key, "id": alert["id"]},
    )
    await db_session.commit()
    got = (await client.get(f"{URL}/{alert['id']}", headers=tenants.a.owner)).json()
    assert got["acknowledged_by"] == str(b_key)
    assert got["acknowledged_by_name"] is None
    # and tenant b sees none of tenant a's alerts
    assert (await client.get(URL, headers=tenants.b.owner)).json()["items"] == []
    assert (await client.get(f"{URL}/{alert['id']}", headers=tenants.b.owner)).status_code == 404
