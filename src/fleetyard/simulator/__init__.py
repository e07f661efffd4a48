"""Simulated trackers: the load generator for tests, benchmarks and the simulator.

``Track`` makes plausible AVL records (a vehicle driving, fix times increasing);
``SimulatedTeltonika`` is one Teltonika device speaking TCP to a gateway, with a local buffer
that keeps every record until its ack arrives, and reconnects with backoff.
"""

from fleetyard.simulator.teltonika_device import Backoff, DeviceStats, SimulatedTeltonika
from fleetyard.simulator.track import Track

__all__ = ["Backoff", "DeviceStats", "SimulatedTeltonika", "Track"]
