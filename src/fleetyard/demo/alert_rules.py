"""The demo tenants' alert rules, made through the alert-rules service (so each writes its
event): an overheating engine escalated to the owner when nobody acknowledges it within a
quarter of an hour, fuel warnings held over the night, trouble codes told once an hour,
speeding and geofence notices, and trackers silent for half an hour. The simulated fleet's
readings raise the alerts; the notification dispatcher of ``fleetyard serve`` turns them into
in-app notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.rules.schemas import AlertRuleCreate, Escalation, QuietHours
from fleetyard.alerts.rules.service import AlertRuleService
from fleetyard.auth.principal import Principal
from fleetyard.demo.logins import DEMO_EMAIL, DEMO_SLUG, HARBOUR_SLUG
from fleetyard.demo.repository import ExistingRecords
from fleetyard.models import AlertRule, User

NIGHT: Final = QuietHours(start=time(22, 0), end=time(6, 30))


@dataclass(frozen=True)
class RulePlan:
    name: str
    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    escalate_to_owner_after_min: int | None = None


COMMON: Final = (
    RulePlan(
        "Engine overheating",
        "coolant_high",
        {"severity": "critical", "dedupe_window_s": 1800},
        escalate_to_owner_after_min=15,
    ),
    RulePlan(
        "Fuel low (quiet at night)",
        "fuel_low",
        {"thresholds": {"trigger_pct": 12, "release_pct": 18}, "quiet_hours": NIGHT},
    ),
    RulePlan("Trouble codes, once an hour", "dtc", {"dedupe_window_s": 3600}),
    RulePlan(
        "Speeding in town",
        "speeding",
        {"thresholds": {"min_excess_kmh": 10, "min_duration_s": 20}, "dedupe_window_s": 900},
    ),
)
DEMO_ONLY: Final = (
    RulePlan("Geofence visits (quiet at night)", "geofence", {"quiet_hours": NIGHT}),
    RulePlan(
        "Tracker silent for half an hour", "device_offline", {"thresholds": {"after_minutes": 30}}
    ),
)
RULES_BY_TENANT: Final = {DEMO_SLUG: (*COMMON, *DEMO_ONLY), HARBOUR_SLUG: COMMON}


async def seed_alert_rules(session: AsyncSession, actor: Principal, slug: str) -> tuple[int, int]:
    """The tenant's planned rules that are missing (by name); (planned, created)."""
    plans = RULES_BY_TENANT.get(slug, ())
    if not plans:
        return 0, 0
    existing = await ExistingRecords(session, actor.tenant_id).names_in_use(AlertRule)
    owner = (
        await session.execute(select(User.id).where(User.email == DEMO_EMAIL))
    ).scalar_one_or_none()
    service = AlertRuleService(session, actor)
    created = 0
    for plan in plans:
        if plan.name.lower() in existing:
            continue
        values = dict(plan.values)
        if plan.escalate_to_owner_after_min and owner is not None and slug == DEMO_SLUG:
            values["escalation"] = Escalation(
                after_minutes=plan.escalate_to_owner_after_min, to=[owner]
            )
        await service.create(AlertRuleCreate(name=plan.name, kind=plan.kind, **values))
        created += 1
    return len(plans), created
