"""Every line of the API's integration-status SQL, scoped to one tenant. (The runner's claims
across tenants are its own.)"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.integrations.schemas import ConnectionState
from fleetyard.kit.ids import TenantId
from fleetyard.models import IntegrationStatus


class StatusRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, integration_id: uuid.UUID, *, paused: bool) -> None:
        state = ConnectionState.PAUSED if paused else ConnectionState.OK
        self.session.add(
            IntegrationStatus(
                tenant_id=self.tenant_id, integration_id=integration_id, state=state.value
            )
        )
        await self.session.flush()

    async def by_integration(
        self, integration_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, IntegrationStatus]:
        if not integration_ids:
            return {}
        stmt = select(IntegrationStatus).where(
            IntegrationStatus.tenant_id == self.tenant_id,
            IntegrationStatus.integration_id.in_(integration_ids),
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return {row.integration_id: row for row in rows}

    async def set_paused(self, integration_id: uuid.UUID, paused: bool) -> None:
        """Paused: the runner leaves it. Resumed: polled at once, its error forgotten only
        when the next poll works."""
        state = ConnectionState.PAUSED if paused else ConnectionState.OK
        await self.session.execute(
            update(IntegrationStatus)
            .where(
                IntegrationStatus.tenant_id == self.tenant_id,
                IntegrationStatus.integration_id == integration_id,
            )
            .values(state=state.value, next_poll_at=func.now(), updated_at=func.now())
        )

    async def credentials_replaced(self, integration_id: uuid.UUID) -> None:
        """New credentials are worth a poll now, even after the vendor refused the old ones."""
        await self.session.execute(
            update(IntegrationStatus)
            .where(
                IntegrationStatus.tenant_id == self.tenant_id,
                IntegrationStatus.integration_id == integration_id,
                IntegrationStatus.state == ConnectionState.CREDENTIALS_REJECTED.value,
            )
            .values(state=ConnectionState.OK.value, next_poll_at=func.now())
        )
