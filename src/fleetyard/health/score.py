"""The vehicle health score: pure arithmetic over what the repository measured.

Start at 100 and deduct item by item; the result is clamped to 0–100. Every deduction names
its reason and its evidence; some also recommend what to do.

===============================  ==========================  ==========================
item                             points deducted             recommendation
===============================  ==========================  ==========================
open critical alerts             25 each                     resolve_critical_alerts
open warning alerts              10 each
DTCs seen in the window          5 per distinct code         diagnose_dtcs
coolant overheating episodes     10 each, at most 30         inspect_cooling_system
low-fuel episodes                3 each, at most 15          refuel_earlier
high engine speed while moving   10 (see below)              driver_training
frequent harsh braking           10 (see below)              check_brakes
frequent harsh acceleration      5 (see below)               driver_training
===============================  ==========================  ==========================

*High engine speed*: the average rpm of moving fixes (speed above 5 km/h) is above 3000,
over at least 10 such fixes.

*Episodes* use the alert rules' hysteresis: overheating starts above 110 °C and ends below
105 °C, low fuel starts below 10 % and ends above 15 %, so a reading hovering at the limit
counts once. *Frequent* means more than 5 events per 100 km once the vehicle drove at least
100 km in the window; over a shorter distance, more than 5 per driving day (a UTC day with a
moving fix); distance is the odometer's advance when the device reports one, else the GPS
path of the fixes. Only valid fixes count. Open alerts count whenever they were opened; a DTC
that is also an open warning costs both items.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fleetyard.telematics.rules.conditions import Severity
from fleetyard.telematics.rules.thresholds import COOLANT_HIGH_C, FUEL_LOW_PCT

START = 100
OPEN_CRITICAL_POINTS = 25
OPEN_WARNING_POINTS = 10
DTC_POINTS = 5
COOLANT_EPISODE_POINTS, COOLANT_EPISODE_CAP = 10, 30
LOW_FUEL_EPISODE_POINTS, LOW_FUEL_EPISODE_CAP = 3, 15
HIGH_RPM, MIN_RPM_SAMPLES, HIGH_RPM_POINTS = 3000.0, 10, 10
MOVING_KMH = 5.0
HARSH_PER_UNIT = 5.0  # events per 100 km, or per driving day
MIN_DISTANCE_KM = 100.0  # below this, harsh events are judged per driving day
HARSH_BRAKING_POINTS = 10
HARSH_ACCELERATION_POINTS = 5


@dataclass(frozen=True, slots=True)
class OpenAlert:
    id: uuid.UUID
    kind: str
    code: str
    severity: str


@dataclass(frozen=True, slots=True)
class DrivingStats:
    """What the valid fixes in the window show."""

    fixes: int = 0
    dtcs: tuple[str, ...] = ()
    coolant_episodes: int = 0
    low_fuel_episodes: int = 0
    avg_rpm_moving: float | None = None
    rpm_samples: int = 0
    harsh_braking: int = 0
    harsh_acceleration: int = 0
    distance_km: float = 0.0
    driving_days: int = 0


@dataclass(frozen=True, slots=True)
class Deduction:
    code: str
    reason: str
    points: int
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Recommendation:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    deduction: Deduction
    recommendation: Recommendation | None = None


@dataclass(frozen=True, slots=True)
class HealthScore:
    score: int
    deductions: list[Deduction] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)


Item = Callable[[Sequence[OpenAlert], DrivingStats], Finding | None]


def _open_alerts(alerts: Sequence[OpenAlert], severity: Severity) -> list[OpenAlert]:
    return [a for a in alerts if a.severity == severity]


def _alert_evidence(alerts: Sequence[OpenAlert]) -> dict[str, Any]:
    return {
        "count": len(alerts),
        "alerts": [{"id": str(a.id), "kind": a.kind, "code": a.code} for a in alerts],
    }


def open_critical(alerts: Sequence[OpenAlert], _: DrivingStats) -> Finding | None:
    found = _open_alerts(alerts, Severity.CRITICAL)
    if not found:
        return None
    kinds = ", ".join(sorted({a.kind for a in found}))
    return Finding(
        Deduction(
            "open_critical_alerts",
            f"{len(found)} critical alert(s) still open ({kinds}).",
            OPEN_CRITICAL_POINTS * len(found),
            _alert_evidence(found),
        ),
        Recommendation(
            "resolve_critical_alerts",
            f"Resolve the open critical alerts ({kinds}) before the vehicle's next trip.",
        ),
    )


def open_warnings(alerts: Sequence[OpenAlert], _: DrivingStats) -> Finding | None:
    found = _open_alerts(alerts, Severity.WARNING)
    if not found:
        return None
    return Finding(
        Deduction(
            "open_warning_alerts",
            f"{len(found)} warning alert(s) still open.",
            OPEN_WARNING_POINTS * len(found),
            _alert_evidence(found),
        )
    )


def dtcs_seen(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    if not stats.dtcs:
        return None
    codes = ", ".join(stats.dtcs)
    return Finding(
        Deduction(
            "dtcs_seen",
            f"{len(stats.dtcs)} distinct trouble code(s) reported: {codes}.",
            DTC_POINTS * len(stats.dtcs),
            {"codes": list(stats.dtcs)},
        ),
        Recommendation("diagnose_dtcs", f"Have the trouble codes diagnosed and repaired: {codes}."),
    )


def coolant_episodes(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    count = stats.coolant_episodes
    if count == 0:
        return None
    return Finding(
        Deduction(
            "coolant_overheating",
            f"The engine overheated (coolant above {COOLANT_HIGH_C:g} °C) {count} time(s).",
            min(COOLANT_EPISODE_POINTS * count, COOLANT_EPISODE_CAP),
            {"episodes": count, "threshold_c": COOLANT_HIGH_C},
        ),
        Recommendation(
            "inspect_cooling_system",
            "Inspect the cooling system: coolant level, thermostat, radiator and fan.",
        ),
    )


def low_fuel_episodes(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    count = stats.low_fuel_episodes
    if count == 0:
        return None
    return Finding(
        Deduction(
            "low_fuel",
            f"The fuel level fell below {FUEL_LOW_PCT:g} % {count} time(s).",
            min(LOW_FUEL_EPISODE_POINTS * count, LOW_FUEL_EPISODE_CAP),
            {"episodes": count, "threshold_pct": FUEL_LOW_PCT},
        ),
        Recommendation(
            "refuel_earlier",
            f"Refuel before the tank drops below {FUEL_LOW_PCT:g} %; running it low wears "
            "the fuel pump and risks a breakdown.",
        ),
    )


def high_rpm(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    average = stats.avg_rpm_moving
    if average is None or stats.rpm_samples < MIN_RPM_SAMPLES or average <= HIGH_RPM:
        return None
    return Finding(
        Deduction(
            "high_rpm",
            f"Average engine speed while moving was {average:.0f} rpm (above {HIGH_RPM:g}).",
            HIGH_RPM_POINTS,
            {"avg_rpm": round(average, 1), "samples": stats.rpm_samples, "threshold": HIGH_RPM},
        ),
        Recommendation(
            "driver_training",
            "Driver training: shift up earlier and hold steadier speeds to keep engine speed down.",
        ),
    )


def harsh_rate(count: int, stats: DrivingStats) -> tuple[float, str]:
    """(rate, its unit): per 100 km over a long enough distance, else per driving day."""
    if stats.distance_km >= MIN_DISTANCE_KM:
        return count / stats.distance_km * 100, "per_100_km"
    return count / max(stats.driving_days, 1), "per_driving_day"


def _harsh_evidence(count: int, stats: DrivingStats) -> tuple[float, dict[str, Any]]:
    rate, unit = harsh_rate(count, stats)
    evidence = {
        "events": count,
        "rate": round(rate, 2),
        "unit": unit,
        "threshold": HARSH_PER_UNIT,
        "distance_km": round(stats.distance_km, 1),
        "driving_days": stats.driving_days,
    }
    return rate, evidence


def harsh_braking(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    rate, evidence = _harsh_evidence(stats.harsh_braking, stats)
    if rate <= HARSH_PER_UNIT:
        return None
    unit = evidence["unit"].replace("_", " ")
    return Finding(
        Deduction(
            "harsh_braking",
            f"Frequent harsh braking: {stats.harsh_braking} events ({rate:.1f} {unit}).",
            HARSH_BRAKING_POINTS,
            evidence,
        ),
        Recommendation(
            "check_brakes",
            "Check brakes and pads, and coach drivers to anticipate traffic and brake early.",
        ),
    )


def harsh_acceleration(_: Sequence[OpenAlert], stats: DrivingStats) -> Finding | None:
    rate, evidence = _harsh_evidence(stats.harsh_acceleration, stats)
    if rate <= HARSH_PER_UNIT:
        return None
    unit = evidence["unit"].replace("_", " ")
    return Finding(
        Deduction(
            "harsh_acceleration",
            f"Frequent harsh acceleration: {stats.harsh_acceleration} events ({rate:.1f} {unit}).",
            HARSH_ACCELERATION_POINTS,
            evidence,
        ),
        Recommendation(
            "driver_training",
            "Driver training: accelerate smoothly; harsh starts waste fuel and wear the "
            "drivetrain.",
        ),
    )


ITEMS: tuple[Item, ...] = (
    open_critical,
    open_warnings,
    dtcs_seen,
    coolant_episodes,
    low_fuel_episodes,
    high_rpm,
    harsh_braking,
    harsh_acceleration,
)


def _merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """One recommendation per code; messages of the same code are joined."""
    merged: dict[str, list[str]] = {}
    for rec in recommendations:
        messages = merged.setdefault(rec.code, [])
        if rec.message not in messages:
            messages.append(rec.message)
    return [Recommendation(code, " ".join(messages)) for code, messages in merged.items()]


def health_score(alerts: Sequence[OpenAlert], stats: DrivingStats) -> HealthScore:
    findings = [f for item in ITEMS if (f := item(alerts, stats)) is not None]
    deductions = [f.deduction for f in findings]
    total = sum(d.points for d in deductions)
    recommendations = [f.recommendation for f in findings if f.recommendation is not None]
    return HealthScore(max(0, min(START, START - total)), deductions, _merge(recommendations))
