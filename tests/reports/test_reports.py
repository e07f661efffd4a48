"""Each report kind's figures against the rows the fixture wrote, each format parsed back,
two tenants isolated, bad input a 4xx."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.reports.conftest import PERIOD, ZONE, Fleet, build_fleet


async def report(
    client: httpx.AsyncClient, fleet: Fleet, kind: str, **params: Any
) -> httpx.Response:
    headers = fleet.tracked.tenant.as_(Role.VIEWER)
    return await client.get(f"/api/v1/reports/{kind}", params={**PERIOD, **params}, headers=headers)


async def test_daily_summary_sums_the_trips_per_local_day(
    live_client: httpx.AsyncClient, fleet: Fleet
) -> None:
    response = await report(live_client, fleet, "daily-summary")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["time_zone"] == ZONE
    rows = body["rows"]
    first = fleet.tracked.vehicle_id
    assert len(rows) == 3  # vehicle one on two local days, vehicle two on one
    total_km = sum(r["distance_km"] for r in rows)
    assert total_km == pytest.approx(sum(t["distance_m"] for t in fleet.trips) / 1000)
    # 21:30 UTC on 06-09 is 00:30 on 06-10 in Helsinki: the trip counts on the 10th
    days = sorted({r["day"] for r in rows})
    assert days == ["2026-06-10", "2026-06-11"]
    tenth = [r for r in rows if r["day"] == "2026-06-10" and r["trips"] == 2]
    assert len(tenth) == 1
    assert tenth[0]["distance_km"] == pytest.approx(42.75)
    assert tenth[0]["driving_min"] == pytest.approx(55)
    assert tenth[0]["idle_min"] == pytest.approx(7)
    assert tenth[0]["max_speed_kmh"] == pytest.approx(101.5)
    assert tenth[0]["fuel_used_l"] == pytest.approx(3.5)
    chart = {p["category"]: p["value"] for p in body["chart"]}
    assert chart["2026-06-10"] == pytest.approx(49.75) and chart["2026-06-11"] == 44.0
    one = await report(live_client, fleet, "daily-summary", vehicle_id=str(first))
    assert sum(r["trips"] for r in one.json()["rows"]) == 3


async def test_trips_stops_speeding_alerts(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    trips = (await report(live_client, fleet, "trips")).json()["rows"]
    assert [t["distance_km"] for t in trips] == [12.5, 7.0, 30.25, 44.0]
    assert trips[0]["started_at"].endswith("+03:00")  # shown in the tenant's zone
    stops = (await report(live_client, fleet, "stops")).json()["rows"]
    assert [s["duration_min"] for s in stops] == [15.0]
    speeding = (await report(live_client, fleet, "speeding")).json()["rows"]
    assert len(speeding) == 1 and speeding[0]["excess_kmh"] == 21.5
    alerts = (await report(live_client, fleet, "alerts")).json()
    assert len(alerts["rows"]) == 3
    assert {p["category"]: p["value"] for p in alerts["chart"]} == {
        "low_battery": 2,
        "offline": 1,
    }


async def test_geofence_visits_and_driver_scores(
    live_client: httpx.AsyncClient, fleet: Fleet
) -> None:
    visits = (await report(live_client, fleet, "geofence-visits")).json()
    assert [(v["geofence"], v["duration_min"]) for v in visits["rows"]] == [("Depot", 40.0)]
    assert visits["chart"] == [{"category": "Depot", "value": 1.0}]
    scores = (await report(live_client, fleet, "driver-scores")).json()["rows"]
    (aino,) = scores
    assert aino["driver"] == "Aino Driver" and aino["trips"] == 1
    assert aino["distance_km"] == 30.25 and aino["speeding"] == 1 and aino["harsh"] == 0
    # one medium speeding episode: 6 points per 100 km, 30 km counted as the 50 km floor
    assert aino["score"] == pytest.approx(88.0)
    alone = await report(live_client, fleet, "driver-scores", driver_id=str(fleet.driver_id))
    assert alone.json()["rows"] == scores


async def test_csv_streamed_with_a_header(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    response = await report(live_client, fleet, "trips", format="csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["Vehicle", "Started", "Ended", "Distance (km)"]
    assert [float(r[3]) for r in rows[1:]] == [12.5, 7.0, 30.25, 44.0]


async def test_xlsx_typed_cells_and_a_chart(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    response = await report(live_client, fleet, "daily-summary", format="xlsx")
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Daily summary"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Day"
    assert sum(row[3] for row in values[1:4]) == pytest.approx(93.75)
    assert isinstance(values[1][2], int)
    assert len(sheet._charts) == 1  # openpyxl keeps charts it loads only privately


async def test_pdf_with_pages(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    response = await report(live_client, fleet, "trips", format="pdf")
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")
    assert b"/Type /Page" in response.content


async def test_another_tenant_sees_none_of_it(
    live_client: httpx.AsyncClient, fleet: Fleet, app_database: Database, database_url: str
) -> None:
    other = await build_fleet(app_database, database_url, "reports-other")
    mine = (await report(live_client, fleet, "trips")).json()["rows"]
    theirs = (await report(live_client, other, "trips")).json()["rows"]
    assert len(mine) == len(theirs) == 4
    assert not {r["vehicle"] for r in mine} & {r["vehicle"] for r in theirs}
    foreign = await report(live_client, other, "trips", vehicle_id=str(fleet.tracked.vehicle_id))
    assert foreign.status_code == 200 and foreign.json()["rows"] == []


async def test_bad_windows_are_4xx(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    for params in (
        {"from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        {"from": "2026-06-02T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        {"from": "2026-06-01T00:00:00"},
        {"format": "docx"},
        {"vehicle_id": "nope"},
    ):
        response = await report(live_client, fleet, "trips", **params)
        assert response.status_code == 422, (params, response.text)
        assert "error" in response.json()
    assert (await report(live_client, fleet, "nonsense")).status_code == 422


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(["trips", "daily-summary", "driver-scores", "geofence-visits", "x"]),
    params=st.dictionaries(
        st.sampled_from(["from", "to", "vehicle_id", "group_id", "driver_id", "format"]),
        st.one_of(
            st.text(max_size=40),
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        ),
    ),
)
async def test_any_query_is_never_a_500(
    live_client: httpx.AsyncClient, fleet: Fleet, kind: str, params: dict[str, str]
) -> None:
    headers = fleet.tracked.tenant.as_(Role.VIEWER)
    response = await live_client.get(f"/api/v1/reports/{kind}", params=params, headers=headers)
    assert response.status_code < 500, response.text
