"""Notifications in words: one alert, or a group of identical ones with their count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fleetyard.alerts.rules.kinds import spec_of


def kind_label(kind: str) -> str:
    spec = spec_of(kind)
    return spec.label if spec else kind.replace("_", " ").capitalize()


def alert_title(kind: str, code: str, vehicle_label: str) -> str:
    what = f"{kind_label(kind)} {code}".strip() if code else kind_label(kind)
    return f"{what} on {vehicle_label}"


def grouped_title(n: Mapping[str, Any]) -> str:
    """The title people read: a lone alert's own, or the group's with its count."""
    count = int(n["alert_count"])
    prefix = {"escalation": "Not acknowledged: ", "assigned": "Assigned to you: "}.get(
        str(n["reason"]), ""
    )
    if count <= 1:
        return prefix + str(n["title"])
    vehicles = len(n["vehicle_ids"] or ())
    label = kind_label(str(n["kind"]))
    code = f" {n['code']}" if n["code"] else ""
    on = f" on {vehicles} vehicles" if vehicles > 1 else ""
    return f"{prefix}{count:,} alerts: {label}{code}{on}"


def grouped_body(n: Mapping[str, Any]) -> str:
    count = int(n["alert_count"])
    if count <= 1:
        return str(n["body"])
    first, last = n["first_at"], n["last_at"]
    span = f"between {first:%H:%M} and {last:%H:%M} UTC" if first and last else ""
    return (
        f"{count:,} identical alerts {span}, grouped into this one notification. "
        f"The first said: {n['body']}"
    ).replace("  ", " ")
