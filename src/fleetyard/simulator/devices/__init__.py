"""Simulated trackers on the real wire: one ``Wire`` per protocol (what goes out, what the
server's replies mean) behind one ``DeviceLink`` (buffer, batches, acks, reconnects)."""

from __future__ import annotations

from typing import Final

from fleetyard.simulator.devices.gt06 import Gt06Wire
from fleetyard.simulator.devices.h02 import H02Wire
from fleetyard.simulator.devices.link import Batch, DeviceLink, ExpectedReply, LinkStats, Wire
from fleetyard.simulator.devices.osmand import OsmAndFormat, OsmAndWire
from fleetyard.simulator.devices.teltonika import TeltonikaWire

PROTOCOLS: Final = ("teltonika", "gt06", "h02", "osmand")
# whose simulated devices report coolant, fuel level and DTCs (the others: position, ignition)
ENGINE_DATA_PROTOCOLS: Final = frozenset({"teltonika"})


def make_wire(
    protocol: str, unique_id: str, host: str, *, osmand_format: OsmAndFormat = "query"
) -> Wire:
    if protocol == "teltonika":
        return TeltonikaWire(unique_id)
    if protocol == "gt06":
        return Gt06Wire(unique_id)
    if protocol == "h02":
        return H02Wire(unique_id)
    if protocol == "osmand":
        return OsmAndWire(unique_id, host, format=osmand_format)
    raise ValueError(f"no simulated {protocol!r} device; choose from {', '.join(PROTOCOLS)}")


__all__ = [
    "ENGINE_DATA_PROTOCOLS",
    "PROTOCOLS",
    "Batch",
    "DeviceLink",
    "ExpectedReply",
    "Gt06Wire",
    "H02Wire",
    "LinkStats",
    "OsmAndWire",
    "TeltonikaWire",
    "Wire",
    "make_wire",
]
