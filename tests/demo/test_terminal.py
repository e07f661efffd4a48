"""What `make run` prints besides the demo's own steps: one line per build step, its tools'
output only when it fails; the simulator the demo starts keeps its report every 10 s and
Python's warnings to itself unless debugging."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fleetyard.demo.supervisor import quiet_simulator_command, simulator_env
from fleetyard.simulator.fleet import FleetConfig

STEP = Path(__file__).parents[2] / "scripts" / "step.sh"


def step(tmp_path: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """``scripts/step.sh`` as make runs it, its output not a terminal (as in CI)."""
    env = {k: v for k, v in os.environ.items() if k != "VERBOSE"}
    return subprocess.run(
        ["bash", str(STEP), "Build the thing", str(tmp_path / "logs" / "build.log"), *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )


def test_a_step_that_passes_prints_its_title_not_its_output(tmp_path: Path) -> None:
    done = step(tmp_path, "sh", "-c", "echo 'transforming (81) src/lib/api/csrf.ts'; echo >&2 x")
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["· Build the thing …", "✓ Build the thing     0 s"]
    assert done.stderr == ""
    assert "transforming (81)" in (tmp_path / "logs" / "build.log").read_text()


def test_a_step_that_fails_shows_all_its_output_and_its_exit_code(tmp_path: Path) -> None:
    failed = step(tmp_path, "sh", "-c", "echo 'src/App.tsx(3,1): error TS2304'; echo >&2 x; exit 3")
    assert failed.returncode == 3
    log = tmp_path / "logs" / "build.log"
    assert failed.stderr.splitlines() == [
        f"✗ Build the thing failed (exit code 3); its output, kept in {log}:",
        "src/App.tsx(3,1): error TS2304",
        "x",
    ]


def test_the_simulator_reports_every_10_s_only_when_debugging(tmp_path: Path) -> None:
    fleet = FleetConfig(vehicles=2, host="127.0.0.1", data_dir=tmp_path)
    assert quiet_simulator_command(fleet, debugging=False)[-1] == "--quiet"
    assert "--quiet" not in quiet_simulator_command(fleet, debugging=True)
    assert simulator_env(debugging=False)["PYTHONWARNINGS"] == "ignore"
    assert simulator_env(debugging=True).get("PYTHONWARNINGS") == os.environ.get("PYTHONWARNINGS")
