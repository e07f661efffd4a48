"""The tenant's SMTP password and VAPID private key are sealed under the master key and move
to a new one with ``fleetyard integrations rotate-key`` (idempotent)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from py_vapid.utils import b64urlencode

from fleetyard.integrations.rotation import rotate
from fleetyard.kit.sealing import Keyring
from fleetyard.notifications import sealing
from fleetyard.notifications.vapid import signer
from tests.notifications.conftest import Desk

NEW_MASTER_KEY = "a-new-master-key-for-rotation-0123456789abcdef"


async def test_notification_secrets_follow_a_key_rotation(desk: Desk) -> None:
    saved = await desk.client.put(
        "/api/v1/notification-channels/email",
        json={
            "enabled": True,
            "host": "smtp.example.com",
            "password": "rotate-me-please",
            "from_address": "fleet@example.com",
        },
        headers=desk.a.owner,
    )
    assert saved.status_code == 200
    key = await desk.client.get(
        "/api/v1/notification-channels/push/vapid-public-key", headers=desk.a.owner
    )
    public_key = key.json()["public_key"]
    old = desk.settings.master_key
    assert old is not None
    keyring = Keyring.from_keys(NEW_MASTER_KEY, old.get_secret_value())

    first = await rotate(desk.database_url, keyring)
    again = await rotate(desk.database_url, keyring)

    assert first.notification_channels >= 1 and first.unreadable == 0
    assert again.notification_channels == 0
    [row] = await desk.fetch(
        "select smtp_password_sealed, vapid_private_key_sealed, key_id "
        "from notification_channel_settings where tenant_id = $1",
        desk.a.id,
    )
    only_new = Keyring.from_keys(NEW_MASTER_KEY)
    assert row["key_id"] == only_new.key_id
    password = sealing.open_sealed(
        only_new, sealing.SMTP_PASSWORD, desk.a.id, row["smtp_password_sealed"]
    )
    assert password == "rotate-me-please"
    private = sealing.open_sealed(
        only_new, sealing.VAPID_PRIVATE_KEY, desk.a.id, row["vapid_private_key_sealed"]
    )
    assert private is not None
    public = signer(private).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert b64urlencode(public) == public_key
