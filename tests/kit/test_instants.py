"""Query instants: ISO 8601 with an offset, never a bare number (read as 1970 otherwise)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError

from fleetyard.kit.instants import Day, Instant
from tests.conftest import Tenants

INSTANT: TypeAdapter[datetime] = TypeAdapter(Instant)
DAY: TypeAdapter[date] = TypeAdapter(Day)


@pytest.mark.parametrize("text", ["0", "-4.727277605750902e-225", "1733390000", " 12.5 ", "+1e9"])
def test_a_bare_number_is_not_an_instant(text: str) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        INSTANT.validate_python(text)


def test_an_iso_instant_with_its_offset_is() -> None:
    assert INSTANT.validate_python("2026-12-05T08:00:00Z") == datetime(2026, 12, 5, 8, tzinfo=UTC)
    with pytest.raises(ValidationError):
        INSTANT.validate_python("2026-12-05T08:00:00")  # no offset: which 08:00?
    for far in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        with pytest.raises(ValidationError, match="between the years"):
            INSTANT.validate_python(far)


@pytest.mark.parametrize(
    "path", ["/api/v1/reservations", "/api/v1/trips", "/api/v1/driving-events", "/api/v1/stops"]
)
async def test_the_lists_answer_a_number_with_a_422(
    client: httpx.AsyncClient, tenants: Tenants, path: str
) -> None:
    answer = await client.get(f"{path}?from=-4.7e-225", headers=tenants.a.owner)
    assert answer.status_code == 422, answer.text
    # year 1 less the default window of 7 days is no date: a 422, not a 500
    early = await client.get(f"{path}?to=0001-01-02T00:00:00Z", headers=tenants.a.owner)
    assert early.status_code == 422, early.text
    assert answer.json()["error"]["code"] == "validation_failed"
    assert "ISO 8601" in answer.text  # the instant itself is refused, not another parameter


def test_a_day_is_iso_and_plausible_never_a_number() -> None:
    assert DAY.validate_python("2026-12-05") == date(2026, 12, 5)
    for bad in ("-3.3e-179", "20261205", "true", "0001-01-01"):
        with pytest.raises(ValidationError):
            DAY.validate_python(bad)


async def test_the_leaderboard_and_licence_filter_answer_a_number_with_a_422(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    for path in (
        "/api/v1/drivers/leaderboard?date=-3.3e-179",
        "/api/v1/drivers?licence_expiring_before=1e9",
    ):
        answer = await client.get(path, headers=tenants.a.owner)
        assert answer.status_code == 422, answer.text
        assert "ISO 8601" in answer.text
