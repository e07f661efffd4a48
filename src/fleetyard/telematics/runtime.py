"""Wires the telematics parts for one process: a raw asyncpg pool on the app role, the device
directory, the ingest pipeline, the after-store stages (a stage worker child process by
default, see ``fleetyard.stages``; in this process with ``FLEETYARD_STAGES_IN_PROCESS``) and,
when this process runs the gateway role, the device servers on their configured ports."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from fleetyard.behaviour.handler import BehaviourDetection
from fleetyard.config import Settings
from fleetyard.db import libpq_dsn, owner_url
from fleetyard.geofences.handler import GeofenceRules
from fleetyard.kit.observability import Metrics
from fleetyard.realtime.bus import Bus
from fleetyard.realtime.publishers import PositionPublisher
from fleetyard.stages.bridge import StageProcess
from fleetyard.stages.chain import StageChain
from fleetyard.stages.worker import QueueGauges
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.gateway.server import Gateway, SessionFactory, StreamListener
from fleetyard.telematics.gateway.udp import listen_udp
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.partitions import upkeep
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.gt06 import Gt06Session
from fleetyard.telematics.protocols.h02.session import H02Session
from fleetyard.telematics.protocols.osmand import OsmAndSession
from fleetyard.telematics.protocols.teltonika import TeltonikaSession

log = logging.getLogger(__name__)


def stream_protocols(settings: Settings) -> list[tuple[str, int | None, SessionFactory, bool]]:
    """(protocol, port, session factory, several devices per connection?) per TCP protocol."""
    return [
        ("teltonika", settings.teltonika_port, TeltonikaSession, False),
        ("gt06", settings.gt06_port, Gt06Session, False),
        ("h02", settings.h02_port, H02Session, False),
        ("osmand", settings.osmand_port, OsmAndSession, True),
    ]


def tune_gc() -> None:
    """Thousands of records in flight keep many young objects alive, and CPython's default
    thresholds then run full collections over the whole start-up heap again and again (over
    a quarter of the gateway's CPU in bench/ingest.py). Move what start-up built out of the
    collector's sight and collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 50)


@dataclass
class Telematics:
    pool: asyncpg.Pool
    directory: DeviceDirectory
    pipeline: IngestPipeline
    gateway: Gateway
    geofences: GeofenceRules | None = None  # the stages, when they run in this process
    behaviour: BehaviourDetection | None = None
    chain: StageChain | None = None
    stage_process: StageProcess | None = None  # the stage worker child, by default
    ports: dict[str, int] = field(default_factory=dict)
    _datagram: list[asyncio.DatagramTransport] = field(default_factory=list)
    _upkeep: asyncio.Task[None] | None = None
    _queue_gauges: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        app_dsn: str,
        *,
        serve_devices: bool,
        bus: Bus | None = None,
        metrics: Metrics | None = None,
    ) -> Telematics:
        """``bus``: where stored positions and alert changes are published live."""
        # writers, the after-store stages running side by side (four), the device directory
        pool = await asyncpg.create_pool(app_dsn, min_size=1, max_size=settings.ingest_writers + 6)
        directory = DeviceDirectory(pool)
        registry = metrics.registry if metrics else None
        in_process = settings.stages_in_process
        pipeline = IngestPipeline(
            pool,
            max_delay_s=settings.ingest_batch_delay_ms / 1000,
            writers=settings.ingest_writers,
            commit_lag=metrics.ingest_commit_lag if metrics else None,
            registry=registry,
            stage_queue=not in_process,
        )
        if bus is not None:  # the map hears of a fix before its ack leaves
            lag = metrics.live_publish_lag if metrics else None
            pipeline.on_committed.append(PositionPublisher(bus, lag))
        chain = None
        if in_process:
            chain = StageChain.build(pool, settings, bus, registry)
            pipeline.on_stored.extend(chain.handlers)
        await pipeline.start()
        limits = ConnectionLimits(
            max_connections=settings.gateway_max_connections,
            idle_timeout_s=settings.gateway_idle_timeout_s,
        )
        runtime = cls(pool, directory, pipeline, Gateway(directory, pipeline, limits))
        if chain is not None:
            runtime.chain, runtime.geofences, runtime.behaviour = (
                chain,
                chain.geofences,
                chain.behaviour,
            )
        else:
            owner = owner_url(settings)
            if settings.stage_worker:
                runtime.stage_process = await StageProcess.start(settings, owner, bus)
            if registry is not None:  # the queue's depth and lag on this process's /metrics
                gauges = QueueGauges(registry)
                runtime._queue_gauges = asyncio.create_task(gauges.follow(libpq_dsn(owner)))
        if serve_devices:
            await runtime._listen(settings)
            tune_gc()
        return runtime

    async def _listen(self, settings: Settings) -> None:
        host = settings.gateway_host
        for protocol, port, factory, multi_device in stream_protocols(settings):
            if port is not None:
                listener = StreamListener(protocol, port, factory, host, multi_device)
                self.ports[protocol] = await self.gateway.listen(listener)
        if settings.teltonika_port is not None:
            udp_port = self.ports.get("teltonika", settings.teltonika_port)
            transport, bound = await listen_udp(self.directory, self.pipeline, host, udp_port)
            self._datagram.append(transport)
            self.ports["teltonika-udp"] = bound

    def keep_partitions(self, owner_dsn: str, every_s: float = 6 * 3600) -> None:
        """Partition upkeep on the owner connection: now, then every few hours."""

        async def loop() -> None:
            while True:
                try:
                    conn = await asyncpg.connect(owner_dsn)
                    try:
                        await upkeep(conn, datetime.now(UTC))
                    finally:
                        await conn.close()
                except Exception:  # logged; the next round tries again
                    log.exception("positions upkeep failed")
                await asyncio.sleep(every_s)

        self._upkeep = asyncio.create_task(loop())

    async def stop(self) -> None:
        for task in (self._upkeep, self._queue_gauges):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.gateway.close()
        for transport in self._datagram:
            transport.close()
        await self.pipeline.drain()
        await self.pipeline.stop()
        if self.stage_process is not None:  # what it has not done waits in stage_queue
            await self.stage_process.stop()
        if self.chain is not None:
            await self.chain.close()
        await self.pool.close()
