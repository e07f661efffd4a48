"""The geofences API on the real database: the record's life and its events, roles, tenants
apart, filters and paging, and every bad geometry refused with 422 in the error envelope."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.geofences.lookup import geofence_at
from fleetyard.kit.ids import TenantId
from fleetyard.places.naming import GeofencePlace
from fleetyard.places.schemas import place_out
from tests.conftest import Tenants
from tests.geofences.shapes_data import CENTRE, circle_body, offset, point, square, square_body

URL = "/api/v1/geofences"


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def refused(response: httpx.Response, reason: str | None = None) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    if reason is not None:
        assert error["code"] == "invalid_geometry", error
        assert error["details"]["reason"] == reason, error
    return error


async def test_create_get_list_update_delete_with_events(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.as_(Role.DISPATCHER)
    depot = await create(
        client,
        headers,
        circle_body(
            "Pasila depot",
            150,
            colour="#10B981",
            dwell_minutes=30,
            active_hours=[{"days": ["mon", "tue"], "start": "22:00", "end": "06:00"}],
            alert_on=["dwell", "enter"],
        ),
    )
    assert depot["shape"] == "circle"
    assert depot["radius_m"] == 150
    assert depot["colour"] == "#10b981"
    assert depot["area_m2"] == pytest.approx(3.14159 * 150**2, rel=1e-3)
    assert depot["active_hours"] == [
        {"days": ["mon", "tue"], "start": "22:00:00", "end": "06:00:00"}
    ]
    assert depot["alert_on"] == ["dwell", "enter"]
    zone = await create(
        client, headers, square_body("Centre low-speed zone", 400, speed_limit_kmh=30)
    )
    assert zone["shape"] == "polygon"
    assert zone["area_m2"] == pytest.approx(800 * 800, rel=0.01)

    got = await client.get(f"{URL}/{depot['id']}", headers=tenants.a.as_(Role.VIEWER))
    assert got.status_code == 200
    assert got.json() == depot
    listed = await client.get(URL, headers=headers)
    assert [g["name"] for g in listed.json()["items"]] == ["Centre low-speed zone", "Pasila depot"]

    patched = await client.patch(
        f"{URL}/{depot['id']}",
        json={"radius_m": 200, "dwell_minutes": None, "version": 1},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["radius_m"] == 200
    assert patched.json()["dwell_minutes"] is None
    assert patched.json()["version"] == 2
    stale = await client.patch(
        f"{URL}/{depot['id']}", json={"name": "x", "version": 1}, headers=headers
    )
    assert stale.status_code == 409

    reshaped = await client.patch(
        f"{URL}/{zone['id']}", json={"geometry": point(), "radius_m": 50}, headers=headers
    )
    assert reshaped.status_code == 200, reshaped.text
    assert reshaped.json()["shape"] == "circle"

    assert (await client.delete(f"{URL}/{depot['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{URL}/{depot['id']}", headers=headers)).status_code == 404
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "geofence", "entity_id": depot["id"]},
        headers=tenants.a.owner,
    )
    items = events.json()["items"]
    assert [e["type"] for e in items] == [
        "geofence_deleted",
        "geofence_updated",
        "geofence_created",
    ]
    assert items[1]["changes"]["radius_m"] == {"before": 150.0, "after": 200.0}
    assert items[0]["entity_name"] == "Pasila depot"


async def test_roles_and_tenants(client: httpx.AsyncClient, tenants: Tenants) -> None:
    body = circle_body("Yard", 80)
    viewer = await client.post(URL, json=body, headers=tenants.a.as_(Role.VIEWER))
    assert viewer.status_code == 403
    assert viewer.json()["error"]["details"] == {"required": "geofences:manage"}
    for role in (Role.OWNER, Role.ADMIN, Role.FLEET_MANAGER, Role.DISPATCHER):
        made = await client.post(
            URL, json=circle_body(f"Yard {role.value}", 80), headers=tenants.a.as_(role)
        )
        assert made.status_code == 201, (role, made.text)
    yard = made.json()
    assert (await client.get(URL, headers=tenants.a.as_(Role.DRIVER))).status_code == 403
    other = tenants.b.owner
    assert (await client.get(f"{URL}/{yard['id']}", headers=other)).status_code == 404
    assert (
        await client.patch(f"{URL}/{yard['id']}", json={"name": "Mine"}, headers=other)
    ).status_code == 404
    assert (await client.delete(f"{URL}/{yard['id']}", headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    assert (await client.get(URL)).status_code == 401


async def test_names_are_unique_per_tenant(client: httpx.AsyncClient, tenants: Tenants) -> None:
    await create(client, tenants.a.owner, circle_body("Harbour", 100))
    again = await client.post(URL, json=circle_body("HARBOUR", 50), headers=tenants.a.owner)
    assert again.status_code == 409
    assert again.json()["error"]["details"] == {"field": "name"}
    await create(client, tenants.b.owner, circle_body("Harbour", 100))


async def test_groups_scope_must_be_the_tenants_groups(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    group = await client.post("/api/v1/groups", json={"name": "North"}, headers=tenants.a.owner)
    theirs = await client.post("/api/v1/groups", json={"name": "South"}, headers=tenants.b.owner)
    scoped = await create(
        client,
        tenants.a.owner,
        circle_body("North yard", 100, all_vehicles=False, group_ids=[group.json()["id"]]),
    )
    assert scoped["all_vehicles"] is False
    assert scoped["group_ids"] == [group.json()["id"]]
    foreign = await client.post(
        URL,
        json=circle_body("South yard", 100, all_vehicles=False, group_ids=[theirs.json()["id"]]),
        headers=tenants.a.owner,
    )
    assert refused(foreign)["details"]["field"] == "group_ids"
    empty = await client.post(
        URL, json=circle_body("Nobody's", 100, all_vehicles=False), headers=tenants.a.owner
    )
    refused(empty)
    cleared = await client.patch(
        f"{URL}/{scoped['id']}", json={"group_ids": []}, headers=tenants.a.owner
    )
    assert refused(cleared)["details"]["field"] == "group_ids"
    listed = await client.get(URL, params={"group_id": group.json()["id"]}, headers=tenants.a.owner)
    assert [g["name"] for g in listed.json()["items"]] == ["North yard"]


async def test_filters_and_paging(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    for number in range(5):
        centre = offset(*CENTRE, number * 2000.0, 0.0)
        await create(
            client, headers, {"name": f"Site {number}", "geometry": point(centre), "radius_m": 100}
        )
    await create(client, headers, square_body("Block", 300))
    first = await client.get(URL, params={"limit": 2}, headers=headers)
    assert [g["name"] for g in first.json()["items"]] == ["Block", "Site 0"]
    second = await client.get(
        URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    assert [g["name"] for g in second.json()["items"]] == ["Site 1", "Site 2"]
    polygons = await client.get(URL, params={"shape": "polygon"}, headers=headers)
    assert [g["name"] for g in polygons.json()["items"]] == ["Block"]
    named = await client.get(URL, params={"q": "ite 3"}, headers=headers)
    assert [g["name"] for g in named.json()["items"]] == ["Site 3"]
    lat, lon = offset(*CENTRE, 8000.0, 0.0)
    boxed = await client.get(
        URL,
        params={"bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"},
        headers=headers,
    )
    assert [g["name"] for g in boxed.json()["items"]] == ["Site 4"]
    refused(await client.get(URL, params={"bbox": "1,2,3"}, headers=headers))
    refused(await client.get(URL, params={"bbox": "10,0,5,1"}, headers=headers))


def ring(*positions: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in positions]]}


LON, LAT = CENTRE[1], CENTRE[0]
BAD_GEOMETRIES: list[tuple[str, dict[str, Any], str]] = [
    (
        "bow tie",
        ring(
            (LON, LAT), (LON + 0.01, LAT + 0.01), (LON + 0.01, LAT), (LON, LAT + 0.01), (LON, LAT)
        ),
        "self_intersecting",
    ),
    (
        "unclosed",
        ring((LON, LAT), (LON + 0.01, LAT), (LON + 0.01, LAT + 0.01), (LON, LAT + 0.01)),
        "unclosed",
    ),
    ("two points", ring((LON, LAT), (LON + 0.01, LAT), (LON, LAT)), "too_few_points"),
    (
        "collinear",
        ring((LON, LAT), (LON + 0.01, LAT), (LON + 0.02, LAT), (LON, LAT)),
        "self_intersecting",  # a zero-width spike folds back on itself
    ),
    (
        "a country",
        ring((20.0, 60.0), (30.0, 60.0), (30.0, 65.0), (20.0, 65.0), (20.0, 60.0)),
        "too_large",
    ),
    (
        "a doormat",
        ring((LON, LAT), (LON + 0.00001, LAT), (LON + 0.00001, LAT + 0.00001), (LON, LAT)),
        "too_small",
    ),
    (
        "the pole",
        ring((0.0, 88.0), (1.0, 88.0), (1.0, 88.5), (0.0, 88.0)),
        "out_of_range",
    ),
    (
        "across the date line",
        ring((179.9, 10.0), (-179.9, 10.0), (-179.9, 10.1), (179.9, 10.0)),
        "crosses_antimeridian",
    ),
]


@pytest.mark.parametrize(
    ("label", "geometry", "reason"), BAD_GEOMETRIES, ids=[b[0] for b in BAD_GEOMETRIES]
)
async def test_bad_polygons_are_refused_with_a_reason(
    client: httpx.AsyncClient, tenants: Tenants, label: str, geometry: dict[str, Any], reason: str
) -> None:
    response = await client.post(
        URL, json={"name": label, "geometry": geometry}, headers=tenants.a.owner
    )
    refused(response, reason)


@pytest.mark.parametrize(
    "body",
    [
        circle_body("Tiny", 2),
        circle_body("Huge", 150_000),
        circle_body("Negative", -5),
        {"name": "No radius", "geometry": point()},
        {"name": "Radius on a polygon", "geometry": square(100), "radius_m": 50},
        {
            "name": "Off the map",
            "geometry": {"type": "Point", "coordinates": [200, 10]},
            "radius_m": 50,
        },
        {
            "name": "Lat first",
            "geometry": {"type": "Point", "coordinates": [24.9, 95]},
            "radius_m": 50,
        },
        {"name": "Line", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
        {"name": "Nested", "geometry": {"type": "Polygon", "coordinates": [[[[0, 0]]]]}},
        {"name": "Speed", "geometry": point(), "radius_m": 50, "speed_limit_kmh": 1000},
        {
            "name": "Hours",
            "geometry": point(),
            "radius_m": 50,
            "active_hours": [{"days": ["xyz"], "start": "07:00", "end": "08:00"}],
        },
        {"name": "Dwell", "geometry": point(), "radius_m": 50, "dwell_minutes": 0},
        {"name": "Alert", "geometry": point(), "radius_m": 50, "alert_on": ["teleport"]},
    ],
)
async def test_bad_fields_are_refused(
    client: httpx.AsyncClient, tenants: Tenants, body: dict[str, Any]
) -> None:
    refused(await client.post(URL, json=body, headers=tenants.a.owner))


async def test_a_circle_at_the_limits_is_accepted(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    await create(client, tenants.a.owner, circle_body("Smallest", 5))
    await create(client, tenants.a.owner, circle_body("Largest", 100_000))


async def test_a_polygon_with_a_hole(client: httpx.AsyncClient, tenants: Tenants) -> None:
    outer = square(500)["coordinates"][0]
    inner = square(100)["coordinates"][0]
    made = await create(
        client,
        tenants.a.owner,
        {"name": "Ring road", "geometry": {"type": "Polygon", "coordinates": [outer, inner]}},
    )
    assert made["area_m2"] == pytest.approx(1000 * 1000 - 200 * 200, rel=0.01)
    outside_hole = square(800)["coordinates"][0]
    refused(
        await client.post(
            URL,
            json={
                "name": "Bad hole",
                "geometry": {"type": "Polygon", "coordinates": [inner, outside_hole]},
            },
            headers=tenants.a.owner,
        ),
        "invalid_polygon",
    )


async def test_unknown_geofence_is_404(client: httpx.AsyncClient, tenants: Tenants) -> None:
    response = await client.get(f"{URL}/{uuid.uuid4()}", headers=tenants.a.owner)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_geofence_at_names_the_smallest_fence_holding_a_point(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    district = await create(client, tenants.a.owner, square_body("District", 1000))
    gate = await create(client, tenants.a.owner, circle_body("Gate", 40))
    await create(client, tenants.b.owner, circle_body("Their gate", 10))
    await set_tenant(db_session, TenantId(tenants.a.id))
    at_gate = await geofence_at(db_session, tenants.a.id, *CENTRE)
    assert at_gate is not None
    assert (at_gate.geofence_id, at_gate.name) == (uuid.UUID(gate["id"]), "Gate")
    nearby = await geofence_at(db_session, tenants.a.id, *offset(*CENTRE, 300.0, 0.0))
    assert nearby is not None
    assert nearby.geofence_id == uuid.UUID(district["id"])
    assert await geofence_at(db_session, tenants.a.id, *offset(*CENTRE, 5000.0, 0.0)) is None


async def test_trips_name_places_by_geofence_through_the_app_hook(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    gate = await create(client, tenants.a.owner, circle_body("Gate", 40))
    await create(client, tenants.a.owner, square_body("District", 1000))
    hook = client._transport.app.state.geofence_places  # type: ignore[attr-defined]
    await set_tenant(db_session, TenantId(tenants.a.id))
    far = offset(*CENTRE, 5000.0, 0.0)
    named = await hook(
        db_session, TenantId(tenants.a.id), [CENTRE, far, offset(*CENTRE, 500.0, 0.0)]
    )
    assert isinstance(named[0], GeofencePlace)
    assert (named[0].geofence_id, named[0].label) == (uuid.UUID(gate["id"]), "Gate")
    assert named[1] is None
    assert named[2] is not None and named[2].name == "District"
    assert place_out(named[0]).model_dump() == {  # type: ignore[union-attr]
        "kind": "geofence",
        "geofence_id": uuid.UUID(gate["id"]),
        "name": "Gate",
        "label": "Gate",
    }
