from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fleetyard.db import Database
from tests.telematics.conftest import Tracked, register_tracked
from tests.trips.feeding import Feeder, trips_pipeline


@pytest.fixture
async def feeder(database_url: str) -> AsyncIterator[Feeder]:
    async with trips_pipeline(database_url) as feeding:
        yield feeding


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "trips")
