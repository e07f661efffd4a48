"""Live updates end to end: device frame → gateway → PostgreSQL → hub → WebSocket client.

    .venv/bin/python bench/realtime.py [--vehicles 10000] [--clients 1000] [--duration 20]
        [--fleet-clients 10] [--watch 10] [--batch-ms 10] [--topology single|split]
        [--protocols teltonika=0.5,gt06=0.2,h02=0.15,osmand=0.15] [--set NAME=VALUE]
        [--scaled-only | --full-only] [--keep-db]

Creates a throw-away database (FLEETYARD_BENCH_DATABASE_URL, a superuser; default
postgresql://postgres@127.0.0.1:5432/postgres) with one tenant whose vehicles each carry a
Teltonika tracker, and starts the real server: one ``fleetyard serve`` (``single``) or a
gateway process and an API process joined by Redis (``split``, FLEETYARD_REDIS_URL default
redis://127.0.0.1:6379/0).

First the WebSocket clients connect and subscribe — ``--fleet-clients`` to the whole fleet,
the rest each to ``--watch`` random vehicles — with the default throttle (one position per
vehicle per second per client); the server's memory growth per client is measured then.
Then every tracker reports once a second (Codec 8E over TCP, one fix per packet, acked after
commit), each fix stamped with the moment it is sent; each client times every position it
receives against that stamp. The load generator (this process) shares the machine's cores
with the server and PostgreSQL, so besides the full run two scaled-down runs are reported.

``--protocols`` drives the demo simulator instead (vehicles on the road graph, each device on
its protocol's port, with resend buffers): a protocol mix, and every device reporting on the
same whole-second tick (a burst each second rather than a spread).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from _ingest_seed import register_trackers
from _ingest_server import raise_fd_limit, running_gateway
from _load import percentile
from _prom import HistogramSummary, histograms
from _realtime_load import Deliveries, MixedFleet, TeltonikaLoad, Watcher, connect_watchers
from _seed import create_database, drop_database, new_database_name
from _server import Usage, UsageMeter, free_port, machine_note, rss_bytes
from fleetyard.simulator.fleet import DEFAULT_PORTS, FleetConfig, planned_devices

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
GOAL_P99_MS = 50.0
SCALED = [(2_000, 200), (500, 100)]  # vehicles, clients
# The server's own histograms, in the order a fix passes them (whole run, warm-up included).
STAGES = (
    "fleetyard_ingest_commit_lag_seconds",
    "fleetyard_live_publish_lag_seconds",
    "fleetyard_live_flush_wait_seconds",
)
STAGE_NAMES = ("arrival → commit", "arrival → published", "hub batch wait")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--fleet-clients", type=float, default=0.01, help="share, or a count ≥ 1")
    parser.add_argument("--watch", type=int, default=10, help="vehicles per per-vehicle client")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between fixes")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--batch-ms", type=float, default=None, help="FLEETYARD_LIVE_BATCH_MS")
    parser.add_argument("--topology", choices=("single", "split"), default="single")
    parser.add_argument(
        "--protocols",
        default=None,
        metavar="MIX",
        help="drive the demo simulator instead of Codec 8E trackers, with this protocol mix "
        "(e.g. teltonika=0.5,gt06=0.2,h02=0.15,osmand=0.15): vehicles on the road graph",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another server setting (FLEETYARD_NAME), e.g. --set ingest_writers=4",
    )
    parser.add_argument("--seed", type=int, default=1)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--scaled-only", action="store_true")
    only.add_argument("--full-only", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


@dataclass(frozen=True, slots=True)
class Shape:
    label: str
    vehicles: int
    clients: int
    fleet_clients: int

    @property
    def slug(self) -> str:
        return f"{self.vehicles}v-{self.clients}c"


@dataclass(frozen=True, slots=True)
class RunResult:
    shape: Shape
    window_s: float
    acked: int
    deliveries: Deliveries
    usage: list[Usage]
    rss_per_client_kib: float
    rss_mb: float
    dropped_clients: int
    breakdown: dict[str, HistogramSummary]


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, share = part.partition("=")
        mix[name.strip().lower()] = float(share)
    return mix


def fleet_config(
    vehicles: int, mix: dict[str, float], ports: dict[str, int], args: argparse.Namespace
) -> FleetConfig:
    return FleetConfig(
        vehicles=vehicles,
        ports=ports or dict(DEFAULT_PORTS),
        protocol_mix=mix,
        seed=args.seed,
        interval_s=args.interval,
        data_dir=Path(tempfile.gettempdir()) / "fleetyard-bench-sim",
    )


def fleet_count(share: float, clients: int) -> int:
    return int(share) if share >= 1 else max(1, round(share * clients))


async def measure(
    shape: Shape,
    args: argparse.Namespace,
    url: str,
    database: str,
    log_dir: Path,
) -> RunResult:
    mix = parse_mix(args.protocols) if args.protocols else None
    planned = planned_devices(fleet_config(shape.vehicles, mix, {}, args)) if mix else None
    devices = [(d.unique_id, d.protocol) for d in planned] if planned else None
    trackers_made = await register_trackers(url, shape.vehicles, 0, args.seed, devices)
    tenant = trackers_made.tenant
    settings: dict[str, str] = {}
    ports = {p: free_port() for p in ("gt06", "h02", "osmand")} if mix else {}
    settings.update({f"{p}_port": str(port) for p, port in ports.items()})
    if args.batch_ms is not None:
        settings["live_batch_ms"] = str(args.batch_ms)
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings[name.strip().lower()] = value.strip()
    with ExitStack() as stack:
        if args.topology == "single":
            server = stack.enter_context(
                running_gateway(url, log_dir / f"{shape.slug}.log", role="all", settings=settings)
            )
            api, gateway = server, server
        else:
            settings["redis_url"] = os.environ.get("FLEETYARD_REDIS_URL", DEFAULT_REDIS_URL)
            gateway = stack.enter_context(
                running_gateway(url, log_dir / f"{shape.slug}-gw.log", settings=settings)
            )
            api = stack.enter_context(
                running_gateway(
                    url, log_dir / f"{shape.slug}-api.log", role="api", settings=settings
                )
            )
        pids = sorted({api.pid, gateway.pid})
        ws_url = api.server.base_url.replace("http://", "ws://") + "/api/v1/ws"
        rng = random.Random(args.seed)
        vehicles = [str(v) for v in tenant.vehicle_ids]
        deliveries = Deliveries(sample_every=max(1, shape.fleet_clients * shape.vehicles // 20_000))
        watchers = [
            Watcher(
                ws_url,
                tenant.key,
                {"fleet": True}
                if n < shape.fleet_clients
                else {"vehicles": rng.sample(vehicles, min(args.watch, len(vehicles)))},
                deliveries,
            )
            for n in range(shape.clients)
        ]
        stop = asyncio.Event()
        # The first tenth warms the server up (database pool, caches, first allocations);
        # the memory a client costs is measured over the rest.
        warm = max(1, shape.clients // 10)
        watcher_tasks = await connect_watchers(watchers[:warm], stop)
        await asyncio.sleep(1.0)
        rss_before = rss_bytes(api.pid)
        watcher_tasks += await connect_watchers(watchers[warm:], stop)
        await asyncio.sleep(2.0)
        rss_clients = rss_bytes(api.pid) - rss_before
        measured_clients = max(1, shape.clients - warm)
        print(
            f"  {shape.clients:,} clients connected and subscribed; "
            f"{shape.vehicles:,} trackers starting …"
        )
        load: TeltonikaLoad | MixedFleet
        if mix:
            ports["teltonika"] = gateway.device_port
            load = MixedFleet(fleet_config(shape.vehicles, mix, ports, args))
        else:
            load = TeltonikaLoad(
                gateway.device_port, trackers_made.streaming, args.seed, args.interval
            )
        await load.start()
        try:
            await asyncio.sleep(args.warmup)
            meters = [UsageMeter(pid, database) for pid in pids]
            for meter in meters:
                meter.start()
            acked_before = load.acked
            deliveries.recording = True
            started = time.perf_counter()
            await asyncio.sleep(args.duration)
            deliveries.recording = False
            window = time.perf_counter() - started
            acked = load.acked - acked_before
            usage = [await meter.stop() for meter in meters]
            rss_now = rss_bytes(api.pid)
            breakdown = {
                **histograms(gateway.server.base_url, [STAGES[0]]),
                **histograms(gateway.server.base_url, [STAGES[1]]),
                **histograms(api.server.base_url, [STAGES[2]]),
            }
        finally:
            await load.stop()
            stop.set()
            await asyncio.wait_for(asyncio.gather(*watcher_tasks, return_exceptions=True), 60)
    dropped = sum(1 for w in watchers if w.closed_reason not in (None, ""))
    return RunResult(
        shape,
        window,
        acked,
        deliveries,
        usage,
        rss_clients / 1024 / measured_clients,
        rss_now / 2**20,
        dropped,
        breakdown,
    )


def report(result: RunResult, args: argparse.Namespace) -> bool:
    shape, d = result.shape, result.deliveries
    lat = sorted(d.latencies_ms)
    p50, p95, p99 = (percentile(lat, f) for f in (0.50, 0.95, 0.99))
    passed = bool(lat) and p99 < GOAL_P99_MS
    server_cpu = sum(u.server_cpu_pct for u in result.usage)
    first = result.usage[0]
    per_vehicle = shape.clients - shape.fleet_clients
    batch = f"{args.batch_ms:g} ms" if args.batch_ms is not None else "default (10 ms)"
    devices = (
        f"simulated vehicles on the road graph ({args.protocols})"
        if args.protocols
        else "Codec 8E trackers"
    )
    print(
        f"\n{shape.label}: {shape.vehicles:,} {devices} at {1 / args.interval:g} Hz, "
        f"{shape.clients:,} WebSocket clients ({shape.fleet_clients} fleet-wide, "
        f"{per_vehicle:,} watching {args.watch} vehicles each), batch {batch}, "
        f"topology {args.topology}; {result.window_s:.0f} s measured"
    )
    print(f"  fixes acked (durable)        {result.acked / result.window_s:>10,.0f} /s")
    print(
        f"  positions delivered          {d.positions / result.window_s:>10,.0f} /s "
        f"in {d.frames / result.window_s:,.0f} frames/s"
    )
    if lat:
        print(
            f"  frame → client latency       p50 {p50:.1f} ms   p95 {p95:.1f} ms   "
            f"p99 {p99:.1f} ms   max {lat[-1]:.1f} ms   ({len(lat):,} samples)   "
            f"goal p99 < {GOAL_P99_MS:.0f} ms   {'PASS' if passed else 'FAIL'}"
        )
        inner = sorted(d.server_to_client_ms)
        q50, q95, q99 = (percentile(inner, f) for f in (0.50, 0.95, 0.99))
        print(
            f"    of which gateway → client  p50 {q50:.1f} ms   p95 {q95:.1f} ms   "
            f"p99 {q99:.1f} ms   (from the fix's arrival: store, publish, batch, send)"
        )
    else:
        print("  frame → client latency       no positions arrived   FAIL")
    for stage, label in zip(STAGES, STAGE_NAMES, strict=True):
        h = result.breakdown[stage]
        print(
            f"    server: {label:<22} mean {h.mean_s * 1000:.1f} ms   "
            f"p50 ≈{h.quantile(0.5) * 1000:.1f} ms   p99 ≈{h.quantile(0.99) * 1000:.1f} ms"
        )
    print(
        f"  server CPU {server_cpu:.0f} % of one core ({len(result.usage)} process"
        f"{'es' if len(result.usage) > 1 else ''})   RSS {result.rss_mb:.0f} MB   "
        f"memory per client {result.rss_per_client_kib:.1f} KiB"
    )
    print(
        f"  PostgreSQL {first.postgres_cpu_pct:.0f} %   load generator "
        f"{first.loadgen_cpu_pct:.0f} %   others {first.others_cpu_pct:.0f} %   "
        f"clients dropped by the server: {result.dropped_clients}"
    )
    return passed


def shapes(args: argparse.Namespace) -> list[Shape]:
    full = Shape(
        "full",
        args.vehicles,
        args.clients,
        fleet_count(args.fleet_clients, args.clients),
    )
    scaled = [
        Shape(f"scaled-down {v:,}/{c:,}", v, c, fleet_count(args.fleet_clients, c))
        for v, c in SCALED
    ]
    if args.scaled_only:
        return scaled
    if args.full_only:
        return [full]
    return [*scaled, full]


async def main_async(args: argparse.Namespace, admin_url: str) -> int:
    log_dir = Path(tempfile.mkdtemp(prefix="fleetyard-bench-live-"))
    passed = []
    for shape in shapes(args):
        database = new_database_name()
        url = create_database(admin_url, database)
        try:
            print(f"\n[{shape.label}] database {database}; logs in {log_dir}")
            result = await measure(shape, args, url, database, log_dir)
            passed.append(report(result, args))
        finally:
            if not args.keep_db:
                drop_database(admin_url, database)
    print(
        f"\nThe load generator (every tracker and WebSocket client, in Python) runs on the same "
        f"machine and shares its cores with the server and PostgreSQL: {machine_note()}."
    )
    return 0 if all(passed) else 1


def main() -> None:
    args = parse_args()
    limit = raise_fd_limit()
    gc.freeze()
    print(f"Machine: {machine_note()}; open files limit {limit:,}")
    admin_url = os.environ.get("FLEETYARD_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL)
    code = asyncio.run(main_async(args, admin_url))
    sys.exit(code)


if __name__ == "__main__":
    main()
