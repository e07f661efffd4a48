"""The health formula on its own: each item, caps, clamping, recommendation merging."""

from __future__ import annotations

import uuid

import pytest

from fleetyard.health.score import DrivingStats, OpenAlert, harsh_rate, health_score


def alert(severity: str, kind: str = "dtc", code: str = "") -> OpenAlert:
    return OpenAlert(uuid.uuid4(), kind, code, severity)


def test_a_quiet_vehicle_scores_100() -> None:
    result = health_score([], DrivingStats(fixes=500, avg_rpm_moving=1800, rpm_samples=400))
    assert (result.score, result.deductions, result.recommendations) == (100, [], [])


def test_open_alerts_deduct_per_alert() -> None:
    alerts = [alert("critical", "coolant_high"), alert("warning", "dtc", "P0301"), alert("info")]
    result = health_score(alerts, DrivingStats())
    assert [(d.code, d.points) for d in result.deductions] == [
        ("open_critical_alerts", 25),
        ("open_warning_alerts", 10),
    ]
    assert result.score == 65
    assert result.deductions[0].evidence["alerts"][0]["kind"] == "coolant_high"
    assert [r.code for r in result.recommendations] == ["resolve_critical_alerts"]


def test_episodes_are_capped_and_the_score_clamped() -> None:
    stats = DrivingStats(coolant_episodes=7, low_fuel_episodes=9, dtcs=("P0100", "P0101"))
    result = health_score([alert("critical")] * 3, stats)
    points = {d.code: d.points for d in result.deductions}
    assert points == {
        "open_critical_alerts": 75,
        "dtcs_seen": 10,
        "coolant_overheating": 30,
        "low_fuel": 15,
    }
    assert result.score == 0


@pytest.mark.parametrize(
    ("avg", "samples", "deducted"),
    [(3000.0, 50, False), (3001.0, 50, True), (4500.0, 9, False), (None, 0, False)],
)
def test_high_rpm_needs_enough_samples_above_3000(
    avg: float | None, samples: int, deducted: bool
) -> None:
    result = health_score([], DrivingStats(avg_rpm_moving=avg, rpm_samples=samples))
    assert [d.code for d in result.deductions] == (["high_rpm"] if deducted else [])
    assert [r.code for r in result.recommendations] == (["driver_training"] if deducted else [])


def test_harsh_events_per_100_km_or_per_driving_day() -> None:
    long_trip = DrivingStats(distance_km=200, driving_days=2)
    assert harsh_rate(11, long_trip) == (5.5, "per_100_km")
    short_trip = DrivingStats(distance_km=40, driving_days=2)
    assert harsh_rate(11, short_trip) == (5.5, "per_driving_day")
    assert harsh_rate(3, DrivingStats()) == (3.0, "per_driving_day")

    result = health_score([], DrivingStats(harsh_braking=11, distance_km=200, driving_days=2))
    (deduction,) = result.deductions
    assert (deduction.code, deduction.points) == ("harsh_braking", 10)
    assert deduction.evidence["unit"] == "per_100_km"
    assert [r.code for r in result.recommendations] == ["check_brakes"]
    assert health_score([], DrivingStats(harsh_braking=10, distance_km=200)).deductions == []


def test_recommendations_with_one_code_are_merged() -> None:
    stats = DrivingStats(avg_rpm_moving=3600, rpm_samples=100, harsh_acceleration=9, driving_days=1)
    result = health_score([], stats)
    assert [(d.code, d.points) for d in result.deductions] == [
        ("high_rpm", 10),
        ("harsh_acceleration", 5),
    ]
    (training,) = result.recommendations
    assert training.code == "driver_training"
    assert "shift up" in training.message and "accelerate smoothly" in training.message
