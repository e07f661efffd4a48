"""The Teltonika encoder (the device side): real frames re-encode to their own bytes, any
records round-trip through the decoder and the session, and what the wire cannot carry is a
ValueError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetyard.telematics.protocols.base import Identified, PositionsDecoded
from fleetyard.telematics.protocols.teltonika import TeltonikaSession, decode_avl_data
from fleetyard.telematics.protocols.teltonika.codec8 import CODEC_8, CODEC_8E, AvlRecord, IoValue
from fleetyard.telematics.protocols.teltonika.encoder import (
    decode_record_ack,
    encode_avl_data,
    encode_avl_packet,
    encode_imei_packet,
)
from fleetyard.telematics.protocols.teltonika.framing import HEADER_SIZE, crc16_arc


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


VECTORS: list[dict[str, Any]] = [
    v
    for v in json.loads(
        (_repo_root().parent / "shared" / "testdata" / "protocols" / "vectors.json").read_text()
    )
    if v["protocol"] == "teltonika"
]
ENCODABLE = [
    pytest.param(v, id=v["id"])
    for v in VECTORS
    if v["kind"] == "data" and v["transport"] == "tcp" and v["hex"][16:18] in ("08", "8E")
]
LOGIN = next(v for v in VECTORS if v["kind"] == "login")

UINT = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFF_FFFF, 8: 2**64 - 1}


def io_values(codec: int) -> st.SearchStrategy[dict[int, IoValue]]:
    id_max = 0xFF if codec == CODEC_8 else 0xFFFF
    fixed = st.sampled_from((1, 2, 4, 8)).flatmap(
        lambda size: st.binary(min_size=size, max_size=size).map(IoValue)
    )
    variable = st.binary(max_size=64).map(lambda data: IoValue(data, variable=True))
    values = fixed if codec == CODEC_8 else st.one_of(fixed, variable)
    return st.dictionaries(st.integers(0, id_max), values, max_size=12)


def avl_records(codec: int, *, realistic_time: bool = False) -> st.SearchStrategy[AvlRecord]:
    # any ms the wire can carry, or (for the session) a fix time a datetime can hold
    timestamps = (
        st.integers(946_684_800_000, 4_102_444_800_000)
        if realistic_time
        else st.integers(0, UINT[8])
    )
    return st.builds(
        AvlRecord,
        timestamp_ms=timestamps,
        priority=st.integers(0, 2),
        longitude_e7=st.integers(-(2**31), 2**31 - 1),
        latitude_e7=st.integers(-(2**31), 2**31 - 1),
        altitude_m=st.integers(-(2**15), 2**15 - 1),
        angle=st.integers(0, 360),
        satellites=st.integers(0, 255),
        speed_kmh=st.integers(0, UINT[2]),
        event_io_id=st.integers(0, 0xFF if codec == CODEC_8 else 0xFFFF),
        generation_type=st.none(),
        io=io_values(codec),
    )


@pytest.mark.parametrize("codec", [CODEC_8E, CODEC_8])
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_records_round_trip_through_the_decoder(codec: int, data: st.DataObject) -> None:
    records = data.draw(st.lists(avl_records(codec), min_size=1, max_size=20))
    packet = encode_avl_packet(records, codec=codec)
    length = int.from_bytes(packet[4:HEADER_SIZE], "big")
    data_field = packet[HEADER_SIZE : HEADER_SIZE + length]
    assert packet[:4] == bytes(4)
    assert len(packet) == HEADER_SIZE + length + 4
    assert int.from_bytes(packet[-4:], "big") == crc16_arc(data_field)
    assert data_field[0] == codec
    assert decode_avl_data(data_field) == records


@given(records=st.lists(avl_records(CODEC_8E, realistic_time=True), min_size=1, max_size=10))
@settings(max_examples=60, deadline=None)
def test_a_packet_is_accepted_whole_by_the_session(records: list[AvlRecord]) -> None:
    imei = "356307042441013"
    session = TeltonikaSession()
    assert session.receive_data(encode_imei_packet(imei)) == [Identified(imei)]
    session.accept()
    [event] = session.receive_data(encode_avl_packet(records))
    assert isinstance(event, PositionsDecoded)
    assert decode_record_ack(event.ack) == len(records)
    assert [p.fix_time.timestamp() * 1000 for p in event.positions] == pytest.approx(
        [r.timestamp_ms for r in records]
    )


@pytest.mark.parametrize("vector", ENCODABLE)
def test_real_frames_encode_back_to_their_own_bytes(vector: dict[str, Any]) -> None:
    frame = bytes.fromhex(vector["hex"])
    codec = frame[HEADER_SIZE]
    records = decode_avl_data(frame[HEADER_SIZE:-4])
    assert encode_avl_packet(records, codec=codec) == frame


def test_imei_packet_matches_the_real_login() -> None:
    assert encode_imei_packet(LOGIN["expected"]["imei"]).hex().upper() == LOGIN["hex"].upper()


def test_record_ack_is_the_big_endian_count() -> None:
    assert decode_record_ack(bytes.fromhex("0000000A")) == 10
    with pytest.raises(ValueError, match="4 bytes"):
        decode_record_ack(b"\x01")


def _record(**changes: Any) -> AvlRecord:
    fields: dict[str, Any] = {
        "timestamp_ms": 1_700_000_000_000,
        "priority": 0,
        "longitude_e7": 250_000_000,
        "latitude_e7": 546_000_000,
        "altitude_m": 10,
        "angle": 90,
        "satellites": 9,
        "speed_kmh": 50,
        "event_io_id": 0,
        "generation_type": None,
        "io": {},
    }
    return AvlRecord(**{**fields, **changes})


@pytest.mark.parametrize(
    ("records", "codec", "message"),
    [
        ([], CODEC_8E, "1–255 records"),
        ([_record()] * 256, CODEC_8E, "1–255 records"),
        ([_record()], 0x10, "cannot encode codec"),
        ([_record(latitude_e7=2**31)], CODEC_8E, "out of range"),
        ([_record(altitude_m=-(2**15) - 1)], CODEC_8E, "out of range"),
        ([_record(timestamp_ms=-1)], CODEC_8E, "out of range"),
        ([_record(event_io_id=256)], CODEC_8, "event IO id"),
        ([_record(io={1: IoValue(b"abc")})], CODEC_8E, "1, 2, 4 or 8 bytes"),
        ([_record(io={1: IoValue(b"", variable=True)})], CODEC_8, "Codec 8 Extended"),
        ([_record(io={300: IoValue(b"\x01")})], CODEC_8, "IO id 300"),
        ([_record(io={1: IoValue(bytes(70_000), variable=True)})], CODEC_8E, "NX length"),
    ],
)
def test_what_the_wire_cannot_carry_is_refused(
    records: list[AvlRecord], codec: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        encode_avl_data(records, codec=codec)


@pytest.mark.parametrize("imei", ["", "35630704244101A", "1" * 21, "３５６"])
def test_bad_imei_is_refused(imei: str) -> None:
    with pytest.raises(ValueError, match="IMEI"):
        encode_imei_packet(imei)
