"""Report schedules per tenant (CRUD, each change in the event log) and their runs' record."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.events.service import EventLog
from fleetyard.kit.ids import uuid7
from fleetyard.reports.cadence import next_due
from fleetyard.reports.schemas import ReportRun, ReportSchedule, ReportScheduleIn
from fleetyard.reports.service import zone_of

ENTITY_TYPE = "report_schedule"
_COLUMNS = (
    "id, version, name, kind, format, cadence, hour, filters, recipients, enabled, next_run_at, "
    "created_at, updated_at"
)


def _schedule(row: Any) -> ReportSchedule:
    return ReportSchedule.model_validate(dict(row._mapping))


def _snapshot(schedule: ReportSchedule) -> dict[str, Any]:
    return schedule.model_dump(mode="json", exclude={"created_at", "updated_at", "next_run_at"})


class ScheduleService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.events = EventLog(session, actor)

    async def _zone(self) -> str:
        zone = await self.session.scalar(
            text("select time_zone from tenants where id = :id"), {"id": self.actor.tenant_id}
        )
        return zone_of(str(zone or "UTC"))

    async def _check_recipients(self, recipients: list[str]) -> list[str]:
        """Reports leave the platform by e-mail only to the tenant's own members."""
        wanted = sorted({r.lower() for r in recipients})
        rows = await self.session.execute(
            text(
                "select lower(u.email) from memberships m join users u on u.id = m.user_id "
                "where m.tenant_id = :tenant_id and lower(u.email) = any(:emails)"
            ),
            {"tenant_id": self.actor.tenant_id, "emails": wanted},
        )
        known = {email for (email,) in rows}
        unknown = [email for email in wanted if email not in known]
        if unknown:
            raise ValidationFailed(
                "Recipients must be members of this organisation.",
                details={"field": "recipients", "unknown": unknown},
            )
        return wanted

    async def list_schedules(self) -> list[ReportSchedule]:
        rows = await self.session.execute(
            text(
                f"select {_COLUMNS} from report_schedules where tenant_id = :tenant_id "  # noqa: S608
                "order by created_at, id"
            ),
            {"tenant_id": self.actor.tenant_id},
        )
        return [_schedule(row) for row in rows]

    async def get(self, schedule_id: uuid.UUID) -> ReportSchedule:
        row = (
            await self.session.execute(
                text(
                    f"select {_COLUMNS} from report_schedules "  # noqa: S608
                    "where tenant_id = :tenant_id and id = :id"
                ),
                {"tenant_id": self.actor.tenant_id, "id": schedule_id},
            )
        ).first()
        if row is None:
            raise NotFound(
                "No such report schedule.",
                details={"entity_type": ENTITY_TYPE, "id": str(schedule_id)},
            )
        return _schedule(row)

    async def create(self, body: ReportScheduleIn) -> ReportSchedule:
        recipients = await self._check_recipients(body.recipients)
        schedule_id = uuid7()
        due = next_due(body.cadence, body.hour, await self._zone(), datetime.now(UTC))
        await self.session.execute(
            text(
                "insert into report_schedules (tenant_id, id, name, kind, format, cadence, hour, "
                "filters, recipients, enabled, next_run_at) values (:tenant_id, :id, :name, "
                ":kind, :format, :cadence, :hour, cast(:filters as jsonb), :recipients, "
                ":enabled, :next_run_at)"
            ),
            {
                "tenant_id": self.actor.tenant_id,
                "id": schedule_id,
                **body.model_dump(exclude={"filters", "recipients"}),
                "filters": json.dumps(body.filters.model_dump(mode="json", exclude_none=True)),
                "recipients": recipients,
                "next_run_at": due,
            },
        )
        created = await self.get(schedule_id)
        self.events.record(ENTITY_TYPE, "created", schedule_id, None, _snapshot(created))
        return created

    async def replace(self, schedule_id: uuid.UUID, body: ReportScheduleIn) -> ReportSchedule:
        before = await self.get(schedule_id)
        recipients = await self._check_recipients(body.recipients)
        due = next_due(body.cadence, body.hour, await self._zone(), datetime.now(UTC))
        await self.session.execute(
            text(
                "update report_schedules set name = :name, kind = :kind, format = :format, "
                "cadence = :cadence, hour = :hour, filters = cast(:filters as jsonb), "
                "recipients = :recipients, enabled = :enabled, next_run_at = :next_run_at, "
                "version = version + 1, updated_at = now() "
                "where tenant_id = :tenant_id and id = :id"
            ),
            {
                "tenant_id": self.actor.tenant_id,
                "id": schedule_id,
                **body.model_dump(exclude={"filters", "recipients"}),
                "filters": json.dumps(body.filters.model_dump(mode="json", exclude_none=True)),
                "recipients": recipients,
                "next_run_at": due,
            },
        )
        after = await self.get(schedule_id)
        self.events.record(ENTITY_TYPE, "updated", schedule_id, _snapshot(before), _snapshot(after))
        return after

    async def delete(self, schedule_id: uuid.UUID) -> None:
        before = await self.get(schedule_id)
        await self.session.execute(
            text("delete from report_schedules where tenant_id = :tenant_id and id = :id"),
            {"tenant_id": self.actor.tenant_id, "id": schedule_id},
        )
        self.events.record(ENTITY_TYPE, "deleted", schedule_id, _snapshot(before), None)

    async def runs(self, schedule_id: uuid.UUID, limit: int) -> list[ReportRun]:
        await self.get(schedule_id)
        rows = await self.session.execute(
            text(
                "select id, schedule_id, due_at, period_start, period_end, status, rows, bytes, "
                "error, started_at, finished_at from report_runs "
                "where tenant_id = :tenant_id and schedule_id = :id "
                "order by due_at desc limit :limit"
            ),
            {"tenant_id": self.actor.tenant_id, "id": schedule_id, "limit": limit},
        )
        return [ReportRun.model_validate(dict(row._mapping)) for row in rows]
