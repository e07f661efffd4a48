"""Device ingest: records/s durably stored, ack latency, and memory per idle connection.

    .venv/bin/python bench/ingest.py [--devices 1000] [--duration 30] [--idle 10000] [--keep-db]

Creates a throw-away database (FLEETYARD_BENCH_DATABASE_URL, a superuser; default
postgresql://postgres@127.0.0.1:5432/postgres), registers one tenant with --devices vehicles
each fitted with a Teltonika tracker plus --idle spare trackers, and starts the real gateway
(``fleetyard serve --role gateway``) as a subprocess.

Phase 1: every tracker connects over TCP, sends its IMEI, then uploads a backlog in Codec 8E
packets of --packet records, sending the next packet only once the last one is acked (as the
hardware does). An ack leaves the server only after the batch holding those records committed,
so acked records/s *is* durably stored records/s; at the end the rows are counted to prove it.
The after-store stages (alert rules, trips, --geofences, driving behaviour) run in the stage
worker, a process the gateway starts as its child (``fleetyard serve``'s default), fed by a
``stage_queue`` row per stored batch: when the load stops, the time until the worker has
emptied the queue (its lag), then from the worker's /metrics each stage's time per record,
the share of the stored records it reached, and the worker's pace. Run it long enough
(--duration) for the stages' steady state to show.
Phase 2, on a fresh gateway: --idle trackers connect, handshake and send nothing; the growth of
the server's RSS divided by the connections is the memory one connected tracker costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import psutil

from _geofence_seed import seed_geofences
from _ingest_load import IdleRun, StreamRun, hold_idle, stream
from _ingest_seed import Trackers, register_trackers, stored_positions
from _ingest_server import raise_fd_limit, running_gateway
from _load import percentile
from _seed import create_database, drop_database, new_database_name
from _server import UsageMeter, machine_note, tree_cpu_seconds
from _stages import catch_up, print_catch_up, print_stage_costs, stage_costs

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
GOAL_RECORDS_PER_S = 20_000
GOAL_IDLE_KIB = 20.0
TRACKS_START = (54.6872, 25.2797)  # where the simulated trackers set off (Vilnius)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=1_000, help="streaming trackers")
    parser.add_argument("--packet", type=int, default=10, help="records per packet")
    parser.add_argument(
        "--interval", type=float, default=0.0, help="seconds between an ack and the next packet"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--idle", type=int, default=10_000, help="idle connections (0: skip)")
    parser.add_argument("--hold", type=float, default=5.0, help="seconds to hold them")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the tracks")
    parser.add_argument(
        "--geofences", type=int, default=1_000, help="geofences where the trackers drive"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database behind")
    return parser.parse_args()


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report_stream(run: StreamRun, rows: int, distinct: int, args: argparse.Namespace) -> None:
    latencies = sorted(s * 1000 for s in run.latencies_s)
    u = run.usage
    print()
    print(
        f"Phase 1 — {run.devices:,} trackers, Codec 8E packets of {args.packet} records, the "
        f"next one {args.interval:g} s after each ack; {run.window_s:.1f} s measured after "
        f"{args.warmup:g} s warm-up"
    )
    print(
        f"  records/s durably stored  {run.records_per_s:>10,.0f}   goal ≥ {GOAL_RECORDS_PER_S:,}"
        f"   {verdict(run.records_per_s >= GOAL_RECORDS_PER_S)}"
    )
    print(
        f"  ack latency (send → ack)  p50 {percentile(latencies, 0.50):.1f} ms   "
        f"p95 {percentile(latencies, 0.95):.1f} ms   p99 {percentile(latencies, 0.99):.1f} ms   "
        f"max {latencies[-1] if latencies else float('nan'):.1f} ms   ({len(latencies):,} packets)"
    )
    print(
        f"  server CPU {u.server_cpu_pct:.0f} %   RSS peak {u.server_rss_peak_mb:.0f} MB   "
        f"PostgreSQL {u.postgres_cpu_pct:.0f} %   load generator {u.loadgen_cpu_pct:.0f} %   "
        f"others {u.others_cpu_pct:.0f} %   (% of one core)"
    )
    records = max(run.acked_in_window, 1)
    postgres_s = u.postgres_cpu_pct / 100 * run.window_s
    print(
        f"  CPU per 1,000 records stored: server {1e6 * u.server_cpu_s / records:.0f} ms, "
        f"PostgreSQL {1e6 * postgres_s / records:.0f} ms; the gateway is one process, so with a "
        f"whole core to itself it would store at most ~{records / max(u.server_cpu_s, 1e-9):,.0f}/s"
    )
    if args.interval == 0:
        print(
            "  (closed loop at saturation: every tracker always has a packet in flight, so the\n"
            "  latency is mostly queueing — in flight / throughput; --interval paces them)"
        )
    same = "=" if rows == run.acked_total else "≠"
    print(
        f"  check: {rows:,} rows stored ({distinct:,} distinct device+fix) {same} "
        f"{run.acked_total:,} records acked over the whole run; resent {run.resent}, "
        f"dropped connections {run.drops}, failed connects {run.connect_failures}"
    )


def report_idle(run: IdleRun, wanted: int) -> None:
    kib = run.bytes_per_connection / 1024
    u = run.usage
    print()
    print(f"Phase 2 — {run.connections:,}/{wanted:,} idle trackers connected and handshaken")
    print(
        f"  server RSS {run.rss_before / 2**20:.0f} MB → {run.rss_after / 2**20:.0f} MB: "
        f"{kib:.1f} KiB per connection   goal ≤ {GOAL_IDLE_KIB:g} KiB   "
        f"{verdict(kib <= GOAL_IDLE_KIB and run.connections == wanted)}"
    )
    print(f"  server CPU while holding them: {u.server_cpu_pct:.1f} % of one core")


async def phase_stream(
    url: str, database: str, trackers: Trackers, args: argparse.Namespace
) -> None:
    log = Path(tempfile.mkdtemp(prefix="fleetyard-bench-")) / "gateway-stream.log"
    with running_gateway(url, log) as gateway:
        worker = stage_worker(gateway.pid)
        print(
            f"Gateway pid {gateway.pid} (stage worker pid {worker.pid if worker else '?'}), "
            f"devices on port {gateway.device_port}; streaming …"
        )
        cpu0 = (tree_cpu_seconds(gateway.pid), _cpu(worker))
        loaded = time.monotonic()
        run = await stream(
            gateway.device_port,
            trackers.streaming,
            UsageMeter(gateway.pid, database),
            packet=args.packet,
            interval_s=args.interval,
            warmup_s=args.warmup,
            duration_s=args.duration,
            seed=args.seed,
        )
        load_s = time.monotonic() - loaded
        cpu1 = (tree_cpu_seconds(gateway.pid), _cpu(worker))
        caught = await catch_up(url)  # the load has stopped: how long until the stages catch up
        stages = stage_costs(gateway.server.base_url, gateway.stages_url)
    rows, distinct = await stored_positions(url, trackers.tenant)
    report_stream(run, rows, distinct, args)
    worker_s = cpu1[1] - cpu0[1]
    gateway_s = cpu1[0] - cpu0[0] - worker_s
    acked = max(run.acked_total, 1)
    print(
        f"  over the whole load ({load_s:.0f} s, {run.acked_total:,} records): gateway process "
        f"{1e6 * gateway_s / acked:.0f} ms CPU per 1,000 records (alone on a core: at most "
        f"~{acked / max(gateway_s, 1e-9):,.0f}/s), stage worker {1e6 * worker_s / acked:.0f} ms"
    )
    print_stage_costs(stages)
    print_catch_up(stages, caught, load_s)
    print(f"  gateway warnings and errors: {_log_records(log)} in {log}")


async def phase_idle(url: str, database: str, trackers: Trackers, args: argparse.Namespace) -> None:
    log = Path(tempfile.mkdtemp(prefix="fleetyard-bench-")) / "gateway-idle.log"
    with running_gateway(url, log) as gateway:
        print(
            f"\nFresh gateway pid {gateway.pid}; opening {len(trackers.idle):,} idle connections …"
        )
        run = await hold_idle(
            gateway.device_port,
            trackers.idle,
            gateway.pid,
            UsageMeter(gateway.pid, database),
            hold_s=args.hold,
        )
    report_idle(run, len(trackers.idle))
    print(f"  gateway warnings and errors: {_log_records(log)} in {log}")


def stage_worker(gateway_pid: int) -> psutil.Process | None:
    """The gateway's child running ``fleetyard stages``."""
    for child in psutil.Process(gateway_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "stages" in child.cmdline():
                return child
    return None


def _cpu(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return float(times.user + times.system)
    return 0.0


def _log_records(path: Path) -> int:
    """JSON log records (WARNING and up) in the gateway's output, past its start banner."""
    text = path.read_text(errors="replace") if path.exists() else ""
    return sum(1 for line in text.splitlines() if line.startswith("{"))


async def bench(url: str, database: str, args: argparse.Namespace) -> None:
    trackers = await register_trackers(url, args.devices, args.idle, args.seed)
    if args.geofences:  # evaluated for every stored fix, as a tenant's would be
        seeded = await seed_geofences(url, trackers.tenant.id, args.geofences, TRACKS_START)
        print(f"  {seeded:,} geofences around the trackers' start")
    # The load generator allocates a lot and keeps every tracker alive: fewer collections of
    # its big, long-lived heap leave more of the shared cores to the gateway under test.
    gc.freeze()
    gc.set_threshold(50_000, 20, 50)
    await phase_stream(url, database, trackers, args)
    if args.idle:
        await phase_idle(url, database, trackers, args)
    print()
    print(
        "The load generator (this process: every simulated tracker, Codec 8E encoding and its\n"
        "CRC in Python) runs on the same machine and shares its cores with the gateway and\n"
        f"PostgreSQL: {machine_note()}."
    )


def run(admin_url: str, args: argparse.Namespace) -> None:
    print(f"Machine: {machine_note()}; open files limit raised to {raise_fd_limit():,}")
    started = time.perf_counter()
    database = new_database_name()
    try:
        url = create_database(admin_url, database)
        print(f"Database {database} created and migrated: {time.perf_counter() - started:.1f} s")
        asyncio.run(bench(url, database, args))
    finally:
        if args.keep_db:
            print(f"Kept database {database}")
        else:
            drop_database(admin_url, database)
            print(f"Database {database} dropped")


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still drop the database
    run(os.environ.get("FLEETYARD_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL), args)


if __name__ == "__main__":
    main()
