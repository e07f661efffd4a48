"""H02 binary (``$``) records of every length in the field, without a per-port length: real
records fed whole, byte by byte, glued and with trailing bytes; binary twins of text
sentences decode to equal Positions; truncated and garbage records fail cleanly."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.position import KNOTS_TO_KMH, Position
from fleetyard.telematics.protocols.base import (
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
)
from fleetyard.telematics.protocols.h02 import H02Session
from fleetyard.telematics.protocols.h02.binary import CORE_LENGTH
from tests.telematics.protocols.h02_frames import REAL_RECORDS, RealRecord, binary_twin
from tests.telematics.protocols.vector_support import (
    byte_by_byte,
    check_sane,
    feed,
    fixed_clock,
    in_range,
    iso,
    positions_of,
)


def new_session(binary_length: int | None = None) -> H02Session:
    return H02Session(clock=fixed_clock, binary_length=binary_length)


def records() -> list[object]:
    return [pytest.param(r, id=f"{len(r.data)}B-{r.device_id}") for r in REAL_RECORDS]


def check_record(position: Position, record: RealRecord) -> None:
    assert position.unique_id == record.device_id
    assert position.fix_time == iso(record.fix_time)
    assert position.latitude == pytest.approx(record.latitude, abs=1e-7)
    assert position.longitude == pytest.approx(record.longitude, abs=1e-7)
    assert position.valid is record.valid
    assert position.speed_kmh == pytest.approx(record.speed_knots * KNOTS_TO_KMH)
    assert position.course == record.course
    assert position.attributes["status"] == record.status
    check_sane(position, "h02", record.device_id)


# -- real records ---------------------------------------------------------------------------


@pytest.mark.parametrize("record", records())
def test_record_whole(record: RealRecord) -> None:
    session = new_session()
    events = session.receive_data(record.data)
    assert events[0] == Identified(record.device_id)
    assert session.accept() == b""
    (decoded,) = events[1:]
    assert isinstance(decoded, PositionsDecoded)
    assert decoded.ack == b""  # H02 answers no binary record
    (position,) = decoded.positions
    check_record(position, record)
    session.end_of_stream()  # a record alone on its connection is whole: no error


@pytest.mark.parametrize("record", records())
def test_record_byte_by_byte(record: RealRecord) -> None:
    """The fix is out with the 32nd byte; the tail adds nothing and ends cleanly."""
    whole = new_session().receive_data(record.data)
    session = new_session()
    pieces = [session.receive_data(b) for b in byte_by_byte(record.data)]
    assert pieces[CORE_LENGTH - 1] == whole
    assert all(p == [] for p in pieces[: CORE_LENGTH - 1] + pieces[CORE_LENGTH:])
    session.end_of_stream()


@pytest.mark.parametrize("record", records())
def test_record_with_trailing_bytes(record: RealRecord) -> None:
    data = record.data
    whole = new_session().receive_data(data)
    session = new_session()  # the start of the next record: held back, not an error
    assert session.receive_data(data + data[:9]) == whole
    with pytest.raises(ProtocolError, match="inside a frame"):
        session.end_of_stream()
    assert session.receive_data(data[9:]) == whole[1:]
    session.end_of_stream()

    session = new_session()  # bytes that cannot follow: the record decodes, then the session fails
    assert session.receive_data(data + b"\x00" * 20) == whole
    with pytest.raises(ProtocolError, match="cannot start"):
        session.receive_data(data)


@pytest.mark.parametrize("record", records())
def test_glued_records_in_any_chunks(record: RealRecord) -> None:
    """Three records in one read, then the same split at every offset: nothing is lost or
    doubled, and every tail ends where the next record starts."""
    stream = record.data * 3
    glued = new_session().receive_data(stream)
    assert len(positions_of(glued)) == 3
    for cut in range(1, len(stream)):
        session = new_session()
        assert feed(session, [stream[:cut], stream[cut:]]) == glued
        session.end_of_stream()


def test_records_of_several_lengths_on_one_connection() -> None:
    """A device may append its tail to some records only."""
    short, long = (binary_twin(TWIN_SENTENCES[0], tail=t) for t in (b"", TAILS[10]))
    stream = short + long + long + short + short + long
    assert len(positions_of(new_session().receive_data(stream))) == 6
    session = new_session()
    assert len(positions_of(feed(session, byte_by_byte(stream)))) == 6
    session.end_of_stream()


def test_short_record_then_text_in_one_read() -> None:
    """As in Traccar's frame decoder test: a 32-byte record glued to the device's sentence."""
    record = REAL_RECORDS[0].data
    sentence = b"*HQ,4106011660,V1,124552,A,5035.3129,N,00431.8211,E,000.20,000,131116,FFFFFBFF#"
    binary_first, text_second = positions_of(new_session().receive_data(record + sentence))
    assert binary_first.fix_time < text_second.fix_time
    assert text_second.latitude == pytest.approx(binary_first.latitude, abs=1e-5)


def test_configured_record_length_still_works() -> None:
    record = next(r for r in REAL_RECORDS if len(r.data) == 45).data
    session = new_session(binary_length=45)
    assert len(positions_of(feed(session, byte_by_byte(record * 2)))) == 2
    with pytest.raises(ValueError, match="binary_length"):
        new_session(binary_length=40)


# -- binary and text twins -------------------------------------------------------------------

TWIN_SENTENCES = [
    # h02-001 (Traccar's asserted position): 10-digit id, north / west.
    "*HQ,4210051415,V1,164549,A,0956.3869,N,08406.7068,W,000.00,000,221215,FFFFFBFF,712,01,0,0,6#",
    # Traccar test sentence: course 100, power-cut bit low.
    "*HQ,4300256455,V1,111817,A,1935.5128,N,04656.3243,E,0.00,100,170913,FFE7FBFF#",
    # Moving at 34 knots, south / east, no fix validity.
    "*HQ,8161289587,V1,181933,V,3354.6103,S,01825.3374,E,034,271,090317,FFFFBBFF#",
    # h02-005 with the longitude's leading zero that binary records always carry: a 15-digit
    # IMEI, south / west.
    "*HQ,353588010001689,V1,221116,A,1548.8220,S,04753.1679,W,0.00,0.00,300413,ffffffff#",
]
# Tails as real long records carry them (45-byte and 42-byte records above).
TAILS = {10: bytes.fromhex("060000002c02dc0c000000001f"), 15: bytes.fromhex("ff01120064ba73005ecc")}


@pytest.mark.parametrize("sentence", TWIN_SENTENCES)
@pytest.mark.parametrize("long_record", [False, True], ids=["short", "long"])
def test_binary_twin_equals_its_text(sentence: str, long_record: bool) -> None:
    """Same time, place, speed (knots to km/h), course, validity and status bits."""
    tail = TAILS[len(sentence.split(",")[1])] if long_record else b""
    (text_position,) = positions_of(new_session().receive_data(sentence.encode()))
    twin = binary_twin(sentence, tail=tail)
    (binary_position,) = positions_of(new_session().receive_data(twin))
    assert binary_position == text_position
    (byte_wise,) = positions_of(feed(new_session(), byte_by_byte(twin + twin)))[1:]
    assert byte_wise == text_position


def test_real_near_twins() -> None:
    """A real record and the same device's sentence 15 s earlier at the same spot."""
    record = next(r for r in REAL_RECORDS if r.device_id == "2705171109")
    sentence = b"*HQ,2705171109,V1,213324,A,5002.5849,N,01433.7822,E,0.00,000,140613,FFFFFFFF#"
    (text_position,) = positions_of(new_session().receive_data(sentence))
    (binary_position,) = positions_of(new_session().receive_data(record.data))
    assert binary_position == replace(text_position, fix_time=binary_position.fix_time)
    assert (binary_position.fix_time - text_position.fix_time).total_seconds() == 15


# -- truncated and garbage records -------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, CORE_LENGTH))
def test_truncated_record_closes_cleanly(size: int) -> None:
    session = new_session()
    assert session.receive_data(REAL_RECORDS[0].data[:size]) == []
    with pytest.raises(ProtocolError, match="inside a frame"):
        session.receive_data(b"")


def test_cut_tail_closes_cleanly() -> None:
    record = next(r for r in REAL_RECORDS if len(r.data) == 45).data
    session = new_session()
    session.receive_data(record + record[:40])  # second record: its tail is cut short
    with pytest.raises(ProtocolError, match="inside a frame"):
        session.end_of_stream()


def test_record_without_a_fix_proves_the_device_alive() -> None:
    """All-zero clock and coordinates (no fix yet): no position, never 0,0."""
    record = b"$" + bytes.fromhex("4210051415") + bytes(23) + bytes.fromhex("ff0001")
    assert new_session().receive_data(record) == [Identified("4210051415"), Heartbeat()]


@pytest.mark.parametrize(
    "record",
    [
        b"$\x42\x10\x05\x14\x1a" + bytes(26),  # id not BCD
        b"$" + b"\xff" * 31,
    ],
)
def test_garbage_record_is_refused(record: bytes) -> None:
    with pytest.raises(ProtocolError, match="binary record"):
        new_session().receive_data(record)


def _feed_fuzz(chunks: list[bytes]) -> list[Event]:
    events: list[Event] = []
    session = new_session()
    try:
        for chunk in [*chunks, b""]:
            events += session.receive_data(chunk)
    except ProtocolError:
        pass
    assert all(in_range(p) for p in positions_of(events))
    return events


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=120), st.integers(1, 40))
def test_fuzz_random_bytes_after_a_dollar(body: bytes, chunk: int) -> None:
    data = b"$" + body
    _feed_fuzz([data[i : i + chunk] for i in range(0, len(data), chunk)])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([r.data for r in REAL_RECORDS]), st.binary(max_size=40))
def test_fuzz_real_record_then_random_bytes(record: bytes, after: bytes) -> None:
    events = _feed_fuzz([record + after])
    assert len(positions_of(events)) >= 1  # the record's fix is out whatever follows
