"""Reports for the API and the scheduler: the window checked, the rows read in the tenant's
zone, the file rendered off the event loop."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.behaviour.scoring import EventRow, score
from fleetyard.errors import ValidationFailed
from fleetyard.kit.ids import TenantId
from fleetyard.reports.kinds import KINDS
from fleetyard.reports.render import Report, to_csv, to_pdf, to_xlsx
from fleetyard.reports.repository import ReportFilters, ReportRepository
from fleetyard.tracking.service import resolve_window

MAX_WINDOW: Final = timedelta(days=93)
DEFAULT_WINDOW: Final = timedelta(days=7)

MEDIA_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_filters(
    start: datetime | None,
    end: datetime | None,
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
) -> ReportFilters:
    """``[from, to)`` of at most 93 days; ``to`` defaults to now, ``from`` to a week before."""
    try:
        if start is None and end is not None and end.utcoffset() is not None:
            start = end - DEFAULT_WINDOW
        start, end = resolve_window(
            start or datetime.now(UTC) - DEFAULT_WINDOW if end is None else start,
            end,
            datetime.now(UTC),
            MAX_WINDOW,
        )
    except OverflowError:
        raise ValidationFailed("The window is out of range.", details={"field": "from"}) from None
    return ReportFilters(start, end, vehicle_id, driver_id, group_id)


def zone_of(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


class ReportService:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.repo = ReportRepository(session, tenant_id)

    async def build(self, kind: str, filters: ReportFilters) -> Report:
        zone = zone_of(await self.repo.time_zone())
        rows = await self.repo.rows(kind, filters, zone)
        if kind == "driver-scores":
            rows = await self._scores(rows, filters)
        return Report(kind, KINDS[kind], zone, filters.start, filters.end, rows)

    async def _scores(
        self, drivers: list[tuple[Any, ...]], filters: ReportFilters
    ) -> list[tuple[Any, ...]]:
        """The behaviour package's score over each driver's trips and events in the window."""
        events: dict[uuid.UUID, list[EventRow]] = {}
        for row in await self.repo.driver_events([d[0] for d in drivers], filters):
            driver_id, *fields = row
            events.setdefault(driver_id, []).append(EventRow(*fields))
        rows = []
        for driver_id, name, trips, distance_m, driving_s in drivers:
            mine = events.get(driver_id, [])
            result = score(mine, float(distance_m), float(driving_s))
            rows.append(
                (
                    name,
                    round(result.score, 1),
                    trips,
                    round(float(distance_m) / 1000, 2),
                    round(float(driving_s) / 60, 1),
                    len(mine),
                    sum(e.kind == "speeding" for e in mine),
                    sum(e.kind.startswith("harsh_") for e in mine),
                )
            )
        return rows


async def render(report: Report, file_format: str) -> bytes:
    """CPU-bound drawing goes to a thread, so the API keeps answering meanwhile."""
    if file_format == "xlsx":
        return await asyncio.to_thread(to_xlsx, report)
    if file_format == "pdf":
        return await asyncio.to_thread(to_pdf, report)
    return to_csv(report)
