"""The demo tenant's scheduled report: the fleet's daily summary of the past week, as a PDF
e-mailed to the owner on Monday mornings (sent once the organisation's SMTP server is set)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.logins import DEMO_EMAIL, DEMO_SLUG
from fleetyard.reports.schedules import ScheduleService
from fleetyard.reports.schemas import ReportScheduleIn

WEEKLY_NAME: Final = "Weekly fleet summary"


async def seed_report_schedules(
    session: AsyncSession, actor: Principal, slug: str
) -> tuple[int, int]:
    """(planned, created): the weekly schedule in the demo tenant, if missing (by name)."""
    if slug != DEMO_SLUG:
        return 0, 0
    exists = await session.scalar(
        text("select 1 from report_schedules where tenant_id = :t and lower(name) = lower(:n)"),
        {"t": actor.tenant_id, "n": WEEKLY_NAME},
    )
    if exists:
        return 1, 0
    await ScheduleService(session, actor).create(
        ReportScheduleIn(
            name=WEEKLY_NAME,
            kind="daily-summary",
            format="pdf",
            cadence="weekly",
            hour=7,
            recipients=[DEMO_EMAIL],
        )
    )
    return 1, 1
