"""Teltonika from real frames (shared/testdata/protocols/vectors.json): each frame fed whole, byte
by byte and with trailing bytes; every decoded position checked against sanity rules too."""

from __future__ import annotations

import itertools
import json
import struct
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.attributes import (
    ALARM,
    BATTERY_LEVEL_PCT,
    BATTERY_V,
    CELL,
    COOLANT_TEMP_C,
    DTCS,
    ENGINE_LOAD_PCT,
    EVENT,
    FUEL_LEVEL_PCT,
    GENERATION_TYPE,
    GSM_SIGNAL,
    HARSH_ACCELERATION,
    HARSH_BRAKING,
    HARSH_CORNERING,
    IO,
    MOTION,
    POWER_V,
    PRIORITY,
    RPM,
    TRIP_ODOMETER_M,
    VIN,
)
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
)
from fleetyard.telematics.protocols.teltonika import (
    PROTOCOL,
    TeltonikaSession,
    crc16_arc,
    decode_codec12,
    decode_udp,
    encode_command,
    frame_data_packet,
)


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


VECTORS_PATH = _repo_root().parent / "shared" / "testdata" / "protocols" / "vectors.json"
VECTORS: list[dict[str, Any]] = [
    v for v in json.loads(VECTORS_PATH.read_text()) if v["protocol"] == "teltonika"
]


def vectors(kind: str, transport: str = "tcp") -> list[Any]:
    found = [v for v in VECTORS if v["kind"] == kind and v["transport"] == transport]
    return [pytest.param(v, id=v["id"]) for v in found]


LOGIN = next(v for v in VECTORS if v["kind"] == "login")
IMEI = LOGIN["expected"]["imei"]
GARBAGE = b"\xde\xad\xbe\xef\x01\x02"


def frame(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["hex"])


def accepted_session() -> TeltonikaSession:
    session = TeltonikaSession()
    assert session.receive_data(frame(LOGIN)) == [Identified(IMEI)]
    assert session.accept() == b"\x01"
    return session


def feed(session: TeltonikaSession, chunks: Iterable[bytes]) -> list[Event]:
    events: list[Event] = []
    for chunk in chunks:
        events += session.receive_data(chunk)
    return events


def byte_by_byte(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


# -- what the vectors' "expected" keys mean in our model ----------------------------------------


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


RECORD_FIELDS: dict[str, Callable[[Position], Any]] = {
    "timestamp": lambda p: p.fix_time,
    "priority": lambda p: p.attributes[PRIORITY],
    "latitude": lambda p: p.latitude,
    "longitude": lambda p: p.longitude,
    "altitude": lambda p: p.altitude_m,
    "angle": lambda p: p.course,
    "satellites": lambda p: p.satellites,
    "speed_kmh": lambda p: p.speed_kmh,
    "event_io_id": lambda p: p.attributes[EVENT],
    "n_total_io": lambda p: len(p.attributes[IO]),
    "generation_type": lambda p: p.attributes[GENERATION_TYPE],
    "io": lambda p: p.attributes[IO],
}


def check_record(position: Position, expected: dict[str, Any]) -> None:
    assert set(expected) <= set(RECORD_FIELDS), set(expected) - set(RECORD_FIELDS)
    for key, want in expected.items():
        got = RECORD_FIELDS[key](position)
        if key == "timestamp":
            assert got == _iso(want)
        elif key in ("latitude", "longitude"):
            assert got == pytest.approx(want, abs=1e-6), key
        else:
            assert got == want, key
    no_fix = position.satellites == 0 or (position.latitude == 0 and position.longitude == 0)
    assert position.valid is not no_fix


def check_sane(position: Position, unique_id: str = IMEI) -> None:
    assert position.protocol == PROTOCOL
    assert position.unique_id == unique_id
    assert -90.0 <= position.latitude <= 90.0
    assert -180.0 <= position.longitude <= 180.0
    assert position.speed_kmh is not None and 0 <= position.speed_kmh < 400
    assert position.course is not None and 0 <= position.course <= 360
    assert position.fix_time.tzinfo is not None and position.fix_time.utcoffset() == UTC.utcoffset(
        None
    )
    assert datetime(2000, 1, 1, tzinfo=UTC) <= position.fix_time < datetime(2100, 1, 1, tzinfo=UTC)


def check_records(positions: list[Position], expected: dict[str, Any]) -> None:
    if "records" in expected:
        assert len(positions) == len(expected["records"])
        for position, record in zip(positions, expected["records"], strict=True):
            check_record(position, record)
    for index, record in expected.get("records_subset", {}).items():
        check_record(positions[int(index)], record)
    for position in positions:
        check_sane(position)
    ascii_fields = expected.get("decoded_ascii", {})
    if "io256_vin" in ascii_fields:
        assert positions[0].attributes[VIN] == ascii_fields["io256_vin"]
    if "io281_dtc" in ascii_fields:
        assert positions[0].attributes[DTCS] == ascii_fields["io281_dtc"].split(",")


TCP_DATA_KEYS = {"codec_id", "data_field_length", "record_count", "crc16", "records"}
TCP_DATA_KEYS |= {"records_subset", "decoded_ascii"}


def check_tcp_envelope(data: bytes, expected: dict[str, Any]) -> None:
    assert set(expected) <= TCP_DATA_KEYS, set(expected) - TCP_DATA_KEYS
    length = int.from_bytes(data[4:8], "big")
    assert length == expected["data_field_length"] == len(data) - 12
    assert data[8] == int(expected["codec_id"], 16)
    assert crc16_arc(data[8:-4]) == int(expected["crc16"], 16)


# -- TCP data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", vectors("data"))
def test_tcp_data_whole(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    check_tcp_envelope(data, expected)
    session = accepted_session()
    events = session.receive_data(data)
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, PositionsDecoded)
    assert len(event.positions) == expected["record_count"]
    assert event.ack == bytes.fromhex(vector["expected_ack_hex"])
    check_records(event.positions, expected)
    session.end_of_stream()


@pytest.mark.parametrize("vector", vectors("data"))
def test_tcp_data_byte_by_byte(vector: dict[str, Any]) -> None:
    data = frame(vector)
    whole = accepted_session().receive_data(data)
    session = accepted_session()
    pieces = [session.receive_data(b) for b in byte_by_byte(data)]
    assert all(piece == [] for piece in pieces[:-1])  # nothing until the packet is complete
    assert pieces[-1] == whole
    session.end_of_stream()


@pytest.mark.parametrize("vector", vectors("data"))
def test_tcp_data_with_trailing_bytes(vector: dict[str, Any]) -> None:
    data = frame(vector)
    whole = accepted_session().receive_data(data)

    session = accepted_session()  # garbage: the packet still decodes, the session then fails
    assert session.receive_data(data + GARBAGE) == whole
    with pytest.raises(ProtocolError):
        session.receive_data(b"")
    with pytest.raises(ProtocolError):
        session.end_of_stream()

    session = accepted_session()  # the start of a next packet: buffered, not an error
    assert session.receive_data(data + data[:7]) == whole
    assert session.receive_data(data[7:]) == whole

    session = accepted_session()  # a keep-alive behind it
    assert session.receive_data(data + b"\xff") == [*whole, Heartbeat()]


def test_one_stream_of_every_valid_tcp_frame() -> None:
    """IMEI and packets glued in one read give the same events as one read per packet."""
    frames = [frame(p.values[0]) for p in vectors("data")]
    frames += [frame(p.values[0]) for p in vectors("heartbeat") + vectors("command_response")]
    session = accepted_session()
    separately = [event for f in frames for event in session.receive_data(f)]
    glued = TeltonikaSession()
    events = glued.receive_data(frame(LOGIN) + b"".join(frames))
    assert events[0] == Identified(IMEI)
    assert glued.accept() == b"\x01"
    assert events[1:] == separately


def test_large_read_of_many_packets_within_a_small_bound() -> None:
    data = frame(vectors("data")[0].values[0])
    session = TeltonikaSession(max_frame=len(data) + 10)
    session.receive_data(frame(LOGIN))
    session.accept()
    events = session.receive_data(data * 20)
    assert len(events) == 20
    assert all(isinstance(e, PositionsDecoded) for e in events)


# -- login, heartbeat, commands -----------------------------------------------------------------


@pytest.mark.parametrize("vector", vectors("login"))
def test_login(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    assert set(expected) == {"imei_length", "imei"}
    assert int.from_bytes(data[:2], "big") == expected["imei_length"]
    for chunks in ([data], byte_by_byte(data), [data + b"\x00\x00"]):
        session = TeltonikaSession()
        assert feed(session, chunks) == [Identified(expected["imei"])]
        assert session.imei == expected["imei"]
        assert session.accept() == bytes.fromhex(vector["expected_ack_hex"])
    session = TeltonikaSession()
    session.receive_data(data)
    assert session.reject() == b"\x00"
    with pytest.raises(ProtocolError):
        session.receive_data(frame(vectors("data")[0].values[0]))


@pytest.mark.parametrize("vector", vectors("heartbeat"))
def test_heartbeat(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    assert set(expected) <= {"error", "positions", "note"}
    assert vector["expected_ack_hex"] is None
    for chunks in ([data], byte_by_byte(data), [data + b"\x00\x00"]):
        events = feed(accepted_session(), chunks)
        assert events == [Heartbeat()]
        assert events[0].reply == b""  # type: ignore[union-attr]


CODEC12_KEYS = {"codec_id", "data_field_length", "quantity", "type", "payload_size"}
CODEC12_KEYS |= {"payload_ascii", "crc16", "direction"}


def check_codec12(data: bytes, expected: dict[str, Any]) -> str:
    assert set(expected) == CODEC12_KEYS
    assert int.from_bytes(data[4:8], "big") == expected["data_field_length"] == len(data) - 12
    assert data[8] == int(expected["codec_id"], 16)
    assert data[9] == expected["quantity"]
    assert crc16_arc(data[8:-4]) == int(expected["crc16"], 16)
    message = decode_codec12(data[8:-4])
    assert message.type == int(expected["type"], 16)
    assert message.text == expected["payload_ascii"]
    assert len(message.text) == expected["payload_size"]
    return str(expected["direction"])


@pytest.mark.parametrize("vector", vectors("command"))
def test_codec12_command_encodes_byte_exact(vector: dict[str, Any]) -> None:
    data = frame(vector)
    assert check_codec12(data, vector["expected"]) == "server_to_device"
    assert encode_command(vector["expected"]["payload_ascii"]) == data
    with pytest.raises(ProtocolError):  # a command coming from a device is not Teltonika
        accepted_session().receive_data(data)


@pytest.mark.parametrize("vector", vectors("command_response"))
def test_codec12_response(vector: dict[str, Any]) -> None:
    data = frame(vector)
    assert check_codec12(data, vector["expected"]) == "device_to_server"
    assert vector["expected_ack_hex"] is None  # CommandResult carries no ack
    want = [CommandResult(vector["expected"]["payload_ascii"])]
    for chunks in ([data], byte_by_byte(data), [data + b"\x00\x00"]):
        assert feed(accepted_session(), chunks) == want


def test_encode_command_refuses_what_it_cannot_send() -> None:
    with pytest.raises(ValueError, match="empty"):
        encode_command("")
    with pytest.raises(ValueError, match="ascii"):
        encode_command("setparam 2004:hôte")


# -- corrupt frames -----------------------------------------------------------------------------


def fails(session: TeltonikaSession, chunks: Iterable[bytes]) -> list[Event]:
    """Feed until ProtocolError; if none came, the end of the stream must raise it."""
    events: list[Event] = []
    try:
        for chunk in chunks:
            events += session.receive_data(chunk)
    except ProtocolError:
        return events
    with pytest.raises(ProtocolError):
        session.end_of_stream()
    return events


@pytest.mark.parametrize("vector", vectors("corrupt"))
def test_corrupt_frames_never_decode_or_ack(vector: dict[str, Any]) -> None:
    data = frame(vector)
    assert vector["expected"]["error"] is True
    assert vector["expected_ack_hex"] is None
    for chunks in ([data], byte_by_byte(data), [data + GARBAGE], [data + b"\x00" * 4]):
        assert fails(accepted_session(), chunks) == []


def test_error_after_a_valid_packet_keeps_its_positions() -> None:
    good = frame(vectors("data")[0].values[0])
    bad = frame(next(v for v in VECTORS if v["id"] == "teltonika-028"))
    session = accepted_session()
    events = session.receive_data(good + bad)
    assert [type(e) for e in events] == [PositionsDecoded]
    with pytest.raises(ProtocolError, match="CRC"):
        session.receive_data(b"")
    with pytest.raises(ProtocolError, match="CRC"):
        session.end_of_stream()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(frame(vectors("data")[0].values[0]), id="data-before-imei"),
        pytest.param(b"\x00\x00", id="zero-length-imei"),
        pytest.param(b"\x00\x0f35630704244101X", id="non-digit-imei"),
        pytest.param(b"\x01\x00", id="imei-length-256"),
        pytest.param(b"GET / HTTP/1.1\r\n", id="http"),
    ],
)
def test_fresh_session_wants_an_imei(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        TeltonikaSession().receive_data(data)


def test_closing_inside_a_packet_is_an_error() -> None:
    data = frame(vectors("data")[0].values[0])
    session = accepted_session()
    assert session.receive_data(data[:10]) == []
    with pytest.raises(ProtocolError, match="inside a packet"):
        session.receive_data(b"")  # b"" is the end of the stream, as in h11
    assert accepted_session().receive_data(b"") == []


def test_oversized_length_is_refused_before_the_body_arrives() -> None:
    session = TeltonikaSession(max_frame=1024)
    session.receive_data(frame(LOGIN))
    session.accept()
    with pytest.raises(ProtocolError, match="length"):
        session.receive_data(bytes(4) + (1024 - 11).to_bytes(4, "big"))


def test_accept_needs_a_pending_imei() -> None:
    session = accepted_session()
    with pytest.raises(RuntimeError):
        session.accept()
    with pytest.raises(RuntimeError):
        TeltonikaSession().reject()


# -- UDP ----------------------------------------------------------------------------------------

UDP_KEYS = {"udp_length", "packet_id", "avl_packet_id", "imei", "codec_id", "record_count"}
UDP_KEYS |= {"records"}


@pytest.mark.parametrize("vector", vectors("data", "udp"))
def test_udp(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    assert set(expected) <= UDP_KEYS
    assert int.from_bytes(data[:2], "big") == expected["udp_length"] == len(data) - 2
    assert data[8 + len(expected["imei"])] == int(expected["codec_id"], 16)
    decoded = decode_udp(data)
    assert decoded.imei == expected["imei"]
    assert decoded.ack == bytes.fromhex(vector["expected_ack_hex"])
    ack = struct.unpack(">HHBBB", decoded.ack)
    assert ack[1:] == (
        int(expected["packet_id"], 16),
        1,
        expected["avl_packet_id"],
        len(decoded.positions),
    )
    assert ack[4] == expected["record_count"] == len(decoded.positions)
    for position in decoded.positions:
        check_sane(position, expected["imei"])
    for position, record in zip(decoded.positions, expected["records"], strict=True):
        check_record(position, record)
    assert decode_udp(data + GARBAGE) == decoded  # bytes past the length are not ours
    for end in range(len(data)):  # every truncation is refused
        with pytest.raises(ProtocolError):
            decode_udp(data[:end])


# -- IO table, on packets built for it ----------------------------------------------------------


def codec8_record(
    *,
    lon_e7: int = -706496700,
    lat_e7: int = -334379166,
    satellites: int = 9,
    timestamp_ms: int = 1_700_000_000_123,
    event: int = 0,
    io: dict[int, tuple[int, int]],  # id -> (size, value)
) -> bytes:
    head = struct.pack(">QBiihHBH", timestamp_ms, 1, lon_e7, lat_e7, -4, 359, satellites, 88)
    body = bytes([event, len(io)])
    for size in (1, 2, 4, 8):
        group = [(k, v) for k, (s, v) in io.items() if s == size]
        body += bytes([len(group)])
        body += b"".join(bytes([k]) + v.to_bytes(size, "big", signed=v < 0) for k, v in group)
    return head + body


def codec8_packet(*records: bytes) -> bytes:
    return frame_data_packet(
        bytes([0x08, len(records)]) + b"".join(records) + bytes([len(records)])
    )


def decode_one(data: bytes) -> Position:
    (event,) = accepted_session().receive_data(data)
    assert isinstance(event, PositionsDecoded)
    (position,) = event.positions
    return position


def test_io_table_converts_units() -> None:
    io = {
        239: (1, 1), 240: (1, 0), 21: (1, 4), 66: (2, 12500), 67: (2, 4100), 113: (1, 87),
        31: (1, 45), 32: (1, -10), 36: (2, 2100), 48: (1, 60), 182: (2, 9), 16: (4, 123456),
        199: (4, 789), 241: (4, 310260), 205: (2, 4321), 206: (2, 77),
    }  # fmt: skip
    position = decode_one(codec8_packet(codec8_record(io=io)))
    assert position.fix_time == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert (position.latitude, position.longitude) == (-33.4379166, -70.64967)
    assert (position.altitude_m, position.course, position.speed_kmh) == (-4, 359, 88)
    assert position.valid is True
    assert position.ignition is True
    assert position.odometer_m == 123456
    assert position.hdop == pytest.approx(0.9)
    attrs = position.attributes
    assert attrs[MOTION] is False
    assert (attrs[GSM_SIGNAL], attrs[POWER_V], attrs[BATTERY_V]) == (4, 12.5, 4.1)
    assert (attrs[BATTERY_LEVEL_PCT], attrs[ENGINE_LOAD_PCT], attrs[COOLANT_TEMP_C]) == (
        87,
        45,
        -10,
    )
    assert (attrs[RPM], attrs[FUEL_LEVEL_PCT], attrs[TRIP_ODOMETER_M]) == (2100, 60, 789)
    assert attrs[CELL] == {"mcc": 310, "mnc": 260, "lac": 77, "cid": 4321}
    assert attrs[IO]["32"] == 0xF6  # the raw map keeps the unsigned wire value
    assert attrs[PRIORITY] == 1 and attrs[EVENT] == 0
    check_sane(position)


@pytest.mark.parametrize(
    ("kind", "key"), [(1, HARSH_ACCELERATION), (2, HARSH_BRAKING), (3, HARSH_CORNERING)]
)
def test_green_driving_events(kind: int, key: str) -> None:
    position = decode_one(
        codec8_packet(codec8_record(event=253, io={253: (1, kind), 254: (1, 42)}))
    )
    harsh = {HARSH_ACCELERATION, HARSH_BRAKING, HARSH_CORNERING}
    assert {k for k in harsh if position.attributes.get(k)} == {key}
    assert position.attributes[EVENT] == 253


def test_overspeed_event_is_an_alarm() -> None:
    position = decode_one(codec8_packet(codec8_record(event=255, io={255: (1, 131)})))
    assert position.attributes[ALARM] == "overspeed"


@pytest.mark.parametrize(("satellites", "lat_e7", "lon_e7"), [(0, 481523066, 163745183), (7, 0, 0)])
def test_no_fix_is_not_valid(satellites: int, lat_e7: int, lon_e7: int) -> None:
    record = codec8_record(satellites=satellites, lat_e7=lat_e7, lon_e7=lon_e7, io={})
    assert decode_one(codec8_packet(record)).valid is False


def test_timestamp_beyond_datetime_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="timestamp"):
        accepted_session().receive_data(codec8_packet(codec8_record(timestamp_ms=2**63, io={})))


def test_crc16_arc_check_value() -> None:
    assert crc16_arc(b"123456789") == 0xBB3D


# -- fuzz: only ProtocolError, never a hang (inputs are bounded) --------------------------------

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=2000,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
TCP_FRAMES = [frame(v) for v in VECTORS if v["transport"] == "tcp" and v["kind"] != "login"]
UDP_FRAMES = [frame(v) for v in VECTORS if v["transport"] == "udp"]


@st.composite
def mutated(draw: st.DrawFn, frames: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(frames)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            del data[at:]
    return bytes(data)


@st.composite
def recrc(draw: st.DrawFn) -> bytes:
    """A mutated data field re-framed with a good length and CRC: reaches the codec parsers."""
    original = draw(st.sampled_from([f for f in TCP_FRAMES if len(f) > 12]))
    return frame_data_packet(draw(mutated([original[8:-4]])))


def feed_fuzz(session: TeltonikaSession, data: bytes, cuts: list[int]) -> None:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    try:
        for start, end in itertools.pairwise(bounds):
            for event in session.receive_data(data[start:end]):
                if isinstance(event, PositionsDecoded):
                    assert len(event.ack) == 4
                    assert all(isinstance(p, Position) for p in event.positions)
        session.end_of_stream()
    except ProtocolError:
        pass


CUTS = st.lists(st.integers(0, 4096), max_size=6)


@FUZZ
@given(data=st.binary(max_size=2048), cuts=CUTS)
def test_fuzz_random_bytes(data: bytes, cuts: list[int]) -> None:
    feed_fuzz(TeltonikaSession(), data, cuts)
    feed_fuzz(accepted_session(), data, cuts)


@FUZZ
@given(data=st.one_of(mutated(TCP_FRAMES), recrc()), cuts=CUTS)
def test_fuzz_mutated_real_frames(data: bytes, cuts: list[int]) -> None:
    feed_fuzz(accepted_session(), data, cuts)
    feed_fuzz(TeltonikaSession(), frame(LOGIN) + data, cuts)


@FUZZ
@given(data=st.one_of(mutated(UDP_FRAMES), st.binary(max_size=512)))
def test_fuzz_udp(data: bytes) -> None:
    try:
        decoded = decode_udp(data)
    except ProtocolError:
        return
    assert len(decoded.ack) == 7
