"""Before anything starts: a taken port ends the demo with one line naming it and the setting
to change; the simulator the demo starts drives exactly the devices the seeding registers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fleetyard.config import Settings
from fleetyard.demo.fleet import demo_fleet_config, served_protocols, simulator_command
from fleetyard.demo.launch import device_ports_text
from fleetyard.demo.plan import demo_fleet_plan
from fleetyard.demo.ports import PortTaken, check_ports, demo_ports

FLEETYARD = Path(sys.executable).parent / "fleetyard"


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_settings(**ports: int | None) -> Settings:
    """Every device port 0 (any free one, never checked) unless given."""
    values: dict[str, int | None] = {f"{p}_port": 0 for p in ("teltonika", "gt06", "h02", "osmand")}
    values.update({f"{name}_port": port for name, port in ports.items()})
    return Settings(gateway_host="127.0.0.1", **values)  # type: ignore[arg-type]


def test_a_taken_device_port_is_named_with_its_setting(held_port: int) -> None:
    with pytest.raises(PortTaken) as taken:
        check_ports(demo_ports(free_settings(gt06=held_port), http_port=0))
    message = str(taken.value)
    assert message == (
        f"TCP port {held_port} (GT06 devices) is in use: "
        "stop what uses it or choose another with FLEETYARD_GT06_PORT"
    )


def test_a_taken_http_port_points_at_the_option(held_port: int) -> None:
    with pytest.raises(PortTaken, match=f"TCP port {held_port} \\(HTTP API\\).*--port"):
        check_ports(demo_ports(free_settings(), http_port=held_port))


def test_teltonika_needs_its_udp_port_too() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        with pytest.raises(PortTaken, match=f"UDP port {port} .*FLEETYARD_TELTONIKA_PORT"):
            check_ports(demo_ports(free_settings(teltonika=port), http_port=0))


def test_free_ports_and_switched_off_protocols_pass() -> None:
    settings = free_settings(h02=None)
    check_ports(demo_ports(settings, http_port=0))
    assert served_protocols(settings) == ("teltonika", "gt06", "osmand")


def test_the_command_fails_in_one_line_before_starting_anything(
    held_port: int, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEETYARD_")}
    env.update(FLEETYARD_DATA_DIR=str(tmp_path), FLEETYARD_OSMAND_PORT=str(held_port))
    env.update(FLEETYARD_GATEWAY_HOST="127.0.0.1", FLEETYARD_TELTONIKA_PORT="0")
    env.update(FLEETYARD_GT06_PORT="0", FLEETYARD_H02_PORT="0")
    result = subprocess.run(
        [str(FLEETYARD), "demo", "--port", "0"], env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert f"port {held_port} (OsmAnd devices)" in lines[0]
    assert "FLEETYARD_OSMAND_PORT" in lines[0]
    assert not (tmp_path / "pg").exists()  # no PostgreSQL was started


def test_the_simulator_drives_exactly_the_seeded_devices(tmp_path: Path) -> None:
    fleet = demo_fleet_config(
        vehicles=12,
        seed=5,
        interval_s=0.5,
        protocols=("teltonika", "gt06", "h02", "osmand"),
        data_dir=tmp_path,
        ports={"teltonika": 1, "gt06": 2, "h02": 3, "osmand": 4},
    )
    command = [*simulator_command(fleet, os.getpid()), "--list-devices"]
    listed = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
    _, *rows = listed.decode().strip().splitlines()
    seeded = demo_fleet_plan(fleet, datetime.now(UTC)).devices
    assert [row.split(",")[:2] for row in rows] == [[d.unique_id, d.protocol.value] for d in seeded]


def test_device_ports_read_as_one_line() -> None:
    ports = {"teltonika": 5027, "gt06": 5023, "h02": 5013, "osmand": 5055, "teltonika-udp": 5027}
    assert device_ports_text(ports) == (
        "Teltonika 5027 (TCP and UDP), GT06 5023, H02 5013, OsmAnd 5055"
    )
