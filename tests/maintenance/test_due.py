"""The due rule on its own: each meter against its margin, whichever comes first, months that
have no such day, and a date boundary that falls differently in Helsinki and in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.maintenance.due import Done, Intervals, Readings, add_months, compute, judge
from fleetyard.maintenance.evaluate import today_in
from fleetyard.maintenance.schemas import DueStatus as S

OIL = Intervals(km=D(15000), months=12, soon_km=D(1000), soon_days=14)
DONE = Done(km=D(100000), hours=None, on=date(2026, 1, 10))


@pytest.mark.parametrize(
    ("remaining", "soon", "status"),
    [
        (1001, 1000, S.OK),
        (1000, 1000, S.DUE_SOON),
        (1, 1000, S.DUE_SOON),
        (0, 1000, S.DUE),
        (-999, 1000, S.DUE),
        (-1000, 1000, S.OVERDUE),
        (1, 0, S.OK),
        (0, 0, S.DUE),
        (-1, 0, S.OVERDUE),
    ],
)
def test_judge_by_margin(remaining: int, soon: int, status: S) -> None:
    assert judge(D(remaining), D(soon)) is status


@pytest.mark.parametrize(
    ("km", "status", "remaining"),
    [
        (113999, S.OK, D(1001)),
        (114000, S.DUE_SOON, D(1000)),
        (115000, S.DUE, D(0)),
        (115999, S.DUE, D(-999)),
        (116000, S.OVERDUE, D(-1000)),
    ],
)
def test_by_odometer(km: int, status: S, remaining: D) -> None:
    due = compute(OIL, DONE, Readings(D(km), None, date(2026, 3, 1)))
    assert due.status is status
    assert due.remaining_km == remaining
    assert due.next_km == D(115000)
    if status is not S.OK:
        assert due.due_by == ("km",)


def test_by_engine_hours() -> None:
    intervals = Intervals(hours=D(500), soon_hours=D(25))
    done = Done(km=None, hours=D(1200), on=date(2026, 1, 1))
    today = date(2026, 1, 2)
    assert compute(intervals, done, Readings(None, D("1674.9"), today)).status is S.OK
    soon = compute(intervals, done, Readings(None, D(1675), today))
    assert (soon.status, soon.due_by, soon.remaining_hours) == (S.DUE_SOON, ("hours",), D(25))
    assert compute(intervals, done, Readings(None, D(1725), today)).status is S.OVERDUE
    # unknown hours: that meter is left out, nothing else to judge by
    assert compute(intervals, done, Readings(None, None, today)).status is S.OK


def test_by_calendar_months() -> None:
    assert compute(OIL, DONE, Readings(D(100500), None, date(2026, 12, 26))).status is S.OK
    soon = compute(OIL, DONE, Readings(D(100500), None, date(2026, 12, 28)))
    assert (soon.status, soon.due_by, soon.remaining_days) == (S.DUE_SOON, ("date",), 13)
    assert soon.next_on == date(2027, 1, 10)
    assert compute(OIL, DONE, Readings(D(100500), None, date(2027, 1, 10))).status is S.DUE
    late = compute(OIL, DONE, Readings(D(100500), None, date(2027, 1, 24)))
    assert (late.status, late.remaining_days) == (S.OVERDUE, -14)


def test_whichever_comes_first() -> None:
    # the odometer says due soon, the calendar says overdue: overdue, by the date
    due = compute(OIL, DONE, Readings(D(114500), None, date(2027, 2, 1)))
    assert due.status is S.OVERDUE
    assert due.due_by == ("date",)
    # both due soon: the one closer to its due point first
    due = compute(OIL, DONE, Readings(D(114900), None, date(2026, 12, 30)))
    assert due.status is S.DUE_SOON
    assert due.due_by == ("km", "date")


def test_month_without_that_day() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 15), 12) == date(2027, 5, 15)


def test_date_boundary_in_helsinki_and_utc() -> None:
    """22:30 UTC on 31 March is already 1 April in Helsinki (UTC+3): a service due on 1 April
    is due there, and still a day away in a tenant on UTC."""
    now = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    helsinki, utc = today_in("Europe/Helsinki", now), today_in("UTC", now)
    assert (helsinki, utc) == (date(2026, 4, 1), date(2026, 3, 31))
    intervals = Intervals(days=90)
    done = Done(km=None, hours=None, on=date(2026, 1, 1))  # + 90 days = 1 April
    assert compute(intervals, done, Readings(None, None, helsinki)).status is S.DUE
    assert compute(intervals, done, Readings(None, None, utc)).status is S.OK


@given(
    remaining=st.decimals(min_value=-(10**6), max_value=10**6, places=1),
    soon=st.decimals(min_value=0, max_value=10**5, places=1),
)
def test_judge_is_monotonic(remaining: D, soon: D) -> None:
    """Less remaining never reads as better."""
    order = [S.OK, S.DUE_SOON, S.DUE, S.OVERDUE]
    assert order.index(judge(remaining - 1, soon)) >= order.index(judge(remaining, soon))
