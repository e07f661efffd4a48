"""API latency under a steady 200 requests/s: the figure we promise is p95 < 20 ms.

    .venv/bin/python bench/api.py [--vehicles 100000] [--rate 200] [--duration 20] [--keep-db]

Creates a throw-away database on the machine's PostgreSQL (FLEETYARD_BENCH_DATABASE_URL, a
superuser; default postgresql://postgres@127.0.0.1:5432/postgres), seeds one tenant with
--vehicles vehicles and ten small tenants, starts the real server (``fleetyard serve``, with a
redis-server of its own, so one worker process per core as deployed) and drives it over HTTP
with an open-loop generator, one scenario at a time: filtered lists, gets by id, creates, then
all of them mixed with requests from the small tenants. Latency is measured from each
request's scheduled send time, so queueing in the server is not hidden.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from _http import HttpClient
from _load import Workload, open_loop, settle
from _report import GOAL_P95_MS, Result, error_lines, latency_table, usage_table
from _scenarios import CreateVehicle, GetVehicle, ListVehicles, Mixed, OtherTenants
from _seed import (
    BenchTenant,
    create_database,
    create_tenants,
    drop_database,
    load_fleet,
    new_database_name,
    settle_search,
)
from _server import Server, UsageMeter, machine_note, own_redis, process_tree, running_server

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
OTHER_TENANTS = 10
WARMUP_S = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--vehicles", type=int, default=100_000, help="in the big tenant")
    parser.add_argument("--other-vehicles", type=int, default=1_000, help="per small tenant")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=WARMUP_S, help="seconds per scenario")
    parser.add_argument("--seed", type=int, default=1, help="random seed for data and requests")
    parser.add_argument("--keep-db", action="store_true", help="leave the database behind")
    parser.add_argument(
        "--redis", help="Redis URL for the server (default: a redis-server of the bench's own)"
    )
    parser.add_argument(
        "--workers", type=int, help="server processes (default: fleetyard serve's, one per core)"
    )
    parser.add_argument(
        "--search-documents",
        action="store_true",
        help="build the seeded fleet's search documents first (minutes) instead of only "
        "marking the tenants indexed",
    )
    return parser.parse_args()


async def seed(url: str, args: argparse.Namespace) -> tuple[BenchTenant, list[BenchTenant]]:
    started = time.perf_counter()
    labels = ["big", *(f"small{i}" for i in range(OTHER_TENANTS))]
    big, *others = await create_tenants(url, labels)
    print(f"  {len(labels)} tenants + API keys (services): {time.perf_counter() - started:.1f} s")
    plan = [(big, 8, args.vehicles), *((t, 3, args.other_vehicles) for t in others)]
    seconds = await load_fleet(url, plan, args.seed)
    total = args.vehicles + OTHER_TENANTS * args.other_vehicles
    print(f"  {total:,} vehicles by COPY + ANALYZE: {seconds:.1f} s")
    seconds = await settle_search(url, [big, *others], build=args.search_documents)
    done = "documents built" if args.search_documents else "tenants marked indexed"
    print(f"  search index ({done}): {seconds:.1f} s")
    return big, others


async def check_isolation(client: HttpClient, big: BenchTenant, other: BenchTenant) -> None:
    """Sanity before timing: the big tenant sees its vehicle, another tenant gets a 404."""
    path = f"/api/v1/vehicles/{big.vehicle_ids[0]}"
    own = await client.request("GET", path, big.headers)
    foreign = await client.request("GET", path, other.headers)
    if own.status != 200 or foreign.status != 404:
        raise RuntimeError(f"isolation check: own {own.status}, other {foreign.status}")


def scenarios(
    big: BenchTenant, others: list[BenchTenant], rng: random.Random
) -> list[tuple[str, Callable[[], Workload]]]:
    numbers = itertools.count(1)
    return [
        ("list active, 50/page", lambda: ListVehicles(big, rng)),
        ("get by id", lambda: GetVehicle(big, rng)),
        ("create", lambda: CreateVehicle(big, rng, numbers)),
        (
            "mixed",
            lambda: Mixed(
                [
                    (ListVehicles(big, rng), 40),
                    (GetVehicle(big, rng), 40),
                    (CreateVehicle(big, rng, numbers), 10),
                    (OtherTenants(others, rng), 10),
                ],
                rng,
            ),
        ),
    ]


async def drive(
    server: Server,
    database: str,
    big: BenchTenant,
    others: list[BenchTenant],
    args: argparse.Namespace,
) -> tuple[list[Result], Counter[str]]:
    """Each scenario: a warm-up, then the measured run; returns results and transport failures."""
    results = []
    meter = UsageMeter(server.pid, database)
    async with HttpClient(server.base_url) as client:
        await check_isolation(client, big, others[0])
        for name, make in scenarios(big, others, random.Random(args.seed)):
            workload = make()
            waited = await settle(client)
            if waited > 2:
                print(f"  (waited {waited:.0f} s for the server to finish the previous backlog)")
            await open_loop(client, workload, rate=args.rate, duration_s=args.warmup)
            meter.start()
            run = await open_loop(client, workload, rate=args.rate, duration_s=args.duration)
            result = Result(name, run, await meter.stop())
            s = result.summary
            print(f"  {name}: p95 {s.p95_ms:.1f} ms, {s.ok}/{s.sent} ok")
            results.append(result)
    return results, client.failures


def report(
    results: list[Result], failures: Counter[str], args: argparse.Namespace, server_log: Path
) -> None:
    print()
    print(
        f"Open loop at {args.rate:g} requests/s, {args.duration:g} s per scenario after "
        f"{args.warmup:g} s warm-up; latency from each request's scheduled send time."
    )
    print(*latency_table(results), sep="\n")
    print()
    print(*usage_table(results), sep="\n")
    print()
    for line in error_lines(results):
        print(line)
    for reason, count in failures.most_common():
        print(f"transport failure ×{count}: {reason}")
    print(
        "CPU columns are % of one core (100 % = one core busy): the server (uvicorn's\n"
        "supervisor and its workers), the bench database's PostgreSQL backends, this load\n"
        "generator, and every\n"
        "other process on the machine. CPU ms/ans is server CPU time per answered request\n"
        "(1000 / it ≈ requests/s one core can serve). Send lag is how far the load generator\n"
        "itself fell behind its schedule (latency still counts from the scheduled time).\n"
        "All of these share the machine's cores:\n"
        f"{machine_note()}."
    )
    log_lines = len(server_log.read_text(errors="replace").splitlines())
    print(f"Server log (WARNING and up): {log_lines} lines in {server_log}")
    passed = sum(r.passed for r in results)
    print(f"Goal p95 < {GOAL_P95_MS:.0f} ms with no errors: {passed}/{len(results)} scenarios PASS")


def quiet_collector() -> None:
    """The seeded ids (100k+ UUIDs) are kept for the whole run: move them out of the garbage
    collector's sight, or each full collection walks them all and stalls this generator for
    ~100 ms, which then shows up as the server's latency."""
    gc.collect()
    gc.freeze()


def run(admin_url: str, args: argparse.Namespace) -> None:
    print(f"Machine: {machine_note()}")
    started = time.perf_counter()
    database = new_database_name()
    try:
        url = create_database(admin_url, database)
        print(f"Database {database} created and migrated: {time.perf_counter() - started:.1f} s")
        big, others = asyncio.run(seed(url, args))
        quiet_collector()
        server_log = Path(tempfile.mkdtemp(prefix="fleetyard-bench-")) / "server.log"
        with contextlib.ExitStack() as stack:
            redis_url = args.redis or stack.enter_context(own_redis())
            server = stack.enter_context(
                running_server(url, server_log, redis_url=redis_url, workers=args.workers)
            )
            workers = len(process_tree(server.pid)) - 1 or 1
            print(
                f"Server pid {server.pid} ({workers} worker process{'es' if workers > 1 else ''})"
                f" at {server.base_url}; running scenarios …"
            )
            results, failures = asyncio.run(drive(server, database, big, others, args))
        report(results, failures, args, server_log)
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
