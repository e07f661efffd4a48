"""The shared life of a tenant-owned record: get, list, create, update, delete — each change
written to the event log in the same transaction, each update checked against its version."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    LimitExceeded,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from fleetyard.events.service import EventLog
from fleetyard.kit.pagination import page_of, paginate, parse_sort
from fleetyard.models.base import Base

M = TypeVar("M", bound=Base)

_UNTRACKED = frozenset({"tenant_id", "created_at", "updated_at", "version"})


def jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _constraint(exc: IntegrityError) -> tuple[str | None, str | None]:
    cause = getattr(exc.orig, "__cause__", None) or exc.orig
    return getattr(cause, "sqlstate", None), getattr(cause, "constraint_name", None)


@functools.cache
def _row_by_id(table: Table) -> Select[Any]:
    """Built once per table, so its cache key is computed once too (the hottest read)."""
    return select(table).where(
        table.c.tenant_id == bindparam("tenant_id"), table.c.id == bindparam("record_id")
    )


class RecordService(Generic[M]):
    entity_type: ClassVar[str]
    model: ClassVar[type[Any]]
    sort_fields: ClassVar[tuple[str, ...]] = ("id", "created_at", "updated_at")
    # unique index name → the field a client should fix
    unique_fields: ClassVar[Mapping[str, str]] = {}
    # foreign key → (field, message): a link to a record the tenant doesn't have, said as a
    # 422 on the field (the key, tenant first, checks it without a look-up of our own)
    missing_links: ClassVar[Mapping[str, tuple[str, str]]] = {}

    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.events = EventLog(session, actor)

    # reads -------------------------------------------------------------------------------
    def _scoped(self) -> Any:
        return select(self.model).where(self.model.tenant_id == self.actor.tenant_id)

    async def get(self, record_id: uuid.UUID, *, for_update: bool = False) -> M:
        stmt = self._scoped().where(self.model.id == record_id)
        if for_update:
            # FOR NO KEY UPDATE: keys never change, so rows referencing this one (whose
            # foreign-key checks take KEY SHARE) don't queue behind us.
            stmt = stmt.with_for_update(key_share=True)
        record: M | None = (await self.session.execute(stmt)).scalar_one_or_none()
        if record is None:
            raise NotFound(
                f"No such {self.entity_type}.",
                details={"entity_type": self.entity_type, "id": str(record_id)},
            )
        return record

    async def exists(self, model: type[Any], record_id: uuid.UUID) -> bool:
        stmt = select(model.id).where(
            model.tenant_id == self.actor.tenant_id, model.id == record_id
        )
        return (await self.session.execute(stmt)).first() is not None

    async def list_page(
        self,
        filters: Sequence[ColumnElement[bool]],
        *,
        sort: str,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[M], str | None]:
        field, direction = parse_sort(sort, self.sort_fields)
        stmt = paginate(
            self._scoped().where(*filters),
            sort_column=getattr(self.model, field),
            id_column=self.model.id,
            direction=direction,
            cursor=cursor,
            limit=limit,
        )
        rows: Sequence[M] = (await self.session.execute(stmt)).scalars().all()
        return page_of(rows, limit, field)

    # reads as plain rows: the same scope, but no ORM objects (identity map, instance state,
    # attribute instrumentation) for reads that only answer. Filters must be Core columns
    # (``table.c``), or the statement becomes an ORM one again.
    @property
    def table(self) -> Table:
        table: Table = self.model.__table__
        return table

    def _scoped_rows(self) -> Select[Any]:
        return select(self.table).where(self.table.c.tenant_id == self.actor.tenant_id)

    async def get_row(self, record_id: uuid.UUID) -> Row[Any]:
        params = {"tenant_id": self.actor.tenant_id, "record_id": record_id}
        result = await self.session.execute(_row_by_id(self.table), params)
        row: Row[Any] | None = result.one_or_none()
        if row is None:
            raise NotFound(
                f"No such {self.entity_type}.",
                details={"entity_type": self.entity_type, "id": str(record_id)},
            )
        return row

    async def list_rows(
        self,
        filters: Sequence[ColumnElement[bool]],
        *,
        sort: str,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Row[Any]], str | None]:
        field, direction = parse_sort(sort, self.sort_fields)
        stmt = paginate(
            self._scoped_rows().where(*filters),
            sort_column=self.table.c[field],
            id_column=self.table.c.id,
            direction=direction,
            cursor=cursor,
            limit=limit,
        )
        rows = (await self.session.execute(stmt)).all()
        return page_of(rows, limit, field)

    # writes ------------------------------------------------------------------------------
    def snapshot(self, record: M) -> dict[str, Any]:
        return {
            column.key: jsonable(getattr(record, column.key))
            for column in self.model.__table__.columns
            if column.key not in _UNTRACKED
        }

    async def insert(self, values: Mapping[str, Any]) -> M:
        record: M = self.model(tenant_id=self.actor.tenant_id, version=1, **values)
        self.session.add(record)
        await self.flush()
        self.events.record(self.entity_type, "created", record.id, None, self.snapshot(record))  # type: ignore[attr-defined]
        return record

    async def apply_update(
        self, record_id: uuid.UUID, changes: Mapping[str, Any], expected_version: int | None
    ) -> M:
        record = await self.get(record_id, for_update=True)
        self.check_version(record, expected_version)
        before = self.snapshot(record)
        for field, value in changes.items():
            setattr(record, field, value)
        after = self.snapshot(record)
        if after != before:
            record.version += 1  # type: ignore[attr-defined]
            record.updated_at = func.now()  # type: ignore[attr-defined]
            await self.flush()
            await self.session.refresh(record)
            self.events.record(self.entity_type, "updated", record_id, before, after)
        return record

    async def remove(self, record_id: uuid.UUID, expected_version: int | None) -> None:
        record = await self.get(record_id, for_update=True)
        self.check_version(record, expected_version)
        before = self.snapshot(record)
        await self.session.delete(record)
        await self.flush()
        self.events.record(self.entity_type, "deleted", record_id, before, None)

    def check_version(self, record: M, expected_version: int | None) -> None:
        current: int = record.version  # type: ignore[attr-defined]
        if expected_version is not None and expected_version != current:
            raise VersionConflict(details={"expected": expected_version, "current": current})

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise self._integrity_error(exc) from exc

    def _integrity_error(self, exc: IntegrityError) -> Conflict | ValidationFailed:
        sqlstate, constraint = _constraint(exc)
        if sqlstate == "23505":
            field = self.unique_fields.get(constraint or "", constraint)
            return AlreadyExists(
                f"Another {self.entity_type} already has this {field}.",
                details={"field": field},
            )
        if sqlstate == "23503" and constraint is not None and constraint in self.missing_links:
            field, message = self.missing_links[constraint]
            return ValidationFailed(message, details={"field": field})
        if sqlstate == "23503":
            return Conflict(
                f"The {self.entity_type} is linked to a record that is missing or still in use.",
                details={"constraint": constraint},
            )
        return Conflict(details={"constraint": constraint})

    async def enforce_limit(self, limit: int | None, what: str) -> None:
        """Serialise creates per tenant and kind, then count: concurrent creates can't overshoot."""
        if limit is None:
            return
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.actor.tenant_id}:{what}"},
        )
        count = await self.session.scalar(
            select(func.count())
            .select_from(self.model)
            .where(self.model.tenant_id == self.actor.tenant_id)
        )
        if (count or 0) >= limit:
            raise LimitExceeded(
                f"This tenant may have at most {limit} {what}.",
                details={"limit": limit, "kind": what},
            )
