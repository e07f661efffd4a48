"""What keeps search fast in a large fleet, checked for the answers it must not change:
suggestions ranked among a capped set of text matches still put an exact identifier first;
an identifier form no document holds costs nothing and changes nothing; one pass gives the
page, the total past the last page and facet counts; the records of many vehicles are read by
one join; each search transaction is tuned for itself only."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.search import repository
from fleetyard.search.repository import Criteria, SearchQueries
from fleetyard.search.sources import RecordRows
from tests.conftest import Tenants
from tests.search.conftest import SUGGEST, Fleet, ids, search
from tests.search.conftest import TRACKER_IMEI as IMEI


async def test_an_identifier_comes_first_whatever_the_candidate_cap(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one text candidate only: the plate is still found, by its identifier, and first
    monkeypatch.setattr(repository, "SUGGEST_CANDIDATES", 1)
    response = await client.get(SUGGEST, params={"q": "xyz987"}, headers=tenants.a.owner)
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["id"] == fleet.vehicles["transit_espoo"]["id"]
    # and a word with many matches still answers (as many as the cap lets through)
    response = await client.get(SUGGEST, params={"q": "ford"}, headers=tenants.a.owner)
    assert len(response.json()["items"]) == 1


async def test_the_cap_leaves_small_fleets_every_match(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    response = await client.get(
        SUGGEST, params={"q": "transit", "limit": 20}, headers=tenants.a.owner
    )
    titles = {item["title"] for item in response.json()["items"]}
    assert {"ABC-123", "XYZ-987", "OLD-1"} <= titles


async def test_identifier_forms_nobody_holds_are_dropped_before_searching(
    db_session: AsyncSession, tenants: Tenants, fleet: Fleet
) -> None:
    queries = SearchQueries(db_session, TenantId(tenants.a.id))
    await set_tenant(db_session, TenantId(tenants.a.id))
    words = Criteria(("vehicle",), "'transit'", ("transit", "~transit"), ("transit",))
    dropped = await queries.without_idle_identifiers(words)
    assert dropped.identifiers == () and dropped.whole_identifiers == ()
    assert dropped.tsquery == words.tsquery
    plate = Criteria(("vehicle",), "'abc123':*", ("abc123", "~abc123"), ("abc123",))
    assert await queries.without_idle_identifiers(plate) == plate
    # another tenant's identifier is no reason to keep them
    await set_tenant(db_session, TenantId(tenants.b.id))
    other = SearchQueries(db_session, TenantId(tenants.b.id))
    assert (await other.without_idle_identifiers(plate)).identifiers == ()


async def test_one_pass_answers_page_total_and_facets_past_the_end(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    first = await search(client, tenants.a.owner, "ford", types="vehicle", limit=2, facets="make")
    assert first["total"] == 4 and len(first["items"]) == 2
    assert first["facets"]["make"] == [{"value": "Ford", "label": None, "count": 4}]
    second = await search(
        client,
        tenants.a.owner,
        "ford",
        types="vehicle",
        limit=2,
        facets="make,types",
        cursor=first["next_cursor"],
    )
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    assert second["total"] == 4
    assert second["facets"]["types"] == [{"value": "vehicle", "label": None, "count": 4}]
    assert set(ids(first)).isdisjoint(ids(second))


async def test_trackers_and_drivers_of_many_vehicles_in_one_read(
    rolled_back_db: Database, tenants: Tenants, fleet: Fleet
) -> None:
    vehicles = [uuid.UUID(v["id"]) for v in fleet.vehicles.values()]
    async with rolled_back_db.sessionmaker() as session, session.begin():
        await set_tenant(session, TenantId(tenants.a.id))
        rows = RecordRows(session, TenantId(tenants.a.id))
        trackers = await rows.trackers_of([*vehicles, *vehicles])  # repeats are harmless
        drivers = await rows.drivers_of(vehicles)
    transit = uuid.UUID(fleet.vehicles["transit_hel"]["id"])
    assert [t.unique_id for t in trackers[transit]] == [IMEI] and len(trackers) == 1
    assert {k: [d.name for d in found] for k, found in drivers.items()} == {
        transit: ["Anna Järvinen"]
    }


async def test_search_settings_last_only_for_its_transaction(
    app_database: Database, tenants: Tenants
) -> None:
    # a real connection: the settings are local to the top-level transaction
    async with app_database.sessionmaker() as session:
        async with session.begin():
            await SearchQueries(session, TenantId(tenants.a.id)).tune()
            assert await session.scalar(text("show jit")) == "off"
            assert await session.scalar(text("show work_mem")) == "32MB"
            assert await session.scalar(text("show plan_cache_mode")) == "force_custom_plan"
        async with session.begin():
            assert await session.scalar(text("show work_mem")) != "32MB"
