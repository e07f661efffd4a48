"""ETags and 304s on GETs, cached vehicle reads dropped by writes before the write's answer
leaves, tenants apart, and the API answering from the database with Redis killed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.cache.store import Cache
from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.vehicles.schemas import Vehicle, VehiclePage
from tests.cache.redis_process import RedisProcess
from tests.cache.test_store import wait_for
from tests.conftest import Tenants
from tests.reservations.helpers import make_vehicle

VEHICLES = "/api/v1/vehicles"


async def test_a_record_answers_304_to_its_etag_and_a_new_one_after_an_edit(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vehicle_id = await make_vehicle(client, headers, name="Van 1")
    first = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "private, no-cache"
    same = await client.get(f"{VEHICLES}/{vehicle_id}", headers={**headers, "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag

    edited = await client.patch(f"{VEHICLES}/{vehicle_id}", json={"name": "Van 2"}, headers=headers)
    assert edited.status_code == 200
    after = await client.get(f"{VEHICLES}/{vehicle_id}", headers={**headers, "If-None-Match": etag})
    assert after.status_code == 200
    assert after.json()["name"] == "Van 2" and after.headers["etag"] != etag


async def test_a_list_answers_304_until_a_vehicle_is_added(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    await make_vehicle(client, headers)
    first = await client.get(VEHICLES, headers=headers)
    etag = first.headers["etag"]
    conditional = {**headers, "If-None-Match": f'"other", {etag}'}
    assert (await client.get(VEHICLES, headers=conditional)).status_code == 304
    added = await make_vehicle(client, headers)
    after = await client.get(VEHICLES, headers=conditional)
    assert after.status_code == 200
    assert added in [item["id"] for item in after.json()["items"]]


async def test_every_json_get_gets_an_etag_not_only_cached_ones(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    first = await client.get("/api/v1/drivers", headers=tenants.a.owner)
    etag = first.headers["etag"]
    again = await client.get("/api/v1/drivers", headers={**tenants.a.owner, "If-None-Match": etag})
    assert again.status_code == 304


async def test_cached_answers_are_the_documents_the_models_describe(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    in_shop = {"state": "in_maintenance", "shop": "Garage Oy"}
    vehicle_id = await make_vehicle(
        client, headers, vin="1FTBW2CM2HKA12345", odometer_km=1234.5, status=in_shop, tags=["a"]
    )
    created = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
    assert Vehicle.model_validate(created.json()).model_dump(mode="json") == created.json()
    assert created.json()["status"] == {**in_shop, "expected_return": None}
    page = (await client.get(VEHICLES, headers=headers)).json()
    assert VehiclePage.model_validate(page).model_dump(mode="json") == page


async def test_two_tenants_never_see_each_others_cached_lists_or_records(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    a_vehicle = await make_vehicle(client, tenants.a.owner, plate="AAA-1")
    await make_vehicle(client, tenants.b.owner, plate="BBB-1")
    for _ in range(2):  # the second round reads from the cache
        a_list = (await client.get(VEHICLES, headers=tenants.a.owner)).json()["items"]
        b_list = (await client.get(VEHICLES, headers=tenants.b.owner)).json()["items"]
        assert [v["plate"] for v in a_list] == ["AAA-1"]
        assert [v["plate"] for v in b_list] == ["BBB-1"]
        foreign = await client.get(f"{VEHICLES}/{a_vehicle}", headers=tenants.b.owner)
        assert foreign.status_code == 404


async def test_a_deleted_vehicle_is_gone_from_the_next_read(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vehicle_id = await make_vehicle(client, headers)
    assert (await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)).status_code == 200
    assert (await client.get(VEHICLES, headers=headers)).json()["items"]
    assert (await client.delete(f"{VEHICLES}/{vehicle_id}", headers=headers)).status_code == 204
    assert (await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)).status_code == 404
    assert (await client.get(VEHICLES, headers=headers)).json()["items"] == []


async def test_deleting_a_group_drops_its_vehicles_cached_records(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    group = await client.post("/api/v1/groups", json={"name": "Depot"}, headers=headers)
    group_id = group.json()["id"]
    vehicle_id = await make_vehicle(client, headers, group_id=group_id)
    cached = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
    assert cached.json()["group_id"] == group_id
    deleted = await client.delete(f"/api/v1/groups/{group_id}", headers=headers)
    assert deleted.status_code == 204, deleted.text
    # the foreign key set the vehicle's group to null, with no vehicle event
    after = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
    assert after.json()["group_id"] is None


async def test_a_failed_write_changes_nothing_cached(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vehicle_id = await make_vehicle(client, headers, name="Kept")
    etag = (await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)).headers["etag"]
    refused = await client.patch(
        f"{VEHICLES}/{vehicle_id}", json={"name": "Lost", "version": 99}, headers=headers
    )
    assert refused.status_code == 409
    again = await client.get(f"{VEHICLES}/{vehicle_id}", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304


@pytest.fixture
async def redis_backed_client(
    settings: Settings, rolled_back_db: Database, own_redis: RedisProcess
) -> AsyncIterator[tuple[httpx.AsyncClient, Cache]]:
    """The app with its cache on a Redis of the test's own (the rest of the app as usual)."""
    app = create_app(settings, database=rolled_back_db)
    cache = app.state.cache = Cache(own_redis.url, retry_s=0.05)
    await cache.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, cache
    await cache.stop()


async def test_the_api_answers_from_the_database_while_redis_is_down(
    redis_backed_client: tuple[httpx.AsyncClient, Cache],
    tenants: Tenants,
    own_redis: RedisProcess,
) -> None:
    client, cache = redis_backed_client
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vehicle_id = await make_vehicle(client, headers, name="Before")
    assert (await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)).status_code == 200
    assert not cache.degraded

    own_redis.kill()
    for name in ("During 1", "During 2"):
        edited = await client.patch(
            f"{VEHICLES}/{vehicle_id}", json={"name": name}, headers=headers
        )
        assert edited.status_code == 200
        read = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
        assert (read.status_code, read.json()["name"]) == (200, name)
        listed = await client.get(VEHICLES, headers=headers)
        assert listed.status_code == 200 and listed.json()["items"][0]["name"] == name
    assert cache.degraded
    summary = await client.get("/api/v1/fleet/summary", headers=headers)
    assert summary.status_code == 200

    own_redis.start()
    await wait_for(lambda: not cache.degraded)
    read = await client.get(f"{VEHICLES}/{vehicle_id}", headers=headers)
    assert read.json()["name"] == "During 2"
    del_id = uuid.uuid4()
    assert (await client.get(f"{VEHICLES}/{del_id}", headers=headers)).status_code == 404


async def test_a_cached_answer_costs_no_database_statement(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    """The tenant is set as the first statement of a transaction only once something needs
    the database: a hit opens none (no BEGIN, set_config or COMMIT)."""
    headers = tenants.a.owner
    vehicle_id = await make_vehicle(client, headers)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = rolled_back_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in (VEHICLES, f"{VEHICLES}/{vehicle_id}"):
            statements.clear()
            miss = await client.get(path, headers=headers)
            assert miss.status_code == 200 and any("set_config" in s for s in statements)
            statements.clear()
            hit = await client.get(path, headers=headers)
            assert hit.status_code == 200 and hit.content == miss.content
            assert statements == []
        # another tenant's read of the same path still goes to the database, as that tenant
        statements.clear()
        other = await client.get(f"{VEHICLES}/{vehicle_id}", headers=tenants.b.owner)
        assert other.status_code == 404 and any("set_config" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
