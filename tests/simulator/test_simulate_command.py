"""``fleetyard simulate``: lists the devices to register without connecting, refuses a bad
protocol mix, stops cleanly on SIGINT, and stops by itself once its parent has gone."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
from typer.testing import CliRunner

from fleetyard.cli import app
from fleetyard.simulator.fleet import FleetConfig, planned_devices

FLEETYARD = Path(sys.executable).parent / "fleetyard"


def test_list_devices_prints_what_the_fleet_will_connect_as() -> None:
    result = CliRunner().invoke(
        app, ["simulate", "--vehicles", "6", "--seed", "3", "--list-devices"]
    )
    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    assert header == "unique_id,protocol,name"
    expected = planned_devices(FleetConfig(vehicles=6, seed=3))
    assert rows == [f"{d.unique_id},{d.protocol},{d.name}" for d in expected]


def test_a_bad_protocol_mix_is_refused() -> None:
    result = CliRunner().invoke(
        app, ["simulate", "--protocols", "teltonika=lots", "--list-devices"]
    )
    assert result.exit_code != 0 and "protocol=share" in result.output


def simulate_command(data_dir: Path) -> list[str]:
    with socket.socket() as sock:  # a port with nobody listening: the devices keep retrying
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    ports = [f"--{p}-port" for p in ("teltonika", "gt06", "h02", "osmand")]
    command = [str(FLEETYARD), "simulate", "--vehicles", "4", "--data-dir", str(data_dir)]
    for option in ports:
        command += [option, port]
    return command


def test_ctrl_c_stops_the_fleet_cleanly(tmp_path: Path) -> None:
    command = simulate_command(tmp_path)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    started = b""
    while b"Ctrl+C stops them" not in started:  # its signal handlers are set by then
        line = process.stdout.readline()
        assert line, f"the simulator ended before it started: {started.decode()}"
        started += line
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=20)
    output = started + rest
    assert process.returncode == 0, output.decode()
    assert b"stopped: 0 fixes acknowledged" in output


# Starts the simulator as its child, passing its own pid, prints the child's pid and ends
# without stopping it: the simulator is orphaned.
ORPHANING_PARENT = """
import os, subprocess, sys
child = subprocess.Popen([*sys.argv[1:], "--parent-pid", str(os.getpid())])
print(child.pid, flush=True)
"""


def test_an_orphaned_simulator_stops_by_itself(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHANING_PARENT, *simulate_command(tmp_path)],
        stdout=subprocess.PIPE,
    )
    assert parent.stdout is not None
    simulator = psutil.Process(int(parent.stdout.readline()))
    assert parent.wait(timeout=10) == 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if simulator.status() == psutil.STATUS_ZOMBIE:  # ended, waiting for its reaper
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    else:
        simulator.kill()
        raise AssertionError("the orphaned simulator kept running")
    output = parent.stdout.read().decode()  # the simulator wrote here too, until it ended
    assert "has ended" in output and "stopped: 0 fixes acknowledged" in output, output
