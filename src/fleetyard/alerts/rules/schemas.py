from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls
from fleetyard.telematics.rules.conditions import Severity

MAX_RULES = 200  # per tenant: every alert is matched against the rules of its kind


def _distinct(values: list[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(values))


Kind = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
VehicleIds = Annotated[list[uuid.UUID], Field(max_length=1000), AfterValidator(_distinct)]
GroupIds = Annotated[list[uuid.UUID], Field(max_length=100), AfterValidator(_distinct)]
Thresholds = Annotated[
    dict[Annotated[str, Field(max_length=64)], Any],
    Field(
        max_length=20,
        description="The kind's thresholds (GET /alert-rules/kinds lists them with their "
        "defaults); anything left out takes its default.",
    ),
]
DedupeWindow = Annotated[
    int,
    Field(
        ge=0,
        le=86_400,
        description="Identical alerts (same rule, kind and code) within this many seconds of "
        "the first reach each person as one notification with a count.",
    ),
]


class QuietHours(Schema):
    """Local times in the tenant's time zone; a window past midnight (22:00–06:00) is fine.
    Non-critical notifications are held until it ends."""

    start: time
    end: time

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are local times in the tenant's zone, without offset")
        return self


class Escalation(Schema):
    after_minutes: Annotated[int, Field(ge=1, le=10_080)]
    to: Annotated[
        list[uuid.UUID],
        Field(min_length=1, max_length=20, description="Members' user ids."),
        AfterValidator(_distinct),
    ]


class AlertRuleCreate(Schema):
    name: Name
    kind: Kind
    enabled: bool = True
    severity: Severity | None = Field(
        default=None, description="Null keeps the severity the alert was raised with."
    )
    thresholds: Thresholds = {}
    vehicle_ids: VehicleIds = []
    group_ids: GroupIds = []
    quiet_hours: QuietHours | None = None
    dedupe_window_s: DedupeWindow = 600
    escalation: Escalation | None = None


class AlertRuleUpdate(Schema):
    """Only the fields sent are changed; ``version`` (or If-Match) guards lost updates."""

    version: Version | None = None
    name: Name | None = None
    kind: Kind | None = None
    enabled: bool | None = None
    severity: Severity | None = None
    thresholds: Thresholds | None = None
    vehicle_ids: VehicleIds | None = None
    group_ids: GroupIds | None = None
    quiet_hours: QuietHours | None = None
    dedupe_window_s: DedupeWindow | None = None
    escalation: Escalation | None = None

    _required = model_validator(mode="after")(
        refuse_nulls(
            "name", "kind", "enabled", "thresholds", "vehicle_ids", "group_ids", "dedupe_window_s"
        )
    )


class AlertRule(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    kind: str
    enabled: bool
    severity: Severity | None
    thresholds: dict[str, Any]
    vehicle_ids: list[uuid.UUID]
    group_ids: list[uuid.UUID]
    quiet_hours: QuietHours | None
    dedupe_window_s: int
    escalation: Escalation | None
    created_at: datetime
    updated_at: datetime


class AlertKindInfo(ReadSchema):
    kind: str
    label: str
    severity: Severity
    telemetry: bool = Field(description="Raised from readings with the rule's thresholds.")
    thresholds: dict[str, Any] = Field(description="The thresholds and their defaults.")
    thresholds_schema: dict[str, Any]


def rule_out(record: Any) -> AlertRule:
    quiet = (
        QuietHours(start=record.quiet_start, end=record.quiet_end)
        if record.quiet_start is not None and record.quiet_end is not None
        else None
    )
    escalation = (
        Escalation(after_minutes=record.escalate_after_min, to=list(record.escalate_to))
        if record.escalate_after_min is not None and record.escalate_to
        else None
    )
    return AlertRule(
        id=record.id,
        version=record.version,
        name=record.name,
        kind=record.kind,
        enabled=record.enabled,
        severity=Severity(record.severity) if record.severity else None,
        thresholds=dict(record.thresholds or {}),
        vehicle_ids=list(record.vehicle_ids or []),
        group_ids=list(record.group_ids or []),
        quiet_hours=quiet,
        dedupe_window_s=record.dedupe_window_s,
        escalation=escalation,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
