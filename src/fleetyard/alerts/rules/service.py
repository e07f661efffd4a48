"""Alert rule rules: a kind from the registry with thresholds valid for it, a scope of the
tenant's own vehicles and groups, escalation to the tenant's own members, a bounded number
per tenant; every change in the event log."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from datetime import time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement

from fleetyard.alerts.rules.kinds import KINDS, parse_thresholds
from fleetyard.alerts.rules.repository import RuleReferences
from fleetyard.alerts.rules.schemas import (
    MAX_RULES,
    AlertKindInfo,
    AlertRuleCreate,
    AlertRuleUpdate,
    Escalation,
    QuietHours,
)
from fleetyard.errors import ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.models import AlertRule

ENTITY_TYPE = "alert_rule"


def kinds() -> list[AlertKindInfo]:
    return [
        AlertKindInfo(
            kind=spec.name,
            label=spec.label,
            severity=spec.severity,
            telemetry=spec.telemetry,
            thresholds=spec.thresholds().model_dump(mode="json"),
            thresholds_schema=spec.thresholds.model_json_schema(),
        )
        for spec in KINDS.values()
    ]


def valid_thresholds(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's full thresholds (defaults filled in), or 422 saying what is wrong."""
    if kind not in KINDS:
        raise ValidationFailed(
            "No such alert kind.", details={"field": "kind", "kinds": sorted(KINDS)}
        )
    try:
        return parse_thresholds(kind, raw).model_dump(mode="json")
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]) or "thresholds", "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed(
            "The thresholds don't fit this kind.",
            details={"field": "thresholds", "errors": problems},
        ) from None


def _quiet(quiet: QuietHours | None) -> dict[str, Any]:
    return {
        "quiet_start": quiet.start if quiet else None,
        "quiet_end": quiet.end if quiet else None,
    }


def _escalation(escalation: Escalation | None) -> dict[str, Any]:
    return {
        "escalate_after_min": escalation.after_minutes if escalation else None,
        "escalate_to": list(escalation.to) if escalation else [],
    }


class AlertRuleService(RecordService[AlertRule]):
    entity_type = ENTITY_TYPE
    model = AlertRule
    sort_fields = ("id", "created_at", "updated_at", "name", "kind")

    def snapshot(self, record: AlertRule) -> dict[str, Any]:
        """Quiet hours as ISO times (the event log is JSON)."""
        snapshot = super().snapshot(record)
        for field in ("quiet_start", "quiet_end"):
            value = snapshot.get(field)
            if isinstance(value, time):
                snapshot[field] = value.isoformat()
        return snapshot

    @property
    def references(self) -> RuleReferences:
        return RuleReferences(self.session, self.actor.tenant_id)

    async def list(
        self, kind: str | None, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[AlertRule], str | None]:
        filters: list[ColumnElement[bool]] = []
        if kind is not None:
            filters.append(AlertRule.kind == kind)
        return await self.list_page(filters, sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: AlertRuleCreate) -> AlertRule:
        thresholds = valid_thresholds(data.kind, data.thresholds)
        await self._check_references(data.vehicle_ids, data.group_ids, data.escalation)
        await self.enforce_limit(MAX_RULES, "alert rules")
        return await self.insert(
            {
                "name": data.name,
                "kind": data.kind,
                "enabled": data.enabled,
                "severity": data.severity.value if data.severity else None,
                "thresholds": thresholds,
                "vehicle_ids": list(data.vehicle_ids),
                "group_ids": list(data.group_ids),
                "dedupe_window_s": data.dedupe_window_s,
                **_quiet(data.quiet_hours),
                **_escalation(data.escalation),
            }
        )

    async def update(
        self, rule_id: uuid.UUID, data: AlertRuleUpdate, if_match: int | None
    ) -> AlertRule:
        record = await self.get(rule_id)
        sent = data.model_fields_set
        changes: dict[str, Any] = {}
        for field in ("name", "kind", "enabled", "vehicle_ids", "group_ids", "dedupe_window_s"):
            if field in sent:
                changes[field] = getattr(data, field)
        if "severity" in sent:
            changes["severity"] = data.severity.value if data.severity else None
        if "quiet_hours" in sent:
            changes.update(_quiet(data.quiet_hours))
        if "escalation" in sent:
            changes.update(_escalation(data.escalation))
        kind = changes.get("kind", record.kind)
        if "thresholds" in sent or "kind" in sent:
            raw = data.thresholds if data.thresholds is not None else {}
            if "thresholds" not in sent and kind == record.kind:
                raw = record.thresholds
            changes["thresholds"] = valid_thresholds(kind, raw)
        await self._check_references(
            data.vehicle_ids if "vehicle_ids" in sent else None,
            data.group_ids if "group_ids" in sent else None,
            data.escalation if "escalation" in sent else None,
        )
        expected = data.version if data.version is not None else if_match
        return await self.apply_update(rule_id, changes, expected)

    async def delete(self, rule_id: uuid.UUID, if_match: int | None) -> None:
        await self.remove(rule_id, if_match)

    async def _check_references(
        self,
        vehicle_ids: builtins.list[uuid.UUID] | None,
        group_ids: builtins.list[uuid.UUID] | None,
        escalation: Escalation | None,
    ) -> None:
        """Ids of another tenant's records are as unknown as ids of no record."""
        missing: dict[str, builtins.list[str]] = {}
        checks = (
            ("vehicle_ids", self.references.missing_vehicles, vehicle_ids),
            ("group_ids", self.references.missing_groups, group_ids),
            (
                "escalation.to",
                self.references.missing_members,
                escalation.to if escalation else None,
            ),
        )
        for field, find_missing, ids in checks:
            if ids:
                absent = await find_missing(ids)
                if absent:
                    missing[field] = [str(i) for i in absent[:20]]
        if missing:
            raise ValidationFailed(
                "The rule names records this tenant doesn't have.", details={"missing": missing}
            )
