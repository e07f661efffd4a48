"""Every line of alert SQL for the API, built from one tenant-scoped base."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.schemas import StateFilter
from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import SortDirection, paginate
from fleetyard.models import Alert


@dataclass(frozen=True, slots=True)
class AlertFilters:
    vehicle_id: uuid.UUID | None = None
    kind: str | None = None
    severity: str | None = None
    state: StateFilter = StateFilter.ALL
    acknowledged: bool | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.vehicle_id is not None:
            clauses.append(Alert.vehicle_id == self.vehicle_id)
        if self.kind is not None:
            clauses.append(Alert.kind == self.kind)
        if self.severity is not None:
            clauses.append(Alert.severity == self.severity)
        if self.state is StateFilter.OPEN:
            clauses.append(Alert.cleared_at.is_(None))
        elif self.state is StateFilter.CLEARED:
            clauses.append(Alert.cleared_at.is_not(None))
        if self.acknowledged is True:
            clauses.append(Alert.acknowledged_at.is_not(None))
        elif self.acknowledged is False:
            clauses.append(Alert.acknowledged_at.is_(None))
        return clauses


class AlertRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _scoped(self) -> Select[Any]:
        return select(Alert).where(Alert.tenant_id == self.tenant_id)

    async def list_newest_first(
        self, filters: AlertFilters, *, cursor: str | None, limit: int
    ) -> Sequence[Alert]:
        """Newest opened first; one row more than ``limit`` when another page follows."""
        stmt = paginate(
            self._scoped().where(*filters.clauses()),
            sort_column=Alert.opened_at,
            id_column=Alert.id,
            direction=SortDirection.DESC,
            cursor=cursor,
            limit=limit,
        )
        rows: Sequence[Alert] = (await self.session.execute(stmt)).scalars().all()
        return rows

    async def get(self, alert_id: uuid.UUID) -> Alert | None:
        stmt = self._scoped().where(Alert.id == alert_id)
        alert: Alert | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return alert

    async def acknowledge_if_unacknowledged(
        self, alert_id: uuid.UUID, by: uuid.UUID | None
    ) -> Alert | None:
        """Set acknowledged_at/by in one statement; None when the alert was already
        acknowledged (or doesn't exist), so concurrent acknowledgements record one event."""
        stmt: Any = (
            update(Alert)
            .where(
                Alert.tenant_id == self.tenant_id,
                Alert.id == alert_id,
                Alert.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=func.now(), acknowledged_by=by)
            .returning(Alert)
        )
        result = await self.session.execute(stmt)
        alert: Alert | None = result.scalar_one_or_none()
        return alert
