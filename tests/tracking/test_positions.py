"""GET /positions over fixes stored by the real ingest pipeline: pages, window, flags, files."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from fleetyard.auth.roles import ROLE_PERMISSIONS, Permission, Role
from fleetyard.tracking import service as tracking_service
from tests.conftest import Tenants
from tests.tracking.conftest import SECOND_NAME, Seeded

URL = "/api/v1/positions"
GPX_NS = {"gpx": "http://www.topografix.com/GPX/1/1"}


def _cursor(value: object) -> str:
    raw = json.dumps([value, str(uuid.UUID(int=0))]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NOT_A_TIME = _cursor("not a time")
NAIVE_TIME = _cursor("2024-01-01T00:00:00")


def parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - our own output, and the point is to check it


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def get(client: httpx.AsyncClient, seeded: Seeded, **params: Any) -> httpx.Response:
    return await client.get(URL, params=params, headers=seeded.headers)


async def all_pages(client: httpx.AsyncClient, seeded: Seeded, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    for _ in range(100):
        response = await get(client, seeded, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("paging never ended")


async def test_device_track_in_time_order_with_invalid_fixes_flagged(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await get(live_client, seeded, device_id=str(seeded.tracked.device_id))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    items = body["items"]
    assert len(items) == 11  # 10 valid + 1 flagged; the 3-day-old fix is outside 24 h
    times = [datetime.fromisoformat(p["fix_time"]) for p in items]
    assert times == sorted(times)
    assert times[0] == seeded.t0
    first = items[0]
    assert first["device_id"] == str(seeded.tracked.device_id)
    assert first["vehicle_id"] == str(seeded.tracked.vehicle_id)
    assert (first["latitude"], first["longitude"]) == (60.17, 24.94)
    assert first["attributes"] == {"power_v": 12.6}
    assert first["ignition"] is True
    assert (first["valid"], first["invalid_reason"]) == (True, None)
    flagged = [p for p in items if not p["valid"]]
    assert len(flagged) == 1
    assert flagged[0]["invalid_reason"] == "null_island"
    assert datetime.fromisoformat(flagged[0]["fix_time"]) == seeded.t0 + timedelta(seconds=330)


async def test_valid_only_leaves_flagged_fixes_out(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await get(
        live_client, seeded, device_id=str(seeded.tracked.device_id), valid_only="true"
    )
    items = response.json()["items"]
    assert len(items) == 10
    assert all(p["valid"] for p in items)


async def test_pages_by_fix_time_across_devices_of_one_vehicle(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    vehicle = str(seeded.tracked.vehicle_id)
    whole = await get(live_client, seeded, vehicle_id=vehicle)
    everything = whole.json()["items"]
    assert len(everything) == 13  # both devices; two fix times are shared
    paged = await all_pages(live_client, seeded, vehicle_id=vehicle, limit=2)
    assert paged == everything
    keys = [(p["fix_time"], p["device_id"]) for p in paged]
    assert len(set(keys)) == len(keys)
    assert {p["device_id"] for p in paged} == {
        str(seeded.tracked.device_id),
        str(seeded.second_device_id),
    }


async def test_window_bounds(live_client: httpx.AsyncClient, seeded: Seeded) -> None:
    device = str(seeded.tracked.device_id)
    wide = await get(
        live_client, seeded, device_id=device, **{"from": iso(seeded.old - timedelta(hours=1))}
    )
    assert len(wide.json()["items"]) == 12
    # from is inclusive, to exclusive
    narrow = await get(
        live_client,
        seeded,
        device_id=device,
        **{"from": iso(seeded.t0), "to": iso(seeded.t0 + timedelta(minutes=2))},
    )
    times = [datetime.fromisoformat(p["fix_time"]) for p in narrow.json()["items"]]
    assert times == [seeded.t0, seeded.t0 + timedelta(minutes=1)]
    offset = seeded.t0.astimezone(timezone(timedelta(hours=5, minutes=30)))
    same = await get(live_client, seeded, device_id=device, **{"from": iso(offset)})
    assert len(same.json()["items"]) == 11


async def test_csv_has_a_header_and_a_row_per_fix(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await get(live_client, seeded, device_id=str(seeded.tracked.device_id), format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 11
    assert list(rows[0]) == [
        "fix_time",
        "server_time",
        "device_id",
        "vehicle_id",
        "latitude",
        "longitude",
        "speed_kmh",
        "course",
        "altitude_m",
        "satellites",
        "hdop",
        "ignition",
        "odometer_m",
        "valid",
        "invalid_reason",
        "attributes",
    ]
    first = rows[0]
    assert datetime.fromisoformat(first["fix_time"]) == seeded.t0
    assert (float(first["latitude"]), float(first["longitude"])) == (60.17, 24.94)
    assert (first["valid"], first["ignition"], first["course"]) == ("true", "true", "")
    assert json.loads(first["attributes"]) == {"power_v": 12.6}
    flagged = [r for r in rows if r["valid"] == "false"]
    assert [r["invalid_reason"] for r in flagged] == ["null_island"]


async def test_geojson_points_and_valid_track(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await get(
        live_client, seeded, device_id=str(seeded.tracked.device_id), format="geojson"
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    points = [f for f in collection["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) == 11 and len(lines) == 1
    assert points[0]["geometry"]["coordinates"] == [24.94, 60.17]  # [lon, lat]
    assert points[0]["properties"]["valid"] is True
    assert points[0]["properties"]["fix_time"].endswith("Z")
    invalid = [p for p in points if not p["properties"]["valid"]]
    assert [p["properties"]["invalid_reason"] for p in invalid] == ["null_island"]
    track = lines[0]
    assert track["properties"]["points"] == 10
    assert track["geometry"]["coordinates"][0] == [24.94, 60.17]
    assert [0.0, 0.0] not in track["geometry"]["coordinates"]
    last = track["geometry"]["coordinates"][-1]
    assert last == pytest.approx([24.94 + 9 / 500, 60.17 + 9 / 1000])


async def test_gpx_is_a_track_of_valid_fixes(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await get(live_client, seeded, device_id=str(seeded.tracked.device_id), format="gpx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/gpx+xml")
    root = parse_xml(response.content)
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx"
    assert root.attrib["version"] == "1.1"
    points = root.findall("gpx:trk/gpx:trkseg/gpx:trkpt", GPX_NS)
    assert len(points) == 10  # the flagged fix is left out
    first = points[0]
    assert (float(first.attrib["lat"]), float(first.attrib["lon"])) == (60.17, 24.94)
    assert datetime.fromisoformat(first.findtext("gpx:time", namespaces=GPX_NS) or "") == seeded.t0
    assert first.findtext("gpx:ele", namespaces=GPX_NS) == "12.5"
    assert first.findtext("gpx:sat", namespaces=GPX_NS) == "9"
    name = root.findtext("gpx:trk/gpx:name", namespaces=GPX_NS)
    assert name == seeded.tracked.unique_id


async def test_gpx_escapes_the_track_name(live_client: httpx.AsyncClient, seeded: Seeded) -> None:
    response = await get(live_client, seeded, device_id=str(seeded.second_device_id), format="gpx")
    assert b"&amp; &lt;B&gt;" in response.content
    root = parse_xml(response.content)
    assert root.findtext("gpx:trk/gpx:name", namespaces=GPX_NS) == SECOND_NAME
    assert len(root.findall("gpx:trk/gpx:trkseg/gpx:trkpt", GPX_NS)) == 2


async def test_empty_window_gives_empty_files(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    device = str(seeded.tracked.device_id)
    empty = seeded.old + timedelta(days=1)
    window = {"from": iso(empty), "to": iso(empty + timedelta(days=1))}
    as_json = await get(live_client, seeded, device_id=device, **window)
    assert as_json.json() == {"items": [], "next_cursor": None}
    as_geojson = await get(live_client, seeded, device_id=device, format="geojson", **window)
    assert as_geojson.json() == {"type": "FeatureCollection", "features": []}
    as_csv = await get(live_client, seeded, device_id=device, format="csv", **window)
    assert len(list(csv.reader(io.StringIO(as_csv.text)))) == 1
    as_gpx = await get(live_client, seeded, device_id=device, format="gpx", **window)
    assert parse_xml(as_gpx.content).findall(".//gpx:trkpt", GPX_NS) == []


async def test_files_beyond_the_cap_are_refused(
    live_client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracking_service, "MAX_EXPORT", 10)
    device = str(seeded.tracked.device_id)
    for fmt in ("csv", "geojson"):
        refused = await get(live_client, seeded, device_id=device, format=fmt)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "too_many_positions"
        assert refused.json()["error"]["details"]["limit"] == 10
    # GPX holds valid fixes only: exactly 10, at the cap
    assert (await get(live_client, seeded, device_id=device, format="gpx")).status_code == 200


async def test_other_tenant_gets_404(
    live_client: httpx.AsyncClient, seeded: Seeded, live_tenants: Tenants
) -> None:
    other = live_tenants.b.owner
    for params in (
        {"device_id": str(seeded.tracked.device_id)},
        {"vehicle_id": str(seeded.tracked.vehicle_id)},
        {"device_id": str(seeded.tracked.device_id), "format": "csv"},
    ):
        response = await live_client.get(URL, params=params, headers=other)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    unknown = await live_client.get(
        URL, params={"vehicle_id": str(uuid.uuid4())}, headers=seeded.headers
    )
    assert unknown.status_code == 404


async def test_anonymous_is_refused(live_client: httpx.AsyncClient, seeded: Seeded) -> None:
    response = await live_client.get(URL, params={"device_id": str(seeded.tracked.device_id)})
    assert response.status_code == 401


async def test_role_without_vehicles_read_is_refused(
    live_client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every role reads vehicles today; take the permission away to see the guard work
    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.VIEWER,
        ROLE_PERMISSIONS[Role.VIEWER] - {Permission.VEHICLES_READ},
    )
    response = await live_client.get(
        URL,
        params={"device_id": str(seeded.tracked.device_id)},
        headers=seeded.tracked.tenant.as_(Role.VIEWER),
    )
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required": "vehicles:read"}
    driver = await live_client.get(
        URL,
        params={"device_id": str(seeded.tracked.device_id)},
        headers=seeded.tracked.tenant.as_(Role.DRIVER),
    )
    assert driver.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},  # neither subject
        {"device_id": "D", "vehicle_id": "V"},  # both
        {"device_id": "not-a-uuid"},
        {"device_id": "D", "from": "2024-01-01T00:00:00"},  # naive time
        {"device_id": "D", "from": "2024-01-01T00:00:00Z", "to": "2024-03-01T00:00:00Z"},
        {"device_id": "D", "from": "2024-01-02T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
        {"device_id": "D", "format": "kml"},
        {"device_id": "D", "limit": "0"},
        {"device_id": "D", "limit": "100000"},
        {"device_id": "D", "cursor": "bm90LWEtY3Vyc29y"},
        {"device_id": "D", "cursor": NOT_A_TIME},
        {"device_id": "D", "cursor": NAIVE_TIME},
    ],
)
async def test_bad_parameters_are_422(
    live_client: httpx.AsyncClient, seeded: Seeded, params: dict[str, str]
) -> None:
    ids = {"D": str(seeded.tracked.device_id), "V": str(seeded.tracked.vehicle_id)}
    params = {k: ids.get(v, v) for k, v in params.items()}
    response = await live_client.get(URL, params=params, headers=seeded.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
