from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fleetyard.db import Database
from tests.alerts.feeding import Feeder, rules_pipeline
from tests.telematics.conftest import Tracked, register_tracked


@pytest.fixture
async def feeder(database_url: str) -> AsyncIterator[Feeder]:
    async with rules_pipeline(database_url) as feeder:
        yield feeder


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "alerts")
