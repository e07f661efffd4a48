"""The providers a connection may name, each found in its own module by that module's
``PROVIDER`` (an instance of a ``ProviderSpec``), imported on first use so a process that
polls no Geotab account never imports the Geotab client."""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import Final

from fleetyard.integrations.providers.base import ProviderSpec


class ProviderName(StrEnum):
    GEOTAB = "geotab"
    SAMSARA = "samsara"
    VERIZON_CONNECT = "verizon_connect"
    MQTT = "mqtt"


_MODULES: Final = {
    ProviderName.GEOTAB: "fleetyard.integrations.providers.geotab",
    ProviderName.SAMSARA: "fleetyard.integrations.providers.samsara",
    ProviderName.VERIZON_CONNECT: "fleetyard.integrations.providers.verizon",
    ProviderName.MQTT: "fleetyard.integrations.providers.mqtt",
}


def provider(name: ProviderName) -> ProviderSpec:
    spec: ProviderSpec = importlib.import_module(_MODULES[name]).PROVIDER
    return spec
