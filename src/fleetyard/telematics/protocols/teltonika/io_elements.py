"""Well-known FMB IO elements → our named attributes, units converted.

An IO id means what the device model says it means: FMB devices send 256 as the VIN (NX,
ASCII), while Codec 16 FM-series devices use the 256+ range for CAN values. This table follows
the FMB/FMC/FMM "Teltonika Data Sending Parameters ID" lists (firmware 03.xx), and each
converter refuses a value of the wrong shape instead of guessing. Whatever the table says, the
raw map stays in ``attributes[IO]``, so a per-model table can be added later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fleetyard.telematics.attributes import (
    ALARM,
    BATTERY_LEVEL_PCT,
    BATTERY_V,
    CELL,
    COOLANT_TEMP_C,
    DTCS,
    ENGINE_LOAD_PCT,
    FUEL_LEVEL_PCT,
    GSM_SIGNAL,
    HARSH_ACCELERATION,
    HARSH_BRAKING,
    HARSH_CORNERING,
    MOTION,
    POWER_V,
    RPM,
    TRIP_ODOMETER_M,
    VIN,
)
from fleetyard.telematics.protocols.teltonika.codec8 import IoValue

# IO ids that fill Position fields rather than attributes
IGNITION: Final = 239  # 0/1
TOTAL_ODOMETER: Final = 16  # m
HDOP: Final = 182  # × 0.1
# IO ids combined into one attribute
CELL_ID: Final = 205
LAC: Final = 206
GSM_OPERATOR: Final = 241  # MCC followed by MNC, as a decimal number: 23201 = 232/01
OVERSPEEDING: Final = 255  # present (as the event id) when the speed limit was exceeded
UNPLUG: Final = 252  # 1: the device was unplugged from external power

# A converter writes the attributes its IO element means into the record's attributes (in
# place: a record has ~10 elements, and a dict built and merged per element cost more than the
# conversion) and writes nothing when the value has the wrong shape.
Convert = Callable[[IoValue, dict[str, Any]], None]


def _number(key: str, *, divisor: int = 1, signed: bool = False) -> Convert:
    def convert(value: IoValue, into: dict[str, Any]) -> None:
        data, variable = value
        if variable:  # a number never comes as NX; NX may be kilobytes long
            return
        raw = int.from_bytes(data, "big", signed=signed)
        into[key] = raw / divisor if divisor != 1 else raw

    return convert


def _flag(key: str) -> Convert:
    def convert(value: IoValue, into: dict[str, Any]) -> None:
        if not value.variable:
            into[key] = value.unsigned != 0

    return convert


def _ascii(value: IoValue) -> str | None:
    if not value.variable or not value.data.isascii():
        return None
    text = value.data.decode("ascii").strip("\x00 ")
    return text if text.isprintable() else None


def _vin(value: IoValue, into: dict[str, Any]) -> None:
    text = _ascii(value)
    if text:
        into[VIN] = text


def _dtc_list(value: IoValue, into: dict[str, Any]) -> None:
    text = _ascii(value)
    if text is not None:
        into[DTCS] = [code.strip() for code in text.split(",") if code.strip()]


_GREEN_DRIVING: Final = {1: HARSH_ACCELERATION, 2: HARSH_BRAKING, 3: HARSH_CORNERING}


def _green_driving(value: IoValue, into: dict[str, Any]) -> None:
    key = None if value.variable else _GREEN_DRIVING.get(value.unsigned)
    if key:
        into[key] = True


ATTRIBUTE_TABLE: Final[Mapping[int, Convert]] = {
    21: _number(GSM_SIGNAL),  # GSM signal, 0–5
    240: _flag(MOTION),  # movement
    66: _number(POWER_V, divisor=1000),  # external voltage, mV
    67: _number(BATTERY_V, divisor=1000),  # battery voltage, mV
    113: _number(BATTERY_LEVEL_PCT),  # battery level, %
    199: _number(TRIP_ODOMETER_M),  # trip odometer, m
    31: _number(ENGINE_LOAD_PCT),  # OBD calculated engine load, %
    32: _number(COOLANT_TEMP_C, signed=True),  # OBD coolant temperature, °C, signed
    36: _number(RPM),  # OBD engine RPM
    48: _number(FUEL_LEVEL_PCT),  # OBD fuel level, %
    253: _green_driving,  # green driving type: 1 acceleration, 2 braking, 3 cornering
    256: _vin,  # VIN, NX ASCII
    281: _dtc_list,  # fault codes, NX ASCII "P0299,P0675"
}


@dataclass(frozen=True, slots=True)
class IoReading:
    ignition: bool | None
    odometer_m: float | None
    hdop: float | None
    attributes: dict[str, Any]


def read_io(io: Mapping[int, IoValue], event_io_id: int) -> IoReading:
    attributes: dict[str, Any] = {}
    table = ATTRIBUTE_TABLE
    for io_id, value in io.items():
        convert = table.get(io_id)
        if convert is not None:
            convert(value, attributes)
    cell = _cell(io)
    if cell is not None:
        attributes[CELL] = cell
    alarm = _alarm(io, event_io_id)
    if alarm is not None:
        attributes[ALARM] = alarm
    ignition, odometer, hdop = _fixed(io, IGNITION), _fixed(io, TOTAL_ODOMETER), _fixed(io, HDOP)
    return IoReading(
        ignition=None if ignition is None else ignition.unsigned != 0,
        odometer_m=None if odometer is None else float(odometer.unsigned),
        hdop=None if hdop is None else hdop.unsigned / 10,
        attributes=attributes,
    )


def _fixed(io: Mapping[int, IoValue], io_id: int) -> IoValue | None:
    """A value from a fixed-size group (at most 8 bytes): safe to use as a number."""
    value = io.get(io_id)
    return None if value is None or value.variable else value


def _cell(io: Mapping[int, IoValue]) -> dict[str, int] | None:
    operator, lac, cid = _fixed(io, GSM_OPERATOR), _fixed(io, LAC), _fixed(io, CELL_ID)
    if operator is None or lac is None or cid is None:
        return None
    digits = str(operator.unsigned)
    if not 5 <= len(digits) <= 6:  # MCC is 3 digits, MNC 2 or 3
        return None
    return {
        "mcc": int(digits[:3]),
        "mnc": int(digits[3:]),
        "lac": lac.unsigned,
        "cid": cid.unsigned,
    }


def _alarm(io: Mapping[int, IoValue], event_io_id: int) -> str | None:
    if event_io_id == OVERSPEEDING and OVERSPEEDING in io:
        return "overspeed"
    unplug = _fixed(io, UNPLUG)
    if unplug is not None and unplug.unsigned == 1:
        return "power_cut"
    return None
