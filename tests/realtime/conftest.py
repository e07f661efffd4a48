from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fleetyard.config import Settings
from tests.realtime.support import RunningApp, live_settings, running_app


@pytest.fixture(scope="module")
async def live_app(settings: Settings) -> AsyncIterator[RunningApp]:
    """The whole product on free ports, shared by a module's tests (each uses its own tenant)."""
    async with running_app(live_settings(settings)) as app:
        yield app
