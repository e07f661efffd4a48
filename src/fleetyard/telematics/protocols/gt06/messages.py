"""GT06 message bodies: login, GPS/LBS location, alarm (GPS + LBS + status), status, replies.

Pure functions of a parsed ``Frame``; units converted here (degrees, km/h, UTC datetimes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.gt06 import tables
from fleetyard.telematics.protocols.gt06.framing import Frame, encode_frame

PROTOCOL = "gt06"
GPS_BLOCK_SIZE = 18  # date/time 6, length/satellites 1, lat 4, lon 4, speed 1, course/status 2
COORDINATE_SCALE = 1_800_000  # minutes × 30000
NO_OFFSET = timedelta(0)


@dataclass(frozen=True, slots=True)
class Login:
    imei: str
    type_code: int | None  # extended login only
    utc_offset: timedelta | None  # extended login only: the zone the device's clock runs in


@dataclass(frozen=True, slots=True)
class GpsFix:
    fix_time: datetime
    gps_info_length: int
    satellites: int
    latitude: float
    longitude: float
    speed_kmh: float
    course: int
    valid: bool  # "GPS positioned" bit
    ignition: bool | None  # bit 15 when bit 14 says it is present (Traccar's extension)
    course_status: int


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    info: int  # terminal information byte
    voltage_level: int  # 0 (no power) … 6 (very high)
    gsm_signal: int  # 0 (none) … 4 (strong)
    alarm: int | None  # alarm byte; absent in short status messages
    language: int | None

    @property
    def armed(self) -> bool:
        return bool(self.info & 0x01)

    @property
    def acc_on(self) -> bool:
        return bool(self.info & 0x02)

    @property
    def charging(self) -> bool:
        return bool(self.info & 0x04)

    @property
    def gps_tracking(self) -> bool:
        return bool(self.info & 0x40)

    @property
    def oil_electricity_cut(self) -> bool:
        return bool(self.info & 0x80)

    @property
    def alarm_name(self) -> str | None:
        """The alarm byte's name, else the terminal info alarm bits' name."""
        if self.alarm is not None and self.alarm in tables.ALARM_BY_CODE:
            return tables.ALARM_BY_CODE[self.alarm]
        return tables.ALARM_BY_TERMINAL_BITS.get((self.info >> 3) & 0b111)


def encode_reply(protocol: int, serial: int) -> bytes:
    """``78 78 05 <protocol> <serial> <crc> 0D 0A``: the server's acknowledgement."""
    return encode_frame(protocol, b"", serial)


def decode_login(content: bytes) -> Login:
    if len(content) < 8:
        raise ProtocolError(f"login content is {len(content)} bytes, the terminal id needs 8")
    digits = content[:8].hex()
    if not digits.isdigit():
        raise ProtocolError("terminal id is not BCD")
    type_code = int.from_bytes(content[8:10], "big") if len(content) >= 10 else None
    zone = _utc_offset(int.from_bytes(content[10:12], "big")) if len(content) >= 12 else None
    return Login(imei=digits[1:], type_code=type_code, utc_offset=zone)


def _utc_offset(word: int) -> timedelta | None:
    """Bits 15–4: hours × 100 + minutes; bit 3 set: west of Greenwich."""
    hours, minutes = divmod(word >> 4, 100)
    if hours > 14 or minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return -offset if word & 0x08 else offset


def decode_gps(block: bytes, utc_offset: timedelta = NO_OFFSET) -> GpsFix:
    if len(block) < GPS_BLOCK_SIZE:
        raise ProtocolError(f"GPS block is {len(block)} bytes, needs {GPS_BLOCK_SIZE}")
    year, month, day, hour, minute, second = block[:6]
    try:
        local = datetime(2000 + year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise ProtocolError(f"bad GPS date/time {block[:6].hex()}") from exc
    course_status = int.from_bytes(block[16:18], "big")
    latitude = int.from_bytes(block[7:11], "big") / COORDINATE_SCALE
    longitude = int.from_bytes(block[11:15], "big") / COORDINATE_SCALE
    if latitude > 90 or longitude > 180:
        raise ProtocolError(f"coordinates out of range: {latitude:.6f}, {longitude:.6f}")
    return GpsFix(
        fix_time=local - utc_offset,
        gps_info_length=block[6] >> 4,
        satellites=block[6] & 0x0F,
        latitude=latitude if course_status & 0x0400 else -latitude,  # bit 10 set: north
        longitude=-longitude if course_status & 0x0800 else longitude,  # bit 11 set: west
        speed_kmh=float(block[15]),
        course=course_status & 0x03FF,
        valid=bool(course_status & 0x1000),
        ignition=bool(course_status & 0x8000) if course_status & 0x4000 else None,
        course_status=course_status,
    )


def decode_cell(data: bytes) -> tuple[dict[str, int], int]:
    """MCC(2) MNC(1, or 2 when MCC bit 15 is set) LAC(2) CellID(3); returns (cell, bytes used)."""
    if len(data) < 2:
        raise ProtocolError("LBS block truncated")
    mcc = int.from_bytes(data[:2], "big")
    mnc_size = 2 if mcc & 0x8000 else 1
    used = 2 + mnc_size + 2 + 3
    if len(data) < used:
        raise ProtocolError(f"LBS block is {len(data)} bytes, needs {used}")
    mnc_end = 2 + mnc_size
    cell = {
        "mcc": mcc & 0x7FFF,
        "mnc": int.from_bytes(data[2:mnc_end], "big"),
        "lac": int.from_bytes(data[mnc_end : mnc_end + 2], "big"),
        "cid": int.from_bytes(data[mnc_end + 2 : used], "big"),
    }
    return cell, used


def decode_status(data: bytes) -> TerminalStatus:
    """Terminal info(1) · voltage level(1) · GSM signal(1) [· alarm(1) · language(1)]."""
    if len(data) < 3:
        raise ProtocolError(f"status block is {len(data)} bytes, needs at least 3")
    return TerminalStatus(
        info=data[0],
        voltage_level=data[1],
        gsm_signal=data[2],
        alarm=data[3] if len(data) > 3 else None,
        language=data[4] if len(data) > 4 else None,
    )


def decode_location(frame: Frame, unique_id: str, utc_offset: timedelta = NO_OFFSET) -> Position:
    """0x12 / 0x22: GPS block · LBS block · extras (0x22 flags; 4-byte mileage)."""
    content = frame.content
    gps = decode_gps(content, utc_offset)
    cell, used = decode_cell(content[GPS_BLOCK_SIZE:])
    position = _position(frame, unique_id, gps, cell)
    extra = content[GPS_BLOCK_SIZE + used :]
    if frame.protocol == tables.LOCATION_2 and len(extra) >= 3:
        position.ignition = extra[0] > 0
        position.attributes[attr.EVENT] = extra[1]  # data upload mode: why it was sent
        position.attributes[attr.ARCHIVE] = extra[2] > 0
        extra = extra[3:]
    if len(extra) == 4:
        position.odometer_m = float(int.from_bytes(extra, "big"))
    return position


def decode_alarm(frame: Frame, unique_id: str, utc_offset: timedelta = NO_OFFSET) -> Position:
    """0x16 / 0x26: GPS block · LBS length(1, counts itself) · LBS · terminal status."""
    content = frame.content
    gps = decode_gps(content, utc_offset)
    if len(content) <= GPS_BLOCK_SIZE:
        raise ProtocolError("alarm message has no LBS length byte")
    lbs_length = content[GPS_BLOCK_SIZE]
    lbs_end = GPS_BLOCK_SIZE + max(lbs_length, 1)
    cell = None
    if lbs_length > 1:
        cell, _ = decode_cell(content[GPS_BLOCK_SIZE + 1 : lbs_end])
    status = decode_status(content[lbs_end:])
    if status.alarm is None:
        raise ProtocolError("alarm message has no alarm byte")
    position = _position(frame, unique_id, gps, cell)
    apply_status(position, status)
    return position


def apply_status(position: Position, status: TerminalStatus) -> None:
    position.ignition = status.acc_on
    values: dict[str, Any] = {
        attr.STATUS: status.info,
        attr.ARMED: status.armed,
        attr.CHARGE: status.charging,
        attr.GPS_TRACKING: status.gps_tracking,
        attr.BLOCKED: status.oil_electricity_cut,
        attr.VOLTAGE_LEVEL: status.voltage_level,
        attr.GSM_SIGNAL: status.gsm_signal,
    }
    if (alarm := status.alarm_name) is not None:
        values[attr.ALARM] = alarm
    position.attributes.update(values)


def decode_command_text(frame: Frame) -> str:
    """0x15: length(1) · server flag(4) · ASCII …; 0x21: server flag(4) · encoding(1) · text."""
    content = frame.content
    if frame.protocol == tables.STRING:
        length = content[0] if content else 0
        if length < 4 or 1 + length > len(content):
            raise ProtocolError("command response length does not fit the message")
        return content[5 : 1 + length].decode("ascii", errors="replace")
    if len(content) < 5:
        raise ProtocolError("command response is shorter than its header")
    encoding = "ascii" if content[4] == 1 else "utf-16-be"
    return content[5:].decode(encoding, errors="replace")


def _position(frame: Frame, unique_id: str, gps: GpsFix, cell: dict[str, int] | None) -> Position:
    attributes: dict[str, Any] = {attr.SERIAL: frame.serial}
    if cell is not None:
        attributes[attr.CELL] = cell
    return Position(
        unique_id=unique_id,
        protocol=PROTOCOL,
        fix_time=gps.fix_time,
        latitude=gps.latitude,
        longitude=gps.longitude,
        valid=gps.valid,
        speed_kmh=gps.speed_kmh,
        course=float(gps.course),
        satellites=gps.satellites,
        ignition=gps.ignition,
        attributes=attributes,
    )
