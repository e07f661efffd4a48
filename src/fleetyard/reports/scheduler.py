"""The report scheduler: a background loop in each API process, like the notification
dispatcher, claiming due schedules of every tenant on the owner connection.

A claim is one transaction: the due schedules are locked (``for update skip locked``, so two
processes never take the same one), a run row is inserted per schedule (unique per schedule
and due time) and each schedule's ``next_run_at`` moves to its next due time. Only then is
the report built and e-mailed, and the run's outcome recorded. A process that dies after the
claim leaves its run ``running`` and never sends it again: at most once, never twice; a run
left ``running`` past ``STALE_AFTER`` is marked failed so the record says so. A process down
for days makes the latest due run only, not every missed one."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Final
from zoneinfo import ZoneInfo

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.config import Settings
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId, uuid7
from fleetyard.kit.listening_loop import ListeningLoop
from fleetyard.kit.sealing import Keyring
from fleetyard.notifications.delivery import smtp_settings
from fleetyard.notifications.email import SmtpSettings, message
from fleetyard.reports.cadence import Cadence, next_due, period_for
from fleetyard.reports.kinds import KINDS
from fleetyard.reports.repository import ReportFilters
from fleetyard.reports.service import MEDIA_TYPES, ReportService, render, zone_of

log = logging.getLogger(__name__)

CLAIM_BATCH: Final = 10
STALE_AFTER: Final = timedelta(hours=1)

Clock = Callable[[], datetime]

_CLAIM = """
select s.tenant_id, s.id, s.name, s.kind, s.format, s.cadence, s.hour, s.filters, s.recipients,
       s.next_run_at, t.time_zone
from report_schedules s join tenants t on t.id = s.tenant_id
where s.enabled and s.next_run_at <= $1
order by s.next_run_at
limit $2
for update of s skip locked
"""

_CHANNEL_SETTINGS = """
select smtp_enabled, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password_sealed,
    smtp_from
from notification_channel_settings where tenant_id = $1
"""

_EVENT = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
values ($1, $2, 'report_run', $3, 'system', $4::jsonb)
"""


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    run_id: uuid.UUID
    tenant_id: uuid.UUID
    schedule_id: uuid.UUID
    name: str
    kind: str
    file_format: str
    filters: dict[str, Any]
    recipients: list[str]
    zone: str
    due_at: datetime
    period_start: datetime
    period_end: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


async def send_with_attachment(
    smtp: SmtpSettings,
    to: str,
    subject: str,
    text: str,
    attachment: tuple[str, str, bytes],
    *,
    timeout_s: float,
) -> str | None:
    """The notifications' message with the report attached; the error in words, or None."""
    mail: EmailMessage = message(smtp, to, subject, text)
    filename, media_type, body = attachment
    maintype, subtype = media_type.split(";")[0].split("/")
    mail.add_attachment(body, maintype=maintype, subtype=subtype, filename=filename)
    try:
        async with asyncio.timeout(timeout_s):
            await aiosmtplib.send(
                mail,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username or None,
                password=smtp.password or None,
                use_tls=smtp.security == "tls",
                start_tls=smtp.security == "starttls",
                timeout=timeout_s,
            )
    except TimeoutError:
        return f"The SMTP server did not answer within {timeout_s:g} s."
    except (aiosmtplib.SMTPException, OSError) as exc:
        return f"{type(exc).__name__}: {exc}".strip(": ")
    return None


class ReportScheduler(ListeningLoop):
    task_name = "report-scheduler"
    pool_size = 2

    def __init__(
        self,
        settings: Settings,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(owner_dsn, poll_interval_s=settings.report_poll_interval_s)
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.keyring = Keyring.from_settings(settings)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        **options: Any,
    ) -> ReportScheduler:
        scheduler = cls(settings, owner_dsn, sessionmaker, **options)
        await scheduler.open()
        return scheduler

    async def _round(self) -> None:
        await self.run_due()

    async def run_due(self) -> int:
        """Claims and runs what is due now; the number of runs made."""
        made = 0
        while claimed := await self._claim():
            for run in claimed:
                await self._execute(run)
                made += 1
        return made

    async def _claim(self) -> list[ClaimedRun]:
        assert self._pool is not None
        now = self.clock()
        claimed: list[ClaimedRun] = []
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "update report_runs set status = 'failed', finished_at = $1, "
                "error = 'Interrupted: the process stopped during the run; not sent again.' "
                "where status = 'running' and started_at < $2",
                now,
                now - STALE_AFTER,
            )
            for row in await conn.fetch(_CLAIM, now, CLAIM_BATCH):
                zone = zone_of(row["time_zone"])
                cadence: Cadence = row["cadence"]
                due: datetime = row["next_run_at"]
                start, end = period_for(cadence, zone, due)
                run_id = uuid7()
                inserted = await conn.fetchval(
                    "insert into report_runs (tenant_id, id, schedule_id, due_at, period_start, "
                    "period_end, status, started_at) values ($1, $2, $3, $4, $5, $6, 'running', "
                    "$7) on conflict (tenant_id, schedule_id, due_at) do nothing returning id",
                    row["tenant_id"],
                    run_id,
                    row["id"],
                    due,
                    start,
                    end,
                    now,
                )
                await conn.execute(
                    "update report_schedules set next_run_at = $3 where tenant_id = $1 and id = $2",
                    row["tenant_id"],
                    row["id"],
                    next_due(cadence, row["hour"], zone, max(now, due)),
                )
                if inserted is None:
                    continue  # this due time already ran
                filters = row["filters"]
                claimed.append(
                    ClaimedRun(
                        run_id=run_id,
                        tenant_id=row["tenant_id"],
                        schedule_id=row["id"],
                        name=row["name"],
                        kind=row["kind"],
                        file_format=row["format"],
                        filters=json.loads(filters) if isinstance(filters, str) else filters,
                        recipients=list(row["recipients"]),
                        zone=zone,
                        due_at=due,
                        period_start=start,
                        period_end=end,
                    )
                )
        return claimed

    async def _execute(self, run: ClaimedRun) -> None:
        rows: int | None = None
        size: int | None = None
        try:
            async with self.sessionmaker() as session:
                await set_tenant(session, TenantId(run.tenant_id))
                report = await ReportService(session, TenantId(run.tenant_id)).build(
                    run.kind,
                    ReportFilters(
                        run.period_start,
                        run.period_end,
                        _uuid_or_none(run.filters.get("vehicle_id")),
                        _uuid_or_none(run.filters.get("driver_id")),
                        _uuid_or_none(run.filters.get("group_id")),
                    ),
                )
            body = await render(report, run.file_format)
            rows, size = len(report.rows), len(body)
            error = await self._mail(run, report.period, body)
        except Exception as exc:  # recorded on the run; the loop goes on
            log.exception("report run failed", extra={"run_id": str(run.run_id)})
            error = f"{type(exc).__name__}: {exc}"
        await self._record(run, rows, size, error)

    async def _mail(self, run: ClaimedRun, period: str, body: bytes) -> str | None:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            channel = await conn.fetchrow(_CHANNEL_SETTINGS, run.tenant_id)
        smtp = smtp_settings(self.keyring, run.tenant_id, channel)
        if smtp is None:
            return "E-mail is not set up for this organisation (Settings → Notifications)."
        title = KINDS[run.kind].title
        local_start = run.period_start.astimezone(ZoneInfo(run.zone))
        filename = f"{run.kind}-{local_start:%Y-%m-%d}.{run.file_format}"
        errors = []
        for recipient in run.recipients:
            error = await send_with_attachment(
                smtp,
                recipient,
                f"{run.name}: {title} report",
                f"{title} report for {period}.\n\nThe report is attached ({filename}).\n",
                (filename, MEDIA_TYPES[run.file_format], body),
                timeout_s=self.settings.notification_timeout_s,
            )
            if error is not None:
                errors.append(f"{recipient}: {error}")
        return "; ".join(errors) or None

    async def _record(
        self, run: ClaimedRun, rows: int | None, size: int | None, error: str | None
    ) -> None:
        assert self._pool is not None
        status = "failed" if error else "succeeded"
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "update report_runs set status = $3, rows = $4, bytes = $5, error = $6, "
                "finished_at = $7 where tenant_id = $1 and id = $2",
                run.tenant_id,
                run.run_id,
                status,
                rows,
                size,
                error[:2000] if error else None,
                self.clock(),
            )
            after = {"schedule_id": str(run.schedule_id), "status": status, "rows": rows}
            changes = {k: {"before": None, "after": v} for k, v in {**after, "bytes": size}.items()}
            await conn.execute(
                _EVENT, run.tenant_id, f"report_run_{status}", run.run_id, json.dumps(changes)
            )
