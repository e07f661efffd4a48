"""Telematics clouds: records/s stored through the Geotab provider path, and poll → map latency.

    .venv/bin/python bench/providers.py [--vehicles 5000] [--pages 40] [--page-size 5000]
        [--throttle-ms 0] [--keep-db]

Creates a throw-away database (FLEETYARD_BENCH_DATABASE_URL, a superuser; default
postgresql://postgres@127.0.0.1:5432/postgres) with one tenant of --vehicles vehicles, starts
a fake MyGeotab account of as many GO devices (bench/fake_geotab_feed.py, in its own process,
on 127.0.0.1) and the real server (``fleetyard serve --role all``: API, live hub, ingest
pipeline and the integrations runner in one process), connects one WebSocket client to the
whole fleet, and then creates the Geotab integration through the API, as a person would.

From there on it is the real provider path: the runner claims the connection, lists the
account's devices and matches them to the tenant's vehicles (devices made through the devices
service), then polls through the ``mygeotab`` client — one ExecuteMultiCall of GetFeed for
LogRecord, StatusData and FaultData per round, each a full page of --page-size records, the
next round at once — maps the records to positions, routes them into the same ingest pipeline
as the device gateway and saves each round's cursor after its commit; the hub publishes each
stored fix to the client. The fake serves --pages pages, then empty feeds.

Printed: positions/s stored (from the first page the fake served to the last round's count
saved) and Geotab records/s read; poll → map latency per position, from the moment the fake
made its answer (every record's ``dateTime`` is that moment) to the moment the client received
the position; and the checks: positions stored = fixes the fake sent, no (device, fix time)
stored twice, none delivered twice, nothing skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from _ingest_server import running_gateway
from _load import percentile
from _prom import HistogramSummary, histograms
from _providers_live import MapClient
from _providers_seed import (
    ProviderTenant,
    integration_progress,
    seed_tenant,
    stored_positions,
)
from _seed import create_database, drop_database, new_database_name, plain_url
from _server import REPO, Usage, UsageMeter, cpu_seconds, machine_note
from fake_geotab_feed import DATABASE, PASSWORD, USERNAME

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
GOAL_RECORDS_PER_S = 10_000
GOAL_P99_MS = 2_000.0
FAKE = Path(__file__).resolve().parent / "fake_geotab_feed.py"
STALL_S = 60.0  # no round stored for this long: the run has failed
STAGES = ("fleetyard_ingest_commit_lag_seconds", "fleetyard_live_publish_lag_seconds")
STAGE_NAMES = ("arrival → commit", "arrival → published")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--vehicles", type=int, default=5_000, help="GO devices and vehicles")
    parser.add_argument("--pages", type=int, default=40, help="full pages the fake serves")
    parser.add_argument(
        "--page-size", type=int, default=5_000, help="resultsLimit: records per feed and page"
    )
    parser.add_argument(
        "--throttle-ms", type=int, default=0, help="the client's min_interval_ms (0: every fix)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-db", action="store_true", help="leave the database behind")
    return parser.parse_args()


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


@dataclass
class FakeFeed:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.address}/stats", timeout=10).json()
        return answer


@contextlib.contextmanager
def running_fake(fleet: Path, args: argparse.Namespace, log: Path) -> Iterator[FakeFeed]:
    command = [sys.executable, str(FAKE), "--fleet", str(fleet), "--pages", str(args.pages)]
    command += ["--page-size", str(args.page_size), "--seed", str(args.seed)]
    with log.open("wb") as errors:
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=errors)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the fake Geotab did not start: {log.read_text()[-2000:]}")
        yield FakeFeed(process, int(line.split()[1]))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Run:
    matched_s: float  # integration created → first page asked (claim, list, match)
    window_s: float  # first page made → last round's count saved
    stored: int
    skipped: int
    state: str | None
    fake: dict[str, Any]
    usage: Usage
    fake_cpu_pct: float
    client: MapClient
    breakdown: dict[str, HistogramSummary]


async def create_integration(
    base_url: str, tenant: ProviderTenant, fake: FakeFeed, page_size: int
) -> None:
    body = {
        "provider": "geotab",
        "name": "Bench Geotab",
        "settings": {
            "server": fake.address,
            "database": DATABASE,
            "results_limit": page_size,
            "backfill_hours": 1,
        },
        "credentials": {"username": USERNAME, "password": PASSWORD},
    }
    async with httpx.AsyncClient(base_url=base_url, headers=tenant.headers, timeout=30) as http:
        answer = await http.post("/api/v1/integrations", json=body)
    if answer.status_code != 201:
        raise RuntimeError(f"the integration was refused: {answer.status_code} {answer.text}")


async def wait_first_page(fake: FakeFeed, deadline_s: float) -> float:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        first = fake.stats()["first_page_at"]
        if first is not None:
            return float(first)
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the runner asked for no page within {deadline_s:.0f} s")


async def wait_stored(conn: asyncpg.Connection, tenant: ProviderTenant, expected: int) -> float:
    """Until the runner saved a count of ``expected`` records; returns that moment."""
    best, progressed = -1, time.monotonic()
    while True:
        stored, _, _ = await integration_progress(conn, tenant.id)
        now = time.monotonic()
        if stored >= expected:
            return time.time()
        if stored > best:
            best, progressed = stored, now
        elif now - progressed > STALL_S:
            raise RuntimeError(f"stuck at {stored:,} of {expected:,} records stored")
        await asyncio.sleep(0.05)


async def wait_map(client: MapClient, expected: int, quiet_s: float = 3.0) -> None:
    """Until the client has every position, or has heard nothing new for ``quiet_s``."""
    seen, since = client.positions, time.monotonic()
    while client.positions < expected and time.monotonic() - since < quiet_s:
        await asyncio.sleep(0.1)
        if client.positions != seen:
            seen, since = client.positions, time.monotonic()


async def measure(url: str, database: str, tenant: ProviderTenant, args: argparse.Namespace) -> Run:
    log_dir = Path(tempfile.mkdtemp(prefix="fleetyard-bench-providers-"))
    fleet_file = log_dir / "fleet.json"
    fleet_file.write_bytes(orjson.dumps(tenant.fleet))
    expected = args.pages * args.vehicles
    stop = asyncio.Event()
    with (
        running_fake(fleet_file, args, log_dir / "fake-geotab.log") as fake,
        running_gateway(url, log_dir / "server.log", role="all") as server,
    ):
        print(
            f"Server pid {server.pid} (API, live hub, ingest pipeline, integrations runner); "
            f"fake Geotab pid {fake.process.pid} on port {fake.port}; logs in {log_dir}"
        )
        ws_url = server.server.base_url.replace("http://", "ws://") + "/api/v1/ws"
        client = MapClient(ws_url, tenant.key, args.throttle_ms)
        watching = asyncio.create_task(client.run(stop))
        await asyncio.wait_for(client.ready.wait(), 30)
        created = time.time()
        await create_integration(server.server.base_url, tenant, fake, args.page_size)
        print("  integration created through the API; waiting for the runner to claim it …")
        first_page_at = await wait_first_page(fake, 600)
        matched_s = first_page_at - created
        print(
            f"  claimed, {args.vehicles:,} devices listed and matched to vehicles, first page "
            f"asked: {matched_s:.1f} s after the integration was created"
        )
        meter = UsageMeter(server.pid, database)
        meter.start()
        fake_cpu = cpu_seconds(fake.process.pid)
        conn = await asyncpg.connect(plain_url(url))
        try:
            done_at = await wait_stored(conn, tenant, expected)
            usage = await meter.stop()
            fake_cpu_pct = 100 * (cpu_seconds(fake.process.pid) - fake_cpu) / usage_window(usage)
            await wait_map(client, expected)
            stored, skipped, state = await integration_progress(conn, tenant.id)
        finally:
            await conn.close()
        breakdown = histograms(server.server.base_url, list(STAGES))
        stats = fake.stats()
        stop.set()
        await asyncio.wait_for(watching, 30)
    return Run(
        matched_s,
        done_at - first_page_at,
        stored,
        skipped,
        state,
        stats,
        usage,
        fake_cpu_pct,
        client,
        breakdown,
    )


def usage_window(usage: Usage) -> float:
    return usage.server_cpu_s / max(usage.server_cpu_pct / 100, 1e-9)


def report(
    run: Run, rows: int, distinct: int, with_readings: int, args: argparse.Namespace
) -> bool:
    fake, client = run.fake, run.client
    records = fake["records"]
    read = sum(records.values())
    per_s = run.stored / run.window_s
    latencies = sorted(client.latencies_ms)
    p50, p95, p99 = (percentile(latencies, q) for q in (0.50, 0.95, 0.99))
    to_pipeline = sorted(client.to_pipeline_ms)
    fast_enough = per_s >= GOAL_RECORDS_PER_S
    quick_enough = bool(latencies) and p99 < GOAL_P99_MS
    sent = fake["fixes"]
    exact = rows == distinct == sent == run.stored and client.duplicates == 0 and not run.skipped
    u = run.usage
    print()
    print(
        f"Geotab provider path — {args.vehicles:,} GO devices, {fake['pages_built']} full pages "
        f"of {records['LogRecord'] // max(fake['pages_built'], 1):,} LogRecord + "
        f"{records['StatusData'] // max(fake['pages_built'], 1):,} StatusData + "
        f"{records['FaultData'] // max(fake['pages_built'], 1):,} FaultData; "
        f"{run.window_s:.1f} s from the first page made to the last round stored"
    )
    print(
        f"  positions/s stored          {per_s:>10,.0f}   goal ≥ {GOAL_RECORDS_PER_S:,}   "
        f"{verdict(fast_enough)}"
    )
    print(
        f"  Geotab records/s read       {read / run.window_s:>10,.0f}   (LogRecord, StatusData "
        f"and FaultData; readings and faults merge into the position of their fix)"
    )
    if latencies:
        print(
            f"  poll → map latency          p50 {p50:.0f} ms   p95 {p95:.0f} ms   "
            f"p99 {p99:.0f} ms   max {latencies[-1]:.0f} ms   ({len(latencies):,} positions)   "
            f"goal p99 < {GOAL_P99_MS:,.0f} ms   {verdict(quick_enough)}"
        )
        print(
            f"    of which answer → ingest  p50 {percentile(to_pipeline, 0.5):.0f} ms   "
            f"p99 {percentile(to_pipeline, 0.99):.0f} ms   (download, parse, map, route: "
            f"the whole page before its first position)"
        )
    else:
        print("  poll → map latency          no positions arrived   FAIL")
    for stage, label in zip(STAGES, STAGE_NAMES, strict=True):
        h = run.breakdown[stage]
        print(
            f"    server: {label:<22} mean {h.mean_s * 1000:.0f} ms   "
            f"p50 ≈{h.quantile(0.5) * 1000:.0f} ms   p99 ≈{h.quantile(0.99) * 1000:.0f} ms"
        )
    print(
        f"  server CPU {u.server_cpu_pct:.0f} %   RSS peak {u.server_rss_peak_mb:.0f} MB   "
        f"PostgreSQL {u.postgres_cpu_pct:.0f} %   fake Geotab {run.fake_cpu_pct:.0f} %   "
        f"map client {u.loadgen_cpu_pct:.0f} %   (% of one core)"
    )
    print(
        f"  CPU per 1,000 positions stored: server "
        f"{1e6 * u.server_cpu_s / max(run.stored, 1):.0f} ms"
    )
    same = "=" if exact else "≠"
    print(
        f"  check: {rows:,} rows stored ({distinct:,} distinct device+fix, {with_readings:,} "
        f"with readings or faults) {same} {sent:,} fixes sent; runner counted {run.stored:,} "
        f"stored, {run.skipped} skipped (state {run.state}); pages read again "
        f"{fake['pages_read_again']}; delivered to the map {client.positions:,}, twice "
        f"{client.duplicates}; {verdict(exact)}"
    )
    print(
        f"  (before the first page: {run.matched_s:.1f} s — the runner's claim tick, every "
        f"10 s, then Get Device and matching {args.vehicles:,} vehicles)"
    )
    return fast_enough and quick_enough and exact


async def bench(url: str, database: str, args: argparse.Namespace) -> bool:
    started = time.perf_counter()
    tenant = await seed_tenant(url, args.vehicles, args.seed)
    print(
        f"  1 tenant and an admin key (services), {args.vehicles:,} vehicles (COPY): "
        f"{time.perf_counter() - started:.1f} s"
    )
    gc.freeze()
    run = await measure(url, database, tenant, args)
    rows, distinct, with_readings = await stored_positions(url, tenant.id)
    passed = report(run, rows, distinct, with_readings, args)
    conn = await asyncpg.connect(plain_url(url))
    try:
        autovacuum = await conn.fetchval("show autovacuum")
    finally:
        await conn.close()
    if autovacuum != "on":
        print(
            "  (PostgreSQL's autovacuum is off here: every round's update of the vehicles' "
            "state leaves\n  a dead row version behind, so later rounds write a little slower "
            "than with it on)"
        )
    print()
    print(
        "The fake Geotab (its own process), PostgreSQL, the server and the map client share the\n"
        f"machine's cores: {machine_note()}."
    )
    return passed


def run(admin_url: str, args: argparse.Namespace) -> bool:
    print(f"Machine: {machine_note()}")
    started = time.perf_counter()
    database = new_database_name()
    try:
        url = create_database(admin_url, database)
        print(f"Database {database} created and migrated: {time.perf_counter() - started:.1f} s")
        return asyncio.run(bench(url, database, args))
    finally:
        if args.keep_db:
            print(f"Kept database {database}")
        else:
            drop_database(admin_url, database)
            print(f"Database {database} dropped")


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still drop the database
    passed = run(os.environ.get("FLEETYARD_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL), args)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
