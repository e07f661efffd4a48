"""Reservations over HTTP: the standard scenarios, the overlap rule, statuses and visibility."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.models import Driver
from tests.conftest import Tenants
from tests.factories import member_session
from tests.reservations.helpers import (
    at,
    booked,
    make_vehicle,
    reserve,
)

URL = "/api/v1/reservations"


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vid = await make_vehicle(client, headers)
    created = await reserve(client, headers, vid, 0, 8, purpose="Site visit")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "confirmed"
    assert body["user_id"] is None  # an API key books for no one in particular
    assert body["version"] == 1
    rid = body["id"]

    got = await client.get(f"{URL}/{rid}", headers=headers)
    assert got.status_code == 200
    assert got.json()["purpose"] == "Site visit"

    listed = await client.get(URL, headers=headers, params={"vehicle_id": vid})
    assert [r["id"] for r in listed.json()["items"]] == [rid]

    updated = await client.patch(
        f"{URL}/{rid}", json={"ends_at": at(10)}, headers={**headers, "If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2

    stale = await client.patch(f"{URL}/{rid}", json={"version": 1, "purpose": "x"}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    bad_if_match = await client.patch(
        f"{URL}/{rid}", json={"purpose": "x"}, headers={**headers, "If-Match": "latest"}
    )
    assert bad_if_match.status_code == 400

    deleted = await client.delete(f"{URL}/{rid}", headers={**headers, "If-Match": "2"})
    assert deleted.status_code == 204
    assert (await client.get(f"{URL}/{rid}", headers=headers)).status_code == 404

    events = await client.get(
        "/api/v1/events", params={"entity_type": "reservation", "entity_id": rid}, headers=headers
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "reservation_deleted",
        "reservation_updated",
        "reservation_created",
    ]
    assert set(events.json()["items"][1]["changes"]) == {"ends_at"}


async def test_standard_scenarios(client: httpx.AsyncClient, tenants: Tenants) -> None:
    vid = await make_vehicle(client, tenants.a.owner)
    assert (await client.get(URL)).status_code == 401
    assert (await reserve(client, {}, vid, 0, 1)).status_code == 401

    denied = await reserve(client, tenants.a.as_(Role.VIEWER), vid, 0, 1)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    assert (await client.get(URL, headers=tenants.a.as_(Role.VIEWER))).status_code == 200

    rid = (await booked(client, tenants.a.owner, vid, 0, 1))["id"]
    other = tenants.b.owner
    assert (await client.get(f"{URL}/{rid}", headers=other)).status_code == 404
    patched = await client.patch(f"{URL}/{rid}", json={"purpose": "mine"}, headers=other)
    assert patched.status_code == 404
    assert (await client.delete(f"{URL}/{rid}", headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    foreign_vehicle = await reserve(client, other, vid, 5, 6)
    assert foreign_vehicle.status_code == 422
    assert foreign_vehicle.json()["error"]["details"] == {"field": "vehicle_id"}

    ok = await reserve(client, tenants.a.as_(Role.DISPATCHER), vid, 1, 2)
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"ends_at": at(0)}, "ends when it starts"),
        ({"ends_at": at(-1)}, "ends before it starts"),
        ({"starts_at": "2031-03-03T08:00:00"}, "naive datetime"),
        ({"ends_at": at(24 * 90 + 1)}, "longer than 90 days"),
        ({"purpose": "x" * 501}, "purpose too long"),
        ({"status": "cancelled"}, "created cancelled"),
        ({"driver_id": str(uuid.uuid4())}, "unknown driver"),
        ({"user_id": str(uuid.uuid4())}, "not a member"),
        ({"vehicle_id": str(uuid.uuid4())}, "unknown vehicle"),
        ({"colour": "red"}, "unknown field"),
    ],
)
async def test_invalid_payloads_are_422(
    client: httpx.AsyncClient, tenants: Tenants, overrides: dict[str, str], why: str
) -> None:
    vid = await make_vehicle(client, tenants.a.owner)
    body = {"vehicle_id": vid, "starts_at": at(0), "ends_at": at(2), **overrides}
    response = await client.post(URL, json=body, headers=tenants.a.owner)
    assert response.status_code == 422, why
    assert response.json()["error"]["code"] == "validation_failed"


async def test_exactly_ninety_days_is_allowed(client: httpx.AsyncClient, tenants: Tenants) -> None:
    vid = await make_vehicle(client, tenants.a.owner)
    assert (await reserve(client, tenants.a.owner, vid, 0, 24 * 90)).status_code == 201


async def test_overlaps_are_refused_back_to_back_is_fine(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    first = await booked(client, headers, vid, 10, 12)

    for start, end in [(11, 13), (9, 11), (10, 12), (9, 13), (10.5, 11.5)]:
        clash = await reserve(client, headers, vid, start, end)
        assert clash.status_code == 409, (start, end)
        error = clash.json()["error"]
        assert error["code"] == "reservation_overlap"
        assert error["details"]["vehicle_id"] == vid
        [conflict] = error["details"]["conflicts"]
        assert conflict["id"] == first["id"]
        assert conflict["starts_at"] == first["starts_at"].replace("Z", "+00:00")
        assert conflict["ends_at"] == first["ends_at"].replace("Z", "+00:00")

    assert (await reserve(client, headers, vid, 8, 10)).status_code == 201  # ends as it starts
    assert (await reserve(client, headers, vid, 12, 14)).status_code == 201  # starts as it ends
    other_vehicle = await make_vehicle(client, headers)
    assert (await reserve(client, headers, other_vehicle, 10, 12)).status_code == 201

    spanning = await reserve(client, headers, vid, 7, 15)
    assert len(spanning.json()["error"]["details"]["conflicts"]) == 3


async def test_other_tenants_bookings_never_conflict(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    mine = await make_vehicle(client, tenants.a.owner)
    theirs = await make_vehicle(client, tenants.b.owner)
    await booked(client, tenants.a.owner, mine, 0, 5)
    assert (await reserve(client, tenants.b.owner, theirs, 0, 5)).status_code == 201


async def test_cancelling_frees_the_slot(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    first = await booked(client, headers, vid, 0, 4)
    assert (await reserve(client, headers, vid, 2, 6)).status_code == 409
    cancelled = await client.patch(
        f"{URL}/{first['id']}", json={"status": "cancelled"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await reserve(client, headers, vid, 2, 6)).status_code == 201


async def test_updates_are_checked_for_overlap(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    first = await booked(client, headers, vid, 0, 4)
    second = await booked(client, headers, vid, 4, 8)

    into = await client.patch(f"{URL}/{second['id']}", json={"starts_at": at(3)}, headers=headers)
    assert into.status_code == 409
    assert into.json()["error"]["code"] == "reservation_overlap"
    assert [c["id"] for c in into.json()["error"]["details"]["conflicts"]] == [first["id"]]

    # Moving within its own slot never conflicts with itself.
    shrink = await client.patch(f"{URL}/{second['id']}", json={"ends_at": at(7)}, headers=headers)
    assert shrink.status_code == 200, shrink.text

    other = await make_vehicle(client, headers)
    await booked(client, headers, other, 5, 6)
    moved = await client.patch(f"{URL}/{first['id']}", json={"vehicle_id": other}, headers=headers)
    assert moved.status_code == 200, moved.text
    clash = await client.patch(f"{URL}/{first['id']}", json={"ends_at": at(5.5)}, headers=headers)
    assert clash.status_code == 409

    inverted = await client.patch(f"{URL}/{first['id']}", json={"ends_at": at(-1)}, headers=headers)
    assert inverted.status_code == 422
    cancel_inverted = {"status": "cancelled", "ends_at": at(-1)}
    inverted = await client.patch(f"{URL}/{first['id']}", json=cancel_inverted, headers=headers)
    assert inverted.status_code == 422


async def test_retired_vehicle_cannot_be_reserved(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    retired = {"state": "retired", "retired_on": "2030-01-01", "reason": "Sold"}
    vid = await make_vehicle(client, headers, status=retired)
    refused = await reserve(client, headers, vid, 0, 1)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "vehicle_retired"

    active = await make_vehicle(client, headers)
    rid = (await booked(client, headers, active, 0, 1))["id"]
    moved = await client.patch(f"{URL}/{rid}", json={"vehicle_id": vid}, headers=headers)
    assert moved.status_code == 409
    assert moved.json()["error"]["code"] == "vehicle_retired"


async def test_status_transitions(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    requested = await reserve(client, headers, vid, 0, 1, status="requested")
    assert requested.json()["status"] == "requested"
    rid = requested.json()["id"]

    skip = await client.patch(f"{URL}/{rid}", json={"status": "completed"}, headers=headers)
    assert skip.status_code == 409
    assert skip.json()["error"]["code"] == "invalid_transition"
    for status in ("confirmed", "completed"):
        step = await client.patch(f"{URL}/{rid}", json={"status": status}, headers=headers)
        assert step.status_code == 200, step.text
        assert step.json()["status"] == status

    for change in ({"status": "confirmed"}, {"status": "cancelled"}, {"ends_at": at(2)}):
        final = await client.patch(f"{URL}/{rid}", json=change, headers=headers)
        assert final.status_code == 409, change
        assert final.json()["error"]["code"] == "invalid_transition"
    same = await client.patch(f"{URL}/{rid}", json={"status": "completed"}, headers=headers)
    assert same.status_code == 200  # nothing changes, so nothing to refuse
    assert same.json()["version"] == 3

    cancelled = (await booked(client, headers, vid, 5, 6))["id"]
    await client.patch(f"{URL}/{cancelled}", json={"status": "cancelled"}, headers=headers)
    revive = await client.patch(f"{URL}/{cancelled}", json={"status": "confirmed"}, headers=headers)
    assert revive.status_code == 409
    assert revive.json()["error"]["code"] == "invalid_transition"


async def test_list_filters_sorting_and_paging(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    other = await make_vehicle(client, headers)
    ids = [(await booked(client, headers, vid, h, h + 1))["id"] for h in (0, 2, 4, 6)]
    elsewhere = (await booked(client, headers, other, 3, 5))["id"]
    await client.patch(f"{URL}/{ids[3]}", json={"status": "cancelled"}, headers=headers)

    async def listed(**params: str | int) -> list[str]:
        response = await client.get(URL, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert await listed() == [ids[0], ids[1], elsewhere, ids[2], ids[3]]
    assert await listed(vehicle_id=vid, sort="-starts_at") == ids[::-1]
    assert await listed(status="cancelled") == [ids[3]]
    # Overlapping [2.5, 4): ids[1] ends at 3; elsewhere runs 3-5; ids[2] starts at 4 (excluded).
    assert await listed(**{"from": at(2.5), "to": at(4)}) == [ids[1], elsewhere]
    assert await listed(**{"from": at(6)}) == [ids[3]]
    assert await listed(to=at(1)) == [ids[0]]

    page1 = (await client.get(URL, headers=headers, params={"limit": 2})).json()
    page2 = (
        await client.get(URL, headers=headers, params={"limit": 2, "cursor": page1["next_cursor"]})
    ).json()
    assert [r["id"] for r in page1["items"] + page2["items"]] == [
        ids[0],
        ids[1],
        elsewhere,
        ids[2],
    ]

    for params in ({"from": "2031-03-03T08:00:00"}, {"from": at(4), "to": at(2)}, {"sort": "x"}):
        bad = await client.get(URL, headers=headers, params=params)
        assert bad.status_code == 422, params


async def test_driver_reference(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await set_tenant(db_session, TenantId(tenants.a.id))
    driver = Driver(tenant_id=tenants.a.id, name="Dana Driver")
    db_session.add(driver)
    await db_session.commit()

    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    created = await reserve(client, headers, vid, 0, 1, driver_id=str(driver.id))
    assert created.status_code == 201, created.text
    assert created.json()["driver_id"] == str(driver.id)
    listed = await client.get(URL, headers=headers, params={"driver_id": str(driver.id)})
    assert [r["id"] for r in listed.json()["items"]] == [created.json()["id"]]

    cleared = await client.patch(
        f"{URL}/{created.json()['id']}", json={"driver_id": None}, headers=headers
    )
    assert cleared.json()["driver_id"] is None
    in_b = await reserve(
        client,
        tenants.b.owner,
        await make_vehicle(client, tenants.b.owner),
        0,
        1,
        driver_id=str(driver.id),
    )
    assert in_b.status_code == 422
    assert in_b.json()["error"]["details"] == {"field": "driver_id"}


async def test_only_an_active_driver_can_be_booked(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner

    async def new_driver(name: str, status: str) -> str:
        made = await client.post(
            "/api/v1/drivers", json={"name": name, "status": status}, headers=headers
        )
        assert made.status_code == 201, made.text
        driver_id: str = made.json()["id"]
        return driver_id

    active = await new_driver("Aino Active", "active")
    for status in ("inactive", "suspended"):
        idle = await new_driver(f"Idle {status}", status)
        vid = await make_vehicle(client, headers)
        refused = await reserve(client, headers, vid, 0, 1, driver_id=idle)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "driver_inactive"
        assert error["details"] == {"field": "driver_id", "driver_id": idle, "status": status}
        assert status in error["message"]

        booked = await reserve(client, headers, vid, 0, 1, driver_id=active)
        assert booked.status_code == 201, booked.text
        handed = await client.patch(
            f"{URL}/{booked.json()['id']}", json={"version": 1, "driver_id": idle}, headers=headers
        )
        assert handed.status_code == 409
        assert handed.json()["error"]["code"] == "driver_inactive"
    events = await client.get(
        "/api/v1/events", params={"entity_type": "reservation"}, headers=headers
    )
    assert {e["type"] for e in events.json()["items"]} == {"reservation_created"}


async def test_a_driver_made_inactive_keeps_their_bookings(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    """Existing bookings stay as they are; they can still be changed or cancelled, and the
    driver can't be put on a new one until active again."""
    headers = tenants.a.owner
    made = await client.post("/api/v1/drivers", json={"name": "Leaving Lea"}, headers=headers)
    driver_id = made.json()["id"]
    vid = await make_vehicle(client, headers)
    booked = await reserve(client, headers, vid, 0, 2, driver_id=driver_id)
    assert booked.status_code == 201, booked.text
    rid = booked.json()["id"]

    gone = await client.patch(
        f"/api/v1/drivers/{driver_id}", json={"version": 1, "status": "inactive"}, headers=headers
    )
    assert gone.status_code == 200, gone.text
    kept = await client.get(f"{URL}/{rid}", headers=headers)
    assert kept.json()["driver_id"] == driver_id
    assert kept.json()["status"] == "confirmed"

    moved = await client.patch(
        f"{URL}/{rid}", json={"version": 1, "ends_at": at(3), "purpose": "Later"}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["driver_id"] == driver_id
    cancelled = await client.patch(
        f"{URL}/{rid}", json={"version": 2, "status": "cancelled"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await reserve(client, headers, vid, 4, 5, driver_id=driver_id)).status_code == 409


async def test_drivers_see_and_change_only_their_own(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    owner = tenants.a.owner
    vid = await make_vehicle(client, owner)
    dana = await member_session(client, tenants.a, Role.DRIVER)
    eli = await member_session(client, tenants.a, Role.DRIVER)

    mine = await reserve(client, dana.headers, vid, 0, 2)
    assert mine.status_code == 201, mine.text
    assert mine.json()["user_id"] == dana.user_id
    rid = mine.json()["id"]
    for_eli = await booked(client, owner, vid, 2, 4)
    await client.patch(f"{URL}/{for_eli['id']}", json={"user_id": eli.user_id}, headers=owner)

    assert (await client.get(f"{URL}/{rid}", headers=dana.headers)).status_code == 200
    dana_list = (await client.get(URL, headers=dana.headers)).json()["items"]
    assert [r["id"] for r in dana_list] == [rid]
    owner_list = (await client.get(URL, headers=owner)).json()["items"]
    assert {r["id"] for r in owner_list} == {rid, for_eli["id"]}

    # Eli can't see, change or delete Dana's booking: to Eli it does not exist.
    assert (await client.get(f"{URL}/{rid}", headers=eli.headers)).status_code == 404
    patched = await client.patch(f"{URL}/{rid}", json={"purpose": "x"}, headers=eli.headers)
    assert patched.status_code == 404
    assert (await client.delete(f"{URL}/{rid}", headers=eli.headers)).status_code == 404
    assert [r["id"] for r in (await client.get(URL, headers=eli.headers)).json()["items"]] == [
        for_eli["id"]
    ]

    # A driver books only for themselves, and can't hand a booking to someone else.
    for_other = await reserve(client, dana.headers, vid, 10, 11, user_id=eli.user_id)
    assert for_other.status_code == 403
    handed = await client.patch(f"{URL}/{rid}", json={"user_id": eli.user_id}, headers=dana.headers)
    assert handed.status_code == 403

    # Overlap with someone else's booking is still refused, without revealing more than ids.
    clash = await reserve(client, dana.headers, vid, 3, 5)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "reservation_overlap"

    # A driver API key belongs to no user: it sees nothing and can't book.
    driver_key = tenants.a.as_(Role.DRIVER)
    assert (await client.get(URL, headers=driver_key)).json()["items"] == []
    assert (await client.get(f"{URL}/{rid}", headers=driver_key)).status_code == 404
    assert (await reserve(client, driver_key, vid, 20, 21)).status_code == 403

    cancelled = await client.patch(
        f"{URL}/{rid}", json={"status": "cancelled"}, headers=dana.headers
    )
    assert cancelled.status_code == 200
    assert (await client.delete(f"{URL}/{rid}", headers=dana.headers)).status_code == 204


async def test_user_sessions_book_for_themselves_by_default(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    vid = await make_vehicle(client, tenants.a.owner)
    dispatcher = await member_session(client, tenants.a, Role.DISPATCHER)
    own = await reserve(client, dispatcher.headers, vid, 0, 1)
    assert own.json()["user_id"] == dispatcher.user_id
    nobody = await reserve(client, dispatcher.headers, vid, 1, 2, user_id=None)
    assert nobody.status_code == 201
    assert nobody.json()["user_id"] is None
    driver = await member_session(client, tenants.a, Role.DRIVER)
    for_driver = await reserve(client, dispatcher.headers, vid, 2, 3, user_id=driver.user_id)
    assert for_driver.json()["user_id"] == driver.user_id
    outsider = await member_session(client, tenants.b, Role.DRIVER)
    not_member = await reserve(client, dispatcher.headers, vid, 3, 4, user_id=outsider.user_id)
    assert not_member.status_code == 422
    assert not_member.json()["error"]["details"] == {"field": "user_id"}
