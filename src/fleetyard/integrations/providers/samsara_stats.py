"""Samsara vehicle stats (``/fleet/vehicles/stats/feed``) into our ``Position``: no I/O.

Each vehicle record carries one list per stat type (``gps``, ``engineRpm``, …) of
``{"time", "value"}`` points; stats other than ``gps`` may carry ``decorations`` (the
vehicle's ``gps`` and other stats at that instant). Points of one vehicle at one instant
become one ``Position``; a reading without a location of its own takes the vehicle's nearest
known fix (earlier first), or is skipped and counted when the vehicle has none yet. The engine
state is a state: it holds on the vehicle's later positions until Samsara reports a change.

Units as Samsara documents them: temperatures in milli-°C, speed in miles per hour, odometer in
metres, engine time in seconds, voltages in millivolts. Fault codes become our DTC list: OBD-II
codes as SAE J2012 strings (``P0420``), J1939 faults as ``SPN 110 FMI 0``; pending OBD-II codes
and the check-engine lamp go under ``extras``.

A point that can't be read (no time, wrong types, out of range) is skipped and counted under a
reason; it never fails its page. Work is linear in the page: 50,000 points are routine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import MPH_TO_KMH, Position
from fleetyard.telematics.rules.j2012 import normalize as normalize_j2012

PROTOCOL: Final = "samsara"
MAX_SPN: Final = 524_287  # 19 bits
MAX_FMI: Final = 31  # 5 bits
_J2012_SYSTEMS: Final = "PCBU"


@dataclass(frozen=True, slots=True)
class Fix:
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    course: float | None = None


@dataclass(slots=True)
class VehicleMemory:
    """What the adapter remembers of a vehicle between polls (one per vehicle: bounded)."""

    fix_time: datetime | None = None
    fix: Fix | None = None
    ignition_time: datetime | None = None
    ignition: bool | None = None


@dataclass(slots=True)
class _Draft:
    """What one vehicle reported at one instant, gathered from every stat type."""

    fix: Fix | None = None
    ignition: bool | None = None
    odometer_m: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


class Unreadable(ValueError):
    """One stat point that can't be read; ``reason`` is the name it is counted under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- values -------------------------------------------------------------------------------


def number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable("bad_value")
    result = float(value)
    if not math.isfinite(result) or abs(result) > attr.MAX_READING:
        raise Unreadable("bad_value")
    return result


def parse_time(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise Unreadable("bad_time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Unreadable("bad_time") from None
    if moment.tzinfo is None:  # Samsara sends RFC 3339 with an offset; a bare time is UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_fix(gps: object) -> Fix:
    if not isinstance(gps, dict):
        raise Unreadable("bad_location")
    try:
        latitude, longitude = number(gps.get("latitude")), number(gps.get("longitude"))
    except Unreadable:
        raise Unreadable("bad_location") from None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise Unreadable("bad_location")
    return Fix(latitude, longitude, _optional_speed(gps), _optional_course(gps))


def _optional_speed(gps: dict[str, Any]) -> float | None:
    try:
        mph = number(gps.get("speedMilesPerHour"))
    except Unreadable:
        return None
    return round(mph * MPH_TO_KMH, 3) if mph >= 0 else None


def _optional_course(gps: dict[str, Any]) -> float | None:
    try:
        heading = number(gps.get("headingDegrees"))
    except Unreadable:
        return None
    return heading % 360.0


# -- stat types -----------------------------------------------------------------------------

# Each applies one point (or decoration) to the draft of its instant; raises Unreadable.
Apply = Callable[[_Draft, dict[str, Any]], None]


def _reading(key: str, scale: float = 1.0) -> Apply:
    def apply(draft: _Draft, point: dict[str, Any]) -> None:
        draft.attributes[key] = number(point.get("value")) * scale

    return apply


def _gps(draft: _Draft, point: dict[str, Any]) -> None:
    draft.fix = parse_fix(point)


def _odometer(draft: _Draft, point: dict[str, Any]) -> None:
    metres = number(point.get("value"))
    if metres < 0:
        raise Unreadable("bad_value")
    draft.odometer_m = metres


def _engine_state(draft: _Draft, point: dict[str, Any]) -> None:
    value = point.get("value")
    if not isinstance(value, str) or value.lower() not in {"on", "off", "idle"}:
        raise Unreadable("bad_value")
    draft.ignition = value.lower() != "off"  # idling: the engine runs


def _fault_codes(draft: _Draft, point: dict[str, Any]) -> None:
    obdii, j1939 = point.get("obdii"), point.get("j1939")
    if not isinstance(obdii, dict) and not isinstance(j1939, dict):
        raise Unreadable("bad_fault_codes")
    codes: dict[str, None] = {}  # ordered, once each
    pending: dict[str, None] = {}
    lamp = False
    if isinstance(obdii, dict):
        for controller in _dicts(obdii.get("diagnosticTroubleCodes")):
            for listed in ("confirmedDtcs", "permanentDtcs"):
                codes.update(dict.fromkeys(_obd_codes(controller.get(listed))))
            pending.update(dict.fromkeys(_obd_codes(controller.get("pendingDtcs"))))
        lamp = obdii.get("checkEngineLightIsOn") is True
    if isinstance(j1939, dict):
        codes.update(dict.fromkeys(_j1939_codes(j1939.get("diagnosticTroubleCodes"))))
        lamps = j1939.get("checkEngineLights")
        lamp = lamp or (isinstance(lamps, dict) and any(v is True for v in lamps.values()))
    draft.attributes[attr.DTCS] = list(codes)
    extras = draft.attributes.setdefault(attr.EXTRAS, {})
    extras["check_engine_light"] = lamp
    if pending:
        extras["pending_dtcs"] = [code for code in pending if code not in codes]


def _dicts(value: object) -> Iterable[dict[str, Any]]:
    return (item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()


def _obd_codes(listed: object) -> Iterable[str]:
    for dtc in _dicts(listed):
        code = normalize_j2012(dtc.get("dtcShortCode")) or _from_dtc_id(dtc.get("dtcId"))
        if code is not None:
            yield code


def _from_dtc_id(value: object) -> str | None:
    """The two-byte OBD-II (mode 03) encoding: 2 bits system, 2 bits digit, 12 bits hex."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 0xFFFF:
        return None
    return f"{_J2012_SYSTEMS[value >> 14]}{(value >> 12) & 0x3}{value & 0xFFF:03X}"


def _j1939_codes(listed: object) -> Iterable[str]:
    for dtc in _dicts(listed):
        spn, fmi = dtc.get("spnId"), dtc.get("fmiId")
        if _whole(spn, MAX_SPN) and _whole(fmi, MAX_FMI):
            yield f"SPN {spn} FMI {fmi}"


def _whole(value: object, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


STAT_TYPES: Final[dict[str, Apply]] = {
    "gps": _gps,
    "engineStates": _engine_state,
    "obdOdometerMeters": _odometer,
    "engineCoolantTemperatureMilliC": _reading(attr.COOLANT_TEMP_C, 1e-3),
    "fuelPercents": _reading(attr.FUEL_LEVEL_PCT),
    "engineRpm": _reading(attr.RPM),
    "obdEngineSeconds": _reading(attr.ENGINE_HOURS, 1 / 3600),
    "batteryMilliVolts": _reading(attr.POWER_V, 1e-3),
    "engineLoadPercent": _reading(attr.ENGINE_LOAD_PCT),
    "faultCodes": _fault_codes,
    # the snapshot endpoint (/fleet/vehicles/stats) names these in the singular
    "engineState": _engine_state,
    "fuelPercent": _reading(attr.FUEL_LEVEL_PCT),
}


# -- pages into positions -------------------------------------------------------------------


@dataclass(slots=True)
class MappedStats:
    positions: list[Position]
    skipped: dict[str, int]
    newest: datetime | None


@dataclass(slots=True)
class StatsCollector:
    """Gathers the records of one poll (one or more feed pages) and turns them into positions.

    ``memory`` is what earlier polls left of each vehicle (the caller keeps it): its newest
    fix, for readings that come without a location of their own, and its engine state.
    """

    memory: dict[str, VehicleMemory]
    _drafts: dict[str, dict[datetime, _Draft]] = field(default_factory=dict)
    _skipped: dict[str, int] = field(default_factory=dict)
    _newest: datetime | None = None

    def add_records(self, records: Iterable[object]) -> None:
        for record in records:
            vehicle_id = _vehicle_id(record)
            if vehicle_id is None:
                self._skip("bad_vehicle")
                continue
            assert isinstance(record, dict)
            drafts = self._drafts.setdefault(vehicle_id, {})
            for stat, apply in STAT_TYPES.items():
                points = record.get(stat)
                if points is None:
                    continue
                if isinstance(points, dict):  # a snapshot endpoint's single point
                    points = [points]
                if not isinstance(points, list):
                    self._skip("bad_stat_list")
                    continue
                for point in points:
                    self._add_point(drafts, apply, point)

    def finish(self) -> MappedStats:
        positions: list[Position] = []
        for vehicle_id, drafts in self._drafts.items():
            positions.extend(self._vehicle_positions(vehicle_id, drafts))
        return MappedStats(positions, dict(self._skipped), self._newest)

    def _add_point(self, drafts: dict[datetime, _Draft], apply: Apply, point: object) -> None:
        try:
            if not isinstance(point, dict):
                raise Unreadable("bad_point")
            moment = parse_time(point.get("time"))
            draft = drafts.get(moment) or _Draft()
            apply(draft, point)
        except Unreadable as problem:
            self._skip(problem.reason)
            return
        drafts[moment] = draft
        _decorate(draft, point.get("decorations"))
        if self._newest is None or moment > self._newest:
            self._newest = moment

    def _vehicle_positions(self, vehicle_id: str, drafts: dict[datetime, _Draft]) -> list[Position]:
        memory = self.memory.setdefault(vehicle_id, VehicleMemory())
        moments = sorted(drafts)
        fixes = _nearest_fixes(moments, drafts, memory.fix)
        positions = []
        for moment, fix in zip(moments, fixes, strict=True):
            draft = drafts[moment]
            ignition = _carry_ignition(memory, moment, draft.ignition)
            if draft.fix is not None and (memory.fix_time is None or memory.fix_time <= moment):
                memory.fix_time, memory.fix = moment, draft.fix
            if fix is None:
                self._skip("no_location")
                continue
            own = draft.fix is fix
            positions.append(
                Position(
                    unique_id=vehicle_id,
                    protocol=PROTOCOL,
                    fix_time=moment,
                    latitude=fix.latitude,
                    longitude=fix.longitude,
                    speed_kmh=fix.speed_kmh if own else None,
                    course=fix.course if own else None,
                    ignition=ignition,
                    odometer_m=draft.odometer_m,
                    attributes=draft.attributes,
                )
            )
        return positions

    def _skip(self, reason: str) -> None:
        self._skipped[reason] = self._skipped.get(reason, 0) + 1


def _vehicle_id(record: object) -> str | None:
    if not isinstance(record, dict):
        return None
    value = record.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    return value.strip()


def _decorate(draft: _Draft, decorations: object) -> None:
    """Decorations are extras on a point that was read: a bad one is left out, silently."""
    if not isinstance(decorations, dict):
        return
    for stat, value in decorations.items():
        apply = STAT_TYPES.get(stat)
        if apply is None or not isinstance(value, dict):
            continue
        if stat == "gps" and draft.fix is not None:
            continue  # the point's own fix wins over a decoration's
        try:
            apply(draft, value)
        except Unreadable:
            continue


def _carry_ignition(memory: VehicleMemory, moment: datetime, reported: bool | None) -> bool | None:
    """The engine state at ``moment``: as reported, else the last one reported before it."""
    if reported is not None:
        if memory.ignition_time is None or memory.ignition_time <= moment:
            memory.ignition_time, memory.ignition = moment, reported
        return reported
    if memory.ignition_time is not None and memory.ignition_time <= moment:
        return memory.ignition
    return None


def _nearest_fixes(
    moments: list[datetime], drafts: dict[datetime, _Draft], known: Fix | None
) -> list[Fix | None]:
    """Each instant's own fix, else the latest one before it (this poll or the last known),
    else the first one after it in this poll; two sweeps, linear."""
    result: list[Fix | None] = []
    latest = known
    for moment in moments:
        own = drafts[moment].fix
        latest = own or latest
        result.append(own or latest)
    following: Fix | None = None
    for index in range(len(moments) - 1, -1, -1):
        own = drafts[moments[index]].fix
        following = own or following
        if result[index] is None:
            result[index] = following
    return result
