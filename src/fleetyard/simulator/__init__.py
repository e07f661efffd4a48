"""Simulated trackers: the load generator for tests and benchmarks, and the demo fleet.

The demo fleet (``fleet.run_fleet``, ``fleetyard simulate``): vehicles (``vehicle``) drive
fastest routes (``routing``) on a road graph (``roads``, built from OpenStreetMap by ``osm``)
at speeds that fit each road (``driving``), with an engine (``engine``) and the occasional
fault (``episodes``); each reports through a device on its protocol (``devices``).

The backlog loader: ``Track`` makes plausible AVL records (a vehicle driving, fix times
increasing); ``SimulatedTeltonika`` is one Teltonika device speaking TCP to a gateway, with a
local buffer that keeps every record until its ack arrives, and reconnects with backoff.
"""

from fleetyard.simulator.teltonika_device import Backoff, DeviceStats, SimulatedTeltonika
from fleetyard.simulator.track import Track

__all__ = ["Backoff", "DeviceStats", "SimulatedTeltonika", "Track"]
