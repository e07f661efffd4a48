"""OSRM and Valhalla by URL, against real local HTTP servers that answer as theirs do."""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fleetyard.kit.geo import haversine_m
from fleetyard.routing.travel import (
    TravelProviderError,
    TravelSettings,
    matrix_cache,
    route_geometry,
    travel_matrix,
)

TENANT = uuid.UUID(int=11)
POINTS = [(60.170553, 24.943870), (60.176050, 24.938268), (60.175808, 24.949053)]
FIVE = [*POINTS, (60.165678, 24.950626), (60.172800, 24.950500)]


def _seconds(a: tuple[float, float], b: tuple[float, float], i: int, j: int) -> float:
    """The fake road network: 1.25 × straight at 36 km/h, 7.5 s longer westwards."""
    return haversine_m(*a, *b) * 1.25 / 10 + (7.5 if i > j else 0.0)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine_m(*a, *b) * 1.25


def _polyline6(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline at precision 6 (Valhalla's ``shape``), from (lat, lon)."""
    out: list[str] = []
    previous = (0, 0)
    for lat, lon in points:
        here = (round(lat * 1e6), round(lon * 1e6))
        for value, before in zip(here, previous, strict=True):
            delta = value - before
            delta = ~(delta << 1) if delta < 0 else delta << 1
            while delta >= 0x20:
                out.append(chr((0x20 | (delta & 0x1F)) + 63))
                delta >>= 5
            out.append(chr(delta + 63))
        previous = here
    return "".join(out)


def _midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """A bend on the way, 50 m off the straight line."""
    return (a[0] + b[0]) / 2 + 0.00045, (a[1] + b[1]) / 2


@dataclass
class Behaviour:
    status: int = 200
    body: Any = None  # answer this instead of the computed one
    hang: threading.Event | None = None  # wait for it before answering
    unroutable: set[tuple[int, int]] = field(default_factory=set)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET", None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._answer("POST", json.loads(self.rfile.read(length)))

    def _answer(self, method: str, body: Any) -> None:
        behaviour = self.server.behaviour
        behaviour.requests.append((method, self.path, body))
        if behaviour.hang is not None:
            behaviour.hang.wait(10)
            return
        if behaviour.body is not None:
            return self._send(behaviour.status, behaviour.body)
        route = urlsplit(self.path)
        if route.path.startswith("/table/v1/driving/"):
            return self._send(200, self._osrm_table(route.path, parse_qs(route.query)))
        if route.path.startswith("/route/v1/driving/"):
            return self._send(200, self._osrm_route(route.path))
        if route.path == "/sources_to_targets":
            return self._send(200, self._valhalla_matrix(body))
        if route.path == "/route":
            return self._send(200, self._valhalla_route(body))
        return self._send(404, {"code": "InvalidUrl", "message": "URL string malformed"})

    def _send(self, status: int, body: Any) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _coordinates(path: str) -> list[tuple[float, float]]:
        text = path.rsplit("/", 1)[-1]
        pairs = [pair.split(",") for pair in text.split(";")]
        return [(float(lat), float(lon)) for lon, lat in pairs]

    def _osrm_table(self, path: str, query: dict[str, list[str]]) -> Any:
        points = self._coordinates(path)
        every = ";".join(str(i) for i in range(len(points)))
        sources = [int(i) for i in query.get("sources", [every])[0].split(";")]
        targets = [int(i) for i in query.get("destinations", [every])[0].split(";")]
        assert query["annotations"] == ["duration,distance"]
        routable = [
            [(i, j) not in self.server.behaviour.unroutable for j in targets] for i in sources
        ]
        durations = [
            [
                _seconds(points[i], points[j], i, j) if ok else None
                for j, ok in zip(targets, row, strict=True)
            ]
            for i, row in zip(sources, routable, strict=True)
        ]
        distances = [
            [
                _metres(points[i], points[j]) if ok else None
                for j, ok in zip(targets, row, strict=True)
            ]
            for i, row in zip(sources, routable, strict=True)
        ]
        waypoint = [{"name": "", "location": [p[1], p[0]], "distance": 0.0} for p in points]
        return {
            "code": "Ok",
            "durations": durations,
            "distances": distances,
            "sources": [waypoint[i] for i in sources],
            "destinations": [waypoint[j] for j in targets],
        }

    def _osrm_route(self, path: str) -> Any:
        points = self._coordinates(path)
        line: list[list[float]] = []
        for a, b in itertools.pairwise(points):
            bend = _midpoint(a, b)
            line += [[a[1], a[0]], [bend[1], bend[0]]]
        line.append([points[-1][1], points[-1][0]])
        return {
            "code": "Ok",
            "routes": [
                {
                    "geometry": {"type": "LineString", "coordinates": line},
                    "legs": [],
                    "distance": 1000.0,
                    "duration": 100.0,
                    "weight": 100.0,
                    "weight_name": "routability",
                }
            ],
            "waypoints": [],
        }

    def _valhalla_matrix(self, body: Any) -> Any:
        assert body["costing"] == "auto" and body["units"] == "km"
        every = [(p["lat"], p["lon"]) for p in self.server.behaviour.requests[0][2]["targets"]]
        sources = [every.index((p["lat"], p["lon"])) for p in body["sources"]]
        rows = [
            [
                {
                    "from_index": si,
                    "to_index": j,
                    "time": round(_seconds(every[i], every[j], i, j)),
                    "distance": round(_metres(every[i], every[j]) / 1000, 3),
                }
                for j in range(len(every))
            ]
            for si, i in enumerate(sources)
        ]
        return {"sources_to_targets": rows, "units": "kilometers"}

    def _valhalla_route(self, body: Any) -> Any:
        points = [(p["lat"], p["lon"]) for p in body["locations"]]
        legs = [
            {
                "shape": _polyline6([a, _midpoint(a, b), b]),
                "summary": {"time": _seconds(a, b, 0, 1), "length": _metres(a, b) / 1000},
            }
            for a, b in itertools.pairwise(points)
        ]
        return {"trip": {"legs": legs, "status": 0, "units": "kilometers"}}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour = Behaviour()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    matrix_cache.clear()
    running = Server()
    thread = threading.Thread(target=running.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield running
    if running.behaviour.hang is not None:
        running.behaviour.hang.set()
    running.shutdown()
    running.server_close()
    thread.join(5)


def _expected(points: list[tuple[float, float]]) -> tuple[list[list[int]], list[list[int]]]:
    count = range(len(points))
    durations = [
        [0 if i == j else round(_seconds(points[i], points[j], i, j)) for j in count] for i in count
    ]
    distances = [
        [0 if i == j else round(_metres(points[i], points[j])) for j in count] for i in count
    ]
    return durations, distances


async def test_osrm_answers_the_matrix(server: Server) -> None:
    settings = TravelSettings(provider="osrm", url=server.url)
    matrix = await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    assert matrix.source == "osrm"
    assert (matrix.durations_s, matrix.distances_m) == _expected(POINTS)
    [(method, path, _)] = server.behaviour.requests
    assert method == "GET" and path.startswith("/table/v1/driving/24.94387,60.170553;")


async def test_osrm_is_asked_in_blocks_within_its_table_size(server: Server) -> None:
    settings = TravelSettings(provider="osrm", url=server.url, max_table_size=3)
    matrix = await travel_matrix(FIVE, tenant_id=TENANT, settings=settings)
    assert (matrix.durations_s, matrix.distances_m) == _expected(FIVE)
    assert len(server.behaviour.requests) == 5  # one source each: 1 × 5 ≤ 3²
    asked = [parse_qs(urlsplit(path).query) for _, path, _ in server.behaviour.requests]
    assert [query["sources"] for query in asked] == [["0"], ["1"], ["2"], ["3"], ["4"]]
    assert all(query["destinations"] == ["0;1;2;3;4"] for query in asked)


async def test_a_pair_osrm_cannot_route_is_haversine(server: Server) -> None:
    server.behaviour.unroutable = {(0, 2)}
    settings = TravelSettings(provider="osrm", url=server.url)
    matrix = await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    assert matrix.source == "mixed"
    straight = haversine_m(*POINTS[0], *POINTS[2]) * settings.road_factor
    assert matrix.distances_m[0][2] == round(straight)
    assert matrix.distances_m[2][0] == _expected(POINTS)[1][2][0]


async def test_osrm_draws_the_route(server: Server) -> None:
    settings = TravelSettings(provider="osrm", url=server.url)
    line = await route_geometry(POINTS, tenant_id=TENANT, settings=settings)
    bend = _midpoint(POINTS[0], POINTS[1])
    assert line[:2] == [(24.94387, 60.170553), (round(bend[1], 6), round(bend[0], 6))]
    assert len(line) == 5 and line[-1] == (24.949053, 60.175808)
    assert "geometries=geojson" in server.behaviour.requests[0][1]


async def test_valhalla_answers_the_matrix_and_the_route(server: Server) -> None:
    settings = TravelSettings(provider="valhalla", url=server.url)
    matrix = await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    assert matrix.source == "valhalla"
    durations, distances = _expected(POINTS)
    assert matrix.durations_s == durations
    assert all(
        abs(a - b) <= 1
        for r, s in zip(matrix.distances_m, distances, strict=True)
        for a, b in zip(r, s, strict=True)
    )
    line = await route_geometry(POINTS, tenant_id=TENANT, settings=settings)
    assert len(line) == 5  # each leg's bend; the shared ends once
    assert line[0] == (24.94387, 60.170553) and line[-1] == (24.949053, 60.175808)
    assert [(m, p) for m, p, _ in server.behaviour.requests] == [
        ("POST", "/sources_to_targets"),
        ("POST", "/route"),
    ]


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (400, {"code": "InvalidQuery", "message": "Query string malformed"}, "HTTP 400"),
        (500, {"message": "internal"}, "HTTP 500"),
        (200, {"code": "Ok", "durations": [[0]]}, "not 3 rows"),
        (200, {"code": "Ok", "durations": [[0, 1, "x"]] * 3, "distances": [[0, 1, 2]] * 3}, "str"),
        (200, b"<html>gateway</html>", "not JSON"),
    ],
)
async def test_a_failing_server_is_a_provider_error_with_its_reason(
    server: Server, status: int, body: Any, says: str
) -> None:
    server.behaviour.status, server.behaviour.body = status, body
    settings = TravelSettings(provider="osrm", url=server.url)
    with pytest.raises(TravelProviderError, match="osrm") as raised:
        await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    assert says in raised.value.reason


async def test_a_server_that_does_not_answer_times_out(server: Server) -> None:
    server.behaviour.hang = threading.Event()
    settings = TravelSettings(provider="valhalla", url=server.url, timeout_s=0.3)
    with pytest.raises(TravelProviderError, match=r"did not answer within 0\.3 s"):
        await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)


async def test_an_unreachable_server_is_a_provider_error() -> None:
    closed = Server()
    url = closed.url
    closed.server_close()
    settings = TravelSettings(provider="osrm", url=url)
    with pytest.raises(TravelProviderError, match="unreachable"):
        await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    with pytest.raises(TravelProviderError, match="unreachable"):
        await route_geometry(POINTS, tenant_id=TENANT, settings=settings)


async def test_no_url_is_a_provider_error() -> None:
    settings = TravelSettings(provider="valhalla")
    with pytest.raises(TravelProviderError, match="no URL is configured for valhalla"):
        await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)


async def test_with_the_fallback_a_failure_is_answered_by_haversine(server: Server) -> None:
    server.behaviour.status, server.behaviour.body = 500, {"message": "down"}
    settings = TravelSettings(provider="osrm", url=server.url, fallback_to_haversine=True)
    matrix = await travel_matrix(POINTS, tenant_id=TENANT, settings=settings)
    assert matrix.source == "haversine"
    assert matrix.distances_m[0][1] == round(haversine_m(*POINTS[0], *POINTS[1]) * 1.3)
    line = await route_geometry(POINTS, tenant_id=TENANT, settings=settings)
    assert line == [(lon, lat) for lat, lon in POINTS]


async def test_osrm_draws_a_long_route_in_pieces(server: Server) -> None:
    whole = await route_geometry(
        FIVE, tenant_id=TENANT, settings=TravelSettings(provider="osrm", url=server.url)
    )
    server.behaviour.requests.clear()
    pieces = TravelSettings(provider="osrm", url=server.url, max_table_size=3)
    assert await route_geometry(FIVE, tenant_id=TENANT, settings=pieces) == whole
    asked = [urlsplit(path).path.rsplit("/", 1)[-1] for _, path, _ in server.behaviour.requests]
    assert [len(waypoints.split(";")) for waypoints in asked] == [3, 3]


async def test_a_route_through_one_place_is_still_a_line(server: Server) -> None:
    settings = TravelSettings(provider="haversine")
    line = await route_geometry([POINTS[0], POINTS[0]], tenant_id=TENANT, settings=settings)
    assert line == [(24.94387, 60.170553), (24.94387, 60.170553)]
