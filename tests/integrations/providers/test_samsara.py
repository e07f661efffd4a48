"""The Samsara adapter against a fake Samsara on 127.0.0.1 built from the documented payloads:
cursor resume, each stat's mapping and units, skip-and-count, errors in plain words, and the
token kept out of every message and log line."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from fleetyard.integrations.providers.base import PollResult, ProblemKind, ProviderError
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.integrations.providers.samsara import (
    FEED_GROUPS,
    PROVIDER,
    SamsaraClient,
    SamsaraCredentials,
    SamsaraSettings,
    Timeouts,
    read_page,
)
from fleetyard.integrations.providers.samsara_stats import StatsCollector
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from tests.integrations.providers.fake_samsara import (
    TOKEN,
    FakeSamsara,
    Fault,
    serving,
    vendor_json,
)

FEED = "/fleet/vehicles/stats/feed"
LITTLE_RED, BIG_RED = "281474977075805", "212014918732717"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def fake() -> FakeSamsara:
    return FakeSamsara(
        feed_pages=[
            vendor_json("vehicle_stats_feed_page1"),
            vendor_json("vehicle_stats_feed_page2"),
        ]
    )


@pytest.fixture
async def client(fake: FakeSamsara) -> AsyncIterator[SamsaraClient]:
    async with serving(fake) as base_url:
        samsara = SamsaraClient(
            SamsaraSettings(base_url=base_url),  # type: ignore[arg-type]
            SamsaraCredentials(api_token=SecretStr(TOKEN)),
            Timeouts(connect_s=1.0, read_s=0.5, total_s=1.0),
        )
        yield samsara
        await samsara.close()


def by_key(result: PollResult) -> dict[tuple[str, datetime], Position]:
    return {(p.unique_id, p.fix_time): p for p in result.positions}


# -- the feed and its cursor ---------------------------------------------------------------


async def test_resume_from_the_cursor_reads_each_record_once(
    fake: FakeSamsara, client: SamsaraClient
) -> None:
    first = await client.poll(None)
    assert first.more, "page 1 says hasNextPage"
    assert first.cursor == {group.key: "cursor-synthetic-0001" for group in FEED_GROUPS}
    assert all("after" not in params for _, params, _ in fake.requests)
    little_red = by_key(first)[(LITTLE_RED, at("2024-05-01T12:00:05.100Z"))]
    assert (little_red.latitude, little_red.longitude) == (37.7927, -122.4177)

    fake.requests.clear()
    second = await client.poll(first.cursor)
    assert {params["after"] for _, params, _ in fake.requests} == {"cursor-synthetic-0001"}
    assert not second.more
    assert set(second.cursor.values()) == {"cursor-synthetic-0002"}
    assert set(by_key(second)) == {
        (LITTLE_RED, at("2024-05-01T12:00:10.100Z")),
        (LITTLE_RED, at("2024-05-01T12:00:15.100Z")),
    }
    assert not set(by_key(first)) & set(by_key(second)), "no record twice"

    caught_up = await client.poll(second.cursor)
    assert caught_up.positions == [] and caught_up.cursor == second.cursor


async def test_requests_ask_for_three_types_at_most_with_the_bearer_token(
    fake: FakeSamsara, client: SamsaraClient
) -> None:
    await client.poll(None)
    asked = [params["types"].split(",") for path, params, _ in fake.requests if path == FEED]
    assert all(len(types) <= 3 for types in asked)
    wanted = {"gps", "engineCoolantTemperatureMilliC", "fuelPercents", "obdOdometerMeters"}
    assert wanted | {"engineRpm", "faultCodes"} <= {t for types in asked for t in types}
    assert {auth for _, _, auth in fake.requests} == {f"Bearer {TOKEN}"}


async def test_a_fresh_client_resumes_from_a_stored_cursor(fake: FakeSamsara) -> None:
    """The runner stores the cursor; a new process (after a crash) resumes from it."""
    async with serving(fake) as base_url:
        settings_ = SamsaraSettings(base_url=base_url)  # type: ignore[arg-type]
        credentials = SamsaraCredentials(api_token=SecretStr(TOKEN))
        before = PROVIDER.connect(settings_, credentials)
        first = await before.poll(None)
        await before.close()
        after = PROVIDER.connect(settings_, credentials)
        second = await after.poll(dict(first.cursor))
        await after.close()
    times = [p.fix_time for p in second.positions]
    assert times == [at("2024-05-01T12:00:10.100Z"), at("2024-05-01T12:00:15.100Z")]


# -- mapping --------------------------------------------------------------------------------


async def test_gps_engine_state_and_odometer(client: SamsaraClient) -> None:
    positions = by_key(await client.poll(None))
    moving = positions[(LITTLE_RED, at("2024-05-01T12:00:05.100Z"))]
    assert moving.speed_kmh == pytest.approx(24.8 * 1.609344, abs=1e-3)
    assert moving.course == 270.0
    assert moving.ignition is True, "the engine state reported at 11:58:40 still holds"
    assert moving.protocol == "samsara" and moving.valid
    assert "formattedLocation" not in str(moving.attributes), "reverse geocoding is ignored"
    odometer = positions[(LITTLE_RED, at("2024-05-01T12:00:03Z"))]
    assert odometer.odometer_m == 123456789
    parked = positions[(BIG_RED, at("2024-05-01T11:59:58Z"))]
    assert (parked.speed_kmh, parked.ignition) == (0.0, False)


async def test_engine_readings_in_units_at_the_decorated_place(fake: FakeSamsara) -> None:
    engine = vendor_json("vehicle_stats_feed_engine")
    for stat in ("engineCoolantTemperatureMilliC", "engineRpm", "fuelPercents"):
        for point in engine["data"][0][stat]:
            point["decorations"] = {"gps": {"latitude": 60.17, "longitude": 24.94}}
    fake.feed_pages = [engine]
    async with serving(fake) as base_url:
        samsara = SamsaraClient(
            SamsaraSettings(base_url=base_url),  # type: ignore[arg-type]
            SamsaraCredentials(api_token=SecretStr(TOKEN)),
        )
        positions = by_key(await samsara.poll(None))
        await samsara.close()
    merged = positions[(LITTLE_RED, at("2024-05-01T12:00:02Z"))]
    assert merged.attributes == {attr.COOLANT_TEMP_C: 88.0, attr.RPM: 1843.0}
    assert (merged.latitude, merged.longitude) == (60.17, 24.94)
    assert positions[(LITTLE_RED, at("2024-05-01T12:01:02Z"))].attributes == {
        attr.COOLANT_TEMP_C: 90.0
    }
    fuel = positions[(LITTLE_RED, at("2024-05-01T12:00:03Z"))]
    assert fuel.attributes == {attr.FUEL_LEVEL_PCT: 62.0}


def mapped(*records: Any, memory: dict[str, Any] | None = None) -> StatsCollector:
    collector = StatsCollector({} if memory is None else memory)
    collector.add_records(copy.deepcopy(list(records)))
    return collector


def test_fault_codes_become_our_dtc_list() -> None:
    page = vendor_json("vehicle_stats_feed_faultcodes")
    gps = vendor_json("vehicle_stats_feed_page1")["data"]  # both vehicles' fixes
    result = mapped(*gps, *page["data"]).finish()
    faults = {p.unique_id: p for p in result.positions if attr.DTCS in p.attributes}
    obd = faults[LITTLE_RED].attributes
    assert obd[attr.DTCS] == ["P0420"], "confirmed codes; pending ones are not faults yet"
    assert obd[attr.EXTRAS] == {"check_engine_light": True, "pending_dtcs": ["P0301"]}
    j1939 = faults[BIG_RED].attributes
    assert j1939[attr.DTCS] == ["SPN 110 FMI 0"]
    assert j1939[attr.EXTRAS]["check_engine_light"] is True
    assert faults[BIG_RED].latitude == 37.3823, "at the vehicle's known place"


def test_a_dtc_without_short_code_is_decoded_from_its_id() -> None:
    record = {
        "id": "1",
        "faultCodes": [
            {
                "time": "2024-05-01T12:00:00Z",
                "decorations": {"gps": {"latitude": 1.0, "longitude": 2.0}},
                "obdii": {
                    "diagnosticTroubleCodes": [
                        {"confirmedDtcs": [{"dtcId": 0x4123}, {"dtcId": 0xC100}, {"dtcId": 0}]}
                    ]
                },
            }
        ],
    }
    (position,) = mapped(record).finish().positions
    assert position.attributes[attr.DTCS] == ["C0123", "U0100"]


def test_snapshot_stats_and_decorations() -> None:
    snapshot = vendor_json("vehicle_stats_snapshot_multi")["data"][0]
    snapshot["gps"] = {"time": "2024-05-01T12:00:02Z", "latitude": 37.79, "longitude": -122.41}
    positions = {p.fix_time: p for p in mapped(snapshot).finish().positions}
    engine = positions[at("2024-05-01T12:00:03Z")]
    assert engine.attributes[attr.ENGINE_HOURS] == pytest.approx(4431600 / 3600)
    assert engine.attributes[attr.FUEL_LEVEL_PCT] == 62
    assert engine.odometer_m == 123456789
    decorated = vendor_json("vehicle_stats_feed_decorated")["data"][0]
    (position,) = mapped(decorated).finish().positions
    assert (position.latitude, position.longitude, position.course) == (37.7927, -122.4177, 90.0)
    assert position.ignition is True and position.attributes == {attr.FUEL_LEVEL_PCT: 63}


def test_battery_voltage_in_volts() -> None:
    record = {
        "id": "7",
        "gps": [{"time": "2024-05-01T12:00:00Z", "latitude": 1.0, "longitude": 2.0}],
        "batteryMilliVolts": [{"time": "2024-05-01T12:00:00Z", "value": 12650}],
    }
    (position,) = mapped(record).finish().positions
    assert position.attributes == {attr.POWER_V: pytest.approx(12.65)}


# -- bad records ----------------------------------------------------------------------------


async def test_unreadable_records_are_skipped_and_counted_not_the_page(
    fake: FakeSamsara, client: SamsaraClient
) -> None:
    page = vendor_json("vehicle_stats_feed_page1")
    page["data"] += [
        {"name": "no id", "gps": [{"time": "2024-05-01T12:00:00Z", "latitude": 1, "longitude": 1}]},
        {
            "id": "99",
            "gps": [
                {"time": "2024-05-01T12:00:00Z", "latitude": "north", "longitude": 1},
                {"time": "yesterday", "latitude": 1, "longitude": 1},
                {"time": "2024-05-01T12:00:01Z", "latitude": 95.0, "longitude": 1},
                "not a point",
                {"time": "2024-05-01T12:00:02Z", "latitude": 60.0, "longitude": 25.0},
            ],
            "engineRpm": [{"time": "2024-05-01T12:00:02Z", "value": "fast"}],
            "fuelPercents": 5,
        },
        {"id": "100", "engineRpm": [{"time": "2024-05-01T12:00:02Z", "value": 900}]},
    ]
    fake.feed_pages = [page]
    result = await client.poll(None)
    assert result.skipped == sum(result.skipped_reasons.values())
    assert result.skipped_reasons == {
        "bad_vehicle": 1,
        "bad_location": 2,
        "bad_time": 1,
        "bad_point": 1,
        "bad_value": 1,
        "bad_stat_list": 1,
        "no_location": 1,  # vehicle 100 has no fix yet anywhere
    }
    keys = by_key(result)
    assert ("99", at("2024-05-01T12:00:02Z")) in keys
    assert len({k for k in keys if k[0] in {LITTLE_RED, BIG_RED}}) == 5, "the rest is whole"


# -- errors ---------------------------------------------------------------------------------

ERRORS = [
    (
        Fault(401, b'{"message": "Unauthorized"}'),
        ProblemKind.CREDENTIALS_REJECTED,
        "Samsara refused the API token",
    ),
    (
        Fault(429, b'{"message": "Rate limit exceeded"}', headers={"Retry-After": "7"}),
        ProblemKind.RATE_LIMITED,
        "Samsara's rate limit was reached: retrying in 7 s",
    ),
    (
        Fault(502, b"<html><body>Bad Gateway</body></html>", "text/html"),
        ProblemKind.UNAVAILABLE,
        "Samsara is unavailable (HTTP 502)",
    ),
    (
        Fault(200, b"<html><body>Maintenance</body></html>", "text/html"),
        ProblemKind.BAD_RESPONSE,
        "Samsara answered with a web page instead of data",
    ),
    (
        Fault(200, b'{"data": [{"id": '),
        ProblemKind.BAD_RESPONSE,
        "Samsara answered something that is not JSON",
    ),
    (
        Fault(200, b'{"data": {"id": "1"}, "pagination": {}}'),
        ProblemKind.BAD_RESPONSE,
        "Samsara's vehicle stats answer has no list of data",
    ),
    (
        Fault(200, b'{"data": [], "pagination": {"endCursor": 5, "hasNextPage": "no"}}'),
        ProblemKind.BAD_RESPONSE,
        "Samsara's vehicle stats answer has an unreadable pagination",
    ),
    (
        Fault(400, b'{"message": "Invalid stat type"}'),
        ProblemKind.BAD_RESPONSE,
        "Samsara refused the request (HTTP 400): Invalid stat type",
    ),
    (Fault(hang_s=5.0), ProblemKind.UNAVAILABLE, "Samsara did not answer in time"),
]


@pytest.mark.parametrize(("fault", "kind", "message"), ERRORS)
async def test_errors_in_plain_words_without_the_token(
    fake: FakeSamsara,
    client: SamsaraClient,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    kind: ProblemKind,
    message: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next(FEED, fault)
    started = time.monotonic()
    with pytest.raises(ProviderError) as raised:
        await client.poll(None)
    assert time.monotonic() - started < 3, "timeouts bound every request"
    assert (raised.value.kind, raised.value.message) == (kind, message)
    if kind is ProblemKind.RATE_LIMITED:
        assert raised.value.retry_after_s == 7
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text
    assert TOKEN not in repr(raised.value.__cause__)
    # the next poll works: one failure doesn't break the client
    assert (await client.poll(None)).positions


async def test_a_rejected_token_is_a_credentials_problem(fake: FakeSamsara) -> None:
    async with serving(fake) as base_url:
        samsara = SamsaraClient(
            SamsaraSettings(base_url=base_url),  # type: ignore[arg-type]
            SamsaraCredentials(api_token=SecretStr("wrong-token")),
        )
        with pytest.raises(ProviderError) as raised:
            await samsara.check()
        await samsara.close()
    assert raised.value.kind is ProblemKind.CREDENTIALS_REJECTED
    assert "wrong-token" not in raised.value.message


async def test_a_closed_port_is_unavailable() -> None:
    fake = FakeSamsara()
    async with serving(fake) as base_url:
        pass  # the server is gone: its port refuses connections
    samsara = SamsaraClient(
        SamsaraSettings(base_url=base_url),  # type: ignore[arg-type]
        SamsaraCredentials(api_token=SecretStr(TOKEN)),
    )
    with pytest.raises(ProviderError) as raised:
        await samsara.poll(None)
    await samsara.close()
    assert raised.value.kind is ProblemKind.UNAVAILABLE
    assert raised.value.message.startswith("Could not reach Samsara")


# -- vehicles and check ---------------------------------------------------------------------


async def test_vehicles_follow_pagination_and_check_counts_them(fake: FakeSamsara) -> None:
    first = vendor_json("vehicles_list")
    second = {
        "data": [
            {"id": "212014918732717", "name": "Big Red", "externalIds": {"samsara.vin": "V2"}},
            {"name": "no id"},
        ],
        "pagination": {"endCursor": "end", "hasNextPage": False},
    }
    fake.vehicle_pages = [first, second]
    async with serving(fake) as base_url:
        samsara = SamsaraClient(
            SamsaraSettings(base_url=base_url, tag_ids=["3914"], page_size=100),  # type: ignore[arg-type]
            SamsaraCredentials(api_token=SecretStr(TOKEN)),
        )
        vehicles = await samsara.vehicles()
        checked = await samsara.check()
        await samsara.close()
    little_red, big_red = vehicles
    assert (little_red.vendor_id, little_red.vin, little_red.serial, little_red.plate) == (
        LITTLE_RED,
        "SYNTH0000000000A1",
        "GSYNTH00001A",
        "SYN123",
    )
    assert (big_red.name, big_red.vin) == ("Big Red", "V2")
    assert checked.vehicles == 2 and "2 vehicles" in checked.message
    listed = [params for path, params, _ in fake.requests if path == "/fleet/vehicles"]
    assert listed[0] == {"limit": "100", "tagIds": "3914"}
    assert listed[1]["after"] == "MjkY"


# -- a huge page ----------------------------------------------------------------------------


async def test_a_page_of_50000_records(fake: FakeSamsara, client: SamsaraClient) -> None:
    # The other tests' one-second deadline is for hangs; sending this page alone can take
    # longer on a busy machine, and what is measured here is reading it whole.
    client = SamsaraClient(
        client.settings,
        SamsaraCredentials(api_token=SecretStr(TOKEN)),
        Timeouts(connect_s=5.0, read_s=20.0, total_s=20.0),
    )
    start = datetime(2024, 5, 1, tzinfo=UTC)
    data = [
        {
            "id": str(vehicle),
            "gps": [
                {
                    "time": (start + timedelta(seconds=5 * n)).isoformat(),
                    "latitude": 60.0 + n / 1000,
                    "longitude": 24.0 + vehicle / 10000,
                    "speedMilesPerHour": 30,
                }
                for n in range(10)
            ],
        }
        for vehicle in range(5000)
    ]
    fake.feed_pages = [{"data": data, "pagination": {"endCursor": "big", "hasNextPage": True}}]
    started = time.monotonic()
    try:
        result = await client.poll(None)
    finally:
        await client.close()
    assert len(result.positions) == 50_000 and result.skipped == 0 and result.more
    assert time.monotonic() - started < 20


# -- settings and registry ------------------------------------------------------------------


def test_settings_and_credentials() -> None:
    defaults = SamsaraSettings()
    assert str(defaults.base_url).rstrip("/") == "https://api.samsara.com"
    assert defaults.page_size == 512 and defaults.tag_ids == []
    with pytest.raises(ValidationError):
        SamsaraSettings(base_url="http://api.samsara.com")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SamsaraSettings(tag_ids=["1&types=x"])
    with pytest.raises(ValidationError):
        SamsaraSettings.model_validate({"page_size": 0})
    with pytest.raises(ValidationError):
        SamsaraCredentials.model_validate({"api_token": ""})
    credentials = SamsaraCredentials.model_validate({"api_token": TOKEN})
    assert TOKEN not in repr(credentials) and TOKEN not in str(credentials.model_dump())
    assert provider(ProviderName.SAMSARA) is PROVIDER and PROVIDER.name == "samsara"


# -- the mapper and the page reader on any JSON ---------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
points = st.fixed_dictionaries(
    {},
    optional={
        "time": st.sampled_from(["2024-05-01T12:00:00Z", "2024-05-01T12:00:01.5+02:00", "x"])
        | st.text(max_size=30),
        "value": json_values,
        "latitude": st.floats() | st.integers() | json_values,
        "longitude": st.floats() | st.integers() | json_values,
        "headingDegrees": json_values,
        "speedMilesPerHour": json_values,
        "obdii": json_values,
        "j1939": json_values,
        "decorations": json_values,
    },
)
stat_names = st.sampled_from(
    ["gps", "engineStates", "engineRpm", "faultCodes", "obdOdometerMeters", "fuelPercents"]
)
records = st.dictionaries(
    stat_names | st.just("id"), st.lists(points, max_size=4) | json_values, max_size=5
)


@settings(max_examples=300, deadline=None)
@given(st.lists(records | json_values, max_size=5))
def test_the_mapper_reads_any_json_without_raising(page: list[Any]) -> None:
    result = mapped(*page).finish()
    for position in result.positions:
        assert -90 <= position.latitude <= 90 and -180 <= position.longitude <= 180
        assert position.fix_time.tzinfo is not None
        assert position.speed_kmh is None or position.speed_kmh >= 0
    assert all(count > 0 for count in result.skipped.values())


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_the_page_reader_accepts_or_refuses_in_plain_words(body: Any) -> None:
    outcome: object
    try:
        outcome = read_page(body, "vehicle stats").records
    except ProviderError as error:
        outcome = error.kind
    assert outcome is ProblemKind.BAD_RESPONSE or isinstance(outcome, list)
