"""The demo's running part: the server (API and device gateway) in this process, the
simulator as a child process, and the contractor vans publishing to the MQTT broker (a task
of this process, ``contractors``), started in that order and stopped in the reverse one.

The simulator runs as ``fleetyard simulate`` in its own process on purpose: its devices
connect over TCP and HTTP to the gateway's ports as trackers do, keep their own clock and
buffers while the server is busy, and use the machine's other core. Ctrl-C or SIGTERM stops
the simulator first (its devices send what they still hold while the gateway answers), then
the server (requests drained, gateway closed, ingest flushed); the embedded PostgreSQL stops
as this process exits. A second Ctrl-C stops both at once. The child also stops by itself
should this process die without a word (``--parent-pid``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import uvicorn
from rich.console import Console
from rich.text import Text

from fleetyard.demo.contractors import BrokerState, ContractorVans
from fleetyard.demo.failures import DemoFailed
from fleetyard.demo.fleet import simulator_command
from fleetyard.demo.steps import SetupSteps
from fleetyard.simulator.fleet import STOP_TIMEOUT_S, FleetConfig
from fleetyard.telematics.runtime import Telematics

SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
SIMULATOR_STOP_S: Final = STOP_TIMEOUT_S + 5  # its devices get STOP_TIMEOUT_S to send the rest
DEVICES_CONNECT_S: Final = 60.0
SERVER_START_S: Final = 60.0
POLL_S: Final = 0.1
SIGNAL_GRACE_S: Final = 1.0
BROKER_FIRST_TRY_S: Final = 6.0  # the contractors' first connection (it times out in 5 s)
CONTRACTORS_STOP_S: Final = 15.0
WILDCARD_HOSTS: Final = frozenset({"", "0.0.0.0", "::"})

log = logging.getLogger(__name__)


def quiet_simulator_command(fleet: FleetConfig, *, debugging: bool) -> list[str]:
    """``fleetyard simulate`` for ``fleet``; its report every 10 s only when debugging, so
    nothing scrolls the ready box away."""
    command = simulator_command(fleet, os.getpid())
    return command if debugging else [*command, "--quiet"]


def simulator_env(*, debugging: bool) -> dict[str, str]:
    """Its lines as they come; Python's warnings (a library's deprecations) only when
    debugging, as in this process (``fleetyard.logging``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "160"}
    if not debugging:
        env["PYTHONWARNINGS"] = "ignore"
    return env


class DemoServer(uvicorn.Server):
    """uvicorn without its own SIGINT/SIGTERM handlers: the supervisor orders the shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(frozen=True)
class Running:
    url: str
    device_ports: dict[str, int]  # protocol → port, "teltonika-udp" too


class Stopped(Exception):
    """Ctrl-C (or SIGTERM) came while starting: stop what runs, exit 0."""


class DemoSupervisor:
    def __init__(
        self,
        server: DemoServer,
        fleet: FleetConfig,
        steps: SetupSteps,
        console: Console,
        on_ready: Callable[[Running], None],
        contractors: ContractorVans | None = None,
    ) -> None:
        self.server = server
        self.fleet = fleet
        self.steps = steps
        self.console = console
        self.on_ready = on_ready
        self.contractors = contractors
        self._contractors_task: asyncio.Task[None] | None = None
        self.simulator: asyncio.subprocess.Process | None = None
        self._echo: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._signals = 0

    async def run(self) -> None:
        """Until Ctrl-C or SIGTERM; raises ``DemoFailed`` if the server or the simulator
        fails or stops by itself."""
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.add_signal_handler(sig, self._signalled)
        serving = asyncio.create_task(self._serve())
        try:
            await self._start_then_watch(serving)
        except Stopped:
            pass
        finally:
            await self._stop_contractors()
            await self._stop_simulator()
            self.server.should_exit = True
            await serving
            for sig in SIGNALS:
                loop.remove_signal_handler(sig)

    async def _start_then_watch(self, serving: asyncio.Task[None]) -> None:
        running = await self._start_server(serving)
        simulator_ended = await self._start_simulator(running, serving)
        await self._start_contractors()
        self.steps.stop()
        self.on_ready(running)
        await self._until_one_ends(serving, simulator_ended)
        if simulator_ended.done() and not self._stopping.is_set():
            # Ctrl-C in a terminal reaches the simulator too; its exit may come first
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), SIGNAL_GRACE_S)
        if self._stopping.is_set():
            return
        if serving.done():
            raise DemoFailed("the server stopped by itself (its log above says why)")
        raise DemoFailed(f"the simulator stopped by itself (exit code {simulator_ended.result()})")

    # starting ----------------------------------------------------------------------------
    async def _start_server(self, serving: asyncio.Task[None]) -> Running:
        with self.steps.step("Server: API and device gateway") as step:
            started = await self._wait_for(lambda: self.server.started, [serving], SERVER_START_S)
            if not started:
                raise DemoFailed("the server did not start (its log above says why)")
            running = Running(self._url(), dict(self._telematics().ports))
            step.describe(f"Server: {running.url}, devices on {len(running.device_ports)} ports")
        return running

    async def _start_simulator(
        self, running: Running, serving: asyncio.Task[None]
    ) -> asyncio.Task[int]:
        """Start ``fleetyard simulate`` on the gateway's ports; returns its exit as a task."""
        fleet = replace(self.fleet, ports={p: running.device_ports[p] for p in self.fleet.ports})
        total = fleet.vehicles
        with self.steps.step(f"Simulator: {total} vehicles on Helsinki's streets") as step:
            self.simulator = child = await asyncio.create_subprocess_exec(
                *quiet_simulator_command(fleet, debugging=log.isEnabledFor(logging.DEBUG)),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=simulator_env(debugging=log.isEnabledFor(logging.DEBUG)),
            )
            self._echo = asyncio.create_task(self._echo_lines(child))
            ended = asyncio.create_task(child.wait())
            gateway = self._telematics().gateway

            def connected() -> bool:
                step.describe(
                    f"Simulator: {total} vehicles on Helsinki's streets, "
                    f"{min(gateway.open_connections, total)}/{total} devices connected"
                )
                return gateway.open_connections >= total

            await self._wait_for(connected, [serving, ended], DEVICES_CONNECT_S)
            if ended.done():
                raise DemoFailed(f"the simulator exited with code {ended.result()}")
        return ended

    async def _start_contractors(self) -> None:
        """Their vans on the road, publishing to the broker; one that can't be reached is
        said here and retried quietly (the demo runs on without them)."""
        vans = self.contractors
        if vans is None:
            return
        plan = vans.plan
        with self.steps.step(f"Contractor vans: {len(plan.vans)} over MQTT") as step:
            self._contractors_task = asyncio.create_task(vans.run(), name="contractor-vans")
            state = await vans.first_attempt(BROKER_FIRST_TRY_S)
            if self._stopping.is_set():
                raise Stopped
            if self._contractors_task.done():
                failed = self._contractors_task
                self._contractors_task = None
                log.warning("contractor vans could not start", exc_info=failed.exception())
                step.describe("Contractor vans: could not start (the log says why)")
            elif state is BrokerState.PUBLISHING:
                step.describe(f"Contractor vans: {len(plan.vans)} publishing to {plan.broker}")
            else:
                step.describe(
                    f"Contractor vans: the MQTT broker at {plan.broker} can't be reached; "
                    "retrying quietly"
                )

    async def _wait_for(
        self, ready: Callable[[], bool], watched: Sequence[asyncio.Future[Any]], timeout_s: float
    ) -> bool:
        """Poll ``ready``: True once it is; False when a watched task ends or time is up.
        Raises ``Stopped`` on Ctrl-C."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not ready():
            if self._stopping.is_set():
                raise Stopped
            if any(task.done() for task in watched):
                return False
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(POLL_S)
        return True

    async def _echo_lines(self, child: asyncio.subprocess.Process) -> None:
        """The simulator's output, line by line, above the progress (it ends with the child)."""
        assert child.stdout is not None
        async for line in child.stdout:
            text = line.decode(errors="replace").rstrip()
            self.console.print(Text.assemble(("simulator ", "dim"), text), soft_wrap=True)

    # stopping ----------------------------------------------------------------------------
    def _signalled(self) -> None:
        self._signals += 1
        self._stopping.set()
        if self._signals > 1:  # a second Ctrl-C: no more waiting
            self.server.force_exit = True
            if self.simulator is not None and self.simulator.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.simulator.kill()

    async def _stop_contractors(self) -> None:
        task = self._contractors_task
        if task is None or self.contractors is None:
            return
        self.contractors.stop()
        try:
            await asyncio.wait_for(task, CONTRACTORS_STOP_S)
        except TimeoutError:
            pass  # wait_for cancelled it
        except Exception:  # a bug of theirs must not keep the demo from stopping
            log.warning("contractor vans ended with an error", exc_info=True)

    async def _stop_simulator(self) -> None:
        child = self.simulator
        if child is None:
            return
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(child.wait(), SIMULATOR_STOP_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
        if self._echo is not None:
            await self._echo

    async def _serve(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn's "could not start"; it logged why
            await self.server.serve()

    # facts about the running server ------------------------------------------------------
    def _telematics(self) -> Telematics:
        app: Any = self.server.config.app
        telematics: Telematics = app.state.telematics
        return telematics

    def _url(self) -> str:
        config = self.server.config
        host = "127.0.0.1" if config.host in WILDCARD_HOSTS else config.host
        port = config.port
        if port == 0:  # asked for any free port: the one it got
            port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://{host}:{port}"

    async def _until_one_ends(self, *tasks: asyncio.Future[Any]) -> None:
        """Until a task ends or Ctrl-C."""
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
