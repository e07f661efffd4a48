"""End to end: `fleetyard serve --demo` on an empty data dir, as `make run` starts it.

The real process, the embedded PostgreSQL (pgserver) and HTTP over a socket: log in as the
demo user, create a vehicle, read metrics and logs, stop with a signal, start again on the
same data and find the vehicle still there.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fleetyard.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.processes import embedded_data_dir, fleetyard_env, free_port, postgres_pids

pytestmark = pytest.mark.slow

FIRST_START_TIMEOUT = 120.0  # initdb on a slow disk
SECOND_START_LIMIT = 30.0
STOP_TIMEOUT = 30.0
VIN = "1HGCM82633A004352"
FLEETYARD = Path(sys.executable).parent / "fleetyard"  # the console script `make run` uses


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    stderr_path: Path
    stdout_path: Path
    ready_after: float

    def log_lines(self) -> list[str]:
        return [ln for ln in self.stderr_path.read_text().splitlines() if ln.strip()]

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def data_dir() -> Iterator[Path]:
    yield from embedded_data_dir("fy-")


def server_env(data_dir: Path) -> dict[str, str]:
    return fleetyard_env(data_dir=str(data_dir), log_json="true")


def start(data_dir: Path, run: int, timeout: float) -> Server:
    port = free_port()
    out, err = data_dir / f"serve-{run}.out", data_dir / f"serve-{run}.err"
    command = [str(FLEETYARD), "serve", "--demo", "--port", str(port)]
    began = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            command, env=server_env(data_dir), stdout=stdout, stderr=stderr, cwd=data_dir
        )
    server = Server(process, f"http://127.0.0.1:{port}", err, out, 0.0)
    try:
        wait_ready(server, timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    server.ready_after = time.monotonic() - began
    return server


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited early ({server.process.returncode}):\n{tail(server)}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server not ready after {timeout}s:\n{tail(server)}")


def tail(server: Server) -> str:
    return "\n".join(server.log_lines()[-30:]) + "\n" + server.stdout_path.read_text()[-2000:]


def login(http: httpx.Client) -> dict[str, Any]:
    response = http.post(
        "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert "fy_session" in http.cookies
    body: dict[str, Any] = response.json()
    return body


def json_lines(server: Server) -> list[dict[str, Any]]:
    lines = server.log_lines()
    assert lines
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"stderr line is not JSON: {line!r}")
    return parsed


def first_run(server: Server) -> str:
    """Log in, create a vehicle, read it back; returns its id."""
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        me = login(http)
        assert me["role"] == "owner"
        created = http.post(
            "/api/v1/vehicles",
            json={"vin": VIN, "plate": "SMOKE-1"},
            headers={"X-CSRF-Token": me["csrf_token"], "X-Request-ID": "smoke-create-1"},
        )
        assert created.status_code == 201, created.text
        assert created.headers["x-request-id"] == "smoke-create-1"
        vehicle_id: str = created.json()["id"]

        got = http.get(f"/api/v1/vehicles/{vehicle_id}")
        assert got.status_code == 200
        assert got.json()["plate"] == "SMOKE-1"
        assert http.get("/api/v1/vehicles").json()["items"][0]["id"] == vehicle_id

        assert http.get("/healthz").json() == {"status": "ok"}
        metrics = http.get("/metrics").text
    for route in ("/api/v1/vehicles", "/api/v1/vehicles/{vehicle_id}", "/api/v1/auth/login"):
        bucket = (
            rf'fleetyard_http_request_duration_seconds_bucket{{[^}}]*route="{re.escape(route)}"'
        )
        assert re.search(bucket, metrics), route
    assert (
        'fleetyard_http_request_duration_seconds_count{method="POST",route="/api/v1/vehicles",'
        'status="201"} 1.0'
    ) in metrics
    check_logs(server, me["tenant_id"])
    return vehicle_id


def check_logs(server: Server, tenant_id: str) -> None:
    records = json_lines(server)
    access = [r for r in records if r.get("logger") == "fleetyard.access"]
    assert access and all(r.get("request_id") for r in access)
    create = [r for r in access if r["request_id"] == "smoke-create-1"]
    assert len(create) == 1
    assert create[0]["route"] == "/api/v1/vehicles"
    assert create[0]["status"] == 201
    assert create[0]["tenant_id"] == tenant_id
    authenticated = [r for r in access if r["path"].startswith("/api/v1/vehicles")]
    assert all(r["tenant_id"] == tenant_id for r in authenticated)


def check_stopped(server: Server, exit_code: int, pg_dir: Path) -> None:
    assert exit_code == 0, tail(server)
    assert not (pg_dir / "postmaster.pid").exists(), "postgres still running?"
    assert postgres_pids(pg_dir) == set()
    assert json_lines(server)[-1]["event"].startswith("Finished server process")


def test_serve_demo_end_to_end(data_dir: Path) -> None:
    pg_dir = data_dir / "pg"
    first = start(data_dir, 1, FIRST_START_TIMEOUT)
    try:
        vehicle_id = first_run(first)
        assert postgres_pids(pg_dir), "the embedded PostgreSQL should be running"
    finally:
        exit_code = first.stop(signal.SIGINT)
    check_stopped(first, exit_code, pg_dir)
    banner = first.stdout_path.read_text()
    assert first.base_url in banner
    assert DEMO_EMAIL in banner and DEMO_PASSWORD in banner

    second = start(data_dir, 2, SECOND_START_LIMIT)
    try:
        with httpx.Client(base_url=second.base_url, timeout=10) as http:
            login(http)
            got = http.get(f"/api/v1/vehicles/{vehicle_id}")
            assert got.status_code == 200, got.text
            assert got.json()["plate"] == "SMOKE-1"
    finally:
        exit_code = second.stop(signal.SIGTERM)
    check_stopped(second, exit_code, pg_dir)
    print(f"first start {first.ready_after:.1f}s, second start {second.ready_after:.1f}s")
