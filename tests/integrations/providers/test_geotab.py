"""The Geotab adapter, through the real ``mygeotab`` client, against a fake MyGeotab on
127.0.0.1 built from the documented payloads: one sign-in for many polls, one more when the
session ends, the server ``path`` followed, cursor resume, full pages, diagnostics and faults
mapped with their units, errors in plain words, and the password kept out of every message."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from fleetyard.integrations.providers.base import PollResult, ProblemKind, ProviderError
from fleetyard.integrations.providers.geotab import (
    FEED_TYPES,
    PROVIDER,
    GeotabClient,
    GeotabCredentials,
    GeotabSettings,
    Timeouts,
    endpoint_url,
    followed_endpoint,
    quota_period_s,
)
from fleetyard.integrations.providers.geotab_records import DeviceMemory, RecordCollector
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from tests.integrations.providers.fake_geotab import (
    DATABASE,
    PASSWORD,
    USERNAME,
    FakeGeotab,
    Fault,
    geotab_error,
    serving,
    vendor_json,
)

B3_LAST_KNOWN = {
    "device": {"id": "b3"},
    "latitude": 45.5017,
    "longitude": -73.5673,
    "dateTime": "2024-05-01T12:06:00.000Z",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def make_client(address: str, password: str = PASSWORD, **settings: Any) -> GeotabClient:
    return GeotabClient(
        GeotabSettings(server=f"http://{address}", database=DATABASE, **settings),
        GeotabCredentials(username=USERNAME, password=SecretStr(password)),
        Timeouts(total_s=1.0),
    )


@pytest.fixture
def fake() -> FakeGeotab:
    return FakeGeotab.documented()


@pytest.fixture
async def address(fake: FakeGeotab) -> AsyncIterator[str]:
    async with serving(fake) as served:
        yield served


@pytest.fixture
def client(address: str) -> GeotabClient:
    return make_client(address)


def by_key(result: PollResult) -> dict[tuple[str, datetime], Position]:
    return {(p.unique_id, p.fix_time): p for p in result.positions}


# -- sign-in and session ---------------------------------------------------------------------


async def test_one_sign_in_serves_many_polls(fake: FakeGeotab, client: GeotabClient) -> None:
    cursor: dict[str, str] | None = None
    for _ in range(4):
        cursor = (await client.poll(cursor)).cursor
    await client.check()
    await client.vehicles()
    assert len(fake.methods("Authenticate")) == 1
    sessions = {c["credentials"]["sessionId"] for c in fake.methods("ExecuteMultiCall")}
    assert sessions == {"SYNTHETIC-SESSION-0001"}


async def test_an_ended_session_signs_in_once_more_and_the_poll_succeeds(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    first = await client.poll(None)
    fake.expire_sessions()
    second = await client.poll(first.cursor)
    assert len(fake.methods("Authenticate")) == 2
    assert second.cursor == first.cursor  # nothing new, nothing lost


async def test_a_session_refused_even_after_signing_in_again_is_rejected_credentials(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    await client.check()
    invalid = vendor_json("error_invalid_user")
    fake.fail_next(Fault(rpc=invalid), Fault(rpc=invalid))  # the call, then its retry
    with pytest.raises(ProviderError) as caught:
        await client.check()
    assert caught.value.kind is ProblemKind.CREDENTIALS_REJECTED
    assert len(fake.methods("Authenticate")) == 2  # once at first, once more: no storm


async def test_sign_ins_are_held_back_within_geotabs_limit(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    kinds = []
    for _ in range(6):
        fake.expire_sessions()
        try:
            await client.check()
            kinds.append("ok")
        except ProviderError as problem:
            kinds.append(problem.kind.value)
    assert len(fake.methods("Authenticate")) <= 3
    assert kinds[-1] == ProblemKind.RATE_LIMITED.value


async def test_a_wrong_password_is_rejected_credentials_and_never_shown(
    fake: FakeGeotab, address: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-secret-4471"
    geotab = make_client(address, password=wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError) as caught:
        await geotab.poll(None)
    assert caught.value.kind is ProblemKind.CREDENTIALS_REJECTED
    assert "refused the user name or password" in caught.value.message
    assert wrong not in str(caught.value) and wrong not in repr(geotab)
    assert wrong not in caplog.text and PASSWORD not in caplog.text
    assert len(fake.methods("Authenticate")) == 1


async def test_the_servers_path_is_followed(fake: FakeGeotab, address: str) -> None:
    async with serving(fake) as database_server:
        fake.path = database_server
        geotab = make_client(address)
        await geotab.poll(None)
        await geotab.check()
    entry_port, database_port = int(address.split(":")[1]), int(database_server.split(":")[1])
    ports = {method: port for port, method, _ in fake.calls}
    assert ports["Authenticate"] == entry_port
    assert ports["ExecuteMultiCall"] == database_port
    assert ports["GetCountOf"] == database_port


def test_the_path_may_not_leave_geotabs_domain() -> None:
    here = endpoint_url("my.geotab.com")
    assert followed_endpoint(here, "my37.geotab.com") == "https://my37.geotab.com/apiv1"
    assert followed_endpoint(here, "ThisServer") == here
    with pytest.raises(ProviderError):
        followed_endpoint(here, "evil.example.com")


# -- the feeds and their cursors -------------------------------------------------------------


async def test_one_multicall_reads_the_three_feeds_from_their_versions(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    first = await client.poll(None)
    assert set(first.cursor) == set(FEED_TYPES)
    await client.poll(first.cursor)
    calls = fake.methods("ExecuteMultiCall")
    feeds = [c for c in calls if c["calls"][0]["method"] == "GetFeed"]
    assert [c["params"]["typeName"] for c in feeds[0]["calls"]] == list(FEED_TYPES)
    assert all("search" in c["params"] for c in feeds[0]["calls"])  # a new connection
    assert [c["params"]["fromVersion"] for c in feeds[1]["calls"]] == [
        first.cursor[name] for name in FEED_TYPES
    ]


async def test_resume_from_the_cursor_reads_each_record_once(
    fake: FakeGeotab, address: str
) -> None:
    seen: list[tuple[str, datetime]] = []
    cursor: dict[str, str] | None = None
    polls = 0
    while True:
        # a new client each time: only the cursor carries over, as after a restart
        result = await make_client(address, results_limit=2).poll(cursor)
        polls += 1
        seen.extend((p.unique_id, p.fix_time) for p in result.positions if p.speed_kmh is not None)
        cursor = result.cursor
        if not result.more:
            break
    fixes = [(r["device"]["id"], at(r["dateTime"])) for r in fake.feeds["LogRecord"]]
    assert sorted(seen) == sorted(fixes)
    assert len(seen) == len(set(seen))
    assert polls == 4  # 7 readings at 2 a page: 2 + 2 + 2 + 1


async def test_a_full_page_says_more(fake: FakeGeotab, address: str) -> None:
    result = await make_client(address, results_limit=3).poll(None)
    assert result.more  # three LogRecords: the page was full
    rest = await make_client(address, results_limit=3).poll(result.cursor)
    assert rest.more  # StatusData has seven
    emptier = await make_client(address, results_limit=50).poll(None)
    assert not emptier.more


# -- mapping ---------------------------------------------------------------------------------


async def test_log_records_become_positions(client: GeotabClient) -> None:
    positions = by_key(await client.poll(None))
    fix = positions[("b1", at("2024-05-01T12:00:31Z"))]
    assert (fix.latitude, fix.longitude, fix.speed_kmh) == (43.4521179, -79.6791611, 61.5)
    assert fix.protocol == "geotab"
    assert positions[("b2C", at("2024-05-01T12:00:05Z"))].speed_kmh == 0


async def test_diagnostics_are_mapped_with_their_units(client: GeotabClient) -> None:
    positions = by_key(await client.poll(None))
    engine = positions[("b1", at("2024-05-01T12:00:02Z"))]
    assert engine.attributes[attr.RPM] == 1843.25
    assert engine.attributes[attr.COOLANT_TEMP_C] == 88
    # a reading without a fix of its own takes the device's nearest fix
    assert (engine.latitude, engine.longitude) == (43.4503994, -79.6829529)
    assert engine.speed_kmh is None
    odometer = positions[("b1", at("2024-05-01T12:00:03Z"))]
    assert odometer.attributes[attr.FUEL_LEVEL_PCT] == pytest.approx(62.35294)
    assert odometer.odometer_m == 123456789.0
    assert odometer.attributes[attr.ENGINE_HOURS] == pytest.approx(1231.0)  # 4,431,600 s
    assert positions[("b1", at("2024-05-01T11:58:40Z"))].ignition is True
    voltage = positions[("b2C", at("2024-05-01T12:00:05Z"))]
    assert voltage.attributes[attr.POWER_V] == 13.9
    assert voltage.speed_kmh == 0  # merged into the LogRecord of the same instant


async def test_a_bus_diagnostic_is_resolved_once_and_mapped_by_its_unit(
    fake: FakeGeotab, address: str
) -> None:
    reading = {
        "data": 91,
        "dateTime": "2024-05-01T12:00:31.000Z",
        "device": {"id": "b1"},
        "diagnostic": {"id": "aSYNTHspn110xxxxxxxxxx"},
        "id": "b15C1",
    }
    later = {**reading, "id": "b15C2", "data": 92, "dateTime": "2024-05-01T12:00:41.000Z"}
    fake.feeds["StatusData"] = [reading, later]
    geotab = make_client(address, results_limit=1)
    first = by_key(await geotab.poll(None))
    second = by_key(await geotab.poll({"StatusData": "0000000000000001"}))
    assert first[("b1", at("2024-05-01T12:00:31Z"))].attributes[attr.COOLANT_TEMP_C] == 91
    assert second[("b1", at("2024-05-01T12:00:41Z"))].attributes[attr.COOLANT_TEMP_C] == 92
    lookups = [c for c in fake.methods("ExecuteMultiCall") if c["calls"][0]["method"] == "Get"]
    diagnostic_lookups = [c for c in lookups if c["calls"][0]["params"]["typeName"] == "Diagnostic"]
    assert len(diagnostic_lookups) == 1  # cached


async def test_fault_data_becomes_dtcs(fake: FakeGeotab, client: GeotabClient) -> None:
    fake.device_status = [B3_LAST_KNOWN]
    positions = by_key(await client.poll(None))
    obd = positions[("b1", at("2024-05-01T12:05:00Z"))]
    assert obd.attributes[attr.DTCS] == ["P0420"]
    assert obd.attributes[attr.EXTRAS]["check_engine_light"] is True
    j1939 = positions[("b3", at("2024-05-01T12:07:30Z"))]
    assert j1939.attributes[attr.DTCS] == ["SPN 110 FMI 0"]


async def test_readings_of_a_device_without_a_fix_take_its_last_known_place(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    fake.device_status = [B3_LAST_KNOWN]
    positions = by_key(await client.poll(None))
    j1939 = positions[("b3", at("2024-05-01T12:07:30Z"))]  # b3 sent no LogRecord
    assert (j1939.latitude, j1939.longitude) == (45.5017, -73.5673)


async def test_readings_with_no_place_at_all_are_skipped_and_counted(
    client: GeotabClient,
) -> None:
    result = await client.poll(None)
    assert result.skipped_reasons == {"no_location": 1}  # b3's fault: Geotab knows no place


async def test_a_malformed_record_is_skipped_and_counted_not_the_page(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    fake.feeds["LogRecord"] += [
        "not a record",
        {"dateTime": "2024-05-01T12:01:00Z", "latitude": 1, "longitude": 2},  # no device
        {"device": {"id": "b1"}, "dateTime": "yesterday", "latitude": 1, "longitude": 2},
        {
            "device": {"id": "b1"},
            "dateTime": "2024-05-01T12:02:00Z",
            "latitude": 95,
            "longitude": 2,
        },
    ]
    fake.feeds["StatusData"].append(
        {
            "data": "hot",
            "dateTime": "2024-05-01T12:03:00Z",
            "device": {"id": "b1"},
            "diagnostic": {"id": "DiagnosticEngineCoolantTemperatureId"},
        }
    )
    result = await client.poll(None)
    assert result.skipped_reasons == {
        "bad_record": 1,
        "bad_device": 1,
        "bad_time": 1,
        "bad_location": 1,
        "bad_value": 1,
        "no_location": 1,
    }
    assert result.skipped == 6
    assert len([p for p in result.positions if p.speed_kmh is not None]) == 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=5),
            st.dictionaries(
                st.sampled_from(
                    ["device", "dateTime", "latitude", "longitude", "speed", "data", "diagnostic"]
                ),
                st.one_of(
                    st.none(),
                    st.booleans(),
                    st.floats(allow_nan=True),
                    st.text(max_size=30),
                    st.just({"id": "b1"}),
                    st.just("2024-05-01T12:00:00Z"),
                ),
            ),
        ),
        max_size=10,
    )
)
def test_any_record_is_read_or_skipped_never_an_exception(records: list[Any]) -> None:
    collector = RecordCollector({"b1": DeviceMemory()})
    collector.add_log_records(records)
    collector.add_status_data(records, {})
    collector.add_fault_data(records, {}, {})
    mapped = collector.finish()
    for position in mapped.positions:
        assert -90 <= position.latitude <= 90 and -180 <= position.longitude <= 180


# -- vehicles and check ----------------------------------------------------------------------


async def test_vehicles_are_the_accounts_devices(client: GeotabClient) -> None:
    vehicles = {v.vendor_id: v for v in await client.vehicles()}
    truck = vehicles["b1"]
    assert (truck.name, truck.serial, truck.vin, truck.plate) == (
        "Truck 12",
        "G9A1B2C3D4E5",
        "1FTFW1ET5DFC10312",
        "ABCD 123",
    )
    assert set(vehicles) == {"b1", "b2C", "b3"}


async def test_check_counts_devices(client: GeotabClient) -> None:
    found = await client.check()
    assert found.vehicles == 3
    assert "3 devices" in found.message


# -- errors in plain words -------------------------------------------------------------------


async def test_over_limit_is_rate_limited_for_the_quotas_period(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    fake.fail_next(Fault(rpc=vendor_json("error_over_limit")))
    with pytest.raises(ProviderError) as caught:
        await client.poll(None)
    assert caught.value.kind is ProblemKind.RATE_LIMITED
    assert caught.value.retry_after_s == 60
    assert "quota" in caught.value.message


def test_quota_periods() -> None:
    assert quota_period_s("Maximum admitted 10 per 1m.") == 60
    assert quota_period_s("Maximum admitted 1000 per 1h") == 3600
    assert quota_period_s("no period said") == 60


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        (Fault(rpc=vendor_json("error_results_limit")), ProblemKind.BAD_RESPONSE, "page size"),
        (
            Fault(body=b"<html>Service Unavailable</html>", status=503, content_type="text/html"),
            ProblemKind.UNAVAILABLE,
            "HTTP 503",
        ),
        (
            Fault(body=b"<html>maintenance</html>", content_type="text/html"),
            ProblemKind.BAD_RESPONSE,
            "not",
        ),
        (Fault(body=b'{"result": [1, 2'), ProblemKind.BAD_RESPONSE, "JSON-RPC"),
        (Fault(body=b'{"error": {"message": "x"}}'), ProblemKind.BAD_RESPONSE, "JSON-RPC"),
        (Fault(body=b'{"result": {"data": "x"}}'), ProblemKind.BAD_RESPONSE, "feed"),
        (Fault(hang_s=3.0), ProblemKind.UNAVAILABLE, "in time"),
        (
            Fault(rpc=geotab_error("DbUnavailableException", "Database is being moved")),
            ProblemKind.UNAVAILABLE,
            "unavailable",
        ),
    ],
)
async def test_vendor_failures_are_plain_words(
    fake: FakeGeotab, client: GeotabClient, fault: Fault, kind: ProblemKind, words: str
) -> None:
    await client.check()  # signed in: the fault hits the feed call
    fake.fail_next(fault)
    with pytest.raises(ProviderError) as caught:
        await client.poll(None)
    assert caught.value.kind is kind
    assert words in caught.value.message
    assert PASSWORD not in caught.value.message


async def test_an_unreachable_server_is_unavailable() -> None:
    geotab = make_client("127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(ProviderError) as caught:
        await geotab.check()
    assert caught.value.kind is ProblemKind.UNAVAILABLE


async def test_the_password_travels_only_in_authenticate(
    fake: FakeGeotab, client: GeotabClient
) -> None:
    await client.poll(None)
    await client.vehicles()
    carrying = [body for body in fake.bodies if PASSWORD.encode() in body]
    assert len(carrying) == 1 and b'"Authenticate"' in carrying[0]


# -- settings and the registry ---------------------------------------------------------------


def test_settings_keep_production_on_https() -> None:
    assert GeotabSettings(database="d").server == "my.geotab.com"
    assert endpoint_url("my.geotab.com") == "https://my.geotab.com/apiv1"
    assert endpoint_url("https://my3.geotab.com/apiv1") == "https://my3.geotab.com/apiv1"
    assert endpoint_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/apiv1"
    for bad in ["http://my.geotab.com", "ftp://x", "my.geotab.com/other", "a b", "x:y"]:
        with pytest.raises(ValidationError):
            GeotabSettings(server=bad, database="d")
    with pytest.raises(ValidationError):
        GeotabSettings(database="d", results_limit=50_001)


def test_the_registry_finds_geotab(address: str) -> None:
    spec = provider(ProviderName.GEOTAB)
    assert spec is PROVIDER and spec.name == "geotab"
    client = spec.connect(
        GeotabSettings(server=f"http://{address}", database=DATABASE),
        GeotabCredentials(username=USERNAME, password=SecretStr(PASSWORD)),
    )
    assert isinstance(client, GeotabClient)
    assert PASSWORD not in repr(client)
