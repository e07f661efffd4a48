"""Diagnostic trouble codes: every code a fix reports opens (or keeps seen) one ``dtc`` warning
with the code as its alert code; an open ``dtc`` alert clears when a later fix reports a DTC
list without its code. A fix with no DTC list at all says nothing about codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules.conditions import (
    AlertKey,
    AlertKind,
    Condition,
    Outcome,
    Severity,
)
from fleetyard.telematics.rules.j2012 import describe, normalize


def reported_codes(value: object) -> tuple[str, ...] | None:
    """The well-formed codes of a DTC list, in order, once each; None when there is no list.

    A list is a JSON array of codes, or one string of codes separated by commas or spaces.
    Entries that aren't DTCs are dropped.
    """
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        return None
    codes = (normalize(raw) for raw in value)
    return tuple(dict.fromkeys(code for code in codes if code is not None))


def dtc_condition(code: str) -> Condition:
    info = describe(code)
    details = {
        "code": info.code,
        "description": info.description,
        "system": info.system,
        "scope": info.scope.value,
        "subsystem": info.subsystem,
    }
    message = f"{info.code}: {info.description}"
    return Condition(AlertKey(AlertKind.DTC.value, info.code), Severity.WARNING, message, details)


def dtc(attributes: Mapping[str, Any], open_keys: frozenset[AlertKey]) -> Outcome:
    codes = reported_codes(attributes.get(attr.DTCS))
    if codes is None:
        return Outcome()
    ended = tuple(
        sorted(
            (k for k in open_keys if k.kind == AlertKind.DTC and k.code not in codes),
            key=lambda k: k.code,
        )
    )
    return Outcome(present=tuple(dtc_condition(code) for code in codes), ended=ended)
