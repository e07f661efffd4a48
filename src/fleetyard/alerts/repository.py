"""Every line of alert SQL for the API, built from one tenant-scoped base."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.schemas import AlertSort, StateFilter
from fleetyard.errors import ValidationFailed
from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import SortDirection, decode_cursor, encode_cursor, paginate
from fleetyard.models import Alert, AlertComment, ApiKey, Membership, User
from fleetyard.telematics.rules.conditions import Severity

# Critical first; a severity this code doesn't know sorts after the known ones.
SEVERITY_RANK: Final = {
    Severity.CRITICAL.value: 0,
    Severity.WARNING.value: 1,
    Severity.INFO.value: 2,
}
UNKNOWN_RANK: Final = len(SEVERITY_RANK)
_rank = case(SEVERITY_RANK, value=Alert.severity, else_=UNKNOWN_RANK)


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


class AlertRow(NamedTuple):
    alert: Alert
    acknowledged_by_name: str | None


def _blank_to_null(column: Any) -> ColumnElement[Any]:
    return func.nullif(func.btrim(column), "")


# Who acknowledged, in words: the user's display name (else their email), or the API key's
# name. Users are global (no tenant, no RLS) and joined by the id the server wrote; keys are
# the tenant's own, joined on (tenant_id, id) under RLS.
_acknowledger = func.coalesce(
    _blank_to_null(User.display_name), User.email, _blank_to_null(ApiKey.name)
).label("acknowledged_by_name")


def severity_cursor(row: AlertRow) -> str:
    alert = row.alert
    rank = SEVERITY_RANK.get(alert.severity, UNKNOWN_RANK)
    return encode_cursor([rank, alert.opened_at.isoformat()], alert.id)


def _after_severity_cursor(cursor: str) -> ColumnElement[bool]:
    """Rows after the cursor in (rank ascending, opened_at descending, id descending)."""
    value, last_id = decode_cursor(cursor)
    try:
        rank, opened = value
        if not isinstance(rank, int) or not 0 <= rank <= UNKNOWN_RANK:
            raise ValueError("rank out of range")
        last_opened = datetime.fromisoformat(opened)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("Malformed cursor.", details={"cursor": cursor[:100]}) from exc
    return or_(
        _rank > rank,
        and_(_rank == rank, Alert.opened_at < last_opened),
        and_(_rank == rank, Alert.opened_at == last_opened, Alert.id < last_id),
    )


class AlertRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _scoped(self) -> Any:
        """Alerts of the tenant, each with who acknowledged it in words."""
        return (
            select(Alert, _acknowledger)
            .outerjoin(User, User.id == Alert.acknowledged_by)
            .outerjoin(
                ApiKey,
                and_(ApiKey.tenant_id == Alert.tenant_id, ApiKey.id == Alert.acknowledged_by),
            )
            .where(Alert.tenant_id == self.tenant_id)
        )

    async def list_page(
        self, filters: AlertFilters, *, sort: AlertSort, cursor: str | None, limit: int
    ) -> list[AlertRow]:
        """One page in ``sort`` order; one row more than ``limit`` when another page follows."""
        stmt = self._scoped().where(*filters.clauses())
        if sort is AlertSort.SEVERITY:
            if cursor:
                stmt = stmt.where(_after_severity_cursor(cursor))
            stmt = stmt.order_by(_rank, Alert.opened_at.desc(), Alert.id.desc()).limit(limit + 1)
        else:
            descending = sort is AlertSort.NEWEST
            stmt = paginate(
                stmt,
                sort_column=Alert.opened_at,
                id_column=Alert.id,
                direction=SortDirection.DESC if descending else SortDirection.ASC,
                cursor=cursor,
                limit=limit,
            )
        return [AlertRow(*row) for row in (await self.session.execute(stmt)).all()]

    async def get(self, alert_id: uuid.UUID) -> AlertRow | None:
        row = (await self.session.execute(self._scoped().where(Alert.id == alert_id))).first()
        return None if row is None else AlertRow(*row)

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

    async def assign(self, alert_id: uuid.UUID, user_id: uuid.UUID | None) -> tuple[Any, Any]:
        """(assignee before, after) — None, None when there is no such alert."""
        current = (
            await self.session.execute(
                select(Alert.assigned_to)
                .where(Alert.tenant_id == self.tenant_id, Alert.id == alert_id)
                .with_for_update()
            )
        ).first()
        if current is None:
            return None, None
        await self.session.execute(
            update(Alert)
            .where(Alert.tenant_id == self.tenant_id, Alert.id == alert_id)
            .values(assigned_to=user_id)
        )
        return current.assigned_to, user_id

    async def is_member(self, user_id: uuid.UUID) -> bool:
        stmt = select(Membership.user_id).where(
            Membership.tenant_id == self.tenant_id, Membership.user_id == user_id
        )
        return (await self.session.execute(stmt)).first() is not None

    async def add_comment(
        self, alert_id: uuid.UUID, author_type: str, author_id: uuid.UUID | None, body: str
    ) -> AlertComment:
        comment = AlertComment(
            tenant_id=self.tenant_id,
            alert_id=alert_id,
            author_type=author_type,
            author_id=author_id,
            body=body,
        )
        self.session.add(comment)
        await self.session.flush()
        await self.session.refresh(comment)
        return comment

    async def list_comments(
        self, alert_id: uuid.UUID, limit: int, only: uuid.UUID | None = None
    ) -> list[tuple[AlertComment, str | None]]:
        """Oldest first (or just the comment ``only``), each with its author in words."""
        author = func.coalesce(
            _blank_to_null(User.display_name), User.email, _blank_to_null(ApiKey.name)
        )
        stmt = (
            select(AlertComment, author)
            .outerjoin(User, User.id == AlertComment.author_id)
            .outerjoin(
                ApiKey,
                and_(
                    ApiKey.tenant_id == AlertComment.tenant_id, ApiKey.id == AlertComment.author_id
                ),
            )
            .where(AlertComment.tenant_id == self.tenant_id, AlertComment.alert_id == alert_id)
            .order_by(AlertComment.id)
            .limit(limit)
        )
        if only is not None:
            stmt = stmt.where(AlertComment.id == only)
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]
