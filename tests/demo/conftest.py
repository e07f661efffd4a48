"""The keyring the demo's seeding seals its MQTT integration's credentials with."""

from __future__ import annotations

import pytest

from fleetyard.config import Settings
from fleetyard.kit.sealing import Keyring


@pytest.fixture
def keyring(settings: Settings) -> Keyring:
    return Keyring.from_settings(settings)
