"""End to end: `fleetyard demo` (what `make run` starts) on an empty data dir, on free ports.

The real process with its embedded PostgreSQL and its simulator child: log in as the demo
owner, watch at least ten vehicles move, see an alert, read a vehicle's track as GeoJSON at
road speeds, see the second tenant apart; then Ctrl-C (SIGINT) ends every process with exit
code 0, and a second run on the same data starts in seconds without duplicating anything
(and ends, cleanly, with exit code 1 when its simulator dies).
"""

from __future__ import annotations

import itertools
import math
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from fleetyard.demo.logins import DEMO_EMAIL, DEMO_PASSWORD, DEMO_VIEWER_EMAIL, HARBOUR_LOGINS
from tests.processes import embedded_data_dir, fleetyard_env, postgres_pids

pytestmark = pytest.mark.slow

FLEETYARD = Path(sys.executable).parent / "fleetyard"
FIRST_READY_S = 90.0  # initdb, migrations, seeding, the road graph from the OSM extract
SECOND_READY_S = 30.0
ALERT_WITHIN_S = 60.0
MOVING_WITHIN_S = 40.0
STOP_S = 30.0
MOVING_VEHICLES = 10
ROAD_SPEED_LIMIT_KMH = 130.0
URL = re.compile(r"App\s+(http://127\.0\.0\.1:\d+)")


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.add(pid)
        except psutil.NoSuchProcess:
            pass
    return left


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    url: str = ""
    ready_after_s: float = 0.0
    pids: set[int] = field(default_factory=set)  # every process it ran, seen while running

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def tail(self) -> str:
        err = self.err.read_text(errors="replace").splitlines()[-20:]
        return self.output()[-3000:] + "\n--- stderr\n" + "\n".join(err)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def data_dir() -> Iterator[Path]:
    yield from embedded_data_dir("fy-demo-")


def demo_env(data_dir: Path) -> dict[str, str]:
    return fleetyard_env(data_dir=str(data_dir), gateway_host="127.0.0.1")


def start(data_dir: Path, run: int, timeout_s: float) -> Demo:
    out, err = data_dir / f"demo-{run}.out", data_dir / f"demo-{run}.err"
    began = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(FLEETYARD), "demo", "--port", "0"],
            env=demo_env(data_dir),
            stdout=stdout,
            stderr=stderr,
            cwd=data_dir,
        )
    demo = Demo(process, out, err)
    try:
        wait_ready(demo, timeout_s)
    except BaseException:
        process.kill()
        process.wait()
        raise
    demo.ready_after_s = time.monotonic() - began
    demo.pids = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
    demo.pids |= postgres_pids(data_dir / "pg") | {process.pid}
    return demo


def wait_ready(demo: Demo, timeout_s: float) -> None:
    """The banner is printed once the server answers and the simulator's devices connected."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if demo.process.poll() is not None:
            pytest.fail(f"demo exited early ({demo.process.returncode}):\n{demo.tail()}")
        found = URL.search(demo.output())
        if found:
            demo.url = found.group(1)
            assert httpx.get(f"{demo.url}/readyz", timeout=5).status_code == 200
            return
        time.sleep(0.2)
    pytest.fail(f"demo not ready after {timeout_s:.0f} s:\n{demo.tail()}")


def login(http: httpx.Client, email: str) -> dict[str, Any]:
    response = http.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def positions(http: httpx.Client) -> dict[str, tuple[float, float]]:
    response = http.get("/api/v1/fleet/state")
    assert response.status_code == 200, response.text
    return {
        item["vehicle_id"]: (item["state"]["latitude"], item["state"]["longitude"])
        for item in response.json()["items"]
        if item["state"] is not None
    }


def wait_for_moving(http: httpx.Client, deadline: float, apart_s: float = 3.0) -> set[str]:
    """Vehicles seen at two different places in fleet states read ``apart_s`` apart (the
    first fixes arrive a moment after the devices connect; some vehicles set off later)."""
    moved: set[str] = set()
    before = positions(http)
    while len(moved) < MOVING_VEHICLES and time.monotonic() < deadline:
        time.sleep(apart_s)
        after = positions(http)
        moved |= {v for v, where in after.items() if v in before and before[v] != where}
        before = after
    return moved


def wait_for_alert(http: httpx.Client, deadline: float) -> list[dict[str, Any]]:
    while True:
        response = http.get("/api/v1/alerts")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        if items or time.monotonic() > deadline:
            return items
        time.sleep(1.0)


def wait_for_trips(http: httpx.Client, deadline: float) -> list[dict[str, Any]]:
    """The demo fleet's trips, detected in the ingest pipeline as its vehicles drive."""
    while True:
        response = http.get("/api/v1/trips")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        if items or time.monotonic() > deadline:
            return items
        time.sleep(1.0)


def distance_m(a: list[float], b: list[float]) -> float:
    """Haversine between two GeoJSON positions ([longitude, latitude])."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def check_track(http: httpx.Client, vehicle_id: str) -> int:
    """The vehicle's fixes as GeoJSON: valid, in time order, at road speeds; returns how
    many."""
    response = http.get("/api/v1/positions", params={"vehicle_id": vehicle_id, "format": "geojson"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    fixes = [f for f in features if f["properties"]["kind"] == "fix"]
    assert len(fixes) >= 5 and all(f["properties"]["valid"] for f in fixes)
    assert any(f["properties"]["kind"] == "track" for f in features)
    for earlier, later in itertools.pairwise(fixes):
        seconds = _epoch(later["properties"]["fix_time"]) - _epoch(
            earlier["properties"]["fix_time"]
        )
        assert seconds > 0
        metres = distance_m(earlier["geometry"]["coordinates"], later["geometry"]["coordinates"])
        assert metres / seconds * 3.6 < ROAD_SPEED_LIMIT_KMH, (earlier, later)
        assert later["properties"]["speed_kmh"] < ROAD_SPEED_LIMIT_KMH
    return len(fixes)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def first_run(demo: Demo) -> int:
    """Everything a visitor sees; returns how many vehicles the demo tenant has."""
    started = time.monotonic()
    with httpx.Client(base_url=demo.url, timeout=10) as http:
        assert login(http, DEMO_EMAIL)["role"] == "owner"
        vehicles = http.get("/api/v1/vehicles", params={"limit": 100}).json()["items"]
        moving = wait_for_moving(http, started + MOVING_WITHIN_S)
        assert len(moving) >= MOVING_VEHICLES, f"{len(moving)} of {len(vehicles)} moved"
        alerts = wait_for_alert(http, started + ALERT_WITHIN_S)
        assert alerts, f"no alert within {ALERT_WITHIN_S:.0f} s"
        # the fleet's failures, and its geofences (a 30 km/h zone, depots) as it drives; the
        # seeded service reminders and inspection defects
        kinds = {"dtc", "coolant_high", "fuel_low", "geofence", "speeding", "harsh_event"}
        kinds |= {"service_due_soon", "service_due", "service_overdue", "part_low_stock"}
        kinds |= {"defect_reported"}
        assert {a["kind"] for a in alerts} <= kinds
        geofences = http.get("/api/v1/geofences").json()["items"]
        assert "Kluuvi low-speed zone" in {g["name"] for g in geofences}
        assert sum(check_track(http, vehicle) for vehicle in moving) >= 5 * len(moving)
        trips = wait_for_trips(http, started + ALERT_WITHIN_S)
        assert trips, f"no trip within {ALERT_WITHIN_S:.0f} s"
        assert {t["vehicle_id"] for t in trips} <= {v["id"] for v in vehicles}
    with httpx.Client(base_url=demo.url, timeout=10) as http:
        assert login(http, DEMO_VIEWER_EMAIL)["role"] == "viewer"
    with httpx.Client(base_url=demo.url, timeout=10) as http:
        login(http, HARBOUR_LOGINS[0].email)
        theirs = http.get("/api/v1/vehicles").json()["items"]
        assert len(theirs) == 3
        assert {v["id"] for v in theirs}.isdisjoint(v["id"] for v in vehicles)
        assert http.get(f"/api/v1/vehicles/{vehicles[0]['id']}").status_code == 404
    return len(vehicles)


def check_stopped(demo: Demo, exit_code: int, pg_dir: Path, expected_exit: int = 0) -> None:
    assert exit_code == expected_exit, demo.tail()
    assert len(demo.pids) >= 3, demo.pids  # the demo, its simulator, postgres and its workers
    deadline = time.monotonic() + 5  # postgres workers end right after their postmaster
    while alive(demo.pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(demo.pids) == set(), "left behind: " + ", ".join(
        " ".join(psutil.Process(p).cmdline()[:3]) for p in alive(demo.pids)
    )
    assert not (pg_dir / "postmaster.pid").exists()


def kill_simulator(demo: Demo) -> int:
    """The simulator dies without a word: the demo notices, stops the rest, exits 1."""
    (simulator,) = (
        child
        for child in psutil.Process(demo.process.pid).children()
        if "simulate" in child.cmdline()
    )
    simulator.kill()
    try:
        return demo.process.wait(timeout=STOP_S)
    except subprocess.TimeoutExpired:
        demo.process.kill()
        demo.process.wait()
        raise


def check_quiet_terminal(demo: Demo) -> None:
    """What a person sees: the steps, then the ready box and nothing after it but the stop
    (the run lasted long enough for several of the simulator's 10 s reports); any log
    record on stderr as one readable line, no JSON, no traceback, no Python warning."""
    output = demo.output()
    for step in ("Start embedded PostgreSQL", "Migrate the schema", "Demo Fleet (demo):"):
        assert f"✓ {step}" in output, output
    assert re.search(r"✓ Simulator: 20 vehicles .*20/20 devices connected", output), output
    _, box, after = output.partition("Fleetyard demo is running")
    assert box, output
    after_box = after.split("╯", 1)[1].strip().splitlines()
    assert [line.split(":")[0] for line in after_box] == ["simulator stopped", "demo stopped"], (
        after_box
    )
    for line in demo.err.read_text(errors="replace").splitlines():
        assert re.match(r"(warning|error|critical): \S", line), line
    everything = output + demo.err.read_text(errors="replace")
    assert "acked" not in everything  # the simulator's report every 10 s
    assert "Warning" not in everything and "Traceback" not in everything
    assert not any(line.lstrip().startswith("{") for line in everything.splitlines())


def test_demo_end_to_end(data_dir: Path) -> None:
    pg_dir = data_dir / "pg"
    first = start(data_dir, 1, FIRST_READY_S)
    try:
        vehicles = first_run(first)
    finally:
        exit_code = first.stop()
    check_stopped(first, exit_code, pg_dir)
    check_quiet_terminal(first)
    assert vehicles == 22  # the 20 the simulator drives and two contractor vans (MQTT)
    output = first.output()
    for text in (DEMO_EMAIL, DEMO_PASSWORD, DEMO_VIEWER_EMAIL, "Device ports", "Ctrl+C"):
        assert text in output, text
    assert "simulator stopped:" in output and "demo stopped" in output

    second = start(data_dir, 2, SECOND_READY_S)
    try:
        assert "(reused)" in second.output()
        with httpx.Client(base_url=second.url, timeout=10) as http:
            login(http, DEMO_EMAIL)
            again = http.get("/api/v1/vehicles", params={"limit": 100}).json()["items"]
            assert len(again) == vehicles
    finally:
        exit_code = kill_simulator(second)
    check_stopped(second, exit_code, pg_dir, expected_exit=1)
    assert "the simulator stopped by itself" in second.err.read_text()
    print(f"first run ready {first.ready_after_s:.1f} s, second {second.ready_after_s:.1f} s")
