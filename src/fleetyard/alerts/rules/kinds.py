"""Every alert kind a rule can be written for, with the thresholds it takes.

One registry: the API validates a rule's ``thresholds`` against its kind's model, the ingest
rules read the telemetry thresholds from it, and the notification dispatcher asks the kind
whether an alert passes a rule's thresholds (for kinds raised elsewhere: geofences,
speeding, idling …, the raiser raises and the rule decides whether it is worth a notice).

A new kind registers by adding one :class:`KindSpec` to ``KINDS`` (its name is the
``kind`` the raiser writes into ``alerts``); until then rules for it are refused (422) and
its alerts are notified with the defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fleetyard.telematics.rules.conditions import Severity


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoThresholds(Thresholds):
    pass


class CoolantThresholds(Thresholds):
    trigger_c: Annotated[float, Field(ge=60, le=150)] = 110.0
    release_c: Annotated[float, Field(ge=50, le=150)] = 105.0

    @model_validator(mode="after")
    def _release_below_trigger(self) -> CoolantThresholds:
        if self.release_c >= self.trigger_c:
            raise ValueError("release_c must be below trigger_c")
        return self


class FuelThresholds(Thresholds):
    trigger_pct: Annotated[float, Field(ge=0, le=100)] = 10.0
    release_pct: Annotated[float, Field(ge=0, le=100)] = 15.0

    @model_validator(mode="after")
    def _release_above_trigger(self) -> FuelThresholds:
        if self.release_pct <= self.trigger_pct:
            raise ValueError("release_pct must be above trigger_pct")
        return self


class GeofenceThresholds(Thresholds):
    # empty: every geofence
    geofence_ids: Annotated[list[uuid.UUID], Field(max_length=100)] = []


class SpeedingThresholds(Thresholds):
    min_excess_kmh: Annotated[float, Field(ge=0, le=200)] = 0.0
    min_duration_s: Annotated[int, Field(ge=0, le=3600)] = 0


class IdlingThresholds(Thresholds):
    min_minutes: Annotated[int, Field(ge=1, le=1440)] = 10


class OfflineThresholds(Thresholds):
    after_minutes: Annotated[int, Field(ge=5, le=10080)] = 60


class PredictedFailureThresholds(Thresholds):
    min_probability: Annotated[float, Field(ge=0, le=1)] = 0.3


def _predicted_failure_passes(thresholds: Thresholds, details: Mapping[str, Any]) -> bool:
    assert isinstance(thresholds, PredictedFailureThresholds)
    probability = _number(details, "probability_30d")
    return probability is None or probability >= thresholds.min_probability


class MaintenanceThresholds(Thresholds):
    days_before: Annotated[int, Field(ge=0, le=365)] = 7


Passes = Callable[[Thresholds, Mapping[str, Any]], bool]


def always(_: Thresholds, __: Mapping[str, Any]) -> bool:
    return True


def _number(details: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = details.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _geofence_passes(thresholds: Thresholds, details: Mapping[str, Any]) -> bool:
    assert isinstance(thresholds, GeofenceThresholds)
    if not thresholds.geofence_ids:
        return True
    return str(details.get("geofence_id")) in {str(g) for g in thresholds.geofence_ids}


def _speeding_passes(thresholds: Thresholds, details: Mapping[str, Any]) -> bool:
    assert isinstance(thresholds, SpeedingThresholds)
    excess = _number(details, "excess_kmh")
    duration = _number(details, "duration_s")
    return (excess is None or excess >= thresholds.min_excess_kmh) and (
        duration is None or duration >= thresholds.min_duration_s
    )


def _idling_passes(thresholds: Thresholds, details: Mapping[str, Any]) -> bool:
    assert isinstance(thresholds, IdlingThresholds)
    seconds = _number(details, "duration_s")
    minutes = _number(details, "duration_min")
    if minutes is None and seconds is not None:
        minutes = seconds / 60
    return minutes is None or minutes >= thresholds.min_minutes


@dataclass(frozen=True, slots=True)
class KindSpec:
    name: str
    label: str
    severity: Severity  # the usual severity; a rule may override it
    thresholds: type[Thresholds] = NoThresholds
    passes: Passes = always
    # raised by the ingest rules from readings (thresholds applied when raising)
    telemetry: bool = False


KINDS: Final[dict[str, KindSpec]] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "coolant_high", "Coolant too hot", Severity.CRITICAL, CoolantThresholds, telemetry=True
        ),
        KindSpec("fuel_low", "Fuel low", Severity.WARNING, FuelThresholds, telemetry=True),
        KindSpec("dtc", "Diagnostic trouble code", Severity.WARNING, telemetry=True),
        KindSpec("geofence", "Geofence", Severity.INFO, GeofenceThresholds, _geofence_passes),
        KindSpec("speeding", "Speeding", Severity.WARNING, SpeedingThresholds, _speeding_passes),
        KindSpec("harsh_event", "Harsh driving", Severity.WARNING),
        KindSpec("idling", "Idling", Severity.INFO, IdlingThresholds, _idling_passes),
        KindSpec("device_offline", "Device offline", Severity.WARNING, OfflineThresholds),
        KindSpec("maintenance_due", "Maintenance due", Severity.INFO, MaintenanceThresholds),
        # raised by the maintenance evaluator: one open per vehicle and service schedule
        KindSpec("service_due_soon", "Service due soon", Severity.INFO),
        KindSpec("service_due", "Service due", Severity.WARNING),
        KindSpec("service_overdue", "Service overdue", Severity.CRITICAL),
        # a completed work order took a part to its reorder level (on that vehicle)
        KindSpec("part_low_stock", "Part low in stock", Severity.WARNING),
        # raised by an inspection's failed item (critical items: critical severity)
        KindSpec("defect_reported", "Defect reported", Severity.WARNING),
        # raised by failure prediction (fleetyard.predictions): one open per vehicle and part
        KindSpec(
            "predicted_failure",
            "Predicted failure",
            Severity.WARNING,
            PredictedFailureThresholds,
            _predicted_failure_passes,
        ),
        # raised by the dispatch monitor: one open per stop whose ETA is past its window's
        # end (plus the tenant's tolerance), one per route whose vehicle left its corridor
        KindSpec("stop_late", "Stop will be late", Severity.WARNING),
        KindSpec("route_deviation", "Off the planned route", Severity.WARNING),
    )
}


def spec_of(kind: str) -> KindSpec | None:
    return KINDS.get(kind)


def parse_thresholds(kind: str, raw: Mapping[str, Any] | None) -> Thresholds:
    """The kind's thresholds model from a rule's stored JSON (defaults for anything left out).
    Raises ``KeyError`` for an unknown kind, pydantic's ``ValidationError`` for bad values."""
    return KINDS[kind].thresholds.model_validate(dict(raw or {}))


def passes(kind: str, raw_thresholds: Mapping[str, Any] | None, details: Mapping[str, Any]) -> bool:
    """Whether an alert's details pass a rule's thresholds (unknown kinds always pass)."""
    spec = KINDS.get(kind)
    if spec is None:
        return True
    try:
        thresholds = spec.thresholds.model_validate(dict(raw_thresholds or {}))
    except ValueError:
        return True  # a rule stored before a model tightened: notify rather than drop
    return spec.passes(thresholds, details)
