"""Which rule applies to an alert: the tenant's rules of its kind, the most specific first
(naming the vehicle, then naming one of its groups — the nearest first — then the whole
fleet; the oldest rule among equals). No rule: the kind's defaults. The best rule disabled:
nothing of that kind for the vehicle. Pure: callers load rules and group chains."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

FLEET_WIDE = 10_000  # ranks after any group depth


@dataclass(frozen=True, slots=True)
class RuleRecord:
    id: uuid.UUID
    kind: str
    name: str
    enabled: bool
    severity: str | None
    thresholds: Mapping[str, Any]
    vehicle_ids: frozenset[uuid.UUID]
    group_ids: frozenset[uuid.UUID]
    quiet_start: time | None
    quiet_end: time | None
    dedupe_window_s: int
    escalate_after_min: int | None
    escalate_to: tuple[uuid.UUID, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RuleRecord:
        thresholds = row["thresholds"]
        if isinstance(thresholds, str):
            thresholds = json.loads(thresholds)
        return cls(
            id=row["id"],
            kind=row["kind"],
            name=row["name"],
            enabled=row["enabled"],
            severity=row["severity"],
            thresholds=dict(thresholds or {}),
            vehicle_ids=frozenset(row["vehicle_ids"] or ()),
            group_ids=frozenset(row["group_ids"] or ()),
            quiet_start=row["quiet_start"],
            quiet_end=row["quiet_end"],
            dedupe_window_s=row["dedupe_window_s"],
            escalate_after_min=row["escalate_after_min"],
            escalate_to=tuple(row["escalate_to"] or ()),
        )

    @property
    def scoped_by_group(self) -> bool:
        return bool(self.group_ids)


def specificity(
    rule: RuleRecord, vehicle_id: uuid.UUID, group_chain: Sequence[uuid.UUID]
) -> int | None:
    """0 names the vehicle, 1 + depth names a group on its chain, FLEET_WIDE covers every
    vehicle; None: the rule doesn't cover this vehicle."""
    if vehicle_id in rule.vehicle_ids:
        return 0
    for depth, group_id in enumerate(group_chain):
        if group_id in rule.group_ids:
            return 1 + depth
    if not rule.vehicle_ids and not rule.group_ids:
        return FLEET_WIDE
    return None


def rule_for(
    rules: Iterable[RuleRecord],
    kind: str,
    vehicle_id: uuid.UUID,
    group_chain: Sequence[uuid.UUID] = (),
) -> RuleRecord | None:
    best: tuple[int, str] | None = None
    chosen: RuleRecord | None = None
    for rule in rules:
        if rule.kind != kind:
            continue
        rank = specificity(rule, vehicle_id, group_chain)
        if rank is None:
            continue
        key = (rank, str(rule.id))  # ids are time-ordered: the oldest wins a tie
        if best is None or key < best:
            best, chosen = key, rule
    return chosen
