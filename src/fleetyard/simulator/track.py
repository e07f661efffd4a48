"""A vehicle driving a smooth random walk, as a stream of Teltonika AVL records.

Pure: the caller gives the first fix time and a ``random.Random``, so a run repeats with the
same seed. Fix times grow by ``step_ms`` per record (distinct, increasing: the primary key of a
stored position is device + fix time). Speeds and turns stay plausible, so the server's sanity
rules (no teleports, no impossible speeds) accept every fix.

Each step is a ``Reading`` encoded by the fleet's own Teltonika device
(``devices.teltonika.to_avl_record``), as a tracker without an OBD reader sends it (ignition,
movement, GSM signal, supply voltage, odometer): one encoder for the demo fleet and the
benchmark's backlog.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from fleetyard.kit.geo import MPS_TO_KMH, step
from fleetyard.simulator.devices.teltonika import E7 as E7
from fleetyard.simulator.devices.teltonika import to_avl_record
from fleetyard.simulator.reading import Reading
from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord

IDLE_RPM: Final = 700.0
RPM_PER_KMH: Final = 25.0


@dataclass
class Track:
    start_ms: int  # fix time of the first record, ms since the epoch
    rng: random.Random
    step_ms: int = 1_000
    latitude: float = 54.6872  # Vilnius, where Teltonika builds them
    longitude: float = 25.2797
    heading: float = field(default=0.0)
    speed_kmh: float = 50.0
    odometer_m: float = 0.0
    _next_ms: int = field(init=False)

    def __post_init__(self) -> None:
        if self.step_ms <= 0:
            raise ValueError("step_ms must be positive: fix times must increase")
        self._next_ms = self.start_ms
        self.heading = self.rng.uniform(0, 360)

    def __iter__(self) -> Iterator[AvlRecord]:
        return self

    def __next__(self) -> AvlRecord:
        return self.next_record()

    def next_record(self) -> AvlRecord:
        record = to_avl_record(self.reading(), engine_data=False)
        self._advance()
        return record

    def reading(self) -> Reading:
        """Where the vehicle is now, ignition on (engine figures plausible, not sent)."""
        rng = self.rng
        return Reading(
            fix_time=datetime.fromtimestamp(self._next_ms / 1000, UTC),
            latitude=self.latitude,
            longitude=self.longitude,
            speed_kmh=self.speed_kmh,
            course=self.heading,
            altitude_m=80 + 60 * rng.random(),
            satellites=7 + int(8 * rng.random()),
            ignition=True,
            odometer_m=self.odometer_m,
            rpm=IDLE_RPM + RPM_PER_KMH * self.speed_kmh,
            coolant_c=90.0,
            fuel_pct=60.0,
            engine_load_pct=30.0,
            vehicle_battery_v=12.6 + 1.6 * rng.random(),  # charging
            engine_hours=1_000.0,
            dtcs=None,
            harsh_braking=False,
        )

    def _advance(self) -> None:
        metres = self.speed_kmh / MPS_TO_KMH * self.step_ms / 1000
        self.odometer_m += metres
        self.latitude, self.longitude = step(self.latitude, self.longitude, self.heading, metres)
        self.heading = (self.heading + self.rng.gauss(0, 10)) % 360
        self.speed_kmh = max(0.0, min(130.0, self.speed_kmh + self.rng.gauss(0, 3)))
        self._next_ms += self.step_ms
