"""GT06 / Concox from real frames (shared/testdata/protocols/vectors.json): each frame fed whole,
byte by byte and with trailing bytes; every decoded position checked against sanity rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.attributes import (
    ALARM,
    ARCHIVE,
    ARMED,
    BLOCKED,
    CELL,
    CHARGE,
    EVENT,
    GPS_TRACKING,
    GSM_SIGNAL,
    SERIAL,
    STATUS,
    VOLTAGE_LEVEL,
)
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
    Reply,
)
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.gt06.framing import (
    MAX_FRAME_SIZE,
    crc16_x25,
    encode_frame,
    parse_frame,
)
from fleetyard.telematics.protocols.gt06.messages import (
    GPS_BLOCK_SIZE,
    decode_gps,
    decode_login,
    decode_status,
    encode_reply,
)
from tests.telematics.protocols.vector_support import (
    byte_by_byte,
    check_sane,
    feed,
    in_range,
    iso,
    load_vectors,
    params,
    positions_of,
)

VECTORS = load_vectors("gt06")
LOGIN = next(v for v in VECTORS if v["id"] == "gt06-001")
IMEI = LOGIN["expected"]["imei"]
HEARTBEAT = next(v for v in VECTORS if v["kind"] == "heartbeat")
GARBAGE = b"\xde\xad\xbe\xef"


def frame(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["hex"])


def accepted_session(**options: bool) -> Gt06Session:
    session = Gt06Session(**options)
    assert session.receive_data(frame(LOGIN)) == [Identified(IMEI)]
    assert session.accept() == bytes.fromhex(LOGIN["expected_ack_hex"])
    return session


def ack_of(vector: dict[str, Any]) -> bytes:
    return b"" if vector["expected_ack_hex"] is None else bytes.fromhex(vector["expected_ack_hex"])


# -- what the vectors' "expected" keys mean in our model ----------------------------------------

ALARM_NAMES = {"0x00": None, "0x03": "vibration", "0x06": "overspeed"}  # GT06 doc / Concox table

POSITION_FIELDS: dict[str, Callable[[Position], Any]] = {
    "serial": lambda p: p.attributes[SERIAL],
    "timestamp": lambda p: p.fix_time,
    "satellites": lambda p: p.satellites,
    "latitude": lambda p: p.latitude,
    "longitude": lambda p: p.longitude,
    "speed_kmh": lambda p: p.speed_kmh,  # the GT06 speed byte is km/h already
    "course": lambda p: p.course,
    "gps_fixed": lambda p: p.valid,
    "north": lambda p: p.latitude > 0,
    "west": lambda p: p.longitude < 0,
    "mcc": lambda p: p.attributes[CELL]["mcc"],
    "mnc": lambda p: p.attributes[CELL]["mnc"],
    "lac": lambda p: p.attributes[CELL]["lac"],
    "cell_id": lambda p: p.attributes[CELL]["cid"],
    "terminal_info": lambda p: f"0x{p.attributes[STATUS]:02X}",
    "voltage_level": lambda p: p.attributes[VOLTAGE_LEVEL],
    "gsm_signal": lambda p: p.attributes[GSM_SIGNAL],
    "alarm": lambda p: p.attributes.get(ALARM),
}
# Wire-level keys, read from the frame rather than the Position.
RAW_FIELDS: dict[str, Callable[[bytes], Any]] = {
    "protocol_number": lambda data: f"0x{parse_frame(data).protocol:02X}",
    "gps_info_length": lambda data: decode_gps(parse_frame(data).content).gps_info_length,
    "lat_raw": lambda data: int.from_bytes(parse_frame(data).content[7:11], "big"),
    "lon_raw": lambda data: int.from_bytes(parse_frame(data).content[11:15], "big"),
    "course_status_raw": lambda data: f"{decode_gps(parse_frame(data).content).course_status:04X}",
    "language": lambda data: f"0x{parse_frame(data).content[-1]:02X}",
}


def expected_value(key: str, want: Any) -> Any:
    if key == "timestamp":
        return iso(want)
    if key == "alarm":
        return ALARM_NAMES[want]
    return want


def check_position(position: Position, data: bytes, expected: dict[str, Any]) -> None:
    unknown = set(expected) - set(POSITION_FIELDS) - set(RAW_FIELDS)
    assert not unknown, unknown
    for key, want in expected.items():
        if key in RAW_FIELDS:
            assert RAW_FIELDS[key](data) == want, key
        elif key in ("latitude", "longitude"):
            assert POSITION_FIELDS[key](position) == pytest.approx(want, abs=1e-6), key
        else:
            assert POSITION_FIELDS[key](position) == expected_value(key, want), key
    check_sane(position, "gt06", IMEI)


# -- location and alarm frames ------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "data", "alarm"))
def test_position_frame_whole(vector: dict[str, Any]) -> None:
    data = frame(vector)
    session = accepted_session()
    events = session.receive_data(data)
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, PositionsDecoded)
    assert event.ack == ack_of(vector)
    assert len(event.positions) == 1
    check_position(event.positions[0], data, vector["expected"])
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS, "data", "alarm", "heartbeat"))
def test_frame_byte_by_byte(vector: dict[str, Any]) -> None:
    data = frame(vector)
    whole = accepted_session().receive_data(data)
    session = accepted_session()
    pieces = [session.receive_data(b) for b in byte_by_byte(data)]
    assert all(piece == [] for piece in pieces[:-1])  # nothing until the frame is complete
    assert pieces[-1] == whole
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS, "data", "alarm", "heartbeat"))
def test_frame_with_trailing_bytes(vector: dict[str, Any]) -> None:
    data, next_frame = frame(vector), frame(HEARTBEAT)
    whole = accepted_session().receive_data(data)

    session = accepted_session()  # the start of the next frame: held back, not an error
    assert session.receive_data(data + next_frame[:5]) == whole
    with pytest.raises(ProtocolError, match="inside a frame"):
        session.end_of_stream()
    assert session.receive_data(next_frame[5:]) == accepted_session().receive_data(next_frame)

    session = accepted_session()  # garbage: the frame still decodes, the session then fails
    assert session.receive_data(data + GARBAGE) == whole
    with pytest.raises(ProtocolError, match="start byte"):
        session.receive_data(next_frame)
    with pytest.raises(ProtocolError):
        session.end_of_stream()


def test_alarm_attributes_from_terminal_info() -> None:
    by_id = {v["id"]: frame(v) for v in VECTORS}
    (overspeed,) = positions_of(accepted_session().receive_data(by_id["gt06-009"]))
    assert overspeed.attributes[ALARM] == "overspeed"
    assert overspeed.ignition is True  # terminal info 0x46: ACC high
    assert overspeed.attributes[CHARGE] is True
    assert overspeed.attributes[GPS_TRACKING] is True
    assert overspeed.attributes[ARMED] is False
    assert overspeed.attributes[BLOCKED] is False
    (shock,) = positions_of(accepted_session().receive_data(by_id["gt06-011"]))
    assert shock.attributes[ALARM] == "vibration"  # alarm byte 0x03 and terminal bits 001 agree
    assert shock.ignition is False  # terminal info 0x48: ACC low


def test_course_status_ignition_extension() -> None:
    """Bit 14 says bit 15 carries ACC (Traccar's reading); absent in the GT06 document sample."""
    by_id = {v["id"]: frame(v) for v in VECTORS}
    (moving,) = positions_of(accepted_session().receive_data(by_id["gt06-007"]))
    assert moving.ignition is True  # 0xD4C8: bits 14 and 15 set
    (sample,) = positions_of(accepted_session().receive_data(by_id["gt06-005"]))
    assert sample.ignition is None  # 0x148F: bit 14 clear, so no ACC information


@pytest.mark.parametrize("vector", params(VECTORS, "data"))
def test_location_ack_when_configured_is_traccars(vector: dict[str, Any]) -> None:
    """The spec expects no reply to 0x12; Traccar's reply (in the vector notes) on request."""
    traccar = re.search(r"replies ([0-9A-F]+)", vector["notes"])
    assert traccar is not None
    (event,) = accepted_session(ack_locations=True).receive_data(frame(vector))
    assert isinstance(event, PositionsDecoded)
    assert event.ack == bytes.fromhex(traccar[1])


# -- login and heartbeat ------------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "login"))
def test_login(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    assert set(expected) == {"protocol_number", "imei", "serial"}
    assert parse_frame(data).protocol == int(expected["protocol_number"], 16)
    assert parse_frame(data).serial == expected["serial"]
    assert decode_login(parse_frame(data).content).imei == expected["imei"]
    for chunks in ([data], byte_by_byte(data), [data + frame(HEARTBEAT)[:3]]):
        session = Gt06Session()
        assert feed(session, chunks) == [Identified(expected["imei"])]
        assert session.unique_id == expected["imei"]
        assert session.accept() == bytes.fromhex(vector["expected_ack_hex"])


def test_heartbeat_status_fields() -> None:
    data, expected = frame(HEARTBEAT), HEARTBEAT["expected"]
    parsed = parse_frame(data)
    status = decode_status(parsed.content)
    fields: dict[str, Any] = {
        "protocol_number": f"0x{parsed.protocol:02X}",
        "serial": parsed.serial,
        "terminal_info": f"0x{status.info:02X}",
        "acc_on": status.acc_on,
        "charging": status.charging,
        "defense": status.armed,
        "gps_tracking_on": status.gps_tracking,
        "oil_elec_cut": status.oil_electricity_cut,
        "voltage_level": status.voltage_level,
        "gsm_signal": status.gsm_signal,
        "alarm": f"0x{status.alarm:02X}",
        "language": f"0x{status.language:02X}",
    }
    assert set(expected) == set(fields)
    for key, want in expected.items():
        assert fields[key] == want, key
    assert accepted_session().receive_data(data) == [Heartbeat(ack_of(HEARTBEAT))]


# -- corrupt frames -----------------------------------------------------------------------------

CORRUPT_REASONS = {
    "gt06-015": "CRC mismatch: 0x8081 sent, 0x7377 computed",
    "gt06-017": "inside a frame|stop bytes",  # truncated: at the close, or when bytes follow
    "gt06-019": r"bad stop bytes 0x0D0B",
}


@pytest.mark.parametrize("vector", params(VECTORS, "corrupt"))
def test_corrupt_frames_are_refused(vector: dict[str, Any]) -> None:
    data, reason = frame(vector), CORRUPT_REASONS[vector["id"]]
    assert vector["expected"]["error"] is True
    assert vector["expected_ack_hex"] is None
    for chunks in ([data], byte_by_byte(data), [data + frame(HEARTBEAT)], [data + GARBAGE * 4]):
        session = accepted_session()
        with pytest.raises(ProtocolError, match=reason):
            feed(session, [*chunks, b""])
        with pytest.raises(ProtocolError):  # and the session stays failed
            session.receive_data(frame(HEARTBEAT))


def test_valid_frames_before_a_corrupt_one_are_still_returned() -> None:
    good = frame(next(v for v in VECTORS if v["id"] == "gt06-009"))
    bad = frame(next(v for v in VECTORS if v["id"] == "gt06-015"))
    session = accepted_session()
    events = session.receive_data(good + bad)
    assert len(positions_of(events)) == 1
    with pytest.raises(ProtocolError, match="CRC"):
        session.receive_data(frame(HEARTBEAT))


# -- session rules ------------------------------------------------------------------------------


def test_data_before_login_is_refused() -> None:
    with pytest.raises(ProtocolError, match="before login"):
        Gt06Session().receive_data(frame(HEARTBEAT))


def test_login_and_data_in_one_read() -> None:
    data = frame(next(v for v in VECTORS if v["id"] == "gt06-009"))
    session = Gt06Session()
    events = session.receive_data(frame(LOGIN) + data + frame(HEARTBEAT))
    assert events[0] == Identified(IMEI)
    assert session.accept() == ack_of(LOGIN)
    assert events[1:] == accepted_session().receive_data(data + frame(HEARTBEAT))


def test_rejected_login_accepts_nothing_more() -> None:
    session = Gt06Session()
    session.receive_data(frame(LOGIN))
    assert session.reject() == b""
    with pytest.raises(ProtocolError):
        session.receive_data(frame(HEARTBEAT))
    with pytest.raises(RuntimeError):
        session.accept()


def test_repeated_login() -> None:
    session = accepted_session()
    again = encode_frame(0x01, parse_frame(frame(LOGIN)).content, 7)
    assert session.receive_data(again) == [Reply(encode_reply(0x01, 7))]
    other = next(v for v in VECTORS if v["id"] == "gt06-003")
    with pytest.raises(ProtocolError, match="second login"):
        session.receive_data(frame(other))


def test_extended_login_time_zone_is_applied_only_when_asked() -> None:
    imei_bcd = parse_frame(frame(LOGIN)).content[:8]
    zone = (800 << 4).to_bytes(2, "big")  # GMT+8:00, east
    login = encode_frame(0x01, imei_bcd + b"\x36\x08" + zone, 1)
    assert decode_login(parse_frame(login).content).utc_offset == timedelta(hours=8)
    data = frame(next(v for v in VECTORS if v["id"] == "gt06-005"))
    for use_zone, shift in ((False, timedelta(0)), (True, timedelta(hours=8))):
        session = Gt06Session(use_login_timezone=use_zone)
        session.receive_data(login)
        session.accept()
        (position,) = positions_of(session.receive_data(data))
        assert position.fix_time == datetime(2011, 8, 29, 17, 46, 16, tzinfo=UTC) - shift


def test_location_22_flags_and_mileage() -> None:
    content = parse_frame(frame(next(v for v in VECTORS if v["id"] == "gt06-007"))).content
    gps_and_cell = content[: GPS_BLOCK_SIZE + 8]
    flags = b"\x01\x02\x01" + (123_456).to_bytes(4, "big")  # ACC on, mode 2, re-upload; mileage
    (position,) = positions_of(
        accepted_session().receive_data(encode_frame(0x22, gps_and_cell + flags, 9))
    )
    assert position.ignition is True
    assert position.attributes[EVENT] == 2
    assert position.attributes[ARCHIVE] is True
    assert position.odometer_m == 123_456
    check_sane(position, "gt06", IMEI)


def test_command_responses_short_and_long_frames() -> None:
    text = b"Relay OK"
    short = encode_frame(0x15, bytes([4 + len(text)]) + b"\x00\x00\x00\x01" + text + b"\x00\x02", 3)
    long = encode_frame(0x21, b"\x00\x00\x00\x01" + b"\x01" + text, 4, extended=True)
    events = accepted_session().receive_data(short + long)
    assert events == [CommandResult("Relay OK"), CommandResult("Relay OK")]


def test_unknown_message_type_is_ignored() -> None:
    assert accepted_session().receive_data(encode_frame(0x8A, b"", 5)) == []


def test_framing_limits() -> None:
    with pytest.raises(ProtocolError, match="start byte"):
        Gt06Session().receive_data(b"G")  # refused at the first byte, not after a frame's worth
    with pytest.raises(ProtocolError, match="exceeds"):
        Gt06Session().receive_data(b"\x79\x79\xff\xff")
    assert MAX_FRAME_SIZE < 0xFFFF
    with pytest.raises(ProtocolError, match="shorter"):
        Gt06Session().receive_data(b"\x78\x78\x02")


def test_crc16_x25_check_value() -> None:
    assert crc16_x25(b"123456789") == 0x906E
    assert encode_reply(0x01, 1) == bytes.fromhex("787805010001D9DC0D0A")


# -- fuzzing: nothing but ProtocolError, whatever arrives ---------------------------------------

VALID_FRAMES = [frame(v) for v in VECTORS if v["kind"] in ("data", "alarm", "heartbeat", "login")]


def _feed_fuzz(session: Gt06Session, chunks: list[bytes]) -> list[Event]:
    events: list[Event] = []
    try:
        for chunk in [*chunks, b""]:
            events += session.receive_data(chunk)
    except ProtocolError:
        pass
    for position in positions_of(events):
        assert in_range(position)
    return events


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=80), max_size=6), st.booleans())
def test_fuzz_random_bytes(chunks: list[bytes], logged_in: bool) -> None:
    _feed_fuzz(accepted_session() if logged_in else Gt06Session(), chunks)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_FRAMES), st.data())
def test_fuzz_mutated_frames(data: bytes, draw: st.DataObject) -> None:
    mutated = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 4))):
        mutated[draw.draw(st.integers(0, len(mutated) - 1))] = draw.draw(st.integers(0, 255))
    _feed_fuzz(accepted_session(), [bytes(mutated)])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_FRAMES), st.data())
def test_fuzz_mutated_content_with_valid_crc(data: bytes, draw: st.DataObject) -> None:
    """Re-framed with a correct CRC, so the mutations reach the message decoders."""
    parsed = parse_frame(data)
    content = bytearray(parsed.content)
    if content:
        for _ in range(draw.draw(st.integers(1, 4))):
            content[draw.draw(st.integers(0, len(content) - 1))] = draw.draw(st.integers(0, 255))
    cut = draw.draw(st.integers(0, len(content)))
    protocol = draw.draw(st.sampled_from([parsed.protocol, 0x12, 0x16, 0x22, 0x26, 0x13, 0x15]))
    _feed_fuzz(accepted_session(), [encode_frame(protocol, bytes(content[:cut]), parsed.serial)])
