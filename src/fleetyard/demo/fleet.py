"""The demo's simulated fleet, from one config: the seeding registers its planned devices and
the simulator child drives them, so what connects is exactly what is registered."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from fleetyard.config import Settings
from fleetyard.simulator.devices import PROTOCOLS
from fleetyard.simulator.fleet import DEFAULT_MIX, DEFAULT_PORTS, FleetConfig

GATEWAY_HOST: Final = "127.0.0.1"  # the simulator reaches the gateway on this machine


def served_protocols(settings: Settings) -> tuple[str, ...]:
    """The device protocols whose gateway port is set (a protocol without one is off)."""
    ports = {
        "teltonika": settings.teltonika_port,
        "gt06": settings.gt06_port,
        "h02": settings.h02_port,
        "osmand": settings.osmand_port,
    }
    return tuple(p for p in PROTOCOLS if ports[p] is not None)


def demo_fleet_config(
    *,
    vehicles: int,
    seed: int,
    interval_s: float,
    protocols: tuple[str, ...],
    data_dir: Path,
    ports: Mapping[str, int] | None = None,
) -> FleetConfig:
    """The demo fleet over ``protocols`` (the usual shares among them). ``ports``: where the
    gateway listens, once it does; planning which devices there are needs none."""
    if not protocols:
        raise ValueError("the demo needs at least one device protocol with a port")
    return FleetConfig(
        vehicles=vehicles,
        host=GATEWAY_HOST,
        ports={p: DEFAULT_PORTS[p] for p in protocols} if ports is None else dict(ports),
        protocol_mix={p: DEFAULT_MIX[p] for p in protocols},
        seed=seed,
        interval_s=interval_s,
        data_dir=data_dir,
        early_alerts=True,  # a DTC at once, overheating and low fuel within two minutes
    )


def simulator_command(config: FleetConfig, parent_pid: int) -> list[str]:
    """``fleetyard simulate`` driving exactly ``config``'s fleet, ending with its parent."""
    mix = ",".join(f"{protocol}={share!r}" for protocol, share in config.protocol_mix.items())
    command = [
        *(sys.executable, "-m", "fleetyard", "simulate"),
        *("--vehicles", str(config.vehicles), "--seed", str(config.seed)),
        *("--interval", repr(config.interval_s), "--protocols", mix),
        *("--server", config.host, "--data-dir", str(config.data_dir)),
        *("--parent-pid", str(parent_pid)),
    ]
    for protocol, port in config.ports.items():
        command += [f"--{protocol}-port", str(port)]
    if config.early_alerts:
        command.append("--early-alerts")
    return command
