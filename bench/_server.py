"""The real server as a subprocess, and the CPU and memory it (and PostgreSQL) use."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

try:
    import psutil  # type: ignore[import-untyped]
except ImportError:  # read /proc instead (Linux)
    psutil = None

REPO = Path(__file__).resolve().parent.parent
FLEETYARD = REPO / ".venv" / "bin" / "fleetyard"
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_GONE: tuple[type[Exception], ...] = (OSError,) if psutil is None else (OSError, psutil.Error)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETYARD_")}
    env.update(FLEETYARD_DATABASE_URL=database_url, FLEETYARD_LOG_LEVEL="WARNING")
    if redis_url:
        env["FLEETYARD_REDIS_URL"] = redis_url
    return env


@contextmanager
def own_redis() -> Iterator[str]:
    """A redis-server of the benchmark's own on a free port (nothing else publishes there)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found: install it or pass --redis URL")
    port = free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextmanager
def running_server(
    database_url: str,
    log_path: Path,
    timeout: float = 60,
    *,
    redis_url: str | None = None,
    workers: int | None = None,
) -> Iterator[Server]:
    """``fleetyard serve`` on a free port, ready (``/readyz`` 200) on entry, stopped on exit.
    With Redis it runs one worker per core (or ``workers``), as a deployment would."""
    port = free_port()
    # the HTTP API alone: the device gateway (and its well-known ports) is not measured here
    command = [str(FLEETYARD), "serve", "--role", "api", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    env = _server_env(database_url, redis_url)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_ready(server, timeout)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the server exited ({server.process.returncode}):\n{server.log_tail()}"
            )
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready after {timeout:.0f} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# process figures -------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 once it is gone)."""
    try:
        if psutil is not None:
            times = psutil.Process(pid).cpu_times()
            return float(times.user + times.system)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except _GONE:
        return 0.0


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's supervisor and its workers)."""
    if psutil is None:
        return [pid]
    try:
        return [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    except _GONE:
        return [pid]


def tree_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(p) for p in process_tree(pid))


def tree_rss_bytes(pid: int) -> int:
    return sum(rss_bytes(p) for p in process_tree(pid))


def rss_bytes(pid: int) -> int:
    try:
        if psutil is not None:
            return int(psutil.Process(pid).memory_info().rss)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except _GONE:
        pass
    return 0


def machine_busy_seconds() -> float:
    """CPU time all cores have spent on anything but idling, since boot."""
    if psutil is not None:
        times = psutil.cpu_times()
        return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / _TICKS


def postgres_backends(database: str) -> list[int]:
    """PIDs of the PostgreSQL backends connected to ``database`` (by their process title)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


@dataclass(frozen=True, slots=True)
class Usage:
    server_cpu_s: float  # the server's processes together
    server_cpu_pct: float  # of one core
    server_rss_peak_mb: float
    postgres_cpu_pct: float
    loadgen_cpu_pct: float
    machine_cpu_pct: float  # everything, all cores: 200 on a busy two-core machine

    @property
    def others_cpu_pct(self) -> float:
        """Everything else meanwhile: other processes, PostgreSQL's background workers, the
        kernel's own time. Much above zero means the figures were taken on a busy machine."""
        ours = self.server_cpu_pct + self.postgres_cpu_pct + self.loadgen_cpu_pct
        return max(0.0, self.machine_cpu_pct - ours)


class UsageMeter:
    """CPU used over a window by the server, the bench DB's backends and this process."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.database = database
        self._rss_peak = 0
        self._sampler: asyncio.Task[None] | None = None

    def _snapshot(self) -> tuple[float, float, dict[int, float], float, float]:
        backends = {pid: cpu_seconds(pid) for pid in postgres_backends(self.database)}
        server, own = tree_cpu_seconds(self.server_pid), time.process_time()
        return time.monotonic(), server, backends, own, machine_busy_seconds()

    async def _sample_rss(self) -> None:
        while True:
            self._rss_peak = max(self._rss_peak, tree_rss_bytes(self.server_pid))
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._rss_peak = 0
        self._start = self._snapshot()
        self._sampler = asyncio.create_task(self._sample_rss())

    async def stop(self) -> Usage:
        assert self._sampler is not None
        self._sampler.cancel()
        await asyncio.gather(self._sampler, return_exceptions=True)
        self._rss_peak = max(self._rss_peak, tree_rss_bytes(self.server_pid))
        t0, server0, backends0, own0, machine0 = self._start
        t1, server1, backends1, own1, machine1 = self._snapshot()
        wall = max(t1 - t0, 1e-9)
        pg = sum(cpu - backends0.get(pid, 0.0) for pid, cpu in backends1.items())
        return Usage(
            server_cpu_s=server1 - server0,
            server_cpu_pct=100 * (server1 - server0) / wall,
            server_rss_peak_mb=self._rss_peak / 2**20,
            postgres_cpu_pct=100 * pg / wall,
            loadgen_cpu_pct=100 * (own1 - own0) / wall,
            machine_cpu_pct=100 * (machine1 - machine0) / wall,
        )


def machine_note() -> str:
    cores = os.cpu_count() or 0
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return f"{cores} cores, load average {load}; python {sys.version.split()[0]}"
