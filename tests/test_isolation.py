"""Tenant isolation through every route: tenant B's credentials meet tenant A's records as
404 on every path that names one, see none of them in any list, and change nothing."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.models import Alert
from tests.conftest import Tenants
from tests.dispatch.helpers import seed_for_isolation
from tests.test_permissions import ALL_ROUTES

VIN = "1M8GDM9AXKP042788"
# Path parameters that choose what to compute, not whose record to read (a report's kind):
# such a route answers from the caller's own tenant, as the lists in snapshot() do.
NOT_RECORDS = {"kind"}


REPORT_SCHEDULE: dict[str, Any] = {
    "name": "Iso weekly",
    "kind": "trips",
    "cadence": "weekly",
    "hour": 6,
    "recipients": ["iso-member@example.com"],
}


async def seed(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    """One record of every kind in a tenant; returns path-parameter name → id."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(f"/api/v1/{path}", json=body, headers=headers)
        assert response.status_code in (201, 202), (path, response.text)
        created: dict[str, Any] = response.json()
        return created

    group = await post("groups", {"name": "Isolated depot"})
    vehicle = await post(
        "vehicles", {"vin": VIN, "plate": "ISO-1", "group_id": group["id"], "tags": ["iso"]}
    )
    driver = await post(
        "drivers",
        {"name": "Isa Lated", "licence_number": "ISO-LIC-1", "assigned_vehicle_id": vehicle["id"]},
    )
    device = await post(
        "devices",
        {"unique_id": "864000000000001", "protocol": "teltonika", "vehicle_id": vehicle["id"]},
    )
    reservation = await post(
        "reservations",
        {
            "vehicle_id": vehicle["id"],
            "driver_id": driver["id"],
            "starts_at": "2031-01-01T08:00:00Z",
            "ends_at": "2031-01-01T12:00:00Z",
            "purpose": "isolation",
        },
    )
    key = await post("api-keys", {"name": "iso key", "role": "viewer"})
    member = await post(
        "members", {"email": "iso-member@example.com", "role": "viewer", "password": "longenough"}
    )
    webhook = await post(
        "webhooks", {"url": "https://iso-hooks.example.com/in", "event_types": ["*"]}
    )
    delivery = await post(f"webhooks/{webhook['id']}/ping", {})
    integration = await post(
        "integrations",
        {"provider": "samsara", "name": "Iso cloud", "credentials": {"api_token": "iso-token"}},
    )
    geofence = await post(
        "geofences",
        {
            "name": "Iso yard",
            "geometry": {"type": "Point", "coordinates": [24.9, 60.2]},
            "radius_m": 90,
        },
    )
    rule = await post("alert-rules", {"name": "Iso fuel", "kind": "fuel_low"})
    schedule = await post("report-schedules", REPORT_SCHEDULE)
    service_schedule = await post(
        "service-schedules",
        {"name": "Iso oil", "vehicle_id": vehicle["id"], "interval_km": "15000"},
    )
    part = await post("parts", {"part_number": "ISO-PART-1", "name": "Iso filter"})
    work_order = await post(
        "work-orders",
        {
            "vehicle_id": vehicle["id"],
            "title": "Iso brakes",
            "lines": [{"kind": "part", "part_id": part["id"], "quantity": "1"}],
        },
    )
    inspection_ids = await seed_inspection(client, headers, vehicle["id"])
    plan = await post("route-plans", ROUTE_PLAN)
    return {
        **inspection_ids,
        "plan_id": plan["id"],
        "schedule_id": schedule["id"],
        "service_schedule_id": service_schedule["id"],
        "work_order_id": work_order["id"],
        "part_id": part["id"],
        "rule_id": rule["id"],
        "notification_id": str(uuid.uuid4()),  # members' own; B's key has none of A's
        "geofence_id": geofence["id"],
        "group_id": group["id"],
        "vehicle_id": vehicle["id"],
        "driver_id": driver["id"],
        "device_id": device["id"],
        "unique_id": device["unique_id"],  # claiming A's registered id: nothing to claim
        "reservation_id": reservation["id"],
        "key_id": key["id"],
        "user_id": member["user_id"],
        "webhook_id": webhook["id"],
        "delivery_id": delivery["id"],
        "integration_id": integration["id"],
        "vendor_id": "iso-vendor-1",  # any: the connection is A's, so B meets a 404 first
    }


async def seed_inspection(
    client: httpx.AsyncClient, headers: dict[str, str], vehicle_id: str
) -> dict[str, str]:
    """An inspection of A's vehicle with one defect and its photo (a tiny real PNG)."""
    form = await client.get(
        "/api/v1/inspections/form",
        params={"vehicle_id": vehicle_id, "kind": "pre_trip"},
        headers=headers,
    )
    template = form.json()["template"]
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    answers = [{"item_id": item["id"], "result": "pass"} for item in template["items"]]
    answers[0] = {
        "item_id": answers[0]["item_id"],
        "result": "fail",
        "photos": [{"content_type": "image/png", "data": png}],
    }
    body = {
        "vehicle_id": vehicle_id,
        "template_id": template["id"],
        "kind": "pre_trip",
        "answers": answers,
    }
    response = await client.post("/api/v1/inspections", json=body, headers=headers)
    assert response.status_code == 201, response.text
    defect = response.json()["defects"][0]
    return {
        "template_id": template["id"],
        "inspection_id": response.json()["id"],
        "defect_id": defect["id"],
        "photo_id": defect["photos"][0]["id"],
    }


ROUTE_PLAN: dict[str, Any] = {
    "name": "Iso rounds",
    "vehicles": [{"id": "iso-van", "start_index": 0}],
    "jobs": [{"id": "iso-job", "location_index": 1}],
    "matrix": {"distances": [[0, 9], [9, 0]], "durations": [[0, 9], [9, 0]]},
}


def valid_body(method: str, path: str) -> dict[str, Any] | None:
    """A body that passes validation, so what answers is the tenant check, not the schema."""
    if method not in ("PATCH", "PUT", "POST"):
        return None
    if path.startswith("/api/v1/members/"):
        return {"role": "viewer"}
    if path.endswith(("/claim", "/rotate-secret")):
        return {}
    if path.endswith("/commands"):
        return {"command": "getinfo"}
    if path.endswith("/match"):
        return {"vehicle_id": str(uuid.uuid4())}
    if path.endswith("/assign"):
        return {"user_id": None}
    if path.endswith("/comments"):
        return {"body": "iso"}
    if path.startswith("/api/v1/report-schedules/"):
        return REPORT_SCHEDULE
    if path.endswith("/sign-off"):
        return {"outcome": "resolved"}
    if path.startswith("/api/v1/route-plans/") and path.endswith(("/check", "/routes")):
        return {"routes": [{"vehicle": "iso-van", "job_ids": ["iso-job"]}]}
    if "/dispatch" in path or path.endswith("/replan"):
        return {}
    return {"version": 1}


async def seed_alert(session: AsyncSession, tenant_id: uuid.UUID, vehicle_id: str) -> str:
    """Alerts come from telemetry, not the API: one written directly for tenant A."""
    await set_tenant(session, TenantId(tenant_id))
    now = datetime.now(UTC)
    alert = Alert(
        tenant_id=tenant_id,
        vehicle_id=uuid.UUID(vehicle_id),
        kind="fuel_low",
        severity="warning",
        message="Fuel level 5 % is below 10 %.",
        opened_at=now,
        last_seen_at=now,
    )
    session.add(alert)
    await session.commit()
    return str(alert.id)


async def seed_drives(session: AsyncSession, tenant_id: uuid.UUID, ids: dict[str, str]) -> None:
    """Trips, stops and driving events come from the pipeline: one of each written directly
    for tenant A (the detectors' own tests cover how they are made)."""
    await set_tenant(session, TenantId(tenant_id))
    started = datetime.now(UTC) - timedelta(hours=1)
    records = {"trip_id": uuid.uuid4(), "stop_id": uuid.uuid4(), "event_id": uuid.uuid4()}
    params = {
        "tenant": tenant_id,
        "device": uuid.UUID(ids["device_id"]),
        "vehicle": uuid.UUID(ids["vehicle_id"]),
        "started": started,
        **{name: value for name, value in records.items()},
    }
    for statement in (
        """insert into trips (tenant_id, id, device_id, vehicle_id, status, started_at,
               start_latitude, start_longitude)
           values (:tenant, :trip_id, :device, :vehicle, 'open', :started, 60.17, 24.94)""",
        """insert into stops (tenant_id, id, device_id, vehicle_id, status, started_at,
               latitude, longitude)
           values (:tenant, :stop_id, :device, :vehicle, 'open', :started, 60.17, 24.94)""",
        """insert into driving_events (tenant_id, id, device_id, vehicle_id, kind, source,
               severity, started_at, ended_at, latitude, longitude)
           values (:tenant, :event_id, :device, :vehicle, 'harsh_braking', 'fixes', 'medium',
               :started, :started, 60.17, 24.94)""",
    ):
        await session.execute(text(statement), params)
    await session.commit()
    ids.update({name: str(value) for name, value in records.items()})


async def snapshot(client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, str]) -> str:
    parts = []
    for path in (
        "groups",
        "vehicles",
        "drivers",
        "devices",
        "reservations",
        "api-keys",
        "members",
        "alerts",
        "webhooks",
        "integrations",
        "geofences",
        "service-schedules",
        "work-orders",
        "parts",
        "inspections",
        "defects",
        "inspection-templates",
        "route-plans",
    ):
        parts.append((await client.get(f"/api/v1/{path}", headers=headers)).text)
    parts.append((await client.get("/api/v1/tenant", headers=headers)).text)
    return "\n".join(parts)


@pytest.mark.parametrize("role", ["owner"])
async def test_other_tenant_meets_404_everywhere(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, role: str
) -> None:
    ids = await seed(client, tenants.a.owner)
    ids["alert_id"] = await seed_alert(db_session, tenants.a.id, ids["vehicle_id"])
    await seed_drives(db_session, tenants.a.id, ids)
    ids |= await seed_for_isolation(client, db_session, tenants.a, ids)
    before = await snapshot(client, tenants.a.owner, ids)
    intruder = tenants.b.owner
    probed = 0
    for method, path, _ in ALL_ROUTES:
        names = re.findall(r"\{([^}]+)\}", path)
        if not names or set(names) <= NOT_RECORDS:
            continue
        url = path
        for name in names:
            assert name in ids, f"seed() has no record for {{{name}}} ({path})"
            url = url.replace(f"{{{name}}}", ids[name])
        body = valid_body(method, path)
        response = await client.request(method, url, json=body, headers=intruder)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert response.json()["error"]["code"] == "not_found"
        probed += 1
    assert probed >= 15

    # nothing of A's shows in any of B's lists, events or tenant
    seen_by_b = await snapshot(client, intruder, ids)
    seen_by_b += (await client.get("/api/v1/events", params={"limit": 500}, headers=intruder)).text
    for value in [
        *ids.values(),
        VIN,
        "ISO-1",
        "ISO-LIC-1",
        "864000000000001",
        "iso-member@example.com",
        "iso-hooks.example.com",
        "ISO-PART-1",
        "Iso brakes",
    ]:
        assert value not in seen_by_b, value
    # filters naming A's ids find nothing either
    for param, name in (
        ("group_id", "group_id"),
        ("vehicle_id", "vehicle_id"),
        ("assigned_vehicle_id", "vehicle_id"),
    ):
        for path in ("vehicles", "drivers", "devices", "reservations"):
            response = await client.get(
                f"/api/v1/{path}", params={param: ids[name]}, headers=intruder
            )
            if response.status_code == 200:
                assert json.loads(response.text)["items"] == [], (path, param)

    # and A's records are exactly as they were
    assert await snapshot(client, tenants.a.owner, ids) == before
