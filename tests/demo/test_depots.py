"""The demo's depots stand on the demo map: inside the basemap's drawn area (the Helsinki
extract the simulator drives on too), away from its cut edge, on a drawn street; seeding
gives each depot group its place, through the groups service, once."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.basemap.layers import cached_layers
from fleetyard.db import set_tenant
from fleetyard.demo.catalogue import DEPOTS, HARBOUR_DEPOT, Depot
from fleetyard.demo.plan import demo_fleet_plan, harbour_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.groups.schemas import GroupUpdate
from fleetyard.groups.service import GroupService
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring
from fleetyard.places.naming import ON_STREET_M, StreetIndex, depot_at, distance_m
from fleetyard.places.repository import depots_of
from fleetyard.simulator.fleet import FleetConfig

ALL_DEPOTS = (*DEPOTS, HARBOUR_DEPOT)
EDGE_M = 150.0  # well inside the simulator's 60 m margin
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def basemap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_layers(tmp_path_factory.mktemp("depots"))


@pytest.mark.parametrize("depot", ALL_DEPOTS, ids=lambda d: d.code)
def test_each_depot_lies_inside_the_drawn_area_away_from_its_edge(
    depot: Depot, basemap: Path
) -> None:
    west, south, east, north = json.loads((basemap / "bounds.json").read_text())
    lat, lon = depot.latitude, depot.longitude
    assert south < lat < north and west < lon < east
    to_edge = min(
        distance_m(lat, lon, south, lon),
        distance_m(lat, lon, north, lon),
        distance_m(lat, lon, lat, west),
        distance_m(lat, lon, lat, east),
    )
    assert to_edge >= EDGE_M, f"{depot.name} is {to_edge:.0f} m from the map's edge"


@pytest.mark.parametrize("depot", ALL_DEPOTS, ids=lambda d: d.code)
def test_each_depot_stands_on_a_drawn_street(depot: Depot, basemap: Path) -> None:
    roads = json.loads((basemap / "roads.geojson").read_text())
    streets = StreetIndex.from_geojson(roads)
    place = streets.nearest(depot.latitude, depot.longitude)
    assert place is not None and place.distance_m <= ON_STREET_M, (depot.name, place)


def test_depots_are_apart_and_sized_as_the_api_allows() -> None:
    for depot in ALL_DEPOTS:
        assert 20 <= depot.radius_m <= 5000
    for a, b in ((a, b) for i, a in enumerate(ALL_DEPOTS) for b in ALL_DEPOTS[i + 1 :]):
        apart = distance_m(a.latitude, a.longitude, b.latitude, b.longitude)
        assert apart > a.radius_m + b.radius_m, (a.name, b.name)  # no vehicle is at two


async def _group_places(session: AsyncSession) -> dict[str, tuple[float, float, int] | None]:
    rows = await session.execute(text("select name, latitude, longitude, radius_m from groups"))
    return {name: None if lat is None else (lat, lon, radius) for name, lat, lon, radius in rows}


async def test_seeding_places_the_depots_once_through_the_service(
    db_session: AsyncSession, keyring: Keyring
) -> None:
    plan = demo_fleet_plan(FleetConfig(vehicles=3, seed=5), NOW)
    report = await seed_tenant(db_session, plan, keyring)
    assert report.created["groups"] == 5  # the region, its depots and the contractors
    tenant = TenantId(await db_session.scalar(text("select id from tenants where slug = 'demo'")))

    expected = {d.name: (d.latitude, d.longitude, d.radius_m) for d in DEPOTS} | {
        "Uusimaa": None,
        "Contractors": None,
    }
    assert await _group_places(db_session) == expected
    created = await db_session.scalar(
        text(
            "select count(*) from events where type = 'group_created' "
            "and (changes->'latitude'->>'after') is not null"
        )
    )
    assert created == 3
    # the place namer now says a vehicle at Kaivokatu is at Helsinki Central
    depots = await depots_of(db_session, tenant)
    central = DEPOTS[0]
    found = depot_at(central.latitude + 0.0005, central.longitude, depots)
    assert found is not None and found.name == "Helsinki Central"

    again = await seed_tenant(db_session, plan, keyring)
    assert again.created["groups"] == again.changed["groups"] == 0
    assert await _group_places(db_session) == expected


async def test_a_depot_seeded_without_a_place_gets_it_once_and_a_moved_one_stays(
    db_session: AsyncSession, keyring: Keyring
) -> None:
    plan = demo_fleet_plan(FleetConfig(vehicles=3, seed=5), NOW)
    await seed_tenant(db_session, plan, keyring)
    tenant = TenantId(await db_session.scalar(text("select id from tenants where slug = 'demo'")))
    await set_tenant(db_session, tenant)
    service = GroupService(db_session, Principal.system(tenant))
    ids = {
        g.name: g.id for g in (await service.list_page([], sort="name", cursor=None, limit=9))[0]
    }
    # as a database seeded before groups had places: Pasila without one
    await service.update(ids["Pasila"], GroupUpdate(latitude=None, longitude=None), None)
    # and someone moved Herttoniemi
    await service.update(ids["Herttoniemi"], GroupUpdate(latitude=60.17, longitude=24.945), None)

    report = await seed_tenant(db_session, plan, keyring)
    assert report.changed["groups"] == 1
    assert report.created["groups"] == 0
    places = await _group_places(db_session)
    pasila = DEPOTS[1]
    assert places["Pasila"] == (pasila.latitude, pasila.longitude, pasila.radius_m)
    assert places["Herttoniemi"] == (60.17, 24.945, DEPOTS[2].radius_m)
    assert (await seed_tenant(db_session, plan, keyring)).changed["groups"] == 0


async def test_harbour_depot_has_its_own_place(db_session: AsyncSession) -> None:
    await seed_tenant(db_session, harbour_plan(NOW))
    harbour = HARBOUR_DEPOT
    places = await _group_places(db_session)
    assert places == {harbour.name: (harbour.latitude, harbour.longitude, harbour.radius_m)}
    assert not math.isnan(harbour.latitude)
