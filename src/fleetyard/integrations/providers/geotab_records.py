"""Geotab feed records (LogRecord, StatusData, FaultData) into our ``Position``: no I/O.

A LogRecord is a fix (latitude, longitude, speed in km/h). A StatusData is one diagnostic's
value at an instant, in the unit of measure of its Diagnostic (SI: °C, %, metres, seconds,
volts); a FaultData is one fault a controller raised. Records of one device at one instant
become one ``Position`` (storage keeps one row per device and fix time, so they must merge
here); a reading without a fix of its own takes the device's nearest known fix (earlier
first, else the first later one in this poll, else one the caller seeds from Geotab's
DeviceStatusInfo), so the reading is stored with a valid position and feeds the vehicle's
state and alerts. A reading with no location at all is skipped and counted.

Faults become our DTC list: OBD-II faults as SAE J2012 strings (``P0420``; the letter from the
OBD controller, digits from the diagnostic's code), J1939 faults as ``SPN 110 FMI 0``.

A record that can't be read (no device, no time, wrong types, out of range) is skipped and
counted under a reason; it never fails its page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position

PROTOCOL: Final = "geotab"
MAX_SPN: Final = 524_287  # 19 bits
MAX_FMI: Final = 31  # 5 bits
ODOMETER: Final = "odometer_m"  # a Position field, not an attribute
IGNITION: Final = "ignition"  # a Position field, not an attribute

# What a reading is to us: the attribute (or field) it fills and, per unit of measure the
# Diagnostic may declare, the factor into our unit. A unit not listed is not mapped.
_CELSIUS: Final = {"UnitOfMeasureDegreesCelsiusId": 1.0}
_PERCENT: Final = {"UnitOfMeasurePercentageId": 1.0}
_RPM: Final = {"UnitOfMeasureRevolutionsPerMinuteId": 1.0}
_VOLTS: Final = {"UnitOfMeasureVoltsId": 1.0}
_METRES: Final = {"UnitOfMeasureMetersId": 1.0, "UnitOfMeasureKilometersId": 1000.0}
_HOURS: Final = {"UnitOfMeasureSecondsId": 1 / 3600, "UnitOfMeasureHoursId": 1.0}
_LITRES: Final = {"UnitOfMeasureLitersId": 1.0}


@dataclass(frozen=True, slots=True)
class Reading:
    key: str  # an attribute of fleetyard.telematics.attributes, or ODOMETER / IGNITION
    factor: float = 1.0


# Geotab's own diagnostics (KnownId), whose units Geotab documents: engine hours in seconds,
# odometer in metres, voltage in volts. The adjusted odometer and engine hours are what
# MyGeotab shows (the raw value plus the fleet manager's corrections): they win when both come.
KNOWN_DIAGNOSTICS: Final[dict[str, Reading]] = {
    "DiagnosticEngineCoolantTemperatureId": Reading(attr.COOLANT_TEMP_C),
    "DiagnosticFuelLevelId": Reading(attr.FUEL_LEVEL_PCT),
    "DiagnosticEngineSpeedId": Reading(attr.RPM),
    "DiagnosticOdometerId": Reading(ODOMETER),
    "DiagnosticOdometerAdjustmentId": Reading(ODOMETER),
    "DiagnosticEngineHoursId": Reading(attr.ENGINE_HOURS, 1 / 3600),
    "DiagnosticEngineHoursAdjustmentId": Reading(attr.ENGINE_HOURS, 1 / 3600),
    "DiagnosticGoDeviceVoltageId": Reading(attr.POWER_V),  # the vehicle's supply at the GO
    "DiagnosticDeviceTotalFuelId": Reading(attr.FUEL_USED_L),
    "DiagnosticIgnitionId": Reading(IGNITION),
}
_PREFERRED: Final = frozenset(
    {"DiagnosticOdometerAdjustmentId", "DiagnosticEngineHoursAdjustmentId"}
)

# Engine diagnostics Geotab reads off the bus, by source and code: the J1939 SPN or OBD PID.
_BY_SOURCE_CODE: Final[dict[tuple[str, int], tuple[str, Mapping[str, float]]]] = {
    ("SourceJ1939Id", 110): (attr.COOLANT_TEMP_C, _CELSIUS),
    ("SourceJ1939Id", 190): (attr.RPM, _RPM),
    ("SourceJ1939Id", 96): (attr.FUEL_LEVEL_PCT, _PERCENT),
    ("SourceJ1939Id", 245): (ODOMETER, _METRES),
    ("SourceJ1939Id", 247): (attr.ENGINE_HOURS, _HOURS),
    ("SourceJ1939Id", 168): (attr.POWER_V, _VOLTS),
    ("SourceJ1939Id", 250): (attr.FUEL_USED_L, _LITRES),
    ("SourceObdId", 0x05): (attr.COOLANT_TEMP_C, _CELSIUS),
    ("SourceObdId", 0x0C): (attr.RPM, _RPM),
    ("SourceObdId", 0x2F): (attr.FUEL_LEVEL_PCT, _PERCENT),
}

OBD_CONTROLLER_LETTERS: Final = {
    "ControllerObdPowertrainId": "P",
    "ControllerObdChassisId": "C",
    "ControllerObdBodyId": "B",
    "ControllerObdNetworkingId": "U",
    "ControllerObdNetworkId": "U",
}
_J2012_SYSTEMS: Final = "PCBU"


@dataclass(frozen=True, slots=True)
class DiagnosticInfo:
    """What ``Get Diagnostic`` told of one diagnostic (only the fields we use)."""

    id: str
    source: str | None
    code: int | None
    unit: str | None
    controller: str | None

    def reading(self) -> Reading | None:
        mapped = _BY_SOURCE_CODE.get(
            (self.source or "", self.code if self.code is not None else -1)
        )
        if mapped is None or self.unit is None:
            return None
        key, units = mapped
        factor = units.get(self.unit)
        return Reading(key, factor) if factor is not None else None


def diagnostic_info(entity: object) -> DiagnosticInfo | None:
    """A Diagnostic entity as Geotab answers it; None when unreadable."""
    if not isinstance(entity, dict):
        return None
    ident = reference_id(entity)
    if ident is None:
        return None
    code = entity.get("code")
    return DiagnosticInfo(
        id=ident,
        source=reference_id(entity.get("source")),
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        unit=reference_id(entity.get("unitOfMeasure")),
        controller=reference_id(entity.get("controller")),
    )


def reference_id(value: object) -> str | None:
    """Geotab names an entity either by its id string or as ``{"id": ...}``."""
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= 100 else None


class Unreadable(ValueError):
    """One record that can't be read; ``reason`` is the name it is counted under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable("bad_value")
    result = float(value)
    if not math.isfinite(result) or abs(result) > attr.MAX_READING:
        raise Unreadable("bad_value")
    return result


def parse_time(value: object) -> datetime:
    """Geotab's UTC ``dateTime``: the client may already have made it a datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise Unreadable("bad_time") from None
    else:
        raise Unreadable("bad_time")  # a bare date (no time) is no instant either
    if isinstance(moment, date) and not isinstance(moment, datetime):
        raise Unreadable("bad_time")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Fix:
    latitude: float
    longitude: float
    speed_kmh: float | None = None


@dataclass(slots=True)
class DeviceMemory:
    """The newest fix of a device the adapter has seen (one per device: bounded)."""

    fix_time: datetime | None = None
    fix: Fix | None = None

    def remember(self, moment: datetime, fix: Fix) -> None:
        if self.fix_time is None or self.fix_time <= moment:
            self.fix_time, self.fix = moment, fix


@dataclass(slots=True)
class _Draft:
    fix: Fix | None = None
    ignition: bool | None = None
    odometer_m: float | None = None
    preferred: set[str] = field(default_factory=set)  # keys set by an adjusted diagnostic
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MappedRecords:
    positions: list[Position]
    skipped: dict[str, int]
    newest: datetime | None


@dataclass(slots=True)
class RecordCollector:
    """Gathers one poll's records and turns them into positions; ``memory`` is what earlier
    polls left of each device (the caller keeps it)."""

    memory: dict[str, DeviceMemory]
    _drafts: dict[str, dict[datetime, _Draft]] = field(default_factory=dict)
    _skipped: dict[str, int] = field(default_factory=dict)
    _newest: datetime | None = None

    # -- records ------------------------------------------------------------------------

    def add_log_records(self, records: Iterable[object]) -> None:
        for record in records:
            try:
                if not isinstance(record, dict):
                    raise Unreadable("bad_record")
                fix = _fix(record)  # before the draft: a bad record leaves no trace
                self._draft_of(record).fix = fix
            except Unreadable as problem:
                self._skip(problem.reason)

    def add_status_data(
        self, records: Iterable[object], diagnostics: Mapping[str, DiagnosticInfo | None]
    ) -> None:
        for record in records:
            try:
                if not isinstance(record, dict):
                    raise Unreadable("bad_record")
                reading = _status_reading(record, diagnostics)
                if reading is None:
                    continue  # a diagnostic we don't map: read, just not ours to keep
                value = number(record.get("data")) * reading.factor
                draft = self._draft_of(record)
                _apply(draft, reading, value, _diagnostic_id(record) in _PREFERRED)
            except Unreadable as problem:
                self._skip(problem.reason)

    def add_fault_data(
        self,
        records: Iterable[object],
        diagnostics: Mapping[str, DiagnosticInfo | None],
        failure_modes: Mapping[str, int | None],
    ) -> None:
        for record in records:
            try:
                code, pending = _fault_code(record, diagnostics, failure_modes)
                if code is None:
                    continue  # an inactive or cleared fault, or a device fault: no DTC
                draft = self._draft_of(record)
            except Unreadable as problem:
                self._skip(problem.reason)
                continue
            assert isinstance(record, dict)
            if pending:
                extras = draft.attributes.setdefault(attr.EXTRAS, {})
                codes = extras.setdefault("pending_dtcs", [])
            else:
                codes = draft.attributes.setdefault(attr.DTCS, [])
            if code not in codes:
                codes.append(code)
            if record.get("malfunctionLamp") is True:
                draft.attributes.setdefault(attr.EXTRAS, {})["check_engine_light"] = True

    # -- positions ----------------------------------------------------------------------

    def devices_without_fix(self) -> list[str]:
        """Devices with readings this poll and no fix anywhere: the caller may seed one."""
        return [
            device
            for device, drafts in self._drafts.items()
            if self.memory.get(device, DeviceMemory()).fix is None
            and all(draft.fix is None for draft in drafts.values())
        ]

    def finish(self) -> MappedRecords:
        positions: list[Position] = []
        for device, drafts in self._drafts.items():
            positions.extend(self._device_positions(device, drafts))
        return MappedRecords(positions, dict(self._skipped), self._newest)

    def _draft_of(self, record: object) -> _Draft:
        if not isinstance(record, dict):
            raise Unreadable("bad_record")
        device = reference_id(record.get("device"))
        if device is None:
            raise Unreadable("bad_device")
        moment = parse_time(record.get("dateTime"))
        drafts = self._drafts.setdefault(device, {})
        draft = drafts.get(moment)
        if draft is None:
            draft = drafts[moment] = _Draft()
        if self._newest is None or moment > self._newest:
            self._newest = moment
        return draft

    def _device_positions(self, device: str, drafts: dict[datetime, _Draft]) -> list[Position]:
        memory = self.memory.setdefault(device, DeviceMemory())
        moments = sorted(drafts)
        fixes = _nearest_fixes(moments, drafts, memory.fix)
        positions = []
        for moment, fix in zip(moments, fixes, strict=True):
            draft = drafts[moment]
            if draft.fix is not None:
                memory.remember(moment, draft.fix)
            if fix is None:
                self._skip("no_location")
                continue
            positions.append(
                Position(
                    unique_id=device,
                    protocol=PROTOCOL,
                    fix_time=moment,
                    latitude=fix.latitude,
                    longitude=fix.longitude,
                    speed_kmh=fix.speed_kmh if draft.fix is fix else None,
                    ignition=draft.ignition,
                    odometer_m=draft.odometer_m,
                    attributes=draft.attributes,
                )
            )
        return positions

    def _skip(self, reason: str) -> None:
        self._skipped[reason] = self._skipped.get(reason, 0) + 1


def _fix(record: dict[str, Any]) -> Fix:
    try:
        latitude, longitude = number(record.get("latitude")), number(record.get("longitude"))
    except Unreadable:
        raise Unreadable("bad_location") from None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise Unreadable("bad_location")
    speed: float | None = None
    if record.get("speed") is not None:
        speed = number(record.get("speed"))  # km/h, as Geotab sends it
        speed = speed if speed >= 0 else None
    return Fix(latitude, longitude, speed)


def _diagnostic_id(record: dict[str, Any]) -> str | None:
    return reference_id(record.get("diagnostic"))


def _status_reading(
    record: dict[str, Any], diagnostics: Mapping[str, DiagnosticInfo | None]
) -> Reading | None:
    ident = _diagnostic_id(record)
    if ident is None:
        raise Unreadable("bad_diagnostic")
    known = KNOWN_DIAGNOSTICS.get(ident)
    if known is not None:
        return known
    info = diagnostics.get(ident)
    return info.reading() if info is not None else None


def _apply(draft: _Draft, reading: Reading, value: float, preferred: bool) -> None:
    if reading.key in draft.preferred and not preferred:
        return  # the adjusted value of this instant is already here
    if preferred:
        draft.preferred.add(reading.key)
    if reading.key == IGNITION:
        draft.ignition = value != 0
    elif reading.key == ODOMETER:
        if value < 0:
            raise Unreadable("bad_value")
        draft.odometer_m = value
    else:
        draft.attributes[reading.key] = value


def _fault_code(
    record: object,
    diagnostics: Mapping[str, DiagnosticInfo | None],
    failure_modes: Mapping[str, int | None],
) -> tuple[str | None, bool]:
    """The fault as a DTC string and whether it is only pending; (None, False) when the
    fault is no DTC of ours (inactive, or a device fault)."""
    if not isinstance(record, dict):
        raise Unreadable("bad_record")
    ident = _diagnostic_id(record)
    if ident is None:
        raise Unreadable("bad_diagnostic")
    state = record.get("faultState")
    if isinstance(state, str) and state not in {"Active", "Pending", "None", ""}:
        return None, False  # inactive or cleared: not a trouble now
    pending = state == "Pending"
    info = diagnostics.get(ident)
    if info is None or info.code is None:
        raise Unreadable("unknown_fault")
    if info.source == "SourceObdId":
        controller = reference_id(record.get("controller")) or info.controller
        return _obd_code(info.code, controller), pending
    if info.source == "SourceJ1939Id":
        return _j1939_code(info.code, record.get("failureMode"), failure_modes), pending
    return None, False


def _obd_code(code: int, controller: str | None) -> str:
    if not 0 < code <= 0xFFFF:
        raise Unreadable("bad_fault_code")
    letter = OBD_CONTROLLER_LETTERS.get(controller or "") or _J2012_SYSTEMS[code >> 14]
    return f"{letter}{(code >> 12) & 0x3}{code & 0xFFF:03X}"


def _j1939_code(spn: int, failure_mode: object, failure_modes: Mapping[str, int | None]) -> str:
    if not 0 <= spn <= MAX_SPN:
        raise Unreadable("bad_fault_code")
    fmi = failure_mode.get("code") if isinstance(failure_mode, dict) else None
    if not isinstance(fmi, int) or isinstance(fmi, bool):
        mode = reference_id(failure_mode)
        fmi = failure_modes.get(mode) if mode is not None else None
    if fmi is None or not 0 <= fmi <= MAX_FMI:
        return f"SPN {spn}"
    return f"SPN {spn} FMI {fmi}"


def failure_mode_ids(records: Iterable[object]) -> set[str]:
    """FailureModes named only by id in these FaultData (their FMI needs a lookup)."""
    found = set()
    for record in records:
        mode = record.get("failureMode") if isinstance(record, dict) else None
        if isinstance(mode, dict) and isinstance(mode.get("code"), int):
            continue
        ident = reference_id(mode)
        if ident is not None and ident != "NoFailureModeId":
            found.add(ident)
    return found


def diagnostic_ids(records: Iterable[object], *, all_of_them: bool) -> set[str]:
    """Diagnostics these records name that need ``Get Diagnostic`` (all, for faults; for
    readings only those that aren't Geotab's own well-known ones)."""
    found = set()
    for record in records:
        ident = _diagnostic_id(record) if isinstance(record, dict) else None
        if ident is not None and (all_of_them or ident not in KNOWN_DIAGNOSTICS):
            found.add(ident)
    return found


def _nearest_fixes(
    moments: list[datetime], drafts: dict[datetime, _Draft], known: Fix | None
) -> list[Fix | None]:
    """Each instant's own fix, else the latest before it (this poll, else remembered), else
    the first after it in this poll; two sweeps, linear."""
    result: list[Fix | None] = []
    latest = known
    for moment in moments:
        latest = drafts[moment].fix or latest
        result.append(latest)
    following: Fix | None = None
    for index in range(len(moments) - 1, -1, -1):
        following = drafts[moments[index]].fix or following
        if result[index] is None:
            result[index] = following
    return result
