"""Diagnostic trouble codes: every code a fix reports opens (or keeps seen) one ``dtc`` alert
with the code as its alert code; an open ``dtc`` alert clears when a later fix reports a DTC
list without its code. A fix with no DTC list at all says nothing about codes.

Codes are OBD-II (SAE J2012, ``P0301``: a warning) or heavy-duty J1939 (``SPN 110 FMI 0``:
critical when the failure mode is a most-severe one, else a warning)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules import j1939, j2012
from fleetyard.telematics.rules.conditions import (
    AlertKey,
    AlertKind,
    Condition,
    Outcome,
    Severity,
)


def normalize(raw: object) -> str | None:
    """A code in our one spelling (J2012 ``P0301`` or J1939 ``SPN 110 FMI 0``), else None."""
    return j2012.normalize(raw) or j1939.normalize(raw)


def reported_codes(value: object) -> tuple[str, ...] | None:
    """The well-formed codes of a DTC list, in order, once each; None when there is no list.

    A list is a JSON array of codes, or one string of codes separated by commas (J2012 codes
    may also be separated by spaces). Entries that aren't DTCs are dropped.
    """
    if isinstance(value, str):
        value = [code for part in value.split(",") for code in _split_words(part)]
    if not isinstance(value, list | tuple):
        return None
    codes = (normalize(raw) for raw in value)
    return tuple(dict.fromkeys(code for code in codes if code is not None))


def _split_words(part: str) -> list[str]:
    return [part] if j1939.normalize(part) else part.split()


def dtc_condition(code: str) -> Condition:
    heavy_duty = j1939.normalize(code) is not None
    info = j1939.describe(code) if heavy_duty else j2012.describe(code)
    details = {
        "code": info.code,
        "description": info.description,
        "system": info.system,
        "scope": info.scope.value,
        "subsystem": info.subsystem,
    }
    severity = (
        Severity.CRITICAL if heavy_duty and j1939.most_severe(info.code) else Severity.WARNING
    )
    message = f"{info.code}: {info.description}"
    return Condition(AlertKey(AlertKind.DTC.value, info.code), severity, message, details)


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
