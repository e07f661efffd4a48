"""The activity rule, in Python and as the SQL the repositories count with: the same answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from fleetyard.tracking.activity import OFFLINE_AFTER, Activity, activity_of, activity_sql

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
RECENT = NOW - timedelta(seconds=5)
OLD = NOW - OFFLINE_AFTER - timedelta(seconds=1)

CASES = [
    (None, True, 50.0, Activity.NO_POSITION),
    (OLD, True, 50.0, Activity.OFFLINE),
    (RECENT, False, 0.0, Activity.PARKED),
    (RECENT, False, 20.0, Activity.PARKED),
    (RECENT, True, 42.0, Activity.MOVING),
    (RECENT, None, 3.0, Activity.MOVING),
    (RECENT, True, 1.0, Activity.IDLE),
    (RECENT, None, None, Activity.IDLE),
]


@pytest.mark.parametrize(("fix_time", "ignition", "speed", "expected"), CASES)
def test_the_first_rule_that_holds(
    fix_time: datetime | None, ignition: bool | None, speed: float | None, expected: Activity
) -> None:
    assert activity_of(fix_time, ignition, speed, NOW) is expected


async def test_sql_agrees_with_python(connection: AsyncConnection) -> None:
    expression = activity_sql("f", "i", "s", now="CAST(:now AS timestamptz)")
    for fix_time, ignition, speed, expected in CASES:
        row = await connection.execute(
            text(
                f"SELECT {expression} FROM (SELECT CAST(:f AS timestamptz) AS f, "  # noqa: S608
                "CAST(:i AS boolean) AS i, CAST(:s AS double precision) AS s) AS v"
            ),
            {"f": fix_time, "i": ignition, "s": speed, "now": NOW},
        )
        assert row.scalar_one() == expected.value
