"""H02 from real frames (shared/testdata/protocols/vectors.json): text and binary frames fed
whole, byte by byte and with trailing bytes; every decoded position checked against sanity
rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.attributes import ALARM, STATUS
from fleetyard.telematics.position import KNOTS_TO_KMH, Position
from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
)
from fleetyard.telematics.protocols.h02 import H02Session
from fleetyard.telematics.protocols.h02.binary import CORE_LENGTH
from fleetyard.telematics.protocols.h02.framing import MAX_TEXT_FRAME
from fleetyard.telematics.protocols.h02.messages import parse_coordinate, parse_sentence
from tests.telematics.protocols.vector_support import (
    FIXED_NOW,
    byte_by_byte,
    check_sane,
    feed,
    fixed_clock,
    in_range,
    iso,
    load_vectors,
    params,
    positions_of,
)

VECTORS = load_vectors("h02")
# 5 bytes, so that after a 45-byte record no possible tail end (13, 14, 16) lands on a frame
GARBAGE = b"\x00\xde\xad\xbe\xef"


def frame(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["hex"])


def is_text(data: bytes) -> bool:
    return data[:1] == b"*"


def new_session() -> H02Session:
    return H02Session(clock=fixed_clock)


def v1_reply(device_id: str) -> bytes:
    """Traccar's answer to V1 (vector notes), at our fixed clock."""
    return f"*HQ,{device_id},V4,V1,{FIXED_NOW:%Y%m%d%H%M%S}#".encode()


# -- what the vectors' "expected" keys mean in our model ----------------------------------------

POSITION_FIELDS: dict[str, Callable[[Position], Any]] = {
    "device_id": lambda p: p.unique_id,
    "timestamp": lambda p: p.fix_time,
    "validity": lambda p: "A" if p.valid else "V",
    "valid": lambda p: p.valid,
    "latitude": lambda p: p.latitude,
    "longitude": lambda p: p.longitude,
    "speed_knots": lambda p: p.speed_kmh,  # compared as knots × 1.852
    "course": lambda p: p.course,
    "status_hex": lambda p: f"{p.attributes[STATUS]:08X}",
}
# Wire-level keys, read from the frame rather than the Position.
RAW_FIELDS: dict[str, Callable[[bytes], Any]] = {
    "manufacturer": lambda data: parse_sentence(data).manufacturer,
    "command": lambda data: parse_sentence(data).type,
    "flags_nibble": lambda data: data[21] & 0x0F,
}


def check_position(position: Position, data: bytes, expected: dict[str, Any]) -> None:
    unknown = set(expected) - set(POSITION_FIELDS) - set(RAW_FIELDS)
    assert not unknown, unknown
    for key, want in expected.items():
        if key in RAW_FIELDS:
            assert RAW_FIELDS[key](data) == want, key
            continue
        got = POSITION_FIELDS[key](position)
        if key in ("latitude", "longitude"):
            assert got == pytest.approx(want, abs=1e-6), key
        elif key == "speed_knots":
            assert got == pytest.approx(want * KNOTS_TO_KMH), key
        elif key == "timestamp":
            assert got == iso(want), key
        elif key == "status_hex":
            assert got == want.upper(), key
        else:
            assert got == want, key
    check_sane(position, "h02", expected["device_id"])


def expected_ack(vector: dict[str, Any]) -> bytes:
    """Null in the vectors because it carries the time; V1 gets Traccar's V4 reply."""
    assert vector["expected_ack_hex"] is None
    data = frame(vector)
    return v1_reply(vector["expected"]["device_id"]) if is_text(data) else b""


# -- data frames --------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "data"))
def test_data_frame_whole(vector: dict[str, Any]) -> None:
    data, expected = frame(vector), vector["expected"]
    if "text" in vector:
        assert data.decode("ascii") == vector["text"]
    session = new_session()
    events = session.receive_data(data)
    assert events[0] == Identified(expected["device_id"])
    assert session.accept() == b""
    assert len(events) == 2
    event = events[1]
    assert isinstance(event, PositionsDecoded)
    assert event.ack == expected_ack(vector)
    assert len(event.positions) == 1
    check_position(event.positions[0], data, expected)
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS))
def test_frame_byte_by_byte(vector: dict[str, Any]) -> None:
    """Nothing until the frame is complete; a binary record is out once the 32 bytes holding
    its fix are in, and the tail of a long record adds nothing."""
    data = frame(vector)
    whole = new_session().receive_data(data)
    complete = len(data) if is_text(data) else CORE_LENGTH
    session = new_session()
    pieces = [session.receive_data(b) for b in byte_by_byte(data)]
    assert all(piece == [] for piece in pieces[: complete - 1] + pieces[complete:])
    assert pieces[complete - 1] == whole
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS))
def test_frame_with_trailing_bytes(vector: dict[str, Any]) -> None:
    data = frame(vector)
    whole = new_session().receive_data(data)

    session = new_session()  # the start of the same frame again: held back, not an error
    assert session.receive_data(data + data[:9]) == whole
    with pytest.raises(ProtocolError, match="inside a frame"):
        session.end_of_stream()
    assert session.receive_data(data[9:]) == whole[1:]  # identified once only

    if is_text(data):  # sentences are often followed by CR LF
        session = new_session()
        assert session.receive_data(data + b"\r\n") == whole
        session.end_of_stream()

    session = new_session()  # garbage: the frame still decodes, the session then fails
    assert session.receive_data(data + GARBAGE) == whole
    with pytest.raises(ProtocolError, match="cannot start"):
        session.receive_data(data)


def test_alarm_from_active_low_status_bits() -> None:
    by_id = {v["id"]: frame(v) for v in VECTORS}
    (quiet,) = positions_of(new_session().receive_data(by_id["h02-005"]))
    assert quiet.attributes[STATUS] == 0xFFFFFFFF
    assert ALARM not in quiet.attributes  # every flag high: nothing active
    (cut,) = positions_of(new_session().receive_data(by_id["h02-007"]))
    assert cut.attributes[ALARM] == "power_cut"  # 0xEEE7FBDF: bit 19 low
    (sos,) = positions_of(new_session().receive_data(by_id["h02-009"]))
    assert sos.attributes[ALARM] == "sos"  # 0xFFFFFBFD: bit 1 low


def test_all_frames_in_one_stream() -> None:
    """Glued together (one device id) they give what they give one read at a time."""
    sentence = frame(next(v for v in VECTORS if v["id"] == "h02-001"))
    session = new_session()
    separately = [e for _ in range(3) for e in session.receive_data(sentence + b"\r\n")]
    glued = new_session().receive_data((sentence + b"\r\n") * 3)
    assert glued == separately
    assert len(positions_of(glued)) == 3


# -- the no-fix vector --------------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "corrupt"))
def test_no_fix_sentence_gives_no_position(vector: dict[str, Any]) -> None:
    """h02-011 is well-formed H02 without a fix ("0" hemispheres, date 000000). Traccar returns
    no position and keeps the connection; so do we: a device indoors must not be cut off every
    few seconds. It proves the device alive (Heartbeat) and is never stored as 0,0."""
    assert vector["expected"]["error"] is True
    data = frame(vector)
    for chunks in ([data], byte_by_byte(data), [data + b"\r\n"]):
        events = feed(new_session(), chunks)
        assert events == [Identified("353588020068342"), Heartbeat()]
        assert positions_of(events) == []


# -- other message types ------------------------------------------------------------------------


def test_heartbeats_and_their_replies() -> None:
    device = "4210051415"
    link = f"*HQ,{device},LINK,112233,20,8,84,0,0,221215,FFFFFBFF#".encode()
    htbt = f"*HQ,{device},HTBT,92#".encode()
    v0 = f"*HQ,{device},V0#".encode()
    nbr = f"*HQ,{device},NBR,112233,712,01,0,2,10,20,-60,11,21,-70,221215,FFFFFBFF#".encode()
    events = new_session().receive_data(link + htbt + v0 + nbr)
    assert events == [
        Identified(device),
        Heartbeat(),
        Heartbeat(f"*HQ,{device},HTBT#".encode()),  # HTBT and V0: echo *HQ,<id>,<type>#
        Heartbeat(v0),
        Heartbeat(f"*HQ,{device},V4,NBR,{FIXED_NOW:%Y%m%d%H%M%S}#".encode()),
    ]


def test_command_answer() -> None:
    device = "4210051415"
    events = new_session().receive_data(f"*HQ,{device},V4,S20,1,235959#".encode())
    assert events[1] == CommandResult("S20,1,235959")


def test_other_v_types_are_fixes_without_a_v1_reply() -> None:
    v1 = frame(next(v for v in VECTORS if v["id"] == "h02-001")).decode()
    (event,) = new_session().receive_data(v1.replace(",V1,", ",V19,").encode())[1:]
    assert isinstance(event, PositionsDecoded)
    assert event.ack == b""
    assert len(event.positions) == 1


def test_second_device_on_one_connection_is_refused() -> None:
    session = new_session()
    session.receive_data(b"*HQ,1111111111,LINK#")
    with pytest.raises(ProtocolError, match="connection"):
        session.receive_data(b"*HQ,2222222222,LINK#")


def test_rejected_device_gets_nothing_more() -> None:
    session = new_session()
    session.receive_data(b"*HQ,1111111111,LINK#")
    assert session.reject() == b""
    with pytest.raises(ProtocolError):
        session.receive_data(b"*HQ,1111111111,LINK#")


@pytest.mark.parametrize(
    ("text", "hemisphere", "allowed", "limit", "want"),
    [
        ("2117.4683", "E", "EW", 180.0, 21 + 17.4683 / 60),  # two degree digits on a longitude
        ("-23-29.0095", "S", "NS", 90.0, -(23 + 29.0095 / 60)),  # dashed variant
        ("28282297", "N", "NS", 90.0, 28 + 28.2297 / 60),  # no dot: 4 implied decimals
        ("5444.39940", "N", "NS", 90.0, 54 + 44.3994 / 60),  # 5-decimal minutes
        ("0.0000", "0", "NS", 90.0, None),  # no fix
        ("9960.0000", "N", "NS", 90.0, None),  # 60 minutes: impossible
        ("9100.0000", "N", "NS", 90.0, None),  # out of range
    ],
)
def test_coordinate_formats(
    text: str, hemisphere: str, allowed: str, limit: float, want: float | None
) -> None:
    got = parse_coordinate(text, hemisphere, allowed, limit)
    assert got == (None if want is None else pytest.approx(want))


def test_binary_short_records_when_configured() -> None:
    data = frame(next(v for v in VECTORS if v["id"] == "h02-009"))
    session = H02Session(clock=fixed_clock, binary_length=32)
    events = session.receive_data(data[:32] + data[:32])
    assert len(positions_of(events)) == 2
    with pytest.raises(ValueError, match="binary_length"):
        H02Session(binary_length=33)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"HTTP/1.1 200 OK\r\n", "cannot start"),
        (b"*HQ,4210051415,V1,\xff#", "inside a text sentence"),
        (b"*HQ,12ab,V1#", "device id"),
        (b"*HQ,4210051415#", "maker, id and type"),
        (b"*H,4210051415,V1#", "maker"),
        (b"*HQ,4210051415,V 1#", "message type"),
        (b"*HQ,1," + b"0" * MAX_TEXT_FRAME, "longer than"),
        (b"$\x41\x06\x00\x08\x2a" + bytes(40), "binary"),
    ],
)
def test_garbage_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        new_session().receive_data(data)


# -- fuzzing: nothing but ProtocolError, whatever arrives ---------------------------------------

VALID_FRAMES = [frame(v) for v in VECTORS]


def _feed_fuzz(chunks: list[bytes]) -> list[Event]:
    events: list[Event] = []
    session = new_session()
    try:
        for chunk in [*chunks, b""]:
            events += session.receive_data(chunk)
    except ProtocolError:
        pass
    for position in positions_of(events):
        assert in_range(position)
    return events


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=80), max_size=6))
def test_fuzz_random_bytes(chunks: list[bytes]) -> None:
    _feed_fuzz(chunks)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_FRAMES), st.data())
def test_fuzz_mutated_frames(data: bytes, draw: st.DataObject) -> None:
    mutated = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 6))):
        mutated[draw.draw(st.integers(0, len(mutated) - 1))] = draw.draw(
            st.sampled_from(b"0123456789,.-#*NSEWAV$ \xff")
        )
    _feed_fuzz([bytes(mutated)])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet="0123456789.-,ABNSEWVF ", max_size=14), max_size=14))
def test_fuzz_v1_fields(fields: list[str]) -> None:
    _feed_fuzz([("*HQ,4210051415,V1," + ",".join(fields) + "#").encode()])


def test_fix_times_are_utc() -> None:
    (position,) = positions_of(new_session().receive_data(VALID_FRAMES[0]))
    assert position.fix_time.tzinfo is UTC
    assert position.fix_time < datetime(2100, 1, 1, tzinfo=UTC)
