"""MQTT payload parsing: OwnTracks and our JSON format, and any bytes at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.integrations.providers.mqtt_payloads import (
    PayloadFormat,
    PayloadRejected,
    parse_message,
)
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position

RECEIVED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

OWNTRACKS = {
    "_type": "location",
    "lat": 60.1699,
    "lon": 24.9384,
    "tst": 1_767_225_600,
    "vel": 54,
    "cog": 270,
    "alt": 13,
    "acc": 8,
    "batt": 76,
    "bs": 2,
    "t": "u",
    "tid": "AL",
}
FLEETYARD = {
    "device_id": "van-7",
    "location": {
        "timestamp": "2026-01-01T00:00:00Z",
        "coords": {"latitude": 60.2, "longitude": 25.0, "speed": 10, "heading": 90},
        "battery": {"level": 0.5},
    },
}


def parse(topic: str, document: object, fmt: PayloadFormat = PayloadFormat.AUTO) -> list[Position]:
    return parse_message(topic, json.dumps(document).encode(), fmt, received_at=RECEIVED_AT)


def test_owntracks_location_in_our_units_and_device_from_topic() -> None:
    [position] = parse("owntracks/alice/phone", OWNTRACKS)
    assert position.unique_id == "alice_phone"
    assert position.protocol == "mqtt"
    assert position.fix_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert (position.latitude, position.longitude) == (60.1699, 24.9384)
    assert position.speed_kmh == 54  # OwnTracks vel is already km/h
    assert (position.course, position.altitude_m) == (270, 13)
    assert position.attributes == {
        attr.ACCURACY_M: 8,
        attr.BATTERY_LEVEL_PCT: 76,
        attr.CHARGE: True,
        attr.EVENT: "u",
        attr.EXTRAS: {"tid": "AL"},
    }


def test_owntracks_device_from_the_last_two_levels_of_a_custom_base_topic() -> None:
    [position] = parse("fleet/helsinki/bob/van", OWNTRACKS, PayloadFormat.OWNTRACKS)
    assert position.unique_id == "bob_van"


def test_owntracks_on_a_single_level_topic_is_named_by_its_tid() -> None:
    [position] = parse("tracks", OWNTRACKS)
    assert position.unique_id == "AL"


def test_owntracks_minimal_location_has_only_the_fix() -> None:
    [position] = parse("owntracks/a/b", {"_type": "location", "lat": 1, "lon": 2, "tst": 3})
    assert (position.speed_kmh, position.course, position.attributes) == (None, None, {})


@pytest.mark.parametrize(
    ("topic", "document", "reason"),
    [
        ("owntracks/a/b", {**OWNTRACKS, "_type": "lwt"}, "not_a_location"),
        ("owntracks/a/b/event", {**OWNTRACKS, "_type": "transition"}, "not_a_location"),
        ("owntracks/a/b", {**OWNTRACKS, "lat": "60.1"}, "invalid_owntracks"),
        ("owntracks/a/b", {**OWNTRACKS, "lat": 91}, "invalid_owntracks"),
        ("owntracks/a/b", {k: v for k, v in OWNTRACKS.items() if k != "tst"}, "invalid_owntracks"),
        ("owntracks/a/b", {**OWNTRACKS, "tst": 10**30}, "invalid_owntracks"),
        ("owntracks/al ice/b", OWNTRACKS, "device_id"),
        ("owntracks/a/" + "b" * 80, OWNTRACKS, "device_id"),
        ("x", [1, 2], "not_an_object"),
        ("x", {"location": {"coords": {}}}, "invalid_fleetyard_json"),
        ("x", {"device_id": "v", "location": {"timestamp": 1}}, "no_fix"),
    ],
)
def test_unreadable_messages_are_rejected_with_a_reason(
    topic: str, document: object, reason: str
) -> None:
    with pytest.raises(PayloadRejected) as rejected:
        parse(topic, document)
    assert rejected.value.reason == reason


def test_our_json_format_is_the_traccar_client_body_with_device_from_payload() -> None:
    [position] = parse("anything/at/all", FLEETYARD)
    assert position.unique_id == "van-7"
    assert position.protocol == "mqtt"
    assert position.fix_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert position.speed_kmh == pytest.approx(36.0)  # 10 m/s
    assert position.attributes[attr.BATTERY_LEVEL_PCT] == 50


def test_a_format_forced_by_settings_is_not_guessed() -> None:
    with pytest.raises(PayloadRejected) as rejected:
        parse("owntracks/a/b", FLEETYARD, PayloadFormat.OWNTRACKS)
    assert rejected.value.reason == "not_a_location"
    with pytest.raises(PayloadRejected) as rejected:
        parse("owntracks/a/b", OWNTRACKS, PayloadFormat.FLEETYARD_JSON)
    assert rejected.value.reason == "invalid_fleetyard_json"


def test_not_json_and_too_large() -> None:
    for payload, reason in [(b"\xff\xfe", "not_json"), (b" " * 300_000, "too_large")]:
        with pytest.raises(PayloadRejected) as rejected:
            parse_message("t", payload, PayloadFormat.AUTO, received_at=RECEIVED_AT)
        assert rejected.value.reason == reason


def _check_sane(positions: list[Position]) -> None:
    assert positions
    for position in positions:
        assert -90 <= position.latitude <= 90
        assert -180 <= position.longitude <= 180
        assert position.fix_time.tzinfo is not None
        assert 1 <= len(position.unique_id) <= 64


@given(
    st.text(max_size=40),
    st.binary(max_size=300),
    st.sampled_from(list(PayloadFormat)),
)
def test_any_bytes_give_positions_or_a_rejection(topic: str, payload: bytes, fmt: str) -> None:
    try:
        positions = parse_message(topic, payload, PayloadFormat(fmt), received_at=RECEIVED_AT)
    except PayloadRejected:
        return
    _check_sane(positions)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
owntracks_like = st.fixed_dictionaries(
    {"_type": st.sampled_from(["location", "lwt", 3])},
    optional={key: json_values for key in ("lat", "lon", "tst", "vel", "cog", "alt", "acc")}
    | {"batt": json_values, "bs": json_values, "t": json_values, "tid": json_values},
)
fleetyard_like = st.fixed_dictionaries(
    {"device_id": json_values | st.just("dev-1")},
    optional={
        "location": st.fixed_dictionaries(
            {},
            optional={
                "timestamp": json_values,
                "coords": st.dictionaries(
                    st.sampled_from(["latitude", "longitude", "speed", "heading"]), json_values
                ),
            },
        )
    },
)


@given(st.text(max_size=30), owntracks_like | fleetyard_like)
def test_json_of_every_shape_gives_positions_or_a_rejection(
    topic: str, document: dict[str, object]
) -> None:
    payload = json.dumps(document).encode()
    try:
        positions = parse_message(topic, payload, PayloadFormat.AUTO, received_at=RECEIVED_AT)
    except PayloadRejected:
        return
    _check_sane(positions)
