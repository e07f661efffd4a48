"""The real gateway (``fleetyard serve --role gateway``) as a subprocess, on free ports; it
starts its stage worker as its own child (the product's way), whose /metrics is on
``stages_port``."""

from __future__ import annotations

import resource
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _server import FLEETYARD, REPO, Server, _server_env, _stop, _wait_ready, free_port


@dataclass
class Gateway:
    server: Server
    device_port: int
    stages_port: int  # the stage worker's /metrics (serve starts the worker as its child)

    @property
    def stages_url(self) -> str:
        return f"http://127.0.0.1:{self.stages_port}"

    @property
    def pid(self) -> int:
        return self.server.pid


def raise_fd_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (children inherit it); returns the new limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@contextmanager
def running_gateway(
    database_url: str,
    log_path: Path,
    timeout: float = 60,
    *,
    role: str = "gateway",
    settings: dict[str, str] | None = None,
) -> Iterator[Gateway]:
    """``fleetyard serve --role ROLE`` with devices on a free Teltonika port (none for the
    api role) and HTTP on a free port; ready on entry, stopped on exit. ``settings``:
    more FLEETYARD_* values (``{"redis_url": …}``)."""
    http_port, device_port, stages_port = free_port(), free_port(), free_port()
    env = _server_env(database_url, None)  # a redis_url comes in through settings
    env.update(
        FLEETYARD_ENV="development",
        FLEETYARD_GATEWAY_HOST="127.0.0.1",
        FLEETYARD_TELTONIKA_PORT=str(device_port),
        FLEETYARD_ACCESS_LOG="false",
        FLEETYARD_STAGES_METRICS_PORT=str(stages_port),
    )
    for other in ("GT06", "H02", "OSMAND"):
        env[f"FLEETYARD_{other}_PORT"] = "0"
    env.update({f"FLEETYARD_{k.upper()}": v for k, v in (settings or {}).items()})
    command = [str(FLEETYARD), "serve", "--role", role, "--host", "127.0.0.1"]
    command += ["--port", str(http_port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    server = Server(process, f"http://127.0.0.1:{http_port}", log_path)
    try:
        _wait_ready(server, timeout)
        yield Gateway(server, device_port, stages_port)
    finally:
        _stop(process)
