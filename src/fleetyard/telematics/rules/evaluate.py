"""Run every rule over one vehicle's fixes, oldest first, and say which alerts open (or are
seen again) and which clear. Pure: the caller supplies the keys of the vehicle's open alerts
and writes the changes.

Consecutive sightings of the same open alert fold into one :class:`Raised` (first and last
fix time), so a vehicle reporting the same DTC every second costs one write per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Rule
from fleetyard.telematics.rules.dtc import dtc
from fleetyard.telematics.rules.thresholds import coolant_high, fuel_low

RULES: tuple[Rule, ...] = (coolant_high, fuel_low, dtc)
# every attribute some rule reads: a fix without any of them can't change an alert
WATCHED: frozenset[str] = frozenset({attr.COOLANT_TEMP_C, attr.FUEL_LEVEL_PCT, attr.DTCS})


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rules read from one valid fix."""

    fix_time: datetime
    attributes: Mapping[str, Any]
    device_id: uuid.UUID | None = None


@dataclass(slots=True)
class Raised:
    """Open the alert at ``first_at`` — or, if it is already open, mark it seen at ``last_at``."""

    condition: Condition
    first_at: datetime
    last_at: datetime
    device_id: uuid.UUID | None = None  # the device whose fix raised it


@dataclass(frozen=True, slots=True)
class Cleared:
    key: AlertKey
    at: datetime


Change = Raised | Cleared


def watched(attributes: Mapping[str, Any]) -> bool:
    return not WATCHED.isdisjoint(attributes)


def evaluate(
    readings: Iterable[Reading],
    open_keys: Iterable[AlertKey],
    rules: Sequence[Rule] = RULES,
) -> list[Change]:
    """The alert changes the readings cause, in fix-time order."""
    open_now = set(open_keys)
    changes: list[Change] = []
    pending: dict[AlertKey, Raised] = {}  # raised in this run and still open
    for reading in sorted(readings, key=lambda r: r.fix_time):
        for rule in rules:
            outcome = rule(reading.attributes, frozenset(open_now))
            for condition in outcome.present:
                key = condition.key
                if key in pending:
                    pending[key].last_at = reading.fix_time
                    continue
                raised = Raised(condition, reading.fix_time, reading.fix_time, reading.device_id)
                pending[key] = raised
                changes.append(raised)
                open_now.add(key)
            for key in outcome.ended:
                if key in open_now:
                    open_now.discard(key)
                    pending.pop(key, None)
                    changes.append(Cleared(key, reading.fix_time))
    return changes
