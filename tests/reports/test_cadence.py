"""Due times and periods in Europe/Helsinki across both DST changes of 2026 (29 March 03:00
→ 04:00, 25 October 04:00 → 03:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fleetyard.reports.cadence import next_due, period_for

ZONE = "Europe/Helsinki"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_at_seven_local_across_spring_forward() -> None:
    # 07:00 EET (UTC+2) on 28 March, then 07:00 EEST (UTC+3) on 29 March
    assert next_due("daily", 7, ZONE, utc(2026, 3, 28, 4)) == utc(2026, 3, 28, 5)
    assert next_due("daily", 7, ZONE, utc(2026, 3, 28, 5)) == utc(2026, 3, 29, 4)
    start, end = period_for("daily", ZONE, utc(2026, 3, 30, 4))
    assert (start, end) == (utc(2026, 3, 28, 22), utc(2026, 3, 29, 21))
    assert end - start == timedelta(hours=23)  # the short day


def test_daily_across_fall_back_covers_25_hours() -> None:
    assert next_due("daily", 7, ZONE, utc(2026, 10, 25, 4, 30)) == utc(2026, 10, 25, 5)  # EET now
    start, end = period_for("daily", ZONE, utc(2026, 10, 26, 5))
    assert end - start == timedelta(hours=25)


def test_an_hour_in_the_gap_is_taken_once_just_after_it() -> None:
    # 03:00 local does not exist on 29 March 2026: due at 04:00 EEST (01:00 UTC)
    due = next_due("daily", 3, ZONE, utc(2026, 3, 28, 12))
    assert due == utc(2026, 3, 29, 1)
    # the repeated 03:00 on 25 October: its first occurrence (EEST, 00:00 UTC)
    assert next_due("daily", 3, ZONE, utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 0)


def test_weekly_on_mondays_and_monthly_on_the_first() -> None:
    due = next_due("weekly", 6, ZONE, utc(2026, 3, 25, 12))  # a Wednesday
    assert due == utc(2026, 3, 30, 3)  # Monday 06:00 EEST
    start, end = period_for("weekly", ZONE, due)
    assert start == utc(2026, 3, 22, 22) and end == utc(2026, 3, 29, 21)
    monthly = next_due("monthly", 8, ZONE, utc(2026, 3, 15))
    assert monthly == utc(2026, 4, 1, 5)
    assert period_for("monthly", ZONE, monthly) == (utc(2026, 2, 28, 22), utc(2026, 3, 31, 21))


@given(
    st.sampled_from(["daily", "weekly", "monthly"]),
    st.integers(0, 23),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
)
def test_due_is_always_later_and_never_twice(cadence: str, hour: int, naive: datetime) -> None:
    after = naive.replace(tzinfo=UTC)
    first = next_due(cadence, hour, ZONE, after)  # type: ignore[arg-type]
    second = next_due(cadence, hour, ZONE, first)  # type: ignore[arg-type]
    assert after < first < second
    assert second - first >= timedelta(hours=23)
    start, end = period_for(cadence, ZONE, first)  # type: ignore[arg-type]
    assert start < end <= first
