"""Feed generated fixes through a real IngestPipeline with trip and behaviour detection on (road
limits from a few hand-made roads), and read back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from fleetyard.behaviour.detector import Fix
from fleetyard.behaviour.handler import BehaviourDetection
from fleetyard.behaviour.limits import RoadLimits
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.position import Position
from fleetyard.trips.handler import TripDetection
from tests.behaviour.tracks import HELSINKI
from tests.feeding import PipelineFeeder, app_pool, running_pipeline
from tests.telematics.conftest import Tracked

# A road due north from the tracks' origin, tagged 50 km/h, 5 km long.
NORTH_ROAD: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [
                    [HELSINKI[1], HELSINKI[0] - 0.01],
                    [HELSINKI[1], HELSINKI[0] + 0.05],
                ],
            },
            "properties": {"highway": "primary", "maxspeed": "50", "name": "Test Road"},
        }
    ],
}


def position(tracked: Tracked, fix: Fix) -> Position:
    attributes: dict[str, Any] = {kind: True for kind in fix.reported}
    return Position(
        unique_id=tracked.unique_id,
        protocol="teltonika",
        fix_time=fix.time,
        latitude=fix.latitude,
        longitude=fix.longitude,
        speed_kmh=fix.speed_kmh,
        course=fix.course,
        ignition=fix.ignition,
        satellites=9,
        hdop=fix.hdop,
        attributes=attributes | ({attr.ACCURACY_M: fix.accuracy_m} if fix.accuracy_m else {}),
    )


@dataclass
class Feeder(PipelineFeeder):
    behaviour: BehaviourDetection

    async def feed(self, tracked: Tracked, fixes: Sequence[Fix], *, batch: int = 50) -> None:
        """Store the fixes in device submissions of ``batch``, waiting for the handlers."""
        await self.submit(tracked, [position(tracked, f) for f in fixes], batch=batch)

    def restart(self) -> None:
        """A new process: the detectors in memory are gone, their checkpoints are not."""
        fresh = BehaviourDetection(self.pool, road_limits=self.behaviour.road_limits)
        self.pipeline.on_stored[self.pipeline.on_stored.index(self.behaviour)] = fresh
        self.behaviour = fresh
        for handler in self.pipeline.on_stored:
            if isinstance(handler, TripDetection):
                handler.forget()
        self.pipeline._last_fix.clear()  # the validation's memory goes too

    async def events_of(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from driving_events where vehicle_id = $1 order by started_at, kind",
            tracked.vehicle_id,
        )


@asynccontextmanager
async def behaviour_pipeline(database_url: str) -> AsyncIterator[Feeder]:
    async with app_pool(database_url) as pool:
        behaviour = BehaviourDetection(pool, road_limits=RoadLimits.from_geojson(NORTH_ROAD))
        async with running_pipeline(pool, TripDetection(pool), behaviour) as pipeline:
            yield Feeder(pool, pipeline, DeviceDirectory(pool), behaviour)
