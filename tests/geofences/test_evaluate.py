"""The state machine on generated tracks whose crossings are worked out independently (a
straight line through a square centred on the track: the depth of a fix is the half-width
minus its distance from the centre, no shapely involved)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetyard.geofences.evaluate import (
    Change,
    Dwelt,
    Entered,
    Exited,
    Fix,
    SpeedingEnded,
    SpeedingStarted,
    VehicleState,
    evaluate,
    margin_m,
)
from fleetyard.geofences.index import TenantFences, build, group_chains
from tests.geofences.shapes_data import CENTRE, east_of_centre, point, square

VEHICLE = uuid.uuid4()
T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # a Monday, 08:00 in Helsinki


def fence_row(
    geometry: dict[str, Any], radius_m: float | None = None, **more: Any
) -> dict[str, Any]:
    return {
        "id": more.pop("id", uuid.uuid4()),
        "name": more.pop("name", "Fence"),
        "geometry": geometry,
        "radius_m": radius_m,
        "all_vehicles": more.pop("all_vehicles", True),
        "group_ids": more.pop("group_ids", []),
        "speed_limit_kmh": more.pop("speed_limit_kmh", None),
        "active_hours": more.pop("active_hours", None),
        "dwell_minutes": more.pop("dwell_minutes", None),
        "alert_on": more.pop("alert_on", []),
    }


def square_fences(half_m: float, **more: Any) -> TenantFences:
    return build([fence_row(square(half_m), **more)], "Europe/Helsinki")


def along(xs: Sequence[float], *, every_s: float = 1.0, speed: float | None = None) -> list[Fix]:
    """Fixes at ``xs`` metres east of the centre, one every ``every_s``."""
    fixes = []
    for index, x in enumerate(xs):
        lat, lon = east_of_centre(x)
        fixes.append(Fix(T0 + timedelta(seconds=index * every_s), lat, lon, speed))
    return fixes


def run(
    fences: TenantFences,
    fixes: Sequence[Fix],
    state: VehicleState | None = None,
    vehicle: uuid.UUID = VEHICLE,
) -> list[Change]:
    near = fences.pairs_per_fix(
        [f.latitude for f in fixes], [f.longitude for f in fixes], [f.margin_m for f in fixes]
    )
    return evaluate(fences, vehicle, fixes, near, state if state is not None else VehicleState())


def kinds(changes: Sequence[Change]) -> list[str]:
    return [type(c).__name__ for c in changes]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    half=st.floats(60, 2000),
    step=st.floats(1, 40),
    start=st.floats(0, 1),
)
def test_a_straight_crossing_enters_and_exits_where_worked_out(
    half: float, step: float, start: float
) -> None:
    """A track from well west to well east of a square through its middle: it enters at the
    first fix more than h inside and leaves at the first fix more than h outside."""
    h = 10.0
    xs = [-half - 300 + (start + i) * step for i in range(int((2 * half + 600) / step))]
    changes = run(square_fences(half), along(xs))
    # the projection's centimetres: a fix within 0.5 m of the threshold may go either way
    tolerance = 0.5

    def first(condition_of_x: Any, after: int = -1) -> int:
        return next(i for i, x in enumerate(xs) if i > after and condition_of_x(x))

    earliest_in = first(lambda x: half - abs(x) > h - tolerance)
    latest_in = first(lambda x: half - abs(x) > h + tolerance)
    assert kinds(changes) == ["Entered", "Exited"]
    assert isinstance(changes[0], Entered)
    assert isinstance(changes[1], Exited)
    entered = round((changes[0].at - T0).total_seconds())
    assert earliest_in <= entered <= latest_in
    earliest_out = first(lambda x: x > 0 and x - half > h - tolerance, entered)
    latest_out = first(lambda x: x > 0 and x - half > h + tolerance, entered)
    exited = round((changes[1].at - T0).total_seconds())
    assert earliest_out <= exited <= latest_out
    assert isinstance(changes[1], Exited)
    assert changes[1].entered_at == changes[0].at


@settings(max_examples=60, deadline=None, derandomize=True)
@given(noise=st.lists(st.floats(-9.5, 9.5), min_size=5, max_size=200), inside_first=st.booleans())
def test_jitter_at_the_edge_does_not_flap(noise: list[float], inside_first: bool) -> None:
    """Fixes scattered within h of the edge: a vehicle outside stays out, one inside stays in."""
    half = 200.0
    prelude = [0.0] if inside_first else [-1000.0]
    xs = prelude + [half + n for n in noise]
    changes = run(square_fences(half), along(xs))
    assert kinds(changes) == (["Entered"] if inside_first else [])


def test_a_worse_fix_widens_the_margin() -> None:
    assert margin_m(None, None) == 10
    assert margin_m(35, None) == 35
    assert margin_m(None, 4) == 20
    assert margin_m(500, None) == 50
    assert margin_m(1, None) == 10
    fences = square_fences(200)
    fixes = [
        Fix(T0, *east_of_centre(0), margin_m=10),
        # 30 m outside, but the fix is only good to 40 m: too close to call
        Fix(T0 + timedelta(seconds=1), *east_of_centre(230), margin_m=40),
    ]
    assert kinds(run(fences, fixes)) == ["Entered"]


def test_a_small_circle_can_still_be_entered() -> None:
    """A 5 m circle is shallower than the 10 m margin: the margin shrinks to half its depth."""
    fences = build([fence_row(point(), 5)], None)
    changes = run(fences, along([-100, 0, 1, 100]))
    assert kinds(changes) == ["Entered", "Exited"]


def test_dwell_is_reported_once_past_the_threshold() -> None:
    fences = square_fences(200, dwell_minutes=15)
    changes = run(fences, along([-1000] + [0.0] * 25, every_s=60))
    assert kinds(changes) == ["Entered", "Dwelt"]
    dwelt = changes[1]
    assert isinstance(dwelt, Dwelt)
    assert dwelt.at - dwelt.entered_at == timedelta(minutes=15)


def test_late_records_do_not_make_false_exits() -> None:
    fences = square_fences(200)
    state = VehicleState()
    assert kinds(run(fences, along([0.0] * 10), state)) == ["Entered"]
    late = along([-1000.0] * 5)  # from the same minutes, already passed, and outside
    assert run(fences, late, state) == []
    assert list(state.presence) == [fences.fences[0].id]
    resent = along([0.0] * 10)
    assert run(fences, resent, state) == []


def test_active_hours_gate_what_is_reported() -> None:
    """Weekdays 07:00-17:00 in Helsinki: a Saturday visit is tracked but not reported, a
    Monday one is; a visit that began within hours reports its exit even after them."""
    hours = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "17:00"}]
    fences = square_fences(200, active_hours=hours, dwell_minutes=5)
    saturday = T0 - timedelta(days=2)

    def at(start: datetime, xs: Sequence[float], every_s: float = 60) -> list[Fix]:
        return [
            Fix(start + timedelta(seconds=i * every_s), *east_of_centre(x))
            for i, x in enumerate(xs)
        ]

    weekend = run(fences, at(saturday, [-1000, 0, 0, 0, 0, 0, 0, 0, -1000]))
    assert kinds(weekend) == ["Entered", "Exited"]
    assert not any(c.reported for c in weekend if isinstance(c, Entered | Exited))
    evening = T0 + timedelta(hours=8, minutes=50)  # Monday 16:50 local
    late_visit = run(fences, at(evening, [-1000, 0] + [0] * 20 + [-1000]))
    assert kinds(late_visit) == ["Entered", "Dwelt", "Exited"]
    entered, _, exited = late_visit
    assert isinstance(entered, Entered) and entered.reported
    assert isinstance(exited, Exited) and exited.reported  # at 17:12, after hours


def test_a_night_window_runs_past_midnight() -> None:
    hours = [{"days": ["fri"], "start": "22:00", "end": "06:00"}]
    fences = square_fences(200, active_hours=hours)
    hours_of = fences.fences[0].hours
    friday_2330 = datetime(2026, 12, 11, 21, 30, tzinfo=UTC)  # 23:30 Helsinki
    assert hours_of.active(friday_2330)
    assert hours_of.active(friday_2330 + timedelta(hours=6))  # Saturday 05:30
    assert not hours_of.active(friday_2330 + timedelta(hours=7))  # Saturday 06:30
    assert not hours_of.active(friday_2330 - timedelta(days=1))  # Thursday 23:30


def test_speeding_inside_a_limit_has_its_duration_and_excess() -> None:
    fences = square_fences(500, speed_limit_kmh=30)
    speeds = [50, 25, 45, 50, 31, 28, 40]
    xs = [-1000.0] + [0.0] * (len(speeds) - 1) + [-1000.0]
    fixes = [
        Fix(T0 + timedelta(seconds=10 * i), *east_of_centre(x), speed)
        for i, (x, speed) in enumerate(zip(xs, [*speeds, 40], strict=True))
    ]
    changes = run(fences, fixes)
    assert kinds(changes) == [
        "Entered",
        "SpeedingStarted",
        "SpeedingEnded",  # 31 km/h is within the 2 km/h tolerance
        "SpeedingStarted",
        "SpeedingEnded",  # ended by the exit
        "Exited",
    ]
    first = changes[2]
    assert isinstance(first, SpeedingEnded)
    assert (first.since, first.until) == (T0 + timedelta(seconds=20), T0 + timedelta(seconds=40))
    assert first.duration_s == 20
    assert first.max_speed_kmh == 50
    assert first.excess_kmh == 20
    second = changes[4]
    assert isinstance(second, SpeedingEnded)
    assert second.duration_s == 10
    assert isinstance(changes[3], SpeedingStarted)
    assert changes[3].speed_kmh == 40


def test_groups_scope_a_fence_to_their_vehicles_and_subgroups() -> None:
    region, depot, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    in_depot, elsewhere, ungrouped = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    chains = group_chains(
        {in_depot: depot, elsewhere: other, ungrouped: None},
        {depot: region, region: None, other: None},
    )
    fences = build([fence_row(square(200), all_vehicles=False, group_ids=[region])], None, chains)
    track = along([-1000, 0, -1000])
    assert kinds(run(fences, track, vehicle=in_depot)) == ["Entered", "Exited"]
    assert run(fences, track, vehicle=elsewhere) == []
    assert run(fences, track, vehicle=ungrouped) == []


def test_nested_fences_are_entered_together_and_named_by_the_smallest() -> None:
    outer = fence_row(square(1000), name="District")
    inner = fence_row(point(CENTRE), 50, name="Gate")
    fences = build([outer, inner], None)
    changes = run(fences, along([-3000, 0]))
    assert sorted(c.fence.name for c in changes) == ["District", "Gate"]
    assert [f.name for f in fences.containing(*CENTRE)] == ["Gate", "District"]
    assert fences.containing(*east_of_centre(5000)) == []


def test_a_deleted_fence_is_forgotten_without_an_exit() -> None:
    fences = square_fences(200)
    state = VehicleState()
    run(fences, along([0.0]), state)
    gone = TenantFences([])
    later = [Fix(T0 + timedelta(minutes=5), *east_of_centre(5000))]
    assert run(gone, later, state) == []
    assert state.presence == {}
