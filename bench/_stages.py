"""The cost per stored record of each ingest pipeline stage that publishes it on /metrics:
``fleetyard_<stage>_seconds`` (a histogram per batch) beside ``fleetyard_<stage>_records_total``
(the records it went through). The after-store stages run in the stage worker process (its
own /metrics); the gateway's /metrics has the records it stored newly and the stage queue.
Also: the stage worker's pace, and how long it took to catch up once the load stopped."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

import asyncpg
import httpx

_SUM = re.compile(r"^fleetyard_(\w+)_seconds_sum (\S+)$")
_RECORDS = re.compile(r"^fleetyard_(\w+)_records_total (\S+)$")
_VALUE = re.compile(r"^(fleetyard_\w+) (\S+)$")
CHAIN = "stage_chain"  # the stage worker's round: claim, read back, every stage, done
READ = "stage_read"  # reading the claimed batches' positions back


@dataclass
class StageCosts:
    stages: dict[str, tuple[float, int]] = field(default_factory=dict)  # µs per record, records
    fresh: int = 0  # records newly stored (the gateway's figure)
    queued_batches: int = 0  # stored batches waiting for the stage worker
    chain_seconds: float = 0.0  # the worker's rounds, wall time summed


def _metrics(url: str) -> tuple[dict[str, float], dict[str, int], dict[str, float]]:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    seconds: dict[str, float] = {}
    records: dict[str, int] = {}
    values: dict[str, float] = {}
    for line in text.splitlines():
        if found := _SUM.match(line):
            seconds[found[1]] = float(found[2])
        elif found := _RECORDS.match(line):
            records[found[1]] = int(float(found[2]))
        if found := _VALUE.match(line):
            values[found[1]] = float(found[2])
    return seconds, records, values


def stage_costs(gateway_url: str, worker_url: str) -> StageCosts:
    """The gateway's stored records and the worker's stages, read now."""
    _, _, gateway = _metrics(gateway_url)
    seconds, records, values = _metrics(worker_url)
    return StageCosts(
        stages={
            stage: (1e6 * seconds[stage] / count if count else 0.0, count)
            for stage, count in records.items()
            if stage in seconds
        },
        fresh=int(gateway.get("fleetyard_ingest_fresh_records_total", 0)),
        queued_batches=int(values.get("fleetyard_stage_queue_batches", 0)),
        chain_seconds=seconds.get(CHAIN, 0.0),
    )


@dataclass
class CatchUp:
    seconds: float  # from the load's end until the queue was empty
    waiting_at_stop: int  # stored batches waiting when the load stopped
    records_waiting_at_stop: int
    oldest_s: float  # the oldest waiting batch's age then
    done: bool


async def catch_up(database_url: str, timeout_s: float = 600.0) -> CatchUp:
    """Poll stage_queue from the load's end until the stage worker has emptied it."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.monotonic()
        row = await conn.fetchrow(
            "select count(*) as n, coalesce(sum(records), 0) as r, "
            "coalesce(extract(epoch from clock_timestamp() - min(stored_at)), 0) as age "
            "from stage_queue"
        )
        assert row is not None
        while await conn.fetchval("select exists (select 1 from stage_queue)"):
            if time.monotonic() - started > timeout_s:
                return CatchUp(timeout_s, row["n"], row["r"], float(row["age"]), False)
            await asyncio.sleep(0.05)
        return CatchUp(time.monotonic() - started, row["n"], row["r"], float(row["age"]), True)
    finally:
        await conn.close()


def print_stage_costs(costs: StageCosts) -> None:
    stages = {k: v for k, v in costs.stages.items() if k not in (CHAIN, READ)}
    if not stages:
        print("  pipeline stages: none publishes its cost per record")
        return
    print(
        "  after-store stages, in the stage worker process (side by side), wall time per record"
        " they went through (waits on the database and on the other stages included):"
    )
    for stage, (us, n) in sorted(stages.items()):
        share = f"{100 * n / costs.fresh:.0f} %" if costs.fresh else "?"
        print(f"    {stage:<30} {us:>8.1f} µs   {n:>10,} records = {share} of those stored")
    if READ in costs.stages:
        us, n = costs.stages[READ]
        print(f"    {'reading the batches back':<30} {us:>8.1f} µs   {n:>10,} records")
    if CHAIN in costs.stages:
        us, n = costs.stages[CHAIN]
        rate = 1e6 / us if us else float("inf")
        print(
            f"    {'a whole round (the chain)':<30} {us:>8.1f} µs   {n:>10,} records "
            f"(the worker's pace: ~{rate:,.0f} records/s while busy)"
        )


def print_catch_up(costs: StageCosts, caught: CatchUp, load_s: float) -> None:
    through = costs.stages.get(CHAIN, (0.0, 0))[1]
    total_s = load_s + caught.seconds
    print(
        f"  stage worker: {through:,} records through every stage of {costs.fresh:,} stored; "
        f"~{through / max(total_s, 1e-9):,.0f} records/s over the load and its catch-up "
        f"({total_s:.0f} s), busy {costs.chain_seconds:.0f} s of them"
    )
    state = "caught up" if caught.done else "NOT caught up"
    print(
        f"  when the load stopped: {caught.waiting_at_stop:,} stored batches "
        f"({caught.records_waiting_at_stop:,} records) waiting, the oldest {caught.oldest_s:.1f} s"
        f" old; the stages {state} {caught.seconds:.1f} s later"
    )
