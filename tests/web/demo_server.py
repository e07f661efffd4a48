"""``fleetyard demo`` as ``make run`` starts it, for the first-ten-minutes browser test.

``python -m tests.web.demo_server`` runs the demo on an empty embedded PostgreSQL in a fresh
data dir, on free ports (``--port 0``, device ports 0), waits for its ready box, prints one
JSON line (``base_url``, the demo logins and password, how long it took), and runs until its
standard input closes; then it stops the demo with Ctrl-C (SIGINT), as a person would, and
removes the data dir. Its terminal output is kept in ``test-artifacts/web/demo-terminal.txt``.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from fleetyard.demo.logins import DEMO_EMAIL, DEMO_PASSWORD, DEMO_VIEWER_EMAIL
from tests.processes import embedded_data_dir, fleetyard_env

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "web"
FLEETYARD = Path(sys.executable).parent / "fleetyard"
READY_S = 150.0
STOP_S = 30.0
URL = re.compile(r"App\s+(http://127\.0\.0\.1:\d+)")


def wait_ready(process: subprocess.Popen[bytes], out: Path) -> str:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the demo exited ({process.returncode}):\n{out.read_text()[-3000:]}"
            )
        found = URL.search(out.read_text(errors="replace"))
        if found and httpx.get(f"{found.group(1)}/readyz", timeout=5).status_code == 200:
            return found.group(1)
        time.sleep(0.3)
    raise RuntimeError(f"the demo was not ready in {READY_S:.0f} s:\n{out.read_text()[-3000:]}")


def main() -> None:
    data_dirs = embedded_data_dir("fy-e2e-demo-")
    data_dir = next(data_dirs)
    out = data_dir / "terminal.txt"
    began = time.monotonic()
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [str(FLEETYARD), "demo", "--port", "0"],
            env=fleetyard_env(data_dir=str(data_dir), gateway_host="127.0.0.1"),
            stdout=stdout,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
        )
    try:
        base_url = wait_ready(process, out)
        line = {
            "base_url": base_url,
            "email": DEMO_EMAIL,
            "viewer_email": DEMO_VIEWER_EMAIL,
            "password": DEMO_PASSWORD,
            "ready_after_s": round(time.monotonic() - began, 1),
        }
        print(json.dumps(line), flush=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
        while not stopped.wait(0.5):
            if process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, ARTIFACTS / "demo-terminal.txt")
        for _ in data_dirs:  # removes the data dir and any server left behind
            pass


if __name__ == "__main__":
    main()
