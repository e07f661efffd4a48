"""The after-store stages in the stage worker: positions the gateway stored become trips,
stops, geofence and driving events in the worker's process, exactly as in the gateway's own
process; a worker killed (SIGKILL) in the middle of a claim and started again duplicates and
loses nothing; two workers share the queue without running anything twice; a tenant whose
stage fails stalls no other tenant."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from pathlib import Path

from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.items import LiveItem
from fleetyard.stages.bridge import StageProcess
from fleetyard.stages.chain import StageChain
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.stages import ByDevice
from tests.feeding import PipelineFeeder, app_pool, running_pipeline
from tests.processes import free_port
from tests.stages.helpers import (
    DEADLINE_S,
    chain_records,
    drained,
    feed,
    in_process_worker,
    outcome,
    queued,
    queued_pipeline,
    the_drive,
    worker_processes,
    yard,
)
from tests.telematics.conftest import register_tracked


async def reference(
    database_url: str, app_database: Database, settings: Settings
) -> dict[str, list[tuple[object, ...]]]:
    """The same drive and fence for another tenant, through the stages in one process."""
    tracked = await register_tracked(app_database, "stages-ref")
    await yard(app_database, tracked.tenant.id)
    async with app_pool(database_url) as pool:
        chain = StageChain.build(pool, settings, None, None)
        async with running_pipeline(pool, *chain.handlers) as pipeline:
            feeder = PipelineFeeder(pool, pipeline, DeviceDirectory(pool))
            await feed(feeder, tracked, the_drive())
            found = await outcome(feeder, tracked)
        await chain.close()
    return found


async def test_stored_positions_become_trips_and_geofence_events_in_the_worker_process(
    database_url: str, app_database: Database, settings: Settings, tmp_path: Path
) -> None:
    expected = await reference(database_url, app_database, settings)
    assert len(expected["trips"]) == 2 and len(expected["stops"]) == 3
    assert ("geofence_entered", 2) in expected["events"]
    tracked = await register_tracked(app_database, "stages-proc")
    await yard(app_database, tracked.tenant.id)
    async with app_pool(database_url) as pool, queued_pipeline(pool) as feeder:
        async with worker_processes(database_url, tmp_path, settings):
            await feed(feeder, tracked, the_drive())
            await drained(database_url)
        found = await outcome(feeder, tracked)
    assert found == expected


async def test_a_worker_killed_mid_claim_and_restarted_duplicates_and_loses_nothing(
    database_url: str, app_database: Database, settings: Settings, tmp_path: Path
) -> None:
    expected = await reference(database_url, app_database, settings)
    tracked = await register_tracked(app_database, "stages-kill")
    await yard(app_database, tracked.tenant.id)
    fixes = the_drive()
    async with app_pool(database_url) as pool, queued_pipeline(pool) as feeder:
        await feed(feeder, tracked, fixes, batch=4)  # 73 stored batches wait
        waiting, _ = await queued(database_url)
        assert waiting == -(-len(fixes) // 4)
        async with worker_processes(
            database_url, tmp_path, settings, args=lambda _: ["--claim", "3"]
        ) as [worker]:
            kills = 0
            deadline = time.monotonic() + DEADLINE_S
            while kills < 3:  # three times, each while it holds a claim, some batches done
                assert time.monotonic() < deadline, "the worker never claimed"
                left, claimed = await queued(database_url)
                if claimed and left <= waiting - 6 * (kills + 1):
                    worker.kill()
                    kills += 1
                    assert (await queued(database_url))[1] == 0  # its claim went back
                    worker.start()
                await asyncio.sleep(0.001)
            await drained(database_url)
        found = await outcome(feeder, tracked)
    assert found["events"] == expected["events"]
    assert found == expected


async def test_two_workers_share_the_queue_and_run_each_batch_once(
    database_url: str, app_database: Database, settings: Settings, tmp_path: Path
) -> None:
    expected = await reference(database_url, app_database, settings)
    pair = [await register_tracked(app_database, f"stages-two-{n}") for n in range(2)]
    for tracked in pair:
        await yard(app_database, tracked.tenant.id)
    fixes = the_drive()
    ports = [free_port(), free_port()]
    async with app_pool(database_url) as pool, queued_pipeline(pool) as feeder:
        async with worker_processes(
            database_url,
            tmp_path,
            settings,
            count=2,
            args=lambda n: ["--claim", "2", "--metrics-port", str(ports[n])],
        ):
            for first in range(0, len(fixes), 8):  # the two tenants' batches interleave
                for tracked in pair:
                    await feed(feeder, tracked, fixes[first : first + 8], batch=4)
            await drained(database_url)
            through = [chain_records(port) for port in ports]
        for tracked in pair:
            assert await outcome(feeder, tracked) == expected
    # every stored record went through one round of one worker, none through two
    assert sum(through) == 2 * len(fixes)


async def test_a_tenant_whose_stage_fails_stalls_no_other_tenant(
    database_url: str, app_database: Database, settings: Settings, tmp_path: Path
) -> None:
    expected = await reference(database_url, app_database, settings)
    broken = await register_tracked(app_database, "stages-fail-0")
    fine = await register_tracked(app_database, "stages-fail-1")
    for tracked in (broken, fine):
        await yard(app_database, tracked.tenant.id)
    fixes = the_drive()
    async with (
        app_pool(database_url) as pool,
        queued_pipeline(pool) as feeder,
        in_process_worker(database_url, pool, settings) as worker,
    ):
        trips = worker.chain.trips
        apply_tenant = trips.apply_tenant

        async def failing(tenant_id: uuid.UUID, devices: ByDevice) -> None:
            if tenant_id == broken.tenant.id:
                raise RuntimeError("a stage failing for one tenant")
            await apply_tenant(tenant_id, devices)

        trips.apply_tenant = failing  # type: ignore[method-assign]
        for tracked in (broken, fine):
            await feed(feeder, tracked, fixes, batch=10)
        await worker.drain()
        assert (await queued(database_url))[0] == 0
        assert trips.stats.failures > 0
        assert await outcome(feeder, fine) == expected
        assert (await outcome(feeder, broken))["trips"] == []
        # mended: the broken tenant's next drive is detected again
        trips.apply_tenant = apply_tenant  # type: ignore[method-assign]
        await feed(feeder, broken, the_drive(fixes[-1].time + timedelta(minutes=5)), batch=10)
        await worker.drain()
        assert len((await outcome(feeder, broken))["trips"]) == 2


async def test_the_stages_live_updates_reach_the_serving_process_bus(
    database_url: str, app_database: Database, settings: Settings
) -> None:
    """serve's child (no Redis): what the stages publish comes back over its stdout."""
    tracked = await register_tracked(app_database, "stages-live")
    await yard(app_database, tracked.tenant.id)
    bus = LocalBus()
    heard: list[LiveItem] = []
    bus.listen(lambda batch: heard.extend(batch.items))
    child = await StageProcess.start(settings, database_url, bus)
    try:
        async with app_pool(database_url) as pool, queued_pipeline(pool) as feeder:
            await feed(feeder, tracked, the_drive())
            await drained(database_url)
            deadline = time.monotonic() + DEADLINE_S
            while sum(i.kind == "geofence_entered" for i in heard) < 2:
                assert time.monotonic() < deadline, f"heard only {[i.kind for i in heard]}"
                await asyncio.sleep(0.05)
        kinds = {i.kind for i in heard}
        assert "geofence_exited" in kinds and any(k.startswith("alert") for k in kinds), kinds
    finally:
        await child.stop()
    assert child.process is not None and child.process.returncode is not None
