"""Each simulated device's bytes, fed to the project's own protocol session (no sockets),
decode to the reading they were made from; the replies the sessions produce are the ones the
devices wait for. Frames go in whole and byte by byte."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from fleetyard.simulator.devices import Batch, Gt06Wire, H02Wire, OsmAndWire, TeltonikaWire
from fleetyard.simulator.devices.h02 import nmea_coordinate
from fleetyard.simulator.devices.ids import (
    is_valid_imei,
    luhn_check_digit,
    simulated_unique_id,
)
from fleetyard.simulator.reading import Reading
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from fleetyard.telematics.protocols.base import (
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolSession,
)
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.h02 import H02Session
from fleetyard.telematics.protocols.osmand import OsmAndSession
from fleetyard.telematics.protocols.teltonika import TeltonikaSession

FIX = datetime(2025, 6, 2, 7, 30, 15, tzinfo=UTC)
SERVER_TIME = datetime(2025, 6, 2, 7, 30, 16, tzinfo=UTC)


def reading(**changes: object) -> Reading:
    values: dict[str, object] = {
        "fix_time": FIX,
        "latitude": 60.1699123,
        "longitude": 24.9384456,
        "speed_kmh": 37.4,
        "course": 271.6,
        "altitude_m": 17.6,
        "satellites": 11,
        "ignition": True,
        "odometer_m": 123_456_789.4,
        "rpm": 1_940.0,
        "coolant_c": 112.4,
        "fuel_pct": 8.2,
        "engine_load_pct": 41.0,
        "vehicle_battery_v": 14.21,
        "engine_hours": 3_527.5,
        "dtcs": ("P0301", "P0420"),
        "harsh_braking": False,
    }
    values.update(changes)
    return Reading(**values)  # type: ignore[arg-type]


def feed(session: ProtocolSession, data: bytes, *, byte_by_byte: bool) -> list[Event]:
    if not byte_by_byte:
        return session.receive_data(data)
    events: list[Event] = []
    for index in range(len(data)):
        events.extend(session.receive_data(data[index : index + 1]))
    return events


def decode(
    session: ProtocolSession, hello: bytes, batch: Batch, *, byte_by_byte: bool
) -> tuple[list[Position], list[bytes]]:
    """Positions decoded and the replies the server sends, in order (accepting the device)."""
    positions: list[Position] = []
    replies: list[bytes] = []
    for event in feed(session, hello + batch.data, byte_by_byte=byte_by_byte):
        if isinstance(event, Identified):
            session.accept()
        elif isinstance(event, PositionsDecoded):
            positions.extend(event.positions)
            if event.ack:
                replies.append(event.ack)
        elif isinstance(event, Heartbeat):
            replies.append(event.reply)
    return positions, replies


def assert_core(
    position: Position,
    source: Reading,
    *,
    degrees: float,
    speed_kmh: float,
    with_ignition: bool = True,
) -> None:
    assert position.fix_time == source.fix_time
    assert position.latitude == pytest.approx(source.latitude, abs=degrees)
    assert position.longitude == pytest.approx(source.longitude, abs=degrees)
    assert position.speed_kmh == pytest.approx(source.speed_kmh, abs=speed_kmh)
    assert position.course == pytest.approx(source.course, abs=0.5)
    assert position.ignition is (source.ignition if with_ignition else None)
    assert position.valid


def expected_tokens(batch: Batch) -> list[bytes]:
    return [reply.token for reply in batch.replies]


@pytest.mark.parametrize("byte_by_byte", [False, True])
def test_teltonika_records_carry_the_engine_data(byte_by_byte: bool) -> None:
    wire = TeltonikaWire(simulated_unique_id("teltonika", 7))
    sources = [reading(), reading(fix_time=FIX.replace(second=16), harsh_braking=True, dtcs=())]
    batch = wire.encode(sources)
    positions, replies = decode(TeltonikaSession(), wire.hello(), batch, byte_by_byte=byte_by_byte)
    assert replies == expected_tokens(batch) == [(2).to_bytes(4, "big")]
    first, second = positions
    assert_core(first, sources[0], degrees=1e-7, speed_kmh=0.5)
    assert first.satellites == 11 and first.altitude_m == 18
    assert first.odometer_m == 123_456_789
    assert first.attributes[attr.RPM] == 1_940
    assert first.attributes[attr.COOLANT_TEMP_C] == 112
    assert first.attributes[attr.FUEL_LEVEL_PCT] == 8
    assert first.attributes[attr.ENGINE_LOAD_PCT] == 41
    assert first.attributes[attr.POWER_V] == pytest.approx(14.21)
    assert first.attributes[attr.DTCS] == ["P0301", "P0420"]
    assert first.attributes[attr.IO]["103"] == round(3_527.5 * 60)  # engine minutes, raw
    assert attr.HARSH_BRAKING not in first.attributes
    assert second.attributes[attr.HARSH_BRAKING] is True and second.attributes[attr.EVENT] == 253
    assert second.attributes[attr.DTCS] == []  # an empty list: cleared codes clear alerts


def test_teltonika_sends_no_obd_values_with_the_engine_off() -> None:
    wire = TeltonikaWire(simulated_unique_id("teltonika", 7))
    parked = reading(ignition=False, rpm=0.0, speed_kmh=0.0, dtcs=None)
    (position,), _ = decode(
        TeltonikaSession(), wire.hello(), wire.encode([parked]), byte_by_byte=False
    )
    assert position.ignition is False
    assert attr.DTCS not in position.attributes and attr.RPM not in position.attributes
    assert position.attributes[attr.MOTION] is False


@pytest.mark.parametrize("byte_by_byte", [False, True])
def test_gt06_locations_then_a_heartbeat_whose_reply_acks_them(byte_by_byte: bool) -> None:
    imei = simulated_unique_id("gt06", 7)
    wire = Gt06Wire(imei)
    hello = wire.hello()
    sources = [
        reading(),
        reading(fix_time=FIX.replace(second=16), harsh_braking=True),
        reading(fix_time=FIX.replace(second=17), latitude=-33.86, longitude=-70.65, ignition=False),
    ]
    batch = wire.encode(sources)
    session = Gt06Session()
    positions, replies = decode(session, hello, batch, byte_by_byte=byte_by_byte)
    assert session.unique_id == imei
    assert replies == expected_tokens(batch)  # the alarm's reply, then the heartbeat's
    assert [r.acknowledges for r in batch.replies] == [2, 3]
    for position, source in zip(positions, sources, strict=True):
        assert_core(position, source, degrees=1e-6, speed_kmh=0.5)
        assert position.satellites == 11
    location, alarm, south_west = positions
    assert location.odometer_m == 123_456_789
    assert alarm.attributes[attr.ALARM] == "harsh_braking"
    assert south_west.latitude < 0 and south_west.longitude < 0


def test_gt06_login_is_answered_with_the_reply_the_device_waits_for() -> None:
    wire = Gt06Wire(simulated_unique_id("gt06", 3))
    session = Gt06Session()
    (identified,) = session.receive_data(wire.hello())
    assert isinstance(identified, Identified)
    assert session.accept() == bytes.fromhex("787805010001D9DC0D0A")  # serial 1, as in the spec


@pytest.mark.parametrize("byte_by_byte", [False, True])
def test_h02_sentences_are_answered_one_by_one(byte_by_byte: bool) -> None:
    imei = simulated_unique_id("h02", 7)
    wire = H02Wire(imei)
    sources = [reading(), reading(fix_time=FIX.replace(second=16), ignition=False)]
    batch = wire.encode(sources)
    positions, replies = decode(
        H02Session(clock=lambda: SERVER_TIME), wire.hello(), batch, byte_by_byte=byte_by_byte
    )
    assert replies == [f"*HQ,{imei},V4,V1,20250602073016#".encode()] * 2
    assert all(
        reply.startswith(token)
        for reply, token in zip(replies, expected_tokens(batch), strict=True)
    )
    for position, source in zip(positions, sources, strict=True):
        assert_core(position, source, degrees=2e-6, speed_kmh=0.02)
        assert attr.ALARM not in position.attributes  # every active-low alarm bit is inactive


def test_h02_coordinates_are_nmea_degrees_and_minutes() -> None:
    assert nmea_coordinate(60.1699123, 2) == "6010.1947"
    assert nmea_coordinate(24.9384456, 3) == "02456.3067"
    assert nmea_coordinate(-0.99999999, 2) == "0100.0000"  # 59.99999 minutes round up


@pytest.mark.parametrize("format_", ["query", "json"])
def test_osmand_requests_are_answered_200_each(format_: str) -> None:
    wire = OsmAndWire(simulated_unique_id("osmand", 7), "localhost", format=format_)  # type: ignore[arg-type]
    sources = [reading(), reading(fix_time=FIX.replace(second=16), speed_kmh=0.0)]
    batch = wire.encode(sources)
    session = OsmAndSession(clock=lambda: SERVER_TIME)
    positions, replies = decode(session, wire.hello(), batch, byte_by_byte=False)
    assert [r.split(b" ")[1] for r in replies] == expected_tokens(batch)
    assert len(replies) == (2 if format_ == "query" else 1)
    for position, source in zip(positions, sources, strict=True):
        assert_core(
            position, source, degrees=1e-7, speed_kmh=0.02, with_ignition=format_ == "query"
        )
        assert position.odometer_m == pytest.approx(source.odometer_m, abs=0.5)
        assert position.altitude_m == pytest.approx(source.altitude_m, abs=0.05)
    if format_ == "query":
        assert positions[0].attributes[attr.RPM] == 1_940


def test_osmand_query_looks_like_traccar_client() -> None:
    wire = OsmAndWire("48241179", "gateway.example")
    request = wire.encode([reading()]).data.decode()
    head, _, body = request.partition("\r\n\r\n")
    method, target, version = head.split("\r\n")[0].split(" ")
    params = dict(parse_qsl(urlsplit(target).query))
    assert (method, version, body) == ("POST", "HTTP/1.1", "")
    assert params["id"] == "48241179" and params["timestamp"] == str(int(FIX.timestamp() * 1000))
    assert float(params["speed"]) == pytest.approx(37.4 / 1.852, abs=0.01)  # knots
    assert "Host: gateway.example" in head


def test_osmand_json_is_the_sdk_payload() -> None:
    wire = OsmAndWire("48241179", "localhost", format="json")
    body = wire.encode([reading()]).data.split(b"\r\n\r\n", 1)[1]
    document = json.loads(body)
    location = document["location"][0]
    assert document["device_id"] == "48241179"
    assert location["timestamp"] == "2025-06-02T07:30:15.000Z"
    assert location["coords"]["speed"] == pytest.approx(37.4 / 3.6, abs=0.001)  # m/s


def test_imeis_pass_the_luhn_check() -> None:
    assert luhn_check_digit("35630704244101") == "3"  # 356307042441013, Teltonika's example
    assert luhn_check_digit("49015420323751") == "8"
    ids: Sequence[str] = [
        simulated_unique_id(p, n) for p in ("teltonika", "gt06", "h02") for n in range(500)
    ]
    assert all(is_valid_imei(i) for i in ids) and len(set(ids)) == len(ids)
    assert simulated_unique_id("osmand", 12) == "00000012"
