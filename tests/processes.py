"""``fleetyard serve`` as a real child process, for tests that kill, restart or pair them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

FLEETYARD = Path(sys.executable).parent / "fleetyard"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETYARD_")}
        env.update(
            FLEETYARD_ENV="development",
            FLEETYARD_DATABASE_URL=self.database_url,
            FLEETYARD_DATA_DIR=str(self.log_dir),
            FLEETYARD_GATEWAY_HOST="127.0.0.1",
            FLEETYARD_HTTP_PORT=str(self.http_port),
            FLEETYARD_LOG_LEVEL="WARNING",
        )
        for protocol in ("TELTONIKA", "GT06", "H02", "OSMAND"):  # free ports: runs may overlap
            env[f"FLEETYARD_{protocol}_PORT"] = "0"
        env.update({f"FLEETYARD_{name.upper()}": value for name, value in self.settings.items()})
        return env

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
