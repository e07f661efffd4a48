"""The geofence stage's CPU per record, without I/O: what the ingest pipeline's geofence
handler spends per fix before it writes anything.

    .venv/bin/python bench/geofences.py [--geofences 1000] [--vehicles 1000] [--records 200000]

Builds one tenant's index of --geofences circles and polygons around Vilnius (where the
ingest benchmark's trackers drive, the same generator as bench/ingest.py seeds), then drives
--vehicles simulated vehicles (50 km/h, a fix a second, wandering headings, as the ingest
benchmark's tracks do) and hands their fixes to the evaluator in batches of --batch, as the
pipeline does: one STRtree query per batch, the state machine per vehicle. Prints the index
build time, µs per record (the tree query and the evaluation), how many fixes had a fence
near them, and the enter/exit/dwell/speeding changes made.

With --database, the same fixes go through the real handler (``GeofenceRules``, as the
pipeline calls it after each batch commits) on a throw-away database
(FLEETYARD_BENCH_DATABASE_URL, a superuser; default postgresql://postgres@127.0.0.1:5432/postgres)
with the tenant's vehicles, devices and geofences: the index built from its rows, presence
read and written, events, alerts, all under row-level security. It prints the first batch
(the index build, and the whole fleet entering the fence it starts in) apart from the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import asyncpg

from _geofence_seed import COLUMNS, fence_rows, seed_geofences
from _ingest_seed import register_trackers
from _seed import APP_ROLE, create_database, drop_database, new_database_name
from fleetyard.db import with_user
from fleetyard.geofences.evaluate import Fix, VehicleState, evaluate_batch
from fleetyard.geofences.handler import GeofenceRules
from fleetyard.geofences.index import TenantFences, build
from fleetyard.kit.geo import step
from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.position import Position

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
VILNIUS = (54.6872, 25.2797)  # the ingest benchmark's tracks start here


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--geofences", type=int, default=1_000)
    parser.add_argument("--vehicles", type=int, default=1_000)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2_000, help="records per pipeline batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database", action="store_true", help="through the real handler on a real database"
    )
    return parser.parse_args()


def index_of(count: int, seed: int) -> tuple[TenantFences, float]:
    rows = [
        dict(zip(COLUMNS, row, strict=True))
        for row in fence_rows(uuid.uuid4(), count, VILNIUS, 12_000.0, seed)
    ]
    for row in rows:
        row["geometry"] = json.loads(row["geometry"])
        row["active_hours"] = None
    started = time.perf_counter()
    fences = build(rows, "Europe/Vilnius")
    return fences, time.perf_counter() - started


def tracks(vehicles: int, records: int, seed: int) -> list[tuple[uuid.UUID, Fix]]:
    """Fixes of every vehicle, interleaved second by second as a live fleet sends them."""
    rng = random.Random(seed)
    ids = [uuid.uuid4() for _ in range(vehicles)]
    state = [[*VILNIUS, rng.uniform(0, 360), 50.0] for _ in ids]
    start = datetime.now(UTC) - timedelta(hours=6)
    out: list[tuple[uuid.UUID, Fix]] = []
    second = 0
    while len(out) < records:
        when = start + timedelta(seconds=second)
        for vehicle_id, s in zip(ids, state, strict=True):
            lat, lon, heading, speed = s
            out.append((vehicle_id, Fix(when, lat, lon, speed)))
            s[0], s[1] = step(lat, lon, heading, speed / 3.6)
            s[2] = (heading + rng.gauss(0, 10)) % 360
            s[3] = max(0.0, min(130.0, speed + rng.gauss(0, 3)))
        second += 1
    return out[:records]


async def through_the_handler(args: argparse.Namespace, url: str) -> None:
    """The same fixes through ``GeofenceRules`` on the database, batch by batch."""
    trackers = await register_trackers(url, args.vehicles, 0, args.seed)
    await seed_geofences(url, trackers.tenant.id, args.geofences, VILNIUS, seed=args.seed)
    pool = await asyncpg.create_pool(with_user(url, APP_ROLE), min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "select set_config('app.tenant_id', $1, true)", str(trackers.tenant.id)
            )
            rows = await conn.fetch(
                "select id, vehicle_id from devices where vehicle_id is not null"
            )
        routes = [DeviceRoute(trackers.tenant.id, r["id"], r["vehicle_id"]) for r in rows]
        fixes = tracks(len(routes), args.records, args.seed)
        by_vehicle = dict(zip(sorted({v for v, _ in fixes}), routes, strict=True))
        rules = GeofenceRules(pool)
        now = datetime.now(UTC)
        timings: list[float] = []
        for first in range(0, len(fixes), args.batch):
            batch = [
                Resolved(
                    by_vehicle[v],
                    Position(
                        "bench",
                        "teltonika",
                        f.fix_time,
                        f.latitude,
                        f.longitude,
                        speed_kmh=f.speed_kmh,
                    ),
                    now,
                )
                for v, f in fixes[first : first + args.batch]
            ]
            started = time.perf_counter()
            await rules(batch)
            timings.append(time.perf_counter() - started)
    finally:
        await pool.close()
    rest = timings[1:]
    print(
        f"Through GeofenceRules on PostgreSQL ({len(timings)} batches of {args.batch:,}): first "
        f"batch {timings[0] * 1000:.0f} ms (index built, {rules.stats.index_builds} build), then "
        f"{1e6 * sum(rest) / max(1, len(rest) * args.batch):.1f} µs per record "
        f"(p95 batch {1000 * sorted(rest)[int(0.95 * (len(rest) - 1))]:.1f} ms); "
        f"{rules.stats.changes:,} changes written in {rules.stats.write_seconds:.2f} s"
    )


def main() -> None:
    args = parse_args()
    if args.database:
        admin = os.environ.get("FLEETYARD_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL)
        name = new_database_name()
        try:
            asyncio.run(through_the_handler(args, create_database(admin, name)))
        finally:
            drop_database(admin, name)
        return
    fences, build_s = index_of(args.geofences, args.seed)
    fixes = tracks(args.vehicles, args.records, args.seed)
    states: dict[uuid.UUID, VehicleState] = {}
    changes: Counter[str] = Counter()
    near_any = 0
    stage_s = 0.0
    for first in range(0, len(fixes), args.batch):
        batch = fixes[first : first + args.batch]
        by_vehicle: dict[uuid.UUID, list[Fix]] = defaultdict(list)
        for vehicle_id, fix in batch:
            by_vehicle[vehicle_id].append(fix)
        started = time.perf_counter()
        ordered = [(v, by_vehicle[v]) for v in sorted(by_vehicle)]
        flat = [f for _, own in ordered for f in own]
        found, _ = evaluate_batch(
            fences,
            ordered,
            [f.latitude for f in flat],
            [f.longitude for f in flat],
            [f.margin_m for f in flat],
            lambda fix, _margin: fix,
            states,
        )
        stage_s += time.perf_counter() - started
        for _, change in found:
            changes[type(change).__name__] += 1
        near = fences.near(
            [f.latitude for f in flat], [f.longitude for f in flat], [f.margin_m for f in flat]
        )
        near_any += len(set(near.fix.tolist()))
    records = len(fixes)
    inside = sum(len(s.presence) for s in states.values())
    print(
        f"{args.geofences:,} geofences "
        f"({sum(1 for f in fences.fences if f.shape.radius_m)} circles), "
        f"index built in {build_s * 1000:.0f} ms; {args.vehicles:,} vehicles, {records:,} records "
        f"in batches of {args.batch:,}"
    )
    print(
        f"  per record: {1e6 * stage_s / records:.1f} µs (tree query, vectorised sides and the "
        f"state machine) → at most {records / stage_s:,.0f} records/s on one core"
    )
    print(
        f"  {near_any / records:.0%} of fixes had a fence within reach; at the end "
        f"{inside:,} vehicle-in-fence pairs; changes: "
        + ", ".join(f"{name} {count:,}" for name, count in sorted(changes.items()))
    )


if __name__ == "__main__":
    main()
