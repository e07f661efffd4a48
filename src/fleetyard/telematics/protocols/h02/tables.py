"""H02 status word: 32 active-low flags (a 0 bit means the condition is active).

Meanings vary by model; these are the bits Traccar reads. The raw word is always kept.
"""

from __future__ import annotations

from typing import Any, Final

from fleetyard.telematics import attributes as attr

# (bit, alarm name) in priority order: the first active one wins, as in Traccar.
ACTIVE_LOW_ALARMS: Final = (
    (0, "vibration"),
    (1, "sos"),
    (18, "sos"),
    (2, "overspeed"),
    (19, "power_cut"),
)
IGNITION_BIT: Final = 10  # read as "set = ignition on", as Traccar does

LOCATION_TYPES_EXCLUDED: Final = frozenset({"V0", "V3", "V4", "VP1"})  # V-types that aren't fixes
HEARTBEAT_ECHO_TYPES: Final = frozenset({"V0", "HTBT"})  # answered by echoing *XX,<id>,<type>#


def status_attributes(status: int) -> dict[str, Any]:
    values: dict[str, Any] = {attr.STATUS: status}
    for bit, alarm in ACTIVE_LOW_ALARMS:
        if not status >> bit & 1:
            values[attr.ALARM] = alarm
            break
    return values


def ignition(status: int) -> bool:
    return bool(status >> IGNITION_BIT & 1)
