"""The stage worker as ``fleetyard serve``'s child process, and its live updates.

With Redis (``FLEETYARD_REDIS_URL``) the worker publishes on the Redis bus itself, like any
process. Embedded (no Redis) the bus is the serving process's memory, so the child's stdout
carries what the stages publish (one line per batch, ``L`` + the bus's own encoding) and the
parent publishes it on its bus; the other way, the parent writes the events that change a
tenant's geofence index (geofence, vehicle, group, tenant changes) to the child's stdin, so
its geofence stage rebuilds the index as the in-process one would. Any other line the child
prints passes through to the parent's stdout. A child that dies is started again (its
claims are rolled back and taken anew); the child stops when its parent is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import uuid
from collections.abc import Sequence
from typing import IO, Final

from fleetyard.config import Settings
from fleetyard.realtime.bus import (
    BatchListener,
    Bus,
    GapListener,
    Interest,
    LocalBus,
    decode_batch,
    encode_batch,
)
from fleetyard.realtime.items import LiveBatch, LiveItem

log = logging.getLogger(__name__)

# a live batch line: b"L" + tenant id (36 bytes, read without decoding the rest) + b"0|" +
# the bus's encoding (the number 0: the parent bus gives the real one)
PREFIX: Final = b"L"
TENANT_END: Final = 37
RESTART_S: Final = 1.0
STOP_S: Final = 15.0
LINE_LIMIT: Final = 64 * 1024 * 1024
# the events after which the geofence stage builds a tenant's index again (its own list)
INDEX_CHANGES: Final = (
    "geofence_created",
    "geofence_updated",
    "geofence_deleted",
    "vehicle_",
    "group_",
    "tenant_updated",
)


def _line(tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> bytes:
    return b"L%s0|%s\n" % (str(tenant_id).encode(), encode_batch(tenant_id, items))


def _tenant(line: bytes) -> uuid.UUID | None:
    """The tenant of a live batch line (None: not one)."""
    if not line.startswith(PREFIX) or line[TENANT_END : TENANT_END + 2] != b"0|":
        return None
    try:
        return uuid.UUID(line[1:TENANT_END].decode())
    except ValueError:
        return None


def _batch(line: bytes) -> LiveBatch:
    return decode_batch(line[TENANT_END:].rstrip(b"\n"))


class PipeBus:
    """The child's bus: publishes to its stdout, hears the parent's index changes on stdin."""

    def __init__(self, out: IO[bytes] | None = None) -> None:
        self._out = out or sys.stdout.buffer
        self._local = LocalBus()  # delivers what stdin brings to this process's listeners
        self._task: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()  # stdin ended: the parent is gone

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        self._task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            if _tenant(line) is None:
                continue
            try:
                batch = _batch(line)
            except Exception:
                log.warning("unreadable line from the serving process", exc_info=True)
                continue
            await self._local.publish(batch.tenant_id, batch.items)
        self.closed.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def publish(self, tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> None:
        if items:
            self._out.write(_line(tenant_id, items))
            self._out.flush()

    async def head(self, tenant_id: uuid.UUID) -> int:
        return await self._local.head(tenant_id)

    def listen(
        self,
        on_batch: BatchListener,
        on_gap: GapListener | None = None,
        wants: Interest | None = None,
    ) -> None:
        self._local.listen(on_batch, on_gap, wants)

    def wants(self, tenant_id: uuid.UUID) -> bool:
        return True  # the parent's hub decides


class StageProcess:
    """``fleetyard stages`` as a child of this process, kept running until ``stop``."""

    def __init__(self, settings: Settings, owner_url: str, bus: Bus | None) -> None:
        self.settings = settings
        self.owner_url = owner_url
        self.bus = bus if settings.redis_url is None else None  # Redis: the child publishes
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        if self.bus is not None:  # wants nothing: publishers skip no work for us
            self.bus.listen(self._forward, wants=lambda _: False)

    @classmethod
    async def start(cls, settings: Settings, owner_url: str, bus: Bus | None) -> StageProcess:
        child = cls(settings, owner_url, bus)
        await child._spawn()
        child._task = asyncio.create_task(child._supervise())
        return child

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def _spawn(self) -> None:
        env = dict(os.environ)
        env["FLEETYARD_DATABASE_URL"] = self.owner_url
        # logs as quiet as this process's (the demo logs warnings only)
        level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        env.setdefault("FLEETYARD_LOG_LEVEL", str(level))
        if self.settings.database_app_url:
            env["FLEETYARD_DATABASE_APP_URL"] = self.settings.database_app_url
        command = [sys.executable, "-m", "fleetyard", "stages", "--parent-pid", str(os.getpid())]
        self.process = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=LINE_LIMIT,
        )
        self.starts += 1

    async def _supervise(self) -> None:
        while not self._stopping:
            process = self.process
            assert process is not None and process.stdout is not None
            await self._relay(process.stdout)
            code = await process.wait()
            if self._stopping:
                return
            log.error("stage worker exited; starting it again", extra={"exit_code": code})
            await asyncio.sleep(RESTART_S)
            try:
                await self._spawn()
            except Exception:
                log.exception("stage worker not started")

    async def _relay(self, stdout: asyncio.StreamReader) -> None:
        while line := await stdout.readline():
            tenant_id = _tenant(line)
            if tenant_id is None:
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
                continue
            if self.bus is None or not self.bus.wants(tenant_id):
                continue  # no hub here wants the tenant's items: not even decoded
            try:
                batch = _batch(line)
            except Exception:
                log.warning("unreadable live batch from the stage worker", exc_info=True)
                continue
            await self.bus.publish(batch.tenant_id, batch.items)

    def _forward(self, batch: LiveBatch) -> None:
        """Events that change a geofence index, to the child (positions are not sent)."""
        if not batch.items or batch.items[0].is_position:
            return
        process = self.process
        if process is None or process.stdin is None or process.returncode is not None:
            return
        items = [i for i in batch.items if i.kind.startswith(INDEX_CHANGES)]
        if not items:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            process.stdin.write(_line(batch.tenant_id, items))

    async def stop(self) -> None:
        self._stopping = True
        process = self.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
