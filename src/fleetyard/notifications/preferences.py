"""What a member receives by each channel: their stored choice, else the channel's default
(in-app on for the roles that handle alerts, e-mail and push off until chosen)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from fleetyard.auth.roles import Permission, Role, has_permission
from fleetyard.telematics.rules.conditions import Severity


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    PUSH = "push"


SEVERITY_LEVEL: Final = {
    Severity.INFO.value: 0,
    Severity.WARNING.value: 1,
    Severity.CRITICAL.value: 2,
}


@dataclass(frozen=True, slots=True)
class Preference:
    channel: Channel
    enabled: bool
    kinds: frozenset[str] = frozenset()  # empty: every kind
    min_severity: str = Severity.INFO.value

    def wants(self, kind: str, severity: str) -> bool:
        if not self.enabled:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        return SEVERITY_LEVEL.get(severity, 0) >= SEVERITY_LEVEL.get(self.min_severity, 0)


def default_preference(channel: Channel, role: str) -> Preference:
    handles_alerts = role in Role.__members__.values() and has_permission(
        Role(role), Permission.ALERTS_ACKNOWLEDGE
    )
    return Preference(channel, enabled=channel is Channel.IN_APP and handles_alerts)


def effective(stored: Collection[Preference], role: str) -> dict[Channel, Preference]:
    chosen = {p.channel: p for p in stored}
    return {c: chosen.get(c) or default_preference(c, role) for c in Channel}
