"""The integrations API against the real database: per route anonymous, wrong role, other
tenant, invalid payload and valid; credentials sealed and never shown or logged; ``/test``
against a fake provider for each answer."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.testing import capture_logs

from fleetyard.auth.roles import Role
from fleetyard.integrations import service
from fleetyard.kit.sealing import Keyring, associated_data
from tests.conftest import Tenants, set_tenant
from tests.integrations.fake_provider import TOKEN, FakeClient, FakeProvider

URL = "/api/v1/integrations"
BODY: dict[str, Any] = {
    "provider": "samsara",
    "name": "Samsara EU",
    "settings": {"region": "eu"},
    "credentials": {"api_token": TOKEN},
}


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    response = await client.post(URL, json={**BODY, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def errors_of(response: httpx.Response) -> list[list[str]]:
    return [e["loc"] for e in response.json()["error"]["details"]["errors"]]


async def test_create_get_list_update_delete(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    owner = tenants.a.owner
    created = await create(client, owner)
    assert created["provider"] == "samsara"
    assert created["name"] == "Samsara EU"
    assert created["settings"] == {"behaviour": "ok", "region": "eu"}  # defaults filled in
    assert created["credentials_set"] == ["api_token"]
    assert created["paused"] is False
    assert created["version"] == 1
    assert created["status"]["state"] == "ok"
    assert created["status"]["records_total"] == 0

    got = await client.get(f"{URL}/{created['id']}", headers=owner)
    assert got.status_code == 200
    assert got.json() == created
    listed = await client.get(URL, headers=tenants.a.as_(Role.ADMIN))
    assert [i["id"] for i in listed.json()["items"]] == [created["id"]]

    paused = await client.patch(
        f"{URL}/{created['id']}", json={"paused": True, "name": "Samsara"}, headers=owner
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True
    assert paused.json()["name"] == "Samsara"
    assert paused.json()["version"] == 2
    assert paused.json()["status"]["state"] == "paused"
    resumed = await client.patch(
        f"{URL}/{created['id']}", json={"paused": False}, headers={**owner, "If-Match": '"2"'}
    )
    assert resumed.json()["status"]["state"] == "ok"
    stale = await client.patch(
        f"{URL}/{created['id']}", json={"name": "x", "version": 1}, headers=owner
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    deleted = await client.delete(f"{URL}/{created['id']}", headers=owner)
    assert deleted.status_code == 204
    assert (await client.get(f"{URL}/{created['id']}", headers=owner)).status_code == 404


async def test_every_change_is_an_event_without_the_credentials(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    owner = tenants.a.owner
    created = await create(client, owner)
    new_token = "tok-another-secret-77aa11"
    await client.patch(
        f"{URL}/{created['id']}", json={"credentials": {"api_token": new_token}}, headers=owner
    )
    await client.delete(f"{URL}/{created['id']}", headers=owner)
    response = await client.get(
        "/api/v1/events", params={"entity_id": created["id"]}, headers=owner
    )
    assert response.status_code == 200, response.text
    events = {e["type"]: e for e in response.json()["items"]}
    assert set(events) == {"integration_created", "integration_updated", "integration_deleted"}
    assert events["integration_updated"]["changes"]["credentials"] == {
        "before": "kept",
        "after": "replaced",
    }
    assert events["integration_created"]["changes"]["credential_fields"]["after"] == ["api_token"]
    assert TOKEN not in response.text and new_token not in response.text
    assert "credentials_key_id" not in response.text


async def test_credentials_are_sealed_in_the_database(
    client: httpx.AsyncClient,
    tenants: Tenants,
    fake_provider: FakeProvider,
    db_session: AsyncSession,
    settings: Any,
) -> None:
    created = await create(client, tenants.a.owner)
    await set_tenant(db_session, tenants.a.id)
    row = (
        await db_session.execute(
            text("select id, credentials, credentials_key_id from integrations where id = :id"),
            {"id": created["id"]},
        )
    ).one()
    assert TOKEN.encode() not in row.credentials
    keyring = Keyring.from_settings(settings)
    assert row.credentials_key_id == keyring.key_id
    aad = associated_data("integration_credentials", tenants.a.id, row.id)
    assert TOKEN in keyring.open_text(row.credentials, aad)


async def test_a_ciphertext_moved_to_another_row_or_altered_does_not_open(
    client: httpx.AsyncClient,
    tenants: Tenants,
    fake_provider: FakeProvider,
    db_session: AsyncSession,
) -> None:
    first = await create(client, tenants.a.owner, name="first")
    second = await create(
        client, tenants.a.owner, name="second", credentials={"api_token": "other-token"}
    )
    await set_tenant(db_session, tenants.a.id)
    await db_session.execute(
        text(
            "update integrations set credentials = "
            "(select credentials from integrations where id = :src) where id = :dst"
        ),
        {"src": first["id"], "dst": second["id"]},
    )
    await db_session.execute(
        text(
            "update integrations set credentials = set_byte(credentials, 30, "
            "get_byte(credentials, 30) # 1) where id = :id"
        ),
        {"id": first["id"]},
    )
    await db_session.commit()
    for integration in (first, second):
        response = await client.post(f"{URL}/{integration['id']}/test", headers=tenants.a.owner)
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "credentials_unreadable"


async def test_credentials_never_appear_in_a_response_or_a_log_line(
    client: httpx.AsyncClient,
    tenants: Tenants,
    fake_provider: FakeProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = tenants.a.owner
    bodies = []
    with capture_logs() as logs:
        created = await create(client, owner)
        path = f"{URL}/{created['id']}"
        for response in (
            await client.get(path, headers=owner),
            await client.get(URL, headers=owner),
            await client.patch(path, json={"settings": {"behaviour": "crash"}}, headers=owner),
            await client.post(f"{path}/test", headers=owner),
            await client.post(
                URL, json={**BODY, "name": "x", "settings": {"nope": 1}}, headers=owner
            ),
            await client.post(
                URL,
                json={**BODY, "name": "y", "credentials": {"api_token": TOKEN, "x": TOKEN}},
                headers=owner,
            ),
        ):
            bodies.append(response.text)
    assert bodies[3] and '"ok":false' in bodies[3]
    assert TOKEN not in "".join(bodies)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(logs)
    assert FakeClient.closed == [TOKEN]  # the adapter had it, and was closed


async def test_invalid_payloads_are_422s_naming_the_field(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    owner = tenants.a.owner
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"provider": "teletrac"}, ["body", "provider"]),
        ({"name": ""}, ["body", "name"]),
        ({"settings": {"region": "x" * 11}}, ["body", "settings", "region"]),
        ({"settings": {"unknown": True}}, ["body", "settings", "unknown"]),
        ({"credentials": {}}, ["body", "credentials", "api_token"]),
        ({"credentials": {"api_token": "abc"}}, ["body", "credentials", "api_token"]),
        ({"credentials": "a string"}, ["body", "credentials"]),
    ]
    for fields, loc in cases:
        response = await client.post(URL, json={**BODY, **fields}, headers=owner)
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["error"]["code"] == "validation_failed"
        assert loc in errors_of(response), (fields, response.text)
    unknown = await client.post(URL, json={**BODY, "extra": 1}, headers=owner)
    assert unknown.status_code == 422

    created = await create(client, owner)
    bad = await client.patch(
        f"{URL}/{created['id']}", json={"settings": {"behaviour": "dance"}}, headers=owner
    )
    assert bad.status_code == 422
    assert ["body", "settings", "behaviour"] in errors_of(bad)
    null = await client.patch(f"{URL}/{created['id']}", json={"name": None}, headers=owner)
    assert null.status_code == 422


async def test_a_provider_without_its_module_is_unavailable(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    response = await client.post(
        URL, json={**BODY, "provider": "verizon_connect"}, headers=tenants.a.owner
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "provider_unavailable"


async def test_names_are_unique_per_tenant(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    await create(client, tenants.a.owner)
    again = await client.post(URL, json={**BODY, "name": "samsara eu"}, headers=tenants.a.owner)
    assert again.status_code == 409
    assert again.json()["error"]["details"] == {"field": "name"}
    await create(client, tenants.b.owner)  # another tenant's may share it


async def test_roles_and_tenants(
    client: httpx.AsyncClient, tenants: Tenants, fake_provider: FakeProvider
) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json=BODY)).status_code == 401
    created = await create(client, tenants.a.as_(Role.ADMIN))
    path = f"{URL}/{created['id']}"
    for role in (Role.FLEET_MANAGER, Role.DISPATCHER, Role.MECHANIC, Role.DRIVER, Role.VIEWER):
        headers = tenants.a.as_(role)
        assert (await client.get(URL, headers=headers)).status_code == 403
        assert (await client.get(path, headers=headers)).status_code == 403
        assert (await client.post(URL, json=BODY, headers=headers)).status_code == 403
        assert (await client.post(f"{path}/test", headers=headers)).status_code == 403
    other = tenants.b.owner
    assert (await client.get(path, headers=other)).status_code == 404
    assert (await client.patch(path, json={"paused": True}, headers=other)).status_code == 404
    assert (await client.post(f"{path}/test", headers=other)).status_code == 404
    assert (await client.delete(path, headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    assert (await client.get(path, headers=tenants.a.owner)).status_code == 200


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        ("ok", {"ok": True, "vehicles": 3, "message": "3 vehicles in the account."}),
        (
            "rejected",
            {
                "ok": False,
                "problem": "credentials_rejected",
                "message": "The vendor refused this API token.",
            },
        ),
        ("hang", {"ok": False, "problem": "unavailable"}),
        ("crash", {"ok": False, "problem": "bad_response"}),
    ],
)
async def test_test_asks_the_vendor_and_answers_in_plain_words(
    client: httpx.AsyncClient,
    tenants: Tenants,
    fake_provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    behaviour: str,
    expected: dict[str, Any],
) -> None:
    monkeypatch.setattr(service, "CHECK_TIMEOUT_S", 0.2)
    created = await create(client, tenants.a.owner, settings={"behaviour": behaviour})
    response = await client.post(f"{URL}/{created['id']}/test", headers=tenants.a.owner)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert {k: answer[k] for k in expected} == expected
    assert answer["message"]
    if behaviour == "hang":
        assert "did not answer within 0.2 s" in answer["message"]
    assert FakeClient.closed == [TOKEN]


async def test_a_real_providers_own_models_check_the_payload(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    """No fake: Samsara's adapter is installed and its models decide."""
    owner = tenants.a.owner
    body = {"provider": "samsara", "name": "Samsara", "credentials": {"api_token": TOKEN}}
    plain_http = await client.post(
        URL, json={**body, "settings": {"base_url": "http://api.samsara.com"}}, headers=owner
    )
    assert plain_http.status_code == 422
    created = await create(client, owner, **body, settings={})
    assert created["settings"]["base_url"].startswith("https://api.samsara.com")
    assert created["credentials_set"] == ["api_token"]
