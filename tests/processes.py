"""``fleetyard serve`` as a real child process, for tests that kill, restart or pair them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

FLEETYARD = Path(sys.executable).parent / "fleetyard"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fleetyard_env(**settings: str) -> dict[str, str]:
    """This environment without the caller's FLEETYARD_* settings, every device port free
    (0: runs may overlap), then ``settings`` (``data_dir="…"`` → ``FLEETYARD_DATA_DIR``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETYARD_")}
    for protocol in ("TELTONIKA", "GT06", "H02", "OSMAND"):
        env[f"FLEETYARD_{protocol}_PORT"] = "0"
    env.update({f"FLEETYARD_{name.upper()}": value for name, value in settings.items()})
    return env


def postgres_pids(pg_dir: Path) -> set[int]:
    """Live postgres processes serving ``pg_dir`` (zombies awaiting their reaper don't count)."""
    found = set()
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["status"] != psutil.STATUS_ZOMBIE and str(pg_dir) in cmdline:
            found.add(proc.pid)
    return found


def embedded_data_dir(prefix: str) -> Iterator[Path]:
    """A fresh data dir for an embedded PostgreSQL (short and under /tmp: its unix socket
    lives there), removed afterwards with any server a failed test left running."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    yield path
    for pid in postgres_pids(path / "pg"):
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).terminate()
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class ServeProcess:
    """``fleetyard serve --role ROLE`` on fixed ports; ``start`` again after a kill."""

    role: str
    database_url: str
    http_port: int
    log_dir: Path
    settings: dict[str, str] = field(default_factory=dict)  # FLEETYARD_<name> → value
    process: asyncio.subprocess.Process | None = None
    runs: int = 0

    def env(self) -> dict[str, str]:
        return fleetyard_env(
            env="development",
            database_url=self.database_url,
            data_dir=str(self.log_dir),
            gateway_host="127.0.0.1",
            http_port=str(self.http_port),
            log_level="WARNING",
            **self.settings,
        )

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.role}-{self.http_port}-{self.runs}.log"

    async def start(self) -> None:
        self.runs += 1
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *(str(FLEETYARD), "serve", "--role", self.role, "--host", "127.0.0.1"),
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        await self._wait_ready()

    async def _wait_ready(self) -> None:
        """/readyz answers only once the lifespan (device servers, hub) is up."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    pytest.fail(
                        f"{self.role} exited ({self.process.returncode}):\n{self.log_tail()}"
                    )
                try:
                    response = await http.get(f"http://127.0.0.1:{self.http_port}/readyz")
                    if response.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        pytest.fail(f"{self.role} not ready after {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
