"""A tiny provider for the integrations API's tests: its settings say how its ``check``
behaves, so every answer of ``/test`` can be had without a vendor."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from fleetyard.integrations import credentials as codec
from fleetyard.integrations.providers.base import (
    CheckResult,
    Cursor,
    PollResult,
    ProblemKind,
    ProviderClient,
    ProviderError,
    VendorVehicle,
)
from fleetyard.integrations.providers.registry import ProviderName

FAKE = ProviderName.SAMSARA  # the name the fake answers to
TOKEN = "tok-very-secret-4d1f9a7c"


class FakeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    behaviour: Literal["ok", "rejected", "hang", "crash"] = "ok"
    region: str = Field(default="eu", max_length=10)


class FakeCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_token: SecretStr = Field(min_length=4)
    username: str | None = None


class FakeClient:
    closed: ClassVar[list[str]] = []

    def __init__(self, settings: FakeSettings, credentials: FakeCredentials) -> None:
        self.settings = settings
        self.credentials = credentials

    async def check(self) -> CheckResult:
        match self.settings.behaviour:
            case "rejected":
                raise ProviderError(
                    ProblemKind.CREDENTIALS_REJECTED, "The vendor refused this API token."
                )
            case "hang":
                await asyncio.sleep(3600)
            case "crash":
                raise RuntimeError(
                    f"adapter bug near {self.credentials.api_token.get_secret_value()}"
                )
        return CheckResult(vehicles=3, message="3 vehicles in the account.")

    async def vehicles(self) -> Sequence[VendorVehicle]:
        return []

    async def poll(self, cursor: Cursor | None) -> PollResult:
        return PollResult(positions=[], cursor={})

    async def close(self) -> None:
        FakeClient.closed.append(self.credentials.api_token.get_secret_value())


class FakeProvider:
    name: ClassVar[str] = FAKE.value
    settings_model: ClassVar[type[BaseModel]] = FakeSettings
    credentials_model: ClassVar[type[BaseModel]] = FakeCredentials

    def connect(self, settings: BaseModel, credentials: BaseModel) -> ProviderClient:
        assert isinstance(settings, FakeSettings)
        assert isinstance(credentials, FakeCredentials)
        return FakeClient(settings, credentials)


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    """The fake stands for ``samsara``; every other provider is not installed."""
    fake = FakeProvider()

    def provider(name: ProviderName) -> FakeProvider:
        if name is FAKE:
            return fake
        raise ModuleNotFoundError(f"no module for {name}")

    monkeypatch.setattr(codec, "provider", provider)
    FakeClient.closed.clear()
    return fake
