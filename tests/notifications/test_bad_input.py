"""Bad input never reaches a 500: arbitrary JSON for rules (thresholds of every kind),
preferences, SMTP settings and push subscriptions is a 4xx in the error envelope, or taken."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.rules.kinds import KINDS
from fleetyard.auth.roles import Role
from fleetyard.tenants.schemas import TenantLimits
from tests.factories import TenantSetup, UserSession, member_session, setup_tenant

ARBITRARY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
THRESHOLD_NAMES = sorted(
    {name for spec in KINDS.values() for name in spec.thresholds.model_fields} | {"x"}
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
times = st.one_of(
    st.text(max_size=12), st.sampled_from(["22:00", "06:00", "25:00", "07:30:00+02:00"])
)


def assert_clean_4xx(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.fixture
async def unlimited(db_session: AsyncSession) -> TenantSetup:
    tenant = await setup_tenant(
        db_session, "notify-fuzz", TenantLimits(api_requests_per_minute=1_000_000)
    )
    await db_session.commit()
    return tenant


@pytest.fixture
async def member(client: httpx.AsyncClient, unlimited: TenantSetup) -> UserSession:
    return await member_session(client, unlimited, Role.FLEET_MANAGER)


@ARBITRARY
@given(
    kind=st.sampled_from([*KINDS, "", "DTC", "x" * 40]),
    thresholds=st.dictionaries(st.sampled_from(THRESHOLD_NAMES), json_values, max_size=4),
    extra=st.dictionaries(
        st.sampled_from(
            [
                "severity",
                "vehicle_ids",
                "group_ids",
                "dedupe_window_s",
                "escalation",
                "enabled",
                "name",
            ]
        ),
        json_values,
        max_size=3,
    ),
    quiet=st.one_of(st.none(), st.fixed_dictionaries({"start": times, "end": times})),
)
async def test_arbitrary_rules_never_500(
    client: httpx.AsyncClient,
    unlimited: TenantSetup,
    kind: str,
    thresholds: dict[str, Any],
    extra: dict[str, Any],
    quiet: dict[str, Any] | None,
) -> None:
    body: dict[str, Any] = {"name": "fuzzed", "kind": kind, "thresholds": thresholds, **extra}
    if quiet is not None:
        body["quiet_hours"] = quiet
    created = await client.post("/api/v1/alert-rules", json=body, headers=unlimited.owner)
    assert_clean_4xx(created)
    if created.status_code == 201:
        rule = created.json()
        patched = await client.patch(
            f"/api/v1/alert-rules/{rule['id']}",
            json={"thresholds": thresholds, **extra},
            headers=unlimited.owner,
        )
        assert_clean_4xx(patched)


@ARBITRARY
@given(channels=json_values, kinds=st.lists(st.text(max_size=40), max_size=3))
async def test_arbitrary_preferences_never_500(
    client: httpx.AsyncClient, member: UserSession, channels: Any, kinds: list[str]
) -> None:
    for body in (
        {"channels": channels},
        {"channels": [{"channel": "email", "enabled": True, "kinds": kinds}]},
        channels,
    ):
        response = await client.put(
            "/api/v1/notification-settings", json=body, headers=member.headers
        )
        assert_clean_4xx(response)


@ARBITRARY
@given(
    host=st.text(max_size=300),
    port=json_values,
    address=st.text(max_size=60),
    endpoint=st.text(max_size=120),
    p256dh=st.text(max_size=100),
    auth=st.text(max_size=40),
)
async def test_arbitrary_channels_never_500(
    client: httpx.AsyncClient,
    unlimited: TenantSetup,
    member: UserSession,
    host: str,
    port: Any,
    address: str,
    endpoint: str,
    p256dh: str,
    auth: str,
) -> None:
    email = await client.put(
        "/api/v1/notification-channels/email",
        json={"enabled": False, "host": host, "port": port, "from_address": address},
        headers=unlimited.owner,
    )
    assert_clean_4xx(email)
    for path in ("subscriptions", "unsubscribe"):
        body: dict[str, Any] = {"endpoint": endpoint}
        if path == "subscriptions":
            body["keys"] = {"p256dh": p256dh, "auth": auth}
        push = await client.post(
            f"/api/v1/notification-channels/push/{path}", json=body, headers=member.headers
        )
        assert_clean_4xx(push)
