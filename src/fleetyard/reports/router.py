from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response, StreamingResponse

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.kit.instants import Instant
from fleetyard.reports.kinds import ReportFormat, ReportKind
from fleetyard.reports.render import chart_series, csv_lines
from fleetyard.reports.repository import ReportFilters
from fleetyard.reports.schedules import ScheduleService
from fleetyard.reports.schemas import (
    ChartPoint,
    ReportColumn,
    ReportOut,
    ReportRun,
    ReportSchedule,
    ReportScheduleIn,
)
from fleetyard.reports.service import MEDIA_TYPES, ReportService, render, report_filters

router = APIRouter(tags=["reports"])
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]


def filters_from_query(
    vehicle_id: uuid.UUID | None = None,
    driver_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    start: Annotated[
        Instant | None, Query(alias="from", description="Default: 7 days before 'to'")
    ] = None,
    end: Annotated[Instant | None, Query(alias="to", description="Default: now")] = None,
) -> ReportFilters:
    """A window of at most 93 days."""
    return report_filters(start, end, vehicle_id, driver_id, group_id)


@router.get(
    "/reports/{kind}",
    response_model=ReportOut,
    responses={
        **responses(PermissionDenied, ValidationFailed),
        200: {
            "content": {
                "application/json": {},
                **{media: {} for media in MEDIA_TYPES.values()},
            }
        },
    },
)
async def get_report(
    kind: ReportKind,
    session: DbSession,
    actor: Reader,
    filters: Annotated[ReportFilters, Depends(filters_from_query)],
    format: ReportFormat = "json",
) -> ReportOut | Response:
    """A report over the window, times in the tenant's zone: JSON, CSV (streamed), XLSX or PDF."""
    report = await ReportService(session, actor.tenant_id).build(kind, filters)
    if format == "json":
        return ReportOut(
            kind=kind,
            title=report.spec.title,
            time_zone=report.zone,
            start=filters.start,
            end=filters.end,
            columns=[
                ReportColumn(key=c.key, label=c.label, type=c.type) for c in report.spec.columns
            ],
            rows=report.records(),
            chart_title=report.spec.chart.title,
            chart=[
                ChartPoint(category=name, value=value)
                for name, value in chart_series(report, report.spec.chart)
            ],
        )
    filename = f"{kind}-{report.local(filters.start):%Y%m%d}-{report.local(filters.end):%Y%m%d}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{format}"'}
    if format == "csv":
        return StreamingResponse(csv_lines(report), media_type=MEDIA_TYPES["csv"], headers=headers)
    body = await render(report, format)
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)


Manager = Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))]


@router.get(
    "/report-schedules",
    response_model=list[ReportSchedule],
    responses=responses(PermissionDenied),
)
async def list_report_schedules(session: DbSession, actor: Reader) -> list[ReportSchedule]:
    return await ScheduleService(session, actor).list_schedules()


@router.post(
    "/report-schedules",
    response_model=ReportSchedule,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def create_report_schedule(
    body: ReportScheduleIn, session: DbSession, actor: Manager
) -> ReportSchedule:
    """A report e-mailed to members daily, weekly (Mondays) or monthly (on the 1st) at the
    hour given, in the tenant's time zone, covering the whole local days before."""
    return await ScheduleService(session, actor).create(body)


@router.get(
    "/report-schedules/{schedule_id}",
    response_model=ReportSchedule,
    responses=responses(PermissionDenied, NotFound),
)
async def get_report_schedule(
    schedule_id: uuid.UUID, session: DbSession, actor: Reader
) -> ReportSchedule:
    return await ScheduleService(session, actor).get(schedule_id)


@router.put(
    "/report-schedules/{schedule_id}",
    response_model=ReportSchedule,
    responses=responses(PermissionDenied, NotFound, ValidationFailed),
)
async def replace_report_schedule(
    schedule_id: uuid.UUID, body: ReportScheduleIn, session: DbSession, actor: Manager
) -> ReportSchedule:
    return await ScheduleService(session, actor).replace(schedule_id, body)


@router.delete(
    "/report-schedules/{schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound),
)
async def delete_report_schedule(
    schedule_id: uuid.UUID, session: DbSession, actor: Manager
) -> Response:
    await ScheduleService(session, actor).delete(schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/report-schedules/{schedule_id}/runs",
    response_model=list[ReportRun],
    responses=responses(PermissionDenied, NotFound),
)
async def list_report_runs(
    schedule_id: uuid.UUID,
    session: DbSession,
    actor: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReportRun]:
    """The schedule's runs, the latest first: status, rows, bytes and any error."""
    return await ScheduleService(session, actor).runs(schedule_id, limit)
