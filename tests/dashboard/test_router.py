"""GET /dashboard over the real database: each figure from crafted rows in two tenants (the
other tenant's rows must never count), and who may read it."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.tracking.activity import OFFLINE_AFTER
from tests.conftest import Tenants
from tests.factories import TenantSetup
from tests.reservations.helpers import make_vehicle

URL = "/api/v1/dashboard"
RETIRED = {"state": "retired", "retired_on": "2025-01-31", "reason": "sold"}


def now() -> datetime:
    return datetime.now(UTC)


def today() -> datetime:
    return now().replace(hour=0, minute=0, second=0, microsecond=0)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


async def dashboard(client: httpx.AsyncClient, tenant: TenantSetup) -> dict[str, Any]:
    response = await client.get(URL, headers=tenant.as_(Role.VIEWER))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_device(
    client: httpx.AsyncClient, tenant: TenantSetup, vehicle_id: str | None = None
) -> str:
    response = await client.post(
        "/api/v1/devices",
        json={
            "unique_id": f"D{uuid.uuid4().hex[:12]}",
            "protocol": "teltonika",
            "vehicle_id": vehicle_id,
        },
        headers=tenant.owner,
    )
    assert response.status_code == 201, response.text
    device_id: str = response.json()["id"]
    return device_id


class Rows:
    """Direct inserts of what the ingest pipeline and the rules would have written."""

    def __init__(self, session: AsyncSession, tenant: TenantSetup) -> None:
        self.session = session
        self.tenant = tenant

    async def _run(self, sql: str, **params: Any) -> None:
        await set_tenant(self.session, TenantId(self.tenant.id))
        await self.session.execute(text(sql), {"tenant_id": self.tenant.id, **params})
        await self.session.flush()

    async def state(
        self,
        vehicle_id: str,
        device_id: str,
        fix_time: datetime,
        *,
        ignition: bool | None = None,
        speed: float | None = None,
    ) -> None:
        await self._run(
            "insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, server_time,"
            " latitude, longitude, speed_kmh, ignition)"
            " values (:tenant_id, :vehicle_id, :device_id, :fix_time, :fix_time, 60.17, 24.94,"
            " :speed, :ignition)",
            vehicle_id=uuid.UUID(vehicle_id),
            device_id=uuid.UUID(device_id),
            fix_time=fix_time,
            speed=speed,
            ignition=ignition,
        )

    async def fix(
        self,
        device_id: str,
        vehicle_id: str | None,
        fix_time: datetime,
        at: tuple[float, float] = (60.17, 24.94),
        *,
        odometer_m: float | None = None,
        valid: bool = True,
        server_time: datetime | None = None,
    ) -> None:
        await self._run(
            "insert into positions (tenant_id, device_id, vehicle_id, fix_time, server_time,"
            " protocol, latitude, longitude, valid, odometer_m)"
            " values (:tenant_id, :device_id, :vehicle_id, :fix_time, :server_time, 'teltonika',"
            " :lat, :lon, :valid, :odometer_m)",
            device_id=uuid.UUID(device_id),
            vehicle_id=uuid.UUID(vehicle_id) if vehicle_id else None,
            fix_time=fix_time,
            server_time=server_time or fix_time,
            lat=at[0],
            lon=at[1],
            valid=valid,
            odometer_m=odometer_m,
        )

    async def alert(
        self,
        vehicle_id: str,
        severity: str,
        *,
        acknowledged: bool = False,
        cleared: bool = False,
    ) -> None:
        moment = now()
        await self._run(
            "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message,"
            " opened_at, last_seen_at, cleared_at, acknowledged_at)"
            " values (:tenant_id, :id, :vehicle_id, 'dtc', :code, :severity, 'test',"
            " :at, :at, :cleared_at, :acknowledged_at)",
            id=uuid.uuid4(),
            vehicle_id=uuid.UUID(vehicle_id),
            code=uuid.uuid4().hex[:8],
            severity=severity,
            at=moment,
            cleared_at=moment if cleared else None,
            acknowledged_at=moment if acknowledged else None,
        )


async def tracked_vehicle(
    client: httpx.AsyncClient, tenant: TenantSetup, **fields: Any
) -> tuple[str, str]:
    vehicle_id = await make_vehicle(client, tenant.owner, **fields)
    return vehicle_id, await add_device(client, tenant, vehicle_id)


async def test_vehicles_by_activity(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    rows = Rows(db_session, tenants.a)
    recent = now() - timedelta(seconds=5)
    moving = await tracked_vehicle(client, tenants.a)
    await rows.state(*moving, recent, ignition=True, speed=50)
    moving_in_alert = await tracked_vehicle(client, tenants.a)
    await rows.state(*moving_in_alert, recent, speed=20)
    await rows.alert(moving_in_alert[0], "critical")
    await rows.alert(moving_in_alert[0], "warning")  # two alerts, one vehicle in alert
    idle = await tracked_vehicle(client, tenants.a)
    await rows.state(*idle, recent, ignition=True, speed=0)
    parked = await tracked_vehicle(client, tenants.a)
    await rows.state(*parked, recent, ignition=False)
    await rows.alert(parked[0], "info", cleared=True)  # cleared: not in alert
    offline = await tracked_vehicle(client, tenants.a)
    await rows.state(*offline, now() - OFFLINE_AFTER - timedelta(minutes=1), speed=80)
    await make_vehicle(client, tenants.a.owner)  # no position
    await tracked_vehicle(client, tenants.a)  # a tracker, but no fix yet
    retired = await tracked_vehicle(client, tenants.a, status=RETIRED)
    await rows.state(*retired, recent, speed=60)
    await rows.alert(retired[0], "critical")
    other = await tracked_vehicle(client, tenants.b)
    await Rows(db_session, tenants.b).state(*other, recent, speed=60)
    await Rows(db_session, tenants.b).alert(other[0], "critical")

    vehicles = (await dashboard(client, tenants.a))["vehicles"]

    assert vehicles == {
        "total": 7,
        "moving": 2,
        "idle": 1,
        "parked": 1,
        "offline": 1,
        "no_position": 2,
        "in_alert": 1,
        "retired": 1,
    }
    assert (await dashboard(client, tenants.b))["vehicles"]["total"] == 1


async def test_open_alerts_by_severity(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    rows = Rows(db_session, tenants.a)
    first = await make_vehicle(client, tenants.a.owner)
    second = await make_vehicle(client, tenants.a.owner)
    await rows.alert(first, "critical")
    await rows.alert(second, "critical", acknowledged=True)
    await rows.alert(first, "warning")
    await rows.alert(first, "info", cleared=True)
    await rows.alert(second, "warning", cleared=True, acknowledged=True)
    other = await make_vehicle(client, tenants.b.owner)
    await Rows(db_session, tenants.b).alert(other, "info")

    alerts = (await dashboard(client, tenants.a))["alerts"]

    assert alerts == {
        "open": 3,
        "unacknowledged": 2,
        "by_severity": {"critical": 2, "warning": 1, "info": 0},
    }
    assert (await dashboard(client, tenants.b))["alerts"]["by_severity"]["info"] == 1


async def test_distance_driven_today(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    rows = Rows(db_session, tenants.a)
    day = today()
    minute = timedelta(minutes=1)
    # odometer: 12.0 km → 12.4 → 14.5 today (2.5 km); yesterday's reading doesn't count
    odometer_vehicle, odometer_device = await tracked_vehicle(client, tenants.a)
    await rows.fix(odometer_device, odometer_vehicle, day - minute, odometer_m=2_000)
    for i, metres in enumerate([12_000, 12_400, 14_500]):
        await rows.fix(odometer_device, odometer_vehicle, day + i * minute, odometer_m=metres)
    # no odometer: a path through three valid fixes; yesterday's and an invalid one left out
    path_vehicle, path_device = await tracked_vehicle(client, tenants.a)
    track = [(60.17, 24.94), (60.18, 24.94), (60.18, 24.96)]
    await rows.fix(path_device, path_vehicle, day - minute, (61.5, 23.8))
    for i, point in enumerate(track):
        await rows.fix(path_device, path_vehicle, day + (2 * i) * minute, point)
    await rows.fix(path_device, path_vehicle, day + 3 * minute, (0.0, 0.0), valid=False)
    path_km = haversine_km(track[0], track[1]) + haversine_km(track[1], track[2])
    # one odometer reading is no distance: the path of that device counts instead
    single_vehicle, single_device = await tracked_vehicle(client, tenants.a)
    await rows.fix(single_device, single_vehicle, day, track[0], odometer_m=5_000)
    await rows.fix(single_device, single_vehicle, day + minute, track[1])
    # two trackers on one vehicle: the longer distance, not the sum
    twin_vehicle, twin_first = await tracked_vehicle(client, tenants.a)
    twin_second = await add_device(client, tenants.a, twin_vehicle)
    await rows.fix(twin_first, twin_vehicle, day, odometer_m=100_000)
    await rows.fix(twin_first, twin_vehicle, day + minute, odometer_m=101_000)
    await rows.fix(twin_second, twin_vehicle, day, odometer_m=7_000)
    await rows.fix(twin_second, twin_vehicle, day + minute, odometer_m=7_600)
    # a tracker on no vehicle drives no vehicle's distance; another tenant's never counts
    loose = await add_device(client, tenants.a)
    await rows.fix(loose, None, day, odometer_m=0)
    await rows.fix(loose, None, day + minute, odometer_m=50_000)
    other_vehicle, other_device = await tracked_vehicle(client, tenants.b)
    other = Rows(db_session, tenants.b)
    await other.fix(other_device, other_vehicle, day, odometer_m=0)
    await other.fix(other_device, other_vehicle, day + minute, odometer_m=9_000)

    body = await dashboard(client, tenants.a)

    figures = {figure["key"]: figure for figure in body["figures"]}
    distance = figures["distance_today"]
    expected = 2.5 + path_km + haversine_km(track[0], track[1]) + 1.0
    assert distance["value"] == round(expected, 1)
    assert distance["unit"] == "km"
    assert distance["detail"] == "4 vehicles since 00:00 UTC"
    assert body["timezone"] == "UTC"
    assert datetime.fromisoformat(body["today_from"]) == day
    other_figures = (await dashboard(client, tenants.b))["figures"]
    assert other_figures[0]["value"] == 9.0


async def test_devices_offline_and_never_reported(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    rows = Rows(db_session, tenants.a)
    vehicle_id = await make_vehicle(client, tenants.a.owner)
    talking = await add_device(client, tenants.a, vehicle_id)
    await rows.fix(talking, vehicle_id, now() - timedelta(hours=1), server_time=now())
    quiet = await add_device(client, tenants.a)
    late = now() - OFFLINE_AFTER - timedelta(minutes=1)
    await rows.fix(quiet, None, late - timedelta(hours=1), server_time=late - timedelta(hours=1))
    await rows.fix(quiet, None, late, server_time=late, valid=False)  # contact all the same
    await add_device(client, tenants.a)  # never reported
    silent_today = await add_device(client, tenants.a)
    await rows.fix(silent_today, None, today() - timedelta(days=40), server_time=now())
    await add_device(client, tenants.b)

    devices = (await dashboard(client, tenants.a))["devices"]

    assert devices == {
        "total": 4,
        "online": 2,
        "offline": 1,
        "never_reported": 1,
    }
    assert (await dashboard(client, tenants.b))["devices"]["never_reported"] == 1


async def test_upcoming_reservations_soonest_first(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    driver = await client.post("/api/v1/drivers", json={"name": "Anna Virtanen"}, headers=headers)
    assert driver.status_code == 201, driver.text
    van = await make_vehicle(client, headers, plate="VAN-1", name="Blue van")
    car = await make_vehicle(client, headers, plate="CAR-2")
    start = now().replace(microsecond=0)

    async def book(vehicle_id: str, hours: float, **fields: Any) -> str:
        body = {
            "vehicle_id": vehicle_id,
            "starts_at": (start + timedelta(hours=hours)).isoformat(),
            "ends_at": (start + timedelta(hours=hours + 0.5)).isoformat(),
            **fields,
        }
        response = await client.post("/api/v1/reservations", json=body, headers=headers)
        assert response.status_code == 201, response.text
        reservation_id: str = response.json()["id"]
        return reservation_id

    await book(van, -1)  # already started: not upcoming
    later = await book(van, 30)
    soon = await book(car, 2, driver_id=driver.json()["id"], purpose="Airport run")
    soonest = await book(van, 1, status="requested")
    cancelled = await book(car, 1)
    patched = await client.patch(
        f"/api/v1/reservations/{cancelled}", json={"status": "cancelled"}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    more = [await book(car, 40 + i) for i in range(4)]
    other = await make_vehicle(client, tenants.b.owner)
    response = await client.post(
        "/api/v1/reservations",
        json={
            "vehicle_id": other,
            "starts_at": (start + timedelta(minutes=30)).isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        headers=tenants.b.owner,
    )
    assert response.status_code == 201

    outlook = (await dashboard(client, tenants.a))["reservations"]

    assert outlook["next_24h"] == 2
    upcoming = outlook["upcoming"]
    assert [r["id"] for r in upcoming] == [soonest, soon, later, more[0], more[1]]
    assert upcoming[0]["status"] == "requested"
    assert upcoming[0]["vehicle_plate"] == "VAN-1"
    assert upcoming[0]["vehicle_name"] == "Blue van"
    assert upcoming[0]["driver_name"] is None
    assert upcoming[1]["driver_name"] == "Anna Virtanen"
    assert upcoming[1]["purpose"] == "Airport run"


async def test_who_may_read_it(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    assert (await client.get(URL)).status_code == 401
    bad_key = await client.get(URL, headers={"Authorization": "Bearer fy_nonsense"})
    assert bad_key.status_code == 401
    assert bad_key.json()["error"]["code"]
    for role in Role:
        response = await client.get(URL, headers=tenants.a.as_(role))
        assert response.status_code == 200, (role, response.text)
    # a driver (no devices:read) gets no device section; the others do
    driver = (await client.get(URL, headers=tenants.a.as_(Role.DRIVER))).json()
    assert driver["devices"] is None
    assert driver["reservations"] is not None
    empty = await dashboard(client, tenants.a)
    assert empty["vehicles"]["total"] == 0
    assert empty["devices"]["total"] == 0
    assert empty["reservations"] == {"next_24h": 0, "upcoming": []}
    assert empty["figures"][0]["value"] == 0
