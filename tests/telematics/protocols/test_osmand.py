"""OsmAnd from real requests (shared/testdata/protocols/vectors.json): each request fed whole,
byte by byte and with trailing bytes (keep-alive); every decoded position checked against
sanity rules. The pure ``decode_request`` is tested on the same requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.telematics.attributes import (
    ACCURACY_M,
    ACTIVITY,
    BATTERY_LEVEL_PCT,
    CELL_TOWERS,
    CHARGE,
    EVENT,
    EXTRAS,
    MOCK,
    MOTION,
    RPM,
    WIFI_ACCESS_POINTS,
)
from fleetyard.telematics.position import KNOTS_TO_KMH, MPS_TO_KMH, Position
from fleetyard.telematics.protocols.base import (
    Event,
    Identified,
    PositionsDecoded,
    ProtocolError,
    Reply,
)
from fleetyard.telematics.protocols.osmand import (
    HttpFramer,
    HttpRequest,
    OsmAndSession,
    decode_request,
)
from fleetyard.telematics.protocols.osmand.http import MAX_BODY, MAX_HEAD
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

VECTORS = load_vectors("osmand")
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def raw(vector: dict[str, Any]) -> bytes:
    return str(vector["request"]).encode()


def new_session() -> OsmAndSession:
    return OsmAndSession(clock=fixed_clock)


def parse_http(data: bytes) -> HttpRequest:
    framer = HttpFramer()
    framer.receive_data(data)
    request = framer.next_request()
    assert request is not None
    return request


def decode(data: bytes) -> tuple[str, list[Position]]:
    request = parse_http(data)
    return decode_request(
        request.method, request.target, request.headers, request.body, received_at=FIXED_NOW
    )


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def get(query: str, headers: str = "") -> bytes:
    return f"GET /?{query} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()


def post(body: bytes, content_type: str) -> bytes:
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def post_json(document: object) -> bytes:
    return post(json.dumps(document).encode(), "application/json")


def response_of(event: Event) -> bytes:
    if isinstance(event, PositionsDecoded):
        return event.ack
    assert isinstance(event, Reply)
    return event.data


# -- what the vectors' "expected" keys mean in our model ----------------------------------------


def _is_json(vector: dict[str, Any]) -> bool:
    return "application/json" in vector["request"]


def _cell(tower: dict[str, int]) -> dict[str, int]:
    return {
        "mcc": tower["mcc"],
        "mnc": tower["mnc"],
        "lac": tower["lac"],
        "cid": tower["cell_id"],
        "rssi": tower["signal"],
    }


ATTRIBUTE_FIELDS: dict[str, Callable[[Position], Any]] = {  # "attributes": {...} of osmand-007
    "ignition": lambda p: p.ignition,
    "rpm": lambda p: p.attributes[RPM],
    "fuel": lambda p: p.attributes[EXTRAS]["fuel"],  # no named key: kept as the device sent it
}

# key → (our value, the expected value derived from the vector's value)
FIELDS: dict[str, tuple[Callable[[Position], Any], Callable[[Any], Any]]] = {
    "device_id": (lambda p: p.unique_id, lambda w: w),
    "latitude": (lambda p: p.latitude, lambda w: pytest.approx(w, abs=1e-6)),
    "longitude": (lambda p: p.longitude, lambda w: pytest.approx(w, abs=1e-6)),
    "timestamp": (lambda p: p.fix_time, lambda w: FIXED_NOW if w is None else iso(w)),
    # a zone-less local time is taken as UTC (Traccar: the server's zone)
    "timestamp_local": (
        lambda p: p.fix_time,
        lambda w: datetime.fromisoformat(w).replace(tzinfo=UTC),
    ),
    "hdop": (lambda p: p.hdop, lambda w: w),
    "altitude_m": (lambda p: p.altitude_m, lambda w: w),
    "course": (lambda p: p.course, lambda w: w),
    # query format: knots by default, as Traccar reads it
    "speed_raw": (lambda p: p.speed_kmh, lambda w: pytest.approx(w * KNOTS_TO_KMH)),
    "speed_traccar_default_knots": (
        lambda p: p.speed_kmh,
        lambda w: pytest.approx(w * KNOTS_TO_KMH),
    ),
    "speed_kmh_if_knots": (lambda p: p.speed_kmh, lambda w: pytest.approx(w)),
    # JSON format: m/s; null (the -1 sentinel) stays unknown
    "speed_mps": (
        lambda p: p.speed_kmh,
        lambda w: None if w is None else pytest.approx(w * MPS_TO_KMH),
    ),
    "battery_level_percent": (lambda p: p.attributes.get(BATTERY_LEVEL_PCT), lambda w: w),
    "battery_level_fraction": (lambda p: p.attributes[BATTERY_LEVEL_PCT], lambda w: w * 100),
    "accuracy_m": (lambda p: p.attributes[ACCURACY_M], lambda w: w),
    "motion": (lambda p: p.attributes[MOTION], lambda w: w),
    "event": (lambda p: p.attributes[EVENT], lambda w: w),
    "odometer": (lambda p: p.odometer_m, lambda w: w),
    "charging": (lambda p: p.attributes[CHARGE], lambda w: w),
    "activity": (lambda p: p.attributes[ACTIVITY], lambda w: w),
    "mock": (lambda p: p.attributes[MOCK], lambda w: w),
    "cell_towers": (lambda p: p.attributes[CELL_TOWERS], lambda w: [_cell(t) for t in w]),
    "wifi": (
        lambda p: p.attributes[WIFI_ACCESS_POINTS],
        lambda w: [{"mac": a["mac"], "rssi": a["signal"]} for a in w],
    ),
}


def check_position(position: Position, expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "http_status":
            continue
        if key == "attributes":
            assert set(want) <= set(ATTRIBUTE_FIELDS), set(want) - set(ATTRIBUTE_FIELDS)
            for name, value in want.items():
                assert ATTRIBUTE_FIELDS[name](position) == value, name
            continue
        assert key in FIELDS, f"no mapping for expected key {key!r}"
        ours, theirs = FIELDS[key]
        assert ours(position) == theirs(want), key
    check_sane(position, "osmand", expected["device_id"])


# -- valid requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "data"))
def test_request_whole(vector: dict[str, Any]) -> None:
    expected = vector["expected"]
    assert vector["expected_ack_hex"] is None
    session = new_session()
    events = session.receive_data(raw(vector))
    assert events[0] == Identified(expected["device_id"])
    assert session.accept() == b""
    assert len(events) == 2
    event = events[1]
    assert isinstance(event, PositionsDecoded)
    assert status_of(event.ack) == expected["http_status"] == 200
    assert event.ack == OK
    assert len(event.positions) == 1
    check_position(event.positions[0], expected)
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS, "data"))
def test_decode_request_is_pure(vector: dict[str, Any]) -> None:
    unique_id, positions = decode(raw(vector))
    assert unique_id == vector["expected"]["device_id"]
    assert positions == positions_of(new_session().receive_data(raw(vector)))
    assert (unique_id, positions) == decode(raw(vector))  # same input, same output


@pytest.mark.parametrize("vector", params(VECTORS))
def test_request_byte_by_byte(vector: dict[str, Any]) -> None:
    data = raw(vector)
    whole = new_session().receive_data(data)
    session = new_session()
    pieces = [session.receive_data(b) for b in byte_by_byte(data)]
    assert all(piece == [] for piece in pieces[:-1])  # nothing until the request is complete
    assert pieces[-1] == whole
    session.end_of_stream()


@pytest.mark.parametrize("vector", params(VECTORS))
def test_request_with_trailing_bytes(vector: dict[str, Any]) -> None:
    data = raw(vector)
    whole = new_session().receive_data(data)
    again = [e for e in whole if not isinstance(e, Identified)]

    session = new_session()  # keep-alive: the start of the next request is held back
    assert session.receive_data(data + data[:20]) == whole
    with pytest.raises(ProtocolError):
        session.end_of_stream()
    assert session.receive_data(data[20:]) == again

    session = new_session()  # garbage behind it: the request still counts, then the session fails
    assert session.receive_data(data + b"\x00\x01 garbage\r\n\r\n") == whole
    with pytest.raises(ProtocolError, match="HTTP"):
        session.receive_data(data)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", params(VECTORS, "corrupt"))
def test_corrupt_request_gets_400(vector: dict[str, Any]) -> None:
    expected = vector["expected"]
    assert expected["error"] is True
    with pytest.raises(ProtocolError, match="no id"):
        decode(raw(vector))
    for chunks in ([raw(vector)], byte_by_byte(raw(vector))):
        session = new_session()
        (event,) = feed(session, chunks)
        assert isinstance(event, Reply)  # sent at once; the connection stays usable
        assert status_of(event.data) == expected["http_status"] == 400
        assert event.data.endswith(b"no id/deviceid parameter")
        assert len(session.receive_data(raw(VECTORS[0]))) == 2


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("lat=60&lon=30", "no id"),
        ("id=a%20b&lat=60&lon=30", "device id"),
        (f"id={'9' * 65}&lat=60&lon=30", "device id"),
        ("id=1&lat=abc&lon=30", "lat is not a number"),
        ("id=1&lat=91&lon=30", "latitude out of range"),
        ("id=1&lat=60&lon=-180.5", "longitude out of range"),
        ("id=1&lat=60", "lat without lon"),
        ("id=1&lat=nan&lon=30", "not a number"),
        ("id=1&lat=1e999&lon=30", "out of range"),
        ("id=1&lat=60&lon=30&timestamp=yesterday", "timestamp"),
        ("id=1&lat=60&lon=30&timestamp=99999999999999999999", "timestamp is out of range"),
        ("id=1&lat=60&lon=30&valid=maybe", "valid"),
        ("id=1&lat=60&lon=30&cell=1,2,3", "cell"),
        ("id=1&lat=60&lon=30&wifi=nope,-70", "wifi"),
        ("id=1&lat=60&lon=30&batt=full", "batt"),
        ("id=1&location=60", "location"),
        ("id=%FF&lat=60&lon=30", "malformed"),
    ],
)
def test_bad_query_values(query: str, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode(get(query))
    (event,) = new_session().receive_data(get(query))
    assert isinstance(event, Reply)
    assert status_of(event.data) == 400


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([1, 2], "not an object"),
        ({"location": {"coords": {"latitude": 1, "longitude": 2}}}, "no device_id"),
        ({"device_id": True, "location": {}}, "no device_id"),
        ({"device_id": "1", "location": {"coords": {"latitude": "1", "longitude": 2}}}, "latitude"),
        ({"device_id": "1", "location": {"coords": {"latitude": 100, "longitude": 2}}}, "range"),
        ({"device_id": "1", "location": [1]}, "location is not an object"),
    ],
)
def test_bad_json(document: object, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode(post_json(document))


def test_json_that_is_not_json() -> None:
    with pytest.raises(ProtocolError, match="not JSON"):
        decode(post(b"{not json", "application/json"))


# -- formats and units --------------------------------------------------------------------------


def test_form_body_when_the_url_has_no_query() -> None:
    body = b"id=123456&lat=60.5&lon=30.25&timestamp=1377177267&speed=10&bearing=90"
    unique_id, (position,) = decode(post(body, "application/x-www-form-urlencoded"))
    assert unique_id == "123456"
    assert (position.latitude, position.longitude, position.course) == (60.5, 30.25, 90.0)
    assert position.speed_kmh == pytest.approx(10 * KNOTS_TO_KMH)
    assert position.fix_time == datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC)


def test_query_speed_unit_is_a_setting() -> None:
    session = OsmAndSession(clock=fixed_clock, query_speed_unit="kmh")
    (position,) = positions_of(session.receive_data(get("id=1&lat=60&lon=30&speed=40")))
    assert position.speed_kmh == 40.0


@pytest.mark.parametrize(
    ("timestamp", "want"),
    [
        ("1609459200", datetime(2021, 1, 1, tzinfo=UTC)),  # seconds
        ("1609459200000", datetime(2021, 1, 1, tzinfo=UTC)),  # milliseconds
        ("2021-01-01T02:00:00%2B02:00", datetime(2021, 1, 1, tzinfo=UTC)),  # ISO with a zone
        ("2021-01-01T00:00:00.250Z", datetime(2021, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)),
    ],
)
def test_timestamp_forms(timestamp: str, want: datetime) -> None:
    _, (position,) = decode(get(f"id=1&lat=60&lon=30&timestamp={timestamp}"))
    assert position.fix_time == want


def test_location_parameter_and_unknown_keys() -> None:
    _, (position,) = decode(get("id=7&location=60.1,30.2&alarm=sos&charge=true&note=hi&flag=false"))
    assert (position.latitude, position.longitude) == (60.1, 30.2)
    assert position.attributes["alarm"] == "sos"
    assert position.attributes[CHARGE] is True
    assert position.attributes[EXTRAS] == {"note": "hi", "flag": False}


def test_report_without_a_location_stores_nothing_and_is_acked() -> None:
    """A cell-only report: no 0,0 position, and a 200 so the phone's queue moves on."""
    events = new_session().receive_data(get("deviceid=9&cell=208,10,12345,67890"))
    assert events == [Identified("9"), PositionsDecoded([], ack=OK)]


def test_json_batch_and_sentinels() -> None:
    location = {
        "timestamp": "2025-06-15T13:45:12.862Z",
        "coords": {
            "latitude": 37.42,
            "longitude": -122.08,
            "speed": 10,
            "heading": 270,
            "accuracy": -1,
        },
        "battery": {"level": 0.29, "is_charging": True},
        "extras": {"trip": 4},
    }
    no_fix = {"timestamp": "2025-06-15T13:45:13Z", "battery": {"level": 0.5}}
    unique_id, positions = decode(
        post_json({"device_id": 48241179, "location": [location, no_fix]})
    )
    assert unique_id == "48241179"
    (position,) = positions
    assert position.speed_kmh == pytest.approx(36.0)
    assert position.course == 270.0
    assert ACCURACY_M not in position.attributes
    assert position.attributes[BATTERY_LEVEL_PCT] == 29.0  # int(0.29 * 100) would say 28
    assert position.attributes[CHARGE] is True
    assert position.attributes[EXTRAS] == {"trip": 4}


# -- HTTP framing -------------------------------------------------------------------------------


def test_keep_alive_requests_in_one_read_are_answered_in_order() -> None:
    first, bad, second = (
        get("id=1&lat=60&lon=30"),
        get("id=1&lat=x&lon=30"),
        get("id=1&lat=61&lon=30"),
    )
    events = new_session().receive_data(first + bad + second)
    assert [type(e) for e in events] == [Identified, PositionsDecoded, Reply, PositionsDecoded]
    assert [status_of(response_of(e)) for e in events[1:]] == [200, 400, 200]


def test_connection_close_and_http_10() -> None:
    session = new_session()
    (_, event) = session.receive_data(get("id=1&lat=60&lon=30", "Connection: close\r\n"))
    assert isinstance(event, PositionsDecoded)
    assert b"connection: close" in event.ack.lower()
    assert session.must_close
    old = new_session()
    old.receive_data(b"GET /?id=1&lat=60&lon=30 HTTP/1.0\r\n\r\n")
    assert old.must_close


def test_chunked_body() -> None:
    body = b"id=5&lat=1.5&lon=2.5"
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    request = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    assert len(positions_of(new_session().receive_data(request))) == 1


def test_expect_100_continue() -> None:
    body = b"id=5&lat=1.5&lon=2.5"
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    session = new_session()
    assert session.receive_data(head.encode()) == [Reply(b"HTTP/1.1 100 \r\n\r\n")]
    assert len(positions_of(session.receive_data(body))) == 1


def test_size_limits() -> None:
    too_long = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode()
    with pytest.raises(ProtocolError, match="larger than"):
        new_session().receive_data(too_long)
    chunk = b"ffff\r\n" + b"a" * 0xFFFF + b"\r\n"
    with pytest.raises(ProtocolError, match="larger than"):
        new_session().receive_data(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 2
        )
    with pytest.raises(ProtocolError, match="HTTP"):
        new_session().receive_data(b"GET / HTTP/1.1\r\nX: " + b"a" * MAX_HEAD)


def test_other_methods_and_garbage() -> None:
    (event,) = new_session().receive_data(b"DELETE /?id=1&lat=1&lon=2 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert isinstance(event, Reply)
    assert status_of(event.data) == 400
    with pytest.raises(ProtocolError, match="HTTP"):
        new_session().receive_data(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # TLS hello
    assert new_session().receive_data(b"") == []  # closed before anything: fine


def test_reject_answers_400_and_closes() -> None:
    session = new_session()
    events = session.receive_data(raw(VECTORS[0]))
    assert isinstance(events[0], Identified)
    refusal = session.reject()
    assert status_of(refusal) == 400
    assert b"Connection: close" in refusal
    assert session.must_close
    with pytest.raises(ProtocolError):
        session.receive_data(raw(VECTORS[0]))


def test_half_request_at_close_is_an_error() -> None:
    session = new_session()
    assert session.receive_data(raw(VECTORS[0])[:30]) == []
    with pytest.raises(ProtocolError):
        session.receive_data(b"")


# -- fuzzing: nothing but ProtocolError, whatever arrives ---------------------------------------

VALID_REQUESTS = [raw(v) for v in VECTORS]


def _feed_fuzz(chunks: list[bytes]) -> list[Event]:
    session = new_session()
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
@given(st.lists(st.binary(max_size=80), max_size=6))
def test_fuzz_random_bytes(chunks: list[bytes]) -> None:
    _feed_fuzz(chunks)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_REQUESTS), st.data())
def test_fuzz_mutated_requests(data: bytes, draw: st.DataObject) -> None:
    mutated = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 6))):
        mutated[draw.draw(st.integers(0, len(mutated) - 1))] = draw.draw(
            st.sampled_from(b'0123456789.-,=&%:{}[]"\r\n aZ\xff')
        )
    _feed_fuzz([bytes(mutated)])


QUERY_KEYS = [
    "id",
    "lat",
    "lon",
    "timestamp",
    "speed",
    "bearing",
    "valid",
    "cell",
    "wifi",
    "batt",
    "x",
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(QUERY_KEYS), st.text(max_size=20)), max_size=8))
def test_fuzz_query_values(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    try:
        _, positions = decode(get(urlencode(pairs)))
    except ProtocolError:
        return
    assert all(in_range(p) for p in positions)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
COORDS = st.fixed_dictionaries(
    {},
    optional={
        k: JSON_VALUES
        for k in ("latitude", "longitude", "speed", "heading", "accuracy", "altitude")
    },
)
LOCATION = st.fixed_dictionaries(
    {},
    optional={
        "coords": COORDS | JSON_VALUES,
        "timestamp": JSON_VALUES | st.just("2025-06-15T13:45:12.862Z"),
        "battery": st.fixed_dictionaries(
            {}, optional={"level": JSON_VALUES, "is_charging": JSON_VALUES}
        ),
        "is_moving": JSON_VALUES,
        "odometer": JSON_VALUES,
        "activity": JSON_VALUES,
        "extras": JSON_VALUES,
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "device_id": JSON_VALUES,
            "location": LOCATION | st.lists(LOCATION, max_size=2) | JSON_VALUES,
        },
    )
)
def test_fuzz_json_documents(document: dict[str, Any]) -> None:
    body = json.dumps(document).encode()
    try:
        _, positions = decode_request(
            "POST", "/", {"Content-Type": "application/json"}, body, received_at=FIXED_NOW
        )
    except ProtocolError:
        return
    assert all(in_range(p) for p in positions)
