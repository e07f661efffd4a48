"""Bad input never stores anything and never answers 500: oversized photos (413), forged
content types (415), incomplete checklists and impossible meters (422), random payloads."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.inspections.photos import sniff
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.inspections.helpers import URL, form, image_bytes, make_vehicle, photo, submission


async def stored(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, int, int]:
    await set_tenant(session, TenantId(tenant_id))
    row = (
        await session.execute(
            text(
                "select (select count(*) from inspections), (select count(*) from"
                " inspection_defects), (select count(*) from inspection_photos)"
            )
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


@pytest.fixture
async def filled(client: httpx.AsyncClient, tenants: Tenants) -> dict[str, Any]:
    van = await make_vehicle(client, tenants.a.owner)
    return await form(client, tenants.a.as_(Role.DRIVER), van["id"])


async def test_a_50_mb_photo_is_refused_before_it_is_read(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, filled: dict[str, Any]
) -> None:
    huge = image_bytes() + os.urandom(50 * 1024 * 1024)
    body = submission(filled, {"horn": {"photos": [photo(huge)]}})
    response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert response.status_code == 413, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"max_bytes": 32 * 1024 * 1024}
    assert await stored(db_session, tenants.a.id) == (0, 0, 0)


async def test_a_photo_over_10_mb_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, filled: dict[str, Any]
) -> None:
    big = image_bytes() + os.urandom(11 * 1024 * 1024)
    body = submission(filled, {"horn": {"photos": [photo(big)]}})
    response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "photo_too_large"
    assert error["details"]["field"] == "answers.0.photos.0"
    assert await stored(db_session, tenants.a.id) == (0, 0, 0)


@pytest.mark.parametrize(
    ("data", "declared", "code"),
    [
        (image_bytes("PNG"), "image/jpeg", "photo_type_mismatch"),
        (image_bytes("JPEG"), "image/webp", "photo_type_mismatch"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "image/png",
            "unsupported_photo_type",
        ),
        (b"MZ\x90\x00" + os.urandom(2000), "image/jpeg", "unsupported_photo_type"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 40, "image/jpeg", "unsupported_photo_type"),
    ],
    ids=["png-as-jpeg", "jpeg-as-webp", "svg-as-png", "exe-as-jpeg", "jpeg-magic-then-junk"],
)
async def test_a_forged_content_type_is_refused(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    tenants: Tenants,
    filled: dict[str, Any],
    data: bytes,
    declared: str,
    code: str,
) -> None:
    body = submission(filled, {"horn": {"photos": [photo(data, declared)]}})
    response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == code
    assert await stored(db_session, tenants.a.id) == (0, 0, 0)


def test_sniffing_knows_each_accepted_format() -> None:
    assert sniff(image_bytes("JPEG")) == "image/jpeg"
    assert sniff(image_bytes("PNG")) == "image/png"
    assert sniff(image_bytes("WEBP")) == "image/webp"
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") == "image/heic"
    assert sniff(b"\x00\x00\x00\x18ftypmp42") is None  # a video in the same box format
    assert sniff(b"GIF89a") is None


async def test_heic_and_webp_photos_are_kept(
    client: httpx.AsyncClient, tenants: Tenants, filled: dict[str, Any]
) -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + os.urandom(512)
    body = submission(
        filled,
        {"horn": {"photos": [photo(heic, "image/heic"), photo(image_bytes("WEBP"), "image/webp")]}},
    )
    response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert response.status_code == 201, response.text
    kept = response.json()["defects"][0]["photos"]
    assert sorted(p["content_type"] for p in kept) == ["image/heic", "image/webp"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(answers=b["answers"][1:]), "answers"),
        (lambda b: b["answers"].append({"item_id": "no-such-item", "result": "pass"}), "answers"),
        (lambda b: b.update(odometer_km=-1), "odometer_km"),
        (lambda b: b.update(kind="post_trip"), "kind"),
        (lambda b: b.update(template_id=str(uuid.uuid4())), "template_id"),
        (lambda b: b.update(driver_id=str(uuid.uuid4())), "driver_id"),
        (lambda b: b["answers"][0].update(result="maybe"), "result"),
        (lambda b: b["answers"][0].update(photos=[photo(image_bytes())]), "answers"),
        (
            lambda b: b["answers"][0].update(
                result="fail", photos=[{"content_type": "image/jpeg", "data": "@@@"}]
            ),
            "answers.0.photos.0",
        ),
        (
            lambda b: b["answers"][0].update(
                result="fail", photos=[photo(image_bytes(), "image/gif")]
            ),
            "content_type",
        ),
    ],
    ids=[
        "missing-item",
        "unknown-item",
        "negative-odometer",
        "wrong-kind",
        "no-such-template",
        "no-such-driver",
        "bad-result",
        "photo-on-a-pass",
        "not-base64",
        "gif",
    ],
)
async def test_invalid_submissions_are_422(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    tenants: Tenants,
    filled: dict[str, Any],
    change: Any,
    field: str,
) -> None:
    body = submission(filled)
    change(body)
    response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert response.status_code == 422, response.text
    assert field in response.text
    assert await stored(db_session, tenants.a.id) == (0, 0, 0)


answer_values = st.fixed_dictionaries(
    {
        "item_id": st.one_of(st.text(max_size=70), st.sampled_from(["horn", "tyres", "leaks"])),
        "result": st.one_of(st.sampled_from(["pass", "fail", "na"]), st.text(max_size=5)),
    },
    optional={
        "note": st.one_of(st.text(max_size=50), st.integers(), st.none()),
        "photos": st.lists(
            st.fixed_dictionaries(
                {
                    "content_type": st.sampled_from(["image/jpeg", "image/png", "text/html"]),
                    "data": st.one_of(
                        st.text(max_size=40),
                        st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
                    ),
                }
            ),
            max_size=2,
        ),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    answers=st.lists(answer_values, max_size=4),
    odometer=st.one_of(st.none(), st.floats(allow_nan=True), st.integers(), st.text(max_size=5)),
    performed_at=st.one_of(st.none(), st.text(max_size=30), st.datetimes().map(str)),
)
async def test_random_submissions_never_fail_the_server(
    client: httpx.AsyncClient,
    tenants: Tenants,
    filled: dict[str, Any],
    answers: list[dict[str, Any]],
    odometer: Any,
    performed_at: Any,
) -> None:
    body = submission(filled)
    body["answers"] = answers or body["answers"]
    if odometer is not None:
        body["odometer_km"] = odometer
    if performed_at is not None:
        body["performed_at"] = performed_at
    try:
        response = await client.post(URL, json=body, headers=tenants.a.as_(Role.DRIVER))
    except ValueError:  # NaN is not JSON: nothing is sent
        return
    assert response.status_code in (201, 413, 415, 422), response.text
    assert "error" in response.json() or response.status_code == 201
