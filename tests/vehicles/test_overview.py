"""The vehicles overview: each vehicle with its activity, last fix, place, driver and tracker;
sorted, filtered and paged by them; scoped to the tenant; bad parameters answered 4xx."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import encode_cursor
from fleetyard.models import VehicleState
from fleetyard.places.naming import StreetIndex
from fleetyard.places.service import PlaceNamer
from fleetyard.vehicles.repository import SORT_COLUMNS
from tests.conftest import Tenants
from tests.places.test_naming import ROADS, east

URL = "/api/v1/vehicles/overview"
ON_MANNERHEIMINTIE = (60.17, 24.94 + east(5))
OFF_MANNERHEIMINTIE = (60.17, 24.94 - east(120))
NOWHERE = (60.17, 24.94 - east(5000))


@pytest.fixture
async def http(settings: Settings, rolled_back_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the hand-made streets of the places tests as its street names."""
    app = create_app(settings, database=rolled_back_db)

    async def streets() -> StreetIndex:
        return StreetIndex.from_geojson(ROADS)

    app.state.places = PlaceNamer(streets)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass
class Fleet:
    ids: dict[str, str]  # plate → vehicle id
    driver_id: str
    device_ids: dict[str, str]  # plate → its tracker's id


async def _post(http: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> str:
    response = await http.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _state(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    vehicle_id: str,
    device_id: str,
    ago: timedelta,
    at: tuple[float, float],
    *,
    ignition: bool | None,
    speed: float,
) -> None:
    fix_time = datetime.now(UTC) - ago
    session.add(
        VehicleState(
            tenant_id=tenant_id,
            vehicle_id=uuid.UUID(vehicle_id),
            device_id=uuid.UUID(device_id),
            fix_time=fix_time,
            server_time=fix_time,
            latitude=at[0],
            longitude=at[1],
            speed_kmh=speed,
            ignition=ignition,
        )
    )


async def seed(
    http: httpx.AsyncClient, session: AsyncSession, tenant_id: uuid.UUID, h: dict[str, str]
) -> Fleet:
    """Five vehicles, one in each activity:

    MOV-1 moving on Mannerheimintie, driven by Dana, Teltonika tracker named "Alpha";
    IDL-2 idle off the street, an inactive driver assigned (not its driver), OsmAnd tracker;
    PRK-3 parked nowhere named, GT06 tracker;
    OFF-4 offline (an hour since its fix) on Mannerheimintie, Teltonika tracker "Beta";
    NOP-5 no fix yet, no tracker, no driver.
    """
    plates = ["MOV-1", "IDL-2", "PRK-3", "OFF-4", "NOP-5"]
    ids = {p: await _post(http, h, "vehicles", {"plate": p}) for p in plates}
    driver = await _post(
        http, h, "drivers", {"name": "Dana Driver", "assigned_vehicle_id": ids["MOV-1"]}
    )
    await _post(
        http,
        h,
        "drivers",
        {"name": "Ina Inactive", "status": "inactive", "assigned_vehicle_id": ids["IDL-2"]},
    )
    trackers = {
        "MOV-1": ("356307042441013", "teltonika", "Alpha"),
        "IDL-2": ("osmand-idl-2", "osmand", None),
        "PRK-3": ("868120301234567", "gt06", None),
        "OFF-4": ("356307042441014", "teltonika", "Beta"),
    }
    devices = {
        plate: await _post(
            http,
            h,
            "devices",
            {"unique_id": uid, "protocol": proto, "name": name, "vehicle_id": ids[plate]},
        )
        for plate, (uid, proto, name) in trackers.items()
    }
    await set_tenant(session, TenantId(tenant_id))
    recent = timedelta(seconds=20)
    await _state(
        session, tenant_id, ids["MOV-1"], devices["MOV-1"], recent, ON_MANNERHEIMINTIE,
        ignition=True, speed=42,
    )  # fmt: skip
    await _state(
        session, tenant_id, ids["IDL-2"], devices["IDL-2"], recent, OFF_MANNERHEIMINTIE,
        ignition=True, speed=0,
    )  # fmt: skip
    await _state(
        session, tenant_id, ids["PRK-3"], devices["PRK-3"], recent, NOWHERE,
        ignition=False, speed=0,
    )  # fmt: skip
    await _state(
        session, tenant_id, ids["OFF-4"], devices["OFF-4"], timedelta(hours=1),
        ON_MANNERHEIMINTIE, ignition=True, speed=50,
    )  # fmt: skip
    await session.commit()
    return Fleet(ids, driver, devices)


@pytest.fixture
async def fleet(http: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession) -> Fleet:
    return await seed(http, db_session, tenants.a.id, tenants.a.owner)


async def overview(
    http: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await http.get(URL, headers=headers, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def plates(items: list[dict[str, Any]]) -> list[str]:
    return [item["plate"] for item in items]


async def test_each_row_carries_its_live_context(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    rows = {r["plate"]: r for r in await overview(http, tenants.a.owner)}
    assert {p: r["activity"] for p, r in rows.items()} == {
        "MOV-1": "moving",
        "IDL-2": "idle",
        "PRK-3": "parked",
        "OFF-4": "offline",
        "NOP-5": "no_position",
    }
    moving = rows["MOV-1"]
    assert moving["place"] == {
        "kind": "street",
        "name": "Mannerheimintie",
        "near": False,
        "distance_m": pytest.approx(5, abs=0.5),
        "label": "Mannerheimintie",
    }
    assert moving["driver"] == {"id": fleet.driver_id, "name": "Dana Driver"}
    assert moving["tracker"] == {
        "id": fleet.device_ids["MOV-1"],
        "name": "Alpha",
        "protocol": "teltonika",
        "unique_id": "356307042441013",
    }
    assert moving["last_fix"]["latitude"] == ON_MANNERHEIMINTIE[0]
    assert moving["last_fix"]["speed_kmh"] == 42
    assert moving["status"] == {"state": "active"}  # the record's own fields are all there
    assert rows["IDL-2"]["place"]["label"] == "near Mannerheimintie"
    assert rows["IDL-2"]["driver"] is None  # an inactive driver drives nothing
    assert rows["PRK-3"]["place"] is None
    assert rows["OFF-4"]["place"]["name"] == "Mannerheimintie"
    nop = rows["NOP-5"]
    assert (nop["last_fix"], nop["place"], nop["driver"], nop["tracker"]) == (None,) * 4


async def test_one_vehicles_overview(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    got = await http.get(f"/api/v1/vehicles/{fleet.ids['MOV-1']}/overview", headers=tenants.a.owner)
    assert got.status_code == 200, got.text
    assert got.json()["driver"]["name"] == "Dana Driver"
    assert got.json()["place"]["label"] == "Mannerheimintie"
    other = await http.get(
        f"/api/v1/vehicles/{fleet.ids['MOV-1']}/overview", headers=tenants.b.owner
    )
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    bad = await http.get("/api/v1/vehicles/nope/overview", headers=tenants.a.owner)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("activity", ["MOV-1", "IDL-2", "PRK-3", "OFF-4", "NOP-5"]),
        ("-activity", ["NOP-5", "OFF-4", "PRK-3", "IDL-2", "MOV-1"]),
        ("last_fix", ["OFF-4"]),  # the oldest fix first; vehicles with no fix last
        ("driver", ["MOV-1"]),
        # by what the list shows: the name, else the hardware id
        ("tracker", ["PRK-3", "MOV-1", "OFF-4", "IDL-2", "NOP-5"]),
        ("-plate", ["PRK-3", "OFF-4", "NOP-5", "MOV-1", "IDL-2"]),
    ],
)
async def test_sorting(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, sort: str, expected: list[str]
) -> None:
    got = plates(await overview(http, tenants.a.owner, sort=sort))
    assert got[: len(expected)] == expected
    assert sorted(got) == sorted(fleet.ids)
    if sort == "last_fix":
        assert got[-1] == "NOP-5"


@pytest.mark.parametrize("sort", ["activity", "-activity", "last_fix", "driver", "-tracker"])
async def test_pages_in_any_sort_hold_every_vehicle_once(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, sort: str
) -> None:
    whole = plates(await overview(http, tenants.a.owner, sort=sort))
    paged: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await http.get(URL, headers=tenants.a.owner, params=params)).json()
        paged += plates(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == whole


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"activity": "moving"}, {"MOV-1"}),
        ({"activity": ["parked", "offline"]}, {"PRK-3", "OFF-4"}),
        ({"activity": "no_position"}, {"NOP-5"}),
        ({"has_driver": "true"}, {"MOV-1"}),
        ({"has_driver": "false"}, {"IDL-2", "PRK-3", "OFF-4", "NOP-5"}),
        ({"tracker_protocol": "teltonika"}, {"MOV-1", "OFF-4"}),
        ({"has_tracker": "false"}, {"NOP-5"}),
        ({"tracker_protocol": "teltonika", "activity": "offline"}, {"OFF-4"}),
        ({"q": "mov"}, {"MOV-1"}),  # the record's own filters still apply
        ({"status": "retired"}, set()),
    ],
)
async def test_filters(
    http: httpx.AsyncClient,
    tenants: Tenants,
    fleet: Fleet,
    params: dict[str, Any],
    expected: set[str],
) -> None:
    assert set(plates(await overview(http, tenants.a.owner, **params))) == expected


async def test_filter_by_driver_and_by_tracker(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    by_driver = await overview(http, tenants.a.owner, driver_id=fleet.driver_id)
    assert plates(by_driver) == ["MOV-1"]
    by_tracker = await overview(http, tenants.a.owner, device_id=fleet.device_ids["PRK-3"])
    assert plates(by_tracker) == ["PRK-3"]
    assert await overview(http, tenants.a.owner, driver_id=str(uuid.uuid4())) == []


async def test_filter_by_ids_a_page_of_search_hits(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    """The web's list asks for a page of search hits by id, with their live context."""
    wanted = {"MOV-1", "OFF-4"}
    params = {"id": [fleet.ids[p] for p in sorted(wanted)], "sort": "-plate"}
    assert plates(await overview(http, tenants.a.owner, **params)) == ["OFF-4", "MOV-1"]
    both = {**params, "activity": "offline"}  # with the live filters still applied
    assert plates(await overview(http, tenants.a.owner, **both)) == ["OFF-4"]
    assert await overview(http, tenants.b.owner, **params) == []  # another tenant's: none
    too_many = {"id": [str(uuid.uuid4()) for _ in range(101)]}
    refused = await http.get(URL, headers=tenants.a.owner, params=too_many)
    assert refused.status_code == 422
    not_ids = await http.get(URL, headers=tenants.a.owner, params={"id": "MOV-1"})
    assert not_ids.status_code == 422


async def test_another_tenant_sees_none_of_it(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    assert await overview(http, tenants.b.owner) == []
    assert await overview(http, tenants.b.owner, driver_id=fleet.driver_id) == []


async def test_roles_without_drivers_or_devices_see_vehicles_only(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    driver_role = tenants.a.as_(Role.DRIVER)  # vehicles:read, not drivers:read nor devices:read
    rows = {r["plate"]: r for r in await overview(http, driver_role)}
    assert rows["MOV-1"]["driver"] is None and rows["MOV-1"]["tracker"] is None
    assert rows["MOV-1"]["activity"] == "moving"
    for params in ({"sort": "driver"}, {"has_driver": "true"}, {"tracker_protocol": "gt06"}):
        denied = await http.get(URL, headers=driver_role, params=params)
        assert denied.status_code == 403, params
        assert denied.json()["error"]["code"] == "permission_denied"
    viewer = {r["plate"]: r for r in await overview(http, tenants.a.as_(Role.VIEWER))}
    assert viewer["MOV-1"]["driver"]["name"] == "Dana Driver"
    assert (await http.get(URL)).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"activity": "flying"},
        {"activity": ["moving"] * 6},
        {"sort": "place"},
        {"sort": "-colour"},
        {"has_driver": "maybe"},
        {"driver_id": "42"},
        {"device_id": "not-a-uuid"},
        {"tracker_protocol": "carrier-pigeon"},
        {"limit": "0"},
        {"limit": "501"},
        {"cursor": "%%%"},
        {"sort": "activity", "cursor": encode_cursor("not a rank", uuid.UUID(int=0))},
        {"sort": "last_fix", "cursor": encode_cursor(1, uuid.UUID(int=0))},
        {"sort": "driver", "cursor": encode_cursor("x" * 300, uuid.UUID(int=0))[:-3]},
    ],
)
async def test_bad_parameters_are_4xx_with_the_error_shape(
    http: httpx.AsyncClient, tenants: Tenants, params: dict[str, Any]
) -> None:
    response = await http.get(URL, headers=tenants.a.owner, params=params)
    assert response.status_code in (400, 422), (params, response.text)
    assert set(response.json()["error"]) == {"code", "message", "details"}


PARAM_VALUES = {
    "activity": st.sampled_from(["moving", "idle", "parked", "offline", "no_position"]),
    "sort": st.sampled_from([*SORT_COLUMNS, *(f"-{f}" for f in SORT_COLUMNS)]),
    "has_driver": st.sampled_from(["true", "false", "1", "0"]),
    "has_tracker": st.sampled_from(["true", "false"]),
    "tracker_protocol": st.sampled_from(["teltonika", "gt06", "osmand", "h02", "other"]),
    "limit": st.integers(min_value=-5, max_value=600).map(str),
    "status": st.sampled_from(["active", "retired", "in_maintenance"]),
    "driver_id": st.uuids().map(str),
    "device_id": st.uuids().map(str),
    "group_id": st.uuids().map(str),
    "q": st.text(max_size=120),
    "tag": st.text(max_size=80),
    "cursor": st.text(max_size=40),
}
QUERIES = st.lists(
    st.tuples(
        st.sampled_from([*PARAM_VALUES, "colour"]),
        st.booleans(),  # a valid value of that parameter, or any text
        st.data(),
    ),
    max_size=6,
)


@given(params=QUERIES)
@hypothesis_settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_any_query_string_is_answered_not_failed(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, params: list[Any]
) -> None:
    query: list[tuple[str, str]] = []
    for name, valid, data in params:
        strategy = PARAM_VALUES.get(name, st.text(max_size=20)) if valid else st.text(max_size=60)
        query.append((name, data.draw(strategy)))
    response = await http.get(URL, headers=tenants.a.owner, params=query)
    assert response.status_code in (200, 400, 422), (query, response.text)
    if response.status_code != 200:
        assert set(response.json()["error"]) == {"code", "message", "details"}
        return
    asked = {value for name, value in query if name == "activity"}
    got = {item["activity"] for item in response.json()["items"]}
    assert not asked or got <= asked


async def test_a_vehicle_in_a_depots_circle_is_at_the_depot(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    async def group(headers: dict[str, str], name: str, kind: str, at: tuple[float, float]) -> str:
        body = {"name": name, "kind": kind, "latitude": at[0], "longitude": at[1], "radius_m": 60}
        return await _post(http, headers, "groups", body)

    depot = await group(tenants.a.owner, "Pasila depot", "depot", OFF_MANNERHEIMINTIE)
    # A region is an area, not a yard: a location on it names nothing.
    await group(tenants.a.owner, "Centre", "region", ON_MANNERHEIMINTIE)
    # Another tenant's depot where A's moving vehicle is: not A's place.
    await group(tenants.b.owner, "Their yard", "depot", ON_MANNERHEIMINTIE)
    rows = {r["plate"]: r for r in await overview(http, tenants.a.owner)}
    assert rows["IDL-2"]["place"] == {
        "kind": "depot",
        "group_id": depot,
        "name": "Pasila depot",
        "label": "Pasila depot",
    }
    assert rows["MOV-1"]["place"]["label"] == "Mannerheimintie"
    one = await http.get(f"/api/v1/vehicles/{fleet.ids['IDL-2']}/overview", headers=tenants.a.owner)
    assert one.json()["place"]["label"] == "Pasila depot"


async def test_a_state_filter_leaves_retired_vehicles_out_unless_asked_for(
    http: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    vid = fleet.ids["MOV-1"]
    retire = {"status": {"state": "retired", "retired_on": "2026-01-31", "reason": "Sold"}}
    changed = await http.patch(f"/api/v1/vehicles/{vid}", json=retire, headers=tenants.a.owner)
    assert changed.status_code == 200, changed.text
    h = tenants.a.owner
    assert plates(await overview(http, h, activity="moving")) == []  # as the dashboard counts
    assert plates(await overview(http, h, activity="moving", status="retired")) == ["MOV-1"]
    assert "MOV-1" in plates(await overview(http, h))  # no state asked: the whole fleet
