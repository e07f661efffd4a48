from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fleetyard.db import Database
from tests.behaviour.feeding import Feeder, behaviour_pipeline
from tests.telematics.conftest import Tracked, register_tracked


@pytest.fixture
async def feeder(database_url: str) -> AsyncIterator[Feeder]:
    async with behaviour_pipeline(database_url) as feeding:
        yield feeding


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "behaviour")
