"""The maintenance API: service schedules, a vehicle's maintenance status, work orders, parts.

Thin: parse, call the service, answer. Every GET answer gets its weak ETag from the HTTP cache
middleware (``If-None-Match`` → 304); writes take ``If-Match`` (or ``version``) against lost
updates, like every record router."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    ValidationFailed,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.maintenance.errors import InsufficientStock
from fleetyard.maintenance.parts import PartService
from fleetyard.maintenance.schemas import (
    Component,
    DueStatus,
    Part,
    PartCreate,
    PartUpdate,
    ScheduleDue,
    ServiceSchedule,
    ServiceScheduleCreate,
    ServiceScheduleUpdate,
    SourceKind,
    VehicleMaintenance,
    WorkOrder,
    WorkOrderCreate,
    WorkOrderKind,
    WorkOrderStatus,
    WorkOrderUpdate,
)
from fleetyard.maintenance.service import ScheduleFilters, ScheduleService
from fleetyard.maintenance.work_orders import WorkOrderFilters, WorkOrderService

router = APIRouter(tags=["maintenance"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.MAINTENANCE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.MAINTENANCE_WRITE))]
Sort = Annotated[str, Query(max_length=32, description="Field, '-' prefix for descending")]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
SCHEDULES = "/service-schedules"
WORK_ORDERS = "/work-orders"
PARTS = "/parts"


# service schedules ---------------------------------------------------------------------------
@router.get(SCHEDULES, response_model=Page[ServiceSchedule], responses=responses(PermissionDenied))
async def list_service_schedules(
    session: DbSession,
    actor: Reader,
    vehicle_id: Annotated[
        uuid.UUID | None, Query(description="Schedules covering it (its own and its groups')")
    ] = None,
    group_id: Annotated[uuid.UUID | None, Query(description="A group's own schedules")] = None,
    status: Annotated[
        DueStatus | None, Query(description="Schedules with a vehicle in this status")
    ] = None,
    component: Component | None = None,
    sort: Sort = "name",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ServiceSchedule]:
    """Service schedules, each with how many of its vehicles are ok, due soon, due, overdue
    (as last evaluated: on every change and by the periodic evaluation)."""
    filters = ScheduleFilters(
        vehicle_id=vehicle_id,
        group_id=group_id,
        status=status,
        component=component.value if component else None,
    )
    items, next_cursor = await ScheduleService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[ServiceSchedule](items=items, next_cursor=next_cursor)


@router.post(
    SCHEDULES,
    response_model=ServiceSchedule,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def create_service_schedule(
    body: ServiceScheduleCreate, session: DbSession, actor: Writer
) -> ServiceSchedule:
    """A vehicle's or a group's schedule: due by km, engine hours or calendar, whichever comes
    first. Each vehicle counts from ``last_done`` (a vehicle's schedule) or from when it came
    under the schedule (its live meters then, that day in the tenant's zone)."""
    return await ScheduleService(session, actor).create(body)


@router.get(
    SCHEDULES + "/{service_schedule_id}",
    response_model=ServiceSchedule,
    responses=responses(PermissionDenied, NotFound),
)
async def get_service_schedule(
    service_schedule_id: uuid.UUID, session: DbSession, actor: Reader
) -> ServiceSchedule:
    return await ScheduleService(session, actor).read(service_schedule_id)


@router.get(
    SCHEDULES + "/{service_schedule_id}/vehicles",
    response_model=list[ScheduleDue],
    responses=responses(PermissionDenied, NotFound),
)
async def list_service_schedule_vehicles(
    service_schedule_id: uuid.UUID, session: DbSession, actor: Reader
) -> list[ScheduleDue]:
    """Each vehicle under the schedule, computed now from its live meters: worst first."""
    return await ScheduleService(session, actor).vehicles(service_schedule_id)


@router.patch(
    SCHEDULES + "/{service_schedule_id}",
    response_model=ServiceSchedule,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, PreconditionInvalid, ValidationFailed
    ),
)
async def update_service_schedule(
    service_schedule_id: uuid.UUID,
    body: ServiceScheduleUpdate,
    session: DbSession,
    actor: Writer,
    if_match: IfMatch,
) -> ServiceSchedule:
    return await ScheduleService(session, actor).update(service_schedule_id, body, if_match)


@router.delete(
    SCHEDULES + "/{service_schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_service_schedule(
    service_schedule_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    """Removes the schedule and clears its open reminders."""
    await ScheduleService(session, actor).delete(service_schedule_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/vehicles/{vehicle_id}/maintenance",
    response_model=VehicleMaintenance,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_maintenance(
    vehicle_id: uuid.UUID, session: DbSession, actor: Reader
) -> VehicleMaintenance:
    """The vehicle's live meters and each schedule covering it, computed now."""
    return await ScheduleService(session, actor).vehicle_status(vehicle_id)


# work orders ---------------------------------------------------------------------------------
@router.get(WORK_ORDERS, response_model=Page[WorkOrder], responses=responses(PermissionDenied))
async def list_work_orders(
    session: DbSession,
    actor: Reader,
    vehicle_id: uuid.UUID | None = None,
    status: WorkOrderStatus | None = None,
    component: Component | None = None,
    kind: WorkOrderKind | None = None,
    assigned_to: uuid.UUID | None = None,
    source_kind: SourceKind | None = None,
    source_id: uuid.UUID | None = None,
    sort: Sort = "-created_at",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[WorkOrder]:
    filters = WorkOrderFilters(
        vehicle_id=vehicle_id,
        status=status,
        component=component.value if component else None,
        kind=kind.value if kind else None,
        assigned_to=assigned_to,
        source_kind=source_kind.value if source_kind else None,
        source_id=source_id,
    )
    items, next_cursor = await WorkOrderService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[WorkOrder](items=items, next_cursor=next_cursor)


@router.post(
    WORK_ORDERS,
    response_model=WorkOrder,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, ValidationFailed, Conflict),
)
async def create_work_order(body: WorkOrderCreate, session: DbSession, actor: Writer) -> WorkOrder:
    """By hand, or from a ``source``: a schedule (title, component from it; preventive), an
    alert (its vehicle; a DTC's component), an inspection defect. Out of service from a
    moment already come puts the vehicle in maintenance at once."""
    return await WorkOrderService(session, actor).create(body)


@router.get(
    WORK_ORDERS + "/{work_order_id}",
    response_model=WorkOrder,
    responses=responses(PermissionDenied, NotFound),
)
async def get_work_order(work_order_id: uuid.UUID, session: DbSession, actor: Reader) -> WorkOrder:
    return await WorkOrderService(session, actor).read(work_order_id)


@router.patch(
    WORK_ORDERS + "/{work_order_id}",
    response_model=WorkOrder,
    responses=responses(
        PermissionDenied,
        NotFound,
        VersionConflict,
        PreconditionInvalid,
        InvalidTransition,
        InsufficientStock,
        ValidationFailed,
    ),
)
async def update_work_order(
    work_order_id: uuid.UUID,
    body: WorkOrderUpdate,
    session: DbSession,
    actor: Writer,
    if_match: IfMatch,
) -> WorkOrder:
    """Change fields, replace the lines, move the status (``409 invalid_transition`` for a
    move the workflow has no arrow for). Completing records the live meters, resets the
    schedule it came from and draws its parts from stock (``409 insufficient_stock``)."""
    return await WorkOrderService(session, actor).update(work_order_id, body, if_match)


# parts ---------------------------------------------------------------------------------------
@router.get(PARTS, response_model=Page[Part], responses=responses(PermissionDenied))
async def list_parts(
    session: DbSession,
    actor: Reader,
    q: Annotated[str | None, Query(max_length=100, description="In part number or name")] = None,
    low_stock: Annotated[bool | None, Query(description="At or below the reorder level")] = None,
    sort: Sort = "part_number",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Part]:
    items, next_cursor = await PartService(session, actor).list(
        q, low_stock, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Part](items=items, next_cursor=next_cursor)


@router.post(
    PARTS,
    response_model=Part,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists),
)
async def create_part(body: PartCreate, session: DbSession, actor: Writer) -> Part:
    return await PartService(session, actor).create(body)


@router.get(
    PARTS + "/{part_id}", response_model=Part, responses=responses(PermissionDenied, NotFound)
)
async def get_part(part_id: uuid.UUID, session: DbSession, actor: Reader) -> Part:
    return await PartService(session, actor).read(part_id)


@router.patch(
    PARTS + "/{part_id}",
    response_model=Part,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, PreconditionInvalid, AlreadyExists
    ),
)
async def update_part(
    part_id: uuid.UUID, body: PartUpdate, session: DbSession, actor: Writer, if_match: IfMatch
) -> Part:
    """Restocking above the reorder level clears the part's low-stock alerts."""
    return await PartService(session, actor).update(part_id, body, if_match)


@router.delete(
    PARTS + "/{part_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid, Conflict),
)
async def delete_part(
    part_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    """A part on a work order's lines stays (409): its history would lose its name."""
    await PartService(session, actor).delete(part_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
