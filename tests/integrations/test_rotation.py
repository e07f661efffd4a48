"""``fleetyard integrations rotate-key``: credentials and webhook secrets re-sealed under the
new master key (the old one no longer opens them), plain legacy webhook secrets sealed, and a
second run has nothing left to do. Real commits on the owner connection; rotated back and
cleaned up at the end, so the session's key keeps working for other tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from fleetyard.cli import app
from fleetyard.config import Settings, get_settings
from fleetyard.integrations.rotation import rotate
from fleetyard.kit.sealing import Keyring, SealError, associated_data
from tests.conftest import Tenants
from tests.integrations.fake_provider import TOKEN

NEW_KEY = "n" * 44


@pytest.fixture
async def owner(database_url: str, live_tenants: Tenants) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    yield conn
    ids = [live_tenants.a.id, live_tenants.b.id]
    await conn.execute("delete from integrations where tenant_id = any($1::uuid[])", ids)
    await conn.execute("delete from webhooks where tenant_id = any($1::uuid[])", ids)
    await conn.close()


async def test_rotation_reseals_everything_under_the_new_key(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    settings: Settings,
    database_url: str,
    owner: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = live_tenants.a.owner
    created = await live_client.post(
        "/api/v1/integrations",
        json={"provider": "samsara", "name": "Rotated", "credentials": {"api_token": TOKEN}},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    hook = await live_client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/r", "event_types": ["*"]},
        headers=headers,
    )
    assert hook.status_code == 201, hook.text
    legacy = await live_client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/legacy", "event_types": ["*"]},
        headers=headers,
    )
    # a row as it was before sealing: plain text only
    await owner.execute(
        "update webhooks set secret = 'whsec_legacy', secret_sealed = null, secret_key_id = null"
        " where id = $1",
        legacy.json()["id"],
    )
    old = Keyring.from_settings(settings)
    new = Keyring.from_keys(NEW_KEY, previous=settings.master_key.get_secret_value())  # type: ignore[union-attr]

    first = await rotate(database_url, new)
    assert first.integrations >= 1 and first.webhooks >= 2 and first.unreadable == 0
    again = await rotate(database_url, new)
    assert (again.integrations, again.webhooks) == (0, 0)

    row = await owner.fetchrow(
        "select tenant_id, id, credentials, credentials_key_id from integrations where id = $1",
        created.json()["id"],
    )
    assert row is not None
    aad = associated_data("integration_credentials", row["tenant_id"], row["id"])
    assert row["credentials_key_id"] == new.key_id
    assert TOKEN in Keyring.from_keys(NEW_KEY).open_text(row["credentials"], aad)
    with pytest.raises(SealError):
        old.open(row["credentials"], aad)

    for webhook, secret in ((hook.json(), hook.json()["secret"]), (legacy.json(), "whsec_legacy")):
        sealed = await owner.fetchrow(
            "select tenant_id, id, secret, secret_sealed, secret_key_id from webhooks"
            " where id = $1",
            webhook["id"],
        )
        assert sealed is not None
        assert sealed["secret"] is None and sealed["secret_key_id"] == new.key_id
        aad = associated_data("webhook_secret", sealed["tenant_id"], sealed["id"])
        assert Keyring.from_keys(NEW_KEY).open_text(sealed["secret_sealed"], aad) == secret
        with pytest.raises(SealError):
            old.open(sealed["secret_sealed"], aad)

    # back to the session's key, through the command as an operator runs it
    monkeypatch.setenv("FLEETYARD_DATABASE_URL", database_url)
    monkeypatch.setenv("FLEETYARD_MASTER_KEY", settings.master_key.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("FLEETYARD_MASTER_KEY_PREVIOUS", NEW_KEY)
    get_settings.cache_clear()
    try:
        # a thread: the command runs its own event loop, as it does from a shell
        command = ["integrations", "rotate-key"]
        result = await asyncio.to_thread(CliRunner().invoke, app, command)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert old.key_id in result.output and "re-sealed 1 integration" in result.output
    got = await live_client.get(f"/api/v1/integrations/{created.json()['id']}", headers=headers)
    assert got.status_code == 200
    assert (
        await owner.fetchval(
            "select credentials_key_id from integrations where id = $1", created.json()["id"]
        )
        == old.key_id
    )
