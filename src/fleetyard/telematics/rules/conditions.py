"""The vocabulary rules speak: which alert (kind + code), how bad, and what a fix showed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class AlertKind(StrEnum):
    COOLANT_HIGH = "coolant_high"
    FUEL_LOW = "fuel_low"
    DTC = "dtc"


@dataclass(frozen=True, slots=True)
class AlertKey:
    """What makes an alert the same alert: at most one open per vehicle and key."""

    kind: str
    code: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition a fix shows right now (it opens the alert, or keeps it seen)."""

    key: AlertKey
    severity: Severity
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One rule's verdict on one fix: conditions present, and open alerts whose cause ended."""

    present: tuple[Condition, ...] = ()
    ended: tuple[AlertKey, ...] = ()


# attributes of one fix, the keys of the vehicle's open alerts → verdict
Rule = Callable[[Mapping[str, Any], frozenset[AlertKey]], Outcome]
