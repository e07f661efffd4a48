"""Integration rules: settings and credentials checked by the provider's own models,
credentials sealed before they reach the database and never in an event, a response or a log
line; every change an event; ``test`` asks the vendor with a deadline and answers in plain
words whatever happens."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.integrations import credentials as codec
from fleetyard.integrations.providers.base import (
    ProblemKind,
    ProviderClient,
    ProviderError,
    ProviderSpec,
)
from fleetyard.integrations.providers.registry import ProviderName
from fleetyard.integrations.repository import StatusRepository
from fleetyard.integrations.schemas import IntegrationCheck, IntegrationCreate, IntegrationUpdate
from fleetyard.kit.ids import uuid7
from fleetyard.kit.records import RecordService
from fleetyard.kit.sealing import Keyring
from fleetyard.models import Integration, IntegrationStatus

log = logging.getLogger(__name__)

MAX_INTEGRATIONS = 50  # per tenant: each is polled
CHECK_TIMEOUT_S = 20.0
CLOSE_TIMEOUT_S = 5.0
_HIDDEN_FIELDS = frozenset({"credentials", "credentials_key_id"})


@dataclass(frozen=True, slots=True)
class IntegrationView:
    """A record with its runtime status, as the API shows it."""

    record: Integration
    status: IntegrationStatus | None


class IntegrationService(RecordService[Integration]):
    entity_type = "integration"
    model = Integration
    unique_fields = {"uq_integrations_name": "name"}

    def __init__(self, session: AsyncSession, actor: Principal, keyring: Keyring) -> None:
        super().__init__(session, actor)
        self.keyring = keyring
        self.statuses = StatusRepository(session, actor.tenant_id)

    def snapshot(self, record: Integration) -> dict[str, Any]:
        """What events record: everything but the sealed credentials (their field names stay)."""
        return {k: v for k, v in super().snapshot(record).items() if k not in _HIDDEN_FIELDS}

    # reads ---------------------------------------------------------------------------------
    async def list(
        self, *, cursor: str | None, limit: int
    ) -> tuple[list[IntegrationView], str | None]:
        records, next_cursor = await self.list_page(
            [], sort="-created_at", cursor=cursor, limit=limit
        )
        statuses = await self.statuses.by_integration([r.id for r in records])
        return [IntegrationView(r, statuses.get(r.id)) for r in records], next_cursor

    async def view(self, integration_id: uuid.UUID) -> IntegrationView:
        record = await self.get(integration_id)
        return await self._view(record)

    async def _view(self, record: Integration) -> IntegrationView:
        statuses = await self.statuses.by_integration([record.id])
        return IntegrationView(record, statuses.get(record.id))

    # writes --------------------------------------------------------------------------------
    async def create(self, data: IntegrationCreate) -> IntegrationView:
        spec = codec.spec_of(data.provider)
        settings = codec.validated(spec.settings_model, data.settings, "settings")
        secrets = codec.plain_document(
            codec.validated(spec.credentials_model, data.credentials, "credentials")
        )
        await self.enforce_limit(MAX_INTEGRATIONS, "integrations")
        integration_id = uuid7()
        record = await self.insert(
            {
                "id": integration_id,
                "provider": data.provider.value,
                "name": data.name,
                "settings": settings.model_dump(mode="json"),
                "credentials": self._seal(integration_id, secrets),
                "credentials_key_id": self.keyring.key_id,
                "credential_fields": codec.fields_set(secrets),
                "paused": data.paused,
            }
        )
        await self.statuses.add(record.id, paused=data.paused)
        return await self._view(record)

    async def update(
        self, integration_id: uuid.UUID, data: IntegrationUpdate, expected_version: int | None
    ) -> IntegrationView:
        record = await self.get(integration_id, for_update=True)
        self.check_version(record, expected_version if expected_version else data.version)
        spec = codec.spec_of(ProviderName(record.provider))
        before = self.snapshot(record)
        if data.name is not None:
            record.name = data.name
        if data.settings is not None:
            validated = codec.validated(spec.settings_model, data.settings, "settings")
            record.settings = validated.model_dump(mode="json")
        replaced = data.credentials is not None
        if data.credentials is not None:
            model = codec.validated(spec.credentials_model, data.credentials, "credentials")
            secrets = codec.plain_document(model)
            record.credentials = self._seal(record.id, secrets)
            record.credentials_key_id = self.keyring.key_id
            record.credential_fields = codec.fields_set(secrets)
        pausing = data.paused is not None and data.paused != record.paused
        if data.paused is not None:
            record.paused = data.paused
        after = self.snapshot(record)
        if replaced:  # the audit trail says so, without a trace of the values
            before, after = {**before, "credentials": "kept"}, {**after, "credentials": "replaced"}
        if after == before:
            return await self._view(record)
        record.version += 1
        record.updated_at = func.now()
        await self.flush()
        await self.session.refresh(record)
        if pausing:
            await self.statuses.set_paused(record.id, record.paused)
        if replaced:
            await self.statuses.credentials_replaced(record.id)
        self.events.record(self.entity_type, "updated", record.id, before, after)
        return await self._view(record)

    async def delete(self, integration_id: uuid.UUID, expected_version: int | None) -> None:
        """Its status and cursor go with it; the positions it brought in stay."""
        await self.remove(integration_id, expected_version)

    # the vendor ----------------------------------------------------------------------------
    async def check(self, integration_id: uuid.UUID) -> IntegrationCheck:
        timeout_s = CHECK_TIMEOUT_S
        record = await self.get(integration_id)
        spec = codec.spec_of(ProviderName(record.provider))
        secrets = codec.open_sealed(self.keyring, record.tenant_id, record.id, record.credentials)
        settings = codec.validated(spec.settings_model, record.settings, "settings")
        creds = codec.validated(spec.credentials_model, secrets, "credentials")
        context = {"tenant_id": str(record.tenant_id), "integration_id": str(record.id)}
        try:
            return await _ask(spec, settings, creds, timeout_s, context)
        except ProviderError as exc:
            return IntegrationCheck(ok=False, problem=exc.kind, message=exc.message)
        except TimeoutError:
            return IntegrationCheck(
                ok=False,
                problem=ProblemKind.UNAVAILABLE,
                message=f"The vendor did not answer within {timeout_s:g} s; try again later.",
            )
        except Exception as exc:  # an adapter's bug must not become a 500 or leak secrets
            log.warning("integration check failed: %s", type(exc).__name__, extra=context)
            return IntegrationCheck(
                ok=False,
                problem=ProblemKind.BAD_RESPONSE,
                message="The check failed unexpectedly; the vendor's answer could not be read.",
            )

    # helpers -------------------------------------------------------------------------------
    def _seal(self, integration_id: uuid.UUID, secrets: dict[str, Any]) -> bytes:
        return codec.seal(self.keyring, self.actor.tenant_id, integration_id, secrets)


async def _ask(
    spec: ProviderSpec,
    settings: BaseModel,
    credentials: BaseModel,
    timeout_s: float,
    context: dict[str, str],
) -> IntegrationCheck:
    """Connect, check and close, all within the deadline."""
    async with asyncio.timeout(timeout_s):
        client = spec.connect(settings, credentials)
        try:
            found = await client.check()
        finally:
            await _close(client, context)
    return IntegrationCheck(ok=True, vehicles=found.vehicles, message=found.message)


async def _close(client: ProviderClient, context: dict[str, str]) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S):
            await client.close()
    except Exception as exc:  # closing is best effort; the answer is already known
        log.warning("integration client not closed: %s", type(exc).__name__, extra=context)
