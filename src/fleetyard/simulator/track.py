"""A vehicle driving a smooth random walk, as a stream of Teltonika AVL records.

Pure: the caller gives the first fix time and a ``random.Random``, so a run repeats with the
same seed. Fix times grow by ``step_ms`` per record (distinct, increasing: the primary key of a
stored position is device + fix time). Speeds and turns stay plausible, so the server's sanity
rules (no teleports, no impossible speeds) accept every fix.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord, IoValue

E7: Final = 10_000_000
METRES_PER_DEGREE: Final = 111_320.0
# FMB IO ids the records carry (see protocols/teltonika/io_elements.py)
IGNITION: Final = 239
MOVEMENT: Final = 240
GSM_SIGNAL: Final = 21
EXTERNAL_VOLTAGE_MV: Final = 66
TOTAL_ODOMETER_M: Final = 16


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
        record = AvlRecord(
            timestamp_ms=self._next_ms,
            priority=0,
            longitude_e7=round(self.longitude * E7),
            latitude_e7=round(self.latitude * E7),
            altitude_m=80 + int(60 * self.rng.random()),
            angle=round(self.heading) % 360,
            satellites=7 + int(8 * self.rng.random()),
            speed_kmh=round(self.speed_kmh),
            event_io_id=0,
            generation_type=None,
            io=self._io(),
        )
        self._advance()
        return record

    def _io(self) -> dict[int, IoValue]:
        return {
            IGNITION: IoValue(b"\x01"),
            MOVEMENT: IoValue(b"\x01" if self.speed_kmh > 0 else b"\x00"),
            GSM_SIGNAL: IoValue(bytes([3 + int(3 * self.rng.random())])),
            EXTERNAL_VOLTAGE_MV: IoValue(
                (12_600 + int(1_600 * self.rng.random())).to_bytes(2, "big")
            ),
            TOTAL_ODOMETER_M: IoValue(round(self.odometer_m).to_bytes(4, "big")),
        }

    def _advance(self) -> None:
        seconds = self.step_ms / 1000
        metres = self.speed_kmh / 3.6 * seconds
        self.odometer_m += metres
        heading = math.radians(self.heading)
        self.latitude += metres * math.cos(heading) / METRES_PER_DEGREE
        self.latitude = max(-85.0, min(85.0, self.latitude))
        cos_lat = max(math.cos(math.radians(self.latitude)), 0.01)
        self.longitude += metres * math.sin(heading) / (METRES_PER_DEGREE * cos_lat)
        self.longitude = (self.longitude + 180.0) % 360.0 - 180.0
        self.heading = (self.heading + self.rng.gauss(0, 10)) % 360
        self.speed_kmh = max(0.0, min(130.0, self.speed_kmh + self.rng.gauss(0, 3)))
        self._next_ms += self.step_ms
