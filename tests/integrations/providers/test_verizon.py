"""The Verizon Connect Reveal adapter against a fake Reveal on 127.0.0.1."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fleetyard.integrations.providers.base import ProblemKind, ProviderError
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.integrations.providers.verizon import (
    PROVIDER,
    VerizonConnectClient,
    VerizonConnectCredentials,
    VerizonConnectSettings,
)
from fleetyard.integrations.providers.verizon_records import (
    RecordRejected,
    position_from_record,
)
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import MPH_TO_KMH
from tests.integrations.providers.fake_verizon import FakeVerizon, FakeVerizonServer, Fault

NOW = datetime(2024, 5, 1, 13, 0, 0, tzinfo=UTC)


def fix(minute: int, **extra: Any) -> dict[str, Any]:
    """A GPS history record shaped as Reveal documents it, ``minute`` after 12:00 UTC."""
    return {
        "VehicleNumber": "2018",
        "UpdateUtc": f"2024-05-01T12:{minute:02d}:00Z",
        "Latitude": 33.749 + minute / 1000,
        "Longitude": -84.388,
        "Speed": 30.0,
        "OdometerInKM": 152340.0 + minute,
        "IsPrivate": False,
        "DriverNumber": None,
        "Address": {"AddressLine1": "100 Example St", "Locality": "Atlanta"},
        **extra,
    }


class Clock:
    def __init__(self) -> None:
        self.monotonic = 1000.0
        self.now = NOW

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake() -> FakeVerizon:
    return FakeVerizon(
        vehicles=[
            {
                "VehicleNumber": "2018",
                "Name": "Truck 2018",
                "VIN": "1FTFW1E50JFA00001",
                "RegistrationNumber": "ABC123",
            },
            {"VehicleNumber": "T 7/b", "Name": "Van 7", "VIN": None},
        ],
        groups={"east": ["2018"]},
        history={"2018": [], "T 7/b": []},
    )


@pytest.fixture
def server(fake: FakeVerizon) -> Iterator[FakeVerizonServer]:
    with FakeVerizonServer(fake) as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


def client_for(
    server: FakeVerizonServer, clock: Clock, *, password: str | None = None, **settings: Any
) -> VerizonConnectClient:
    fake = server.fake
    return VerizonConnectClient(
        VerizonConnectSettings(base_url=server.base_url, **settings),
        VerizonConnectCredentials(
            username=fake.username, password=password or fake.password, app_id=fake.app_id
        ),
        clock=lambda: clock.monotonic,
        utcnow=lambda: clock.now,
    )


# ---- provider spec and models ----


def test_the_registry_finds_the_provider() -> None:
    spec = provider(ProviderName.VERIZON_CONNECT)
    assert spec is PROVIDER and spec.name == "verizon_connect"
    assert spec.settings_model is VerizonConnectSettings
    assert spec.credentials_model is VerizonConnectCredentials


def test_settings_default_to_the_documented_us_host() -> None:
    settings = VerizonConnectSettings()
    assert str(settings.base_url).rstrip("/") == "https://fim.api.us.fleetmatics.com"
    assert settings.vehicle_groups == []


@pytest.mark.parametrize("app_id", ["", "Atmosphere atmosphere_app_id=x", "abc, Bearer tok", "a b"])
def test_an_app_id_pasted_with_its_header_is_refused(app_id: str) -> None:
    with pytest.raises(ValidationError):
        VerizonConnectCredentials(username="u", password="p", app_id=app_id)


def test_credentials_do_not_show_the_password() -> None:
    credentials = VerizonConnectCredentials(username="u", password="hunter22", app_id="app")
    assert "hunter22" not in repr(credentials) and "hunter22" not in str(credentials)


# ---- vehicles and check ----


async def test_vehicles_map_number_vin_name_and_plate(
    server: FakeVerizonServer, clock: Clock
) -> None:
    client = client_for(server, clock)
    try:
        vehicles = await client.vehicles()
    finally:
        await client.close()
    assert [v.vendor_id for v in vehicles] == ["2018", "T 7/b"]
    truck = vehicles[0]
    assert (truck.name, truck.vin, truck.plate) == ("Truck 2018", "1FTFW1E50JFA00001", "ABC123")
    assert vehicles[1].vin is None


async def test_vehicle_field_variants_and_bad_records(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.vehicles = [
        {"Number": 42, "VehicleName": "Pickup", "Vin": "VIN42", "LicensePlateNumber": "XYZ"},
        {"Name": "no number"},
        "not an object",
        {"VehicleNumber": ["list"]},
    ]
    client = client_for(server, clock)
    try:
        vehicles = await client.vehicles()
    finally:
        await client.close()
    assert [(v.vendor_id, v.name, v.vin, v.plate) for v in vehicles] == [
        ("42", "Pickup", "VIN42", "XYZ")
    ]


async def test_check_counts_the_vehicles_of_the_groups(
    server: FakeVerizonServer, clock: Clock
) -> None:
    client = client_for(server, clock, vehicle_groups=["east"])
    try:
        result = await client.check()
    finally:
        await client.close()
    assert result.vehicles == 1
    assert "east" in result.message
    assert ("/cmd/v1/vehicles/group", {"groupid": ["east"]}) in server.fake.requests


async def test_a_wrapped_vehicle_list_is_read_and_a_non_list_refused(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    vehicles = fake.vehicles
    fake.vehicles = {"Vehicles": vehicles}  # type: ignore[assignment]
    client = client_for(server, clock)
    try:
        assert (await client.check()).vehicles == 2
        fake.vehicles = {"Message": "nothing"}  # type: ignore[assignment]
        with pytest.raises(ProviderError) as caught:
            await client.check()
    finally:
        await client.close()
    assert caught.value.kind is ProblemKind.BAD_RESPONSE


# ---- the token ----


async def test_one_token_serves_many_calls_with_the_atmosphere_header(
    server: FakeVerizonServer, clock: Clock
) -> None:
    client = client_for(server, clock)
    try:
        await client.check()
        await client.check()
    finally:
        await client.close()
    assert len(server.fake.tokens_issued) == 1


async def test_the_token_is_refreshed_before_it_expires(
    server: FakeVerizonServer, clock: Clock
) -> None:
    client = client_for(server, clock)
    try:
        await client.check()
        clock.advance(17 * 60)  # inside the documented 20 minutes, outside the margin: reused
        await client.check()
        assert len(server.fake.tokens_issued) == 1
        clock.advance(90)  # 18.5 minutes: less than 2 minutes left
        await client.check()
    finally:
        await client.close()
    assert len(server.fake.tokens_issued) == 2


async def test_a_401_gets_one_fresh_token(server: FakeVerizonServer, clock: Clock) -> None:
    client = client_for(server, clock)
    try:
        await client.check()
        server.fake.revoked.add(server.fake.tokens_issued[0])  # expired early at Reveal's end
        result = await client.check()
    finally:
        await client.close()
    assert result.vehicles == 2
    assert len(server.fake.tokens_issued) == 2


async def test_a_second_401_is_a_credential_problem(
    server: FakeVerizonServer, clock: Clock
) -> None:
    server.fake.reject_all_tokens = True  # e.g. the app id lost access
    client = client_for(server, clock)
    try:
        with pytest.raises(ProviderError) as caught:
            await client.check()
    finally:
        await client.close()
    assert caught.value.kind is ProblemKind.CREDENTIALS_REJECTED
    assert len(server.fake.tokens_issued) == 2  # one refresh, not a loop


async def test_a_wrong_password_is_a_credential_problem_never_echoed(
    server: FakeVerizonServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(server, clock, password="Wr0ng-Secret-9")
    try:
        with pytest.raises(ProviderError) as caught:
            await client.check()
    finally:
        await client.close()
    assert caught.value.kind is ProblemKind.CREDENTIALS_REJECTED
    said = str(caught.value) + caught.value.message + caplog.text
    assert "Wr0ng-Secret-9" not in said
    assert server.fake.username not in said


async def test_secrets_never_reach_errors_or_logs(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.history["2018"] = [fix(10)]
    client = client_for(server, clock)
    messages = []
    try:
        await client.poll(None)
        for fault in (
            Fault("/rad", 500),
            Fault("/rad", 429, headers={"Retry-After": "3"}),
            Fault("/rad", 200, b"<html>oops</html>"),
            Fault("/cmd", 403, b"{}"),
        ):
            fake.faults.append(fault)
            client._vehicle_numbers = None
            with pytest.raises(ProviderError) as caught:
                await client.poll(None)
            messages.append(str(caught.value))
    finally:
        await client.close()
    said = " ".join(messages) + caplog.text
    for secret in (fake.password, fake.username, *fake.tokens_issued):
        assert secret not in said


# ---- polling ----


async def test_poll_maps_fixes_and_units(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [
        fix(
            10,
            Speed=51.0,
            Heading=90,
            DisplayState="Moving",
            EngineHours=1234.5,
            DriverNumber="D-1001",
        ),
        fix(11, Speed=0, Direction="SW", DisplayState="Stopped"),
    ]
    client = client_for(server, clock)
    try:
        result = await client.poll(None)
    finally:
        await client.close()
    assert result.skipped == 0 and not result.more
    first, second = result.positions
    assert first.unique_id == "2018" and first.protocol == "verizon_connect"
    assert first.fix_time == datetime(2024, 5, 1, 12, 10, tzinfo=UTC)
    assert first.speed_kmh == pytest.approx(51.0 * MPH_TO_KMH, abs=1e-3)
    assert first.course == 90 and first.ignition is True
    assert first.odometer_m == pytest.approx(152350.0 * 1000)
    assert first.attributes[attr.ENGINE_HOURS] == 1234.5
    assert first.attributes[attr.MOTION] is True
    assert first.attributes[attr.DRIVER_UNIQUE_ID] == "D-1001"
    assert second.course == 225 and second.ignition is False and second.speed_kmh == 0
    assert result.cursor["v:2018"] == "2024-05-01T12:11:00+00:00"
    assert result.vendor_time == second.fix_time
    _, query = next(r for r in fake.requests if r[0].endswith("/status/history"))
    assert query["startdatetimeutc"] == ["2024-05-01T12:00:00"]  # the first hour back
    assert query["enddatetimeutc"] == ["2024-05-01T13:00:00"]


async def test_kmh_on_the_european_host_or_when_set(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [fix(10, Speed=80.0), fix(12, SpeedMilesPerHour=10.0, Speed=None)]
    client = client_for(server, clock, speed_unit="kmh")
    try:
        result = await client.poll(None)
    finally:
        await client.close()
    assert [p.speed_kmh for p in result.positions] == [
        80.0,
        pytest.approx(10 * MPH_TO_KMH, abs=1e-3),
    ]


async def test_resuming_from_the_cursor_emits_nothing_twice(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [fix(10), fix(20)]
    client = client_for(server, clock)
    try:
        first = await client.poll(None)
        fake.history["2018"] += [fix(25), fix(30)]
        clock.advance(60)
        second = await client.poll(first.cursor)
        clock.advance(60)
        third = await client.poll(second.cursor)
        # a new client (a restart) resumes from the stored cursor too
        restarted = client_for(server, clock)
        try:
            again = await restarted.poll(second.cursor)
        finally:
            await restarted.close()
    finally:
        await client.close()
    minutes = [p.fix_time.minute for p in first.positions + second.positions]
    assert minutes == [10, 20, 25, 30]
    assert third.positions == [] and again.positions == []
    assert third.cursor["v:2018"] == "2024-05-01T12:30:00+00:00"


async def test_a_full_page_says_more_and_the_rest_follows(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [fix(m) for m in range(30, 5, -1)]  # 25 fixes, newest first
    client = client_for(server, clock, page_size=10)
    seen: list[int] = []
    cursor = None
    try:
        for _ in range(5):
            result = await client.poll(cursor)
            seen += [p.fix_time.minute for p in result.positions]
            cursor = result.cursor
            if not result.more:
                break
    finally:
        await client.close()
    assert seen == list(range(6, 31))


async def test_vehicles_are_polled_in_turns(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history = {"2018": [fix(10)], "T 7/b": [fix(11, VehicleNumber="T 7/b")]}
    client = client_for(server, clock, vehicles_per_poll=1)
    try:
        first = await client.poll(None)
        second = await client.poll(first.cursor)
        third = await client.poll(second.cursor)
    finally:
        await client.close()
    assert [p.unique_id for p in first.positions] == ["2018"] and first.more
    assert [p.unique_id for p in second.positions] == ["T 7/b"] and not second.more
    assert third.positions == []  # back to the first vehicle, nothing new
    # a vehicle number is one path segment, whatever it holds
    assert "/rad/v1/vehicles/T%207%2Fb/status/history" in {r[0] for r in fake.requests}


async def test_an_unreadable_cursor_reads_as_a_fresh_start(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [fix(10)]
    cursor: Any = {"v:2018": "not a time", "v:gone": "2024-05-01T12:00:00+00:00", "offset": 7}
    client = client_for(server, clock)
    try:
        result = await client.poll(cursor)
    finally:
        await client.close()
    assert [p.fix_time.minute for p in result.positions] == [10]
    assert "v:gone" not in result.cursor and result.cursor["offset"] == "0"


async def test_a_long_gap_is_crossed_window_by_window(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    cursor = {"v:2018": "2024-04-28T12:00:00+00:00", "v:T 7/b": "2024-04-30T13:00:00+00:00"}
    fake.history["2018"] = [fix(10)]
    client = client_for(server, clock, max_window_hours=24)
    minutes: list[int] = []
    try:
        for _ in range(6):
            result = await client.poll(cursor)
            minutes += [p.fix_time.minute for p in result.positions]
            cursor = result.cursor
            if not result.more:
                break
    finally:
        await client.close()
    assert minutes == [10]
    assert not result.more


async def test_malformed_records_are_skipped_and_counted_once(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [
        fix(10),
        fix(11, Latitude="33.7"),  # wrong type
        fix(12, Speed=-5),
        fix(13, Latitude=None),
        fix(14, UpdateUtc="yesterday"),  # no readable time: counted whenever seen
        "not an object",
        fix(15, Heading="sideways"),
        fix(16, IgnitionStatus=3),
        fix(17),
        fix(18, Latitude=0.0, Longitude=0.0),
    ]
    client = client_for(server, clock)
    try:
        first = await client.poll(None)
        clock.advance(60)
        second = await client.poll(first.cursor)
    finally:
        await client.close()
    assert [p.fix_time.minute for p in first.positions] == [10, 17]
    assert first.skipped == 8
    assert first.skipped_reasons == {
        "bad_position": 1,
        "bad_speed": 1,
        "missing_position": 1,
        "bad_time": 1,
        "not_an_object": 1,
        "bad_heading": 1,
        "bad_ignition": 1,
        "no_fix": 1,
    }
    assert first.cursor["v:2018"] == "2024-05-01T12:18:00+00:00"
    assert second.positions == [] and second.skipped == 2  # only the two without a time


async def test_a_vehicle_refused_by_reveal_does_not_stop_the_others(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    del fake.history["T 7/b"]  # the fake answers 400, as Reveal does outside the data plan
    fake.history["2018"] = [fix(10)]
    client = client_for(server, clock)
    try:
        result = await client.poll(None)
    finally:
        await client.close()
    assert [p.unique_id for p in result.positions] == ["2018"]
    assert result.skipped_reasons == {"vehicle_refused": 1}


# ---- vendor failures ----


async def poll_error(server: FakeVerizonServer, clock: Clock, **settings: Any) -> ProviderError:
    client = client_for(server, clock, **settings)
    try:
        with pytest.raises(ProviderError) as caught:
            await client.poll(None)
    finally:
        await client.close()
    return caught.value


async def test_429_is_rate_limited_with_retry_after(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.faults.append(Fault("/rad", 429, b"{}", {"Retry-After": "7"}))
    error = await poll_error(server, clock)
    assert error.kind is ProblemKind.RATE_LIMITED and error.retry_after_s == 7


async def test_429_without_retry_after_waits_a_minute(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.faults.append(Fault("/cmd", 429, b"{}"))
    error = await poll_error(server, clock)
    assert error.kind is ProblemKind.RATE_LIMITED and error.retry_after_s == 60


async def test_an_html_502_is_unavailable(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.faults.append(Fault("/rad", 502, b"<html><body>Bad Gateway</body></html>"))
    error = await poll_error(server, clock)
    assert error.kind is ProblemKind.UNAVAILABLE and "502" in error.message


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html>Sign in</html>", "text/html"),
        (b"{not json", "application/json"),
        (b'{"Message": "an object, not a list"}', "application/json"),
    ],
)
async def test_an_unreadable_200_is_a_bad_response(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock, body: bytes, content_type: str
) -> None:
    fake.faults.append(Fault("/rad", 200, body, {"Content-Type": content_type}))
    error = await poll_error(server, clock)
    assert error.kind is ProblemKind.BAD_RESPONSE


async def test_an_html_token_answer_is_a_bad_response(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.faults.append(Fault("/token", 200, b"<html>maintenance</html>"))
    error = await poll_error(server, clock)
    assert error.kind is ProblemKind.BAD_RESPONSE


async def test_a_hang_times_out_as_unavailable(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.faults.append(Fault("/rad", 200, b"[]", hang_s=2.0))
    started = datetime.now(UTC)
    error = await poll_error(server, clock, request_timeout_s=0.3)
    assert error.kind is ProblemKind.UNAVAILABLE
    assert datetime.now(UTC) - started < timedelta(seconds=1.5)


async def test_a_refused_connection_is_unavailable(clock: Clock) -> None:
    client = VerizonConnectClient(
        VerizonConnectSettings(base_url="http://127.0.0.1:9", request_timeout_s=1),
        VerizonConnectCredentials(username="u", password="p", app_id="a"),
    )
    try:
        with pytest.raises(ProviderError) as caught:
            await client.check()
    finally:
        await client.close()
    assert caught.value.kind is ProblemKind.UNAVAILABLE


async def test_a_huge_answer_is_refused(
    fake: FakeVerizon, server: FakeVerizonServer, clock: Clock
) -> None:
    fake.history["2018"] = [fix(m % 60) for m in range(2000)]
    client = VerizonConnectClient(
        VerizonConnectSettings(base_url=server.base_url),
        VerizonConnectCredentials(
            username=fake.username, password=fake.password, app_id=fake.app_id
        ),
        utcnow=lambda: clock.now,
        max_response_bytes=64 * 1024,
    )
    try:
        with pytest.raises(ProviderError) as caught:
            await client.poll(None)
    finally:
        await client.close()
    assert caught.value.kind is ProblemKind.BAD_RESPONSE


# ---- the record mapper ----

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
field_names = st.sampled_from(
    [
        "UpdateUtc",
        "UpdateUTC",
        "Latitude",
        "Longitude",
        "Speed",
        "Heading",
        "Direction",
        "OdometerInKM",
        "Odometer",
        "EngineHours",
        "IgnitionStatus",
        "DisplayState",
        "DriverNumber",
        "BatteryLevel",
        "SpeedMilesPerHour",
    ]
) | st.text(max_size=12)


@settings(max_examples=300, deadline=None)
@given(record=st.dictionaries(field_names, json_values, max_size=10))
def test_the_mapper_reads_or_rejects_any_json_object(record: dict[str, Any]) -> None:
    try:
        position = position_from_record(record, "V1", "mph")
    except RecordRejected as rejected:
        reason = rejected.reason
        assert reason  # any JSON object: a reason, never another exception
        return
    assert -90 <= position.latitude <= 90 and -180 <= position.longitude <= 180
    assert position.fix_time.tzinfo is not None
    assert position.speed_kmh is None or 0 <= position.speed_kmh <= 1000
    assert position.course is None or 0 <= position.course < 360


@settings(max_examples=200, deadline=None)
@given(
    latitude=st.floats(-90, 90).filter(lambda v: v != 0),
    longitude=st.floats(-180, 180),
    speed_mph=st.floats(0, 300),
    heading=st.integers(0, 359),
    odometer_km=st.floats(0, 2_000_000),
    moment=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1)),
)
def test_the_mapper_converts_units_of_a_valid_record(
    latitude: float,
    longitude: float,
    speed_mph: float,
    heading: int,
    odometer_km: float,
    moment: datetime,
) -> None:
    record = {
        "UpdateUTC": moment.isoformat(),
        "Latitude": latitude,
        "Longitude": longitude,
        "Speed": speed_mph,
        "Heading": heading,
        "OdometerInKM": odometer_km,
    }
    position = position_from_record(record, "V1", "mph")
    assert position.fix_time == moment.replace(tzinfo=UTC)
    assert (position.latitude, position.longitude) == (latitude, longitude)
    assert position.speed_kmh is not None
    assert math.isclose(position.speed_kmh, speed_mph * MPH_TO_KMH, abs_tol=0.001)
    assert position.course == heading
    assert position.odometer_m is not None
    assert math.isclose(position.odometer_m, odometer_km * 1000, abs_tol=0.1)
