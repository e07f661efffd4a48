"""Inspections (DVIR) over HTTP: checklists, the driver's form and submission, defects and
their photos. Routers parse and answer; the services hold the rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.routing import APIRoute

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.inspections.defects import DefectFilters, DefectService
from fleetyard.inspections.errors import (
    NoTemplate,
    PayloadTooLarge,
    PhotoTooLarge,
    PhotoTypeMismatch,
    UnsupportedPhoto,
)
from fleetyard.inspections.repository import PhotoMeta
from fleetyard.inspections.schemas import (
    Defect,
    DefectAcknowledge,
    DefectSignOff,
    DefectStatus,
    DefectWorkOrder,
    Inspection,
    InspectionForm,
    InspectionKind,
    InspectionSubmit,
    Photo,
    Template,
    TemplateCreate,
    TemplateUpdate,
)
from fleetyard.inspections.service import InspectionFilters, InspectionService
from fleetyard.inspections.templates import TemplateService
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.models import Inspection as InspectionRecord
from fleetyard.models import InspectionDefect

# A submission carries its photos (base64, ≤ 10 MB each decoded): the body is capped before
# it is read, so an oversized upload costs neither memory nor a database round trip.
MAX_REQUEST_BYTES: Final = 32 * 1024 * 1024


async def read_capped(request: Request, limit: int = MAX_REQUEST_BYTES) -> None:
    """Read the body into the request's cache, refusing it (413) past ``limit`` bytes: by
    its Content-Length before reading anything, else as the chunks arrive."""
    length = request.headers.get("content-length")
    too_large = PayloadTooLarge(
        f"A request may be at most {limit // (1024 * 1024)} MB.", details={"max_bytes": limit}
    )
    if length is not None and length.isdigit() and int(length) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    request._body = b"".join(chunks)


class CappedBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH"):
                await read_capped(request)
            return await handler(request)

        return capped


router = APIRouter(tags=["inspections"], route_class=CappedBodyRoute)
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.INSPECTIONS_READ))]
Submitter = Annotated[Principal, Depends(require(Permission.INSPECTIONS_SUBMIT))]
Manager = Annotated[Principal, Depends(require(Permission.INSPECTIONS_MANAGE))]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
PHOTO_ERRORS = (PayloadTooLarge, PhotoTooLarge, UnsupportedPhoto, PhotoTypeMismatch)


def photo_out(meta: PhotoMeta) -> Photo:
    return Photo(id=meta.id, content_type=meta.content_type, size_bytes=meta.size_bytes)


async def defects_out(service: DefectService, defects: list[InspectionDefect]) -> list[Defect]:
    photos = await service.photos(defects)
    return [
        Defect.model_validate(d).model_copy(
            update={"photos": [photo_out(p) for p in photos.get(d.id, [])]}
        )
        for d in defects
    ]


async def inspection_out(
    session: DbSession, actor: Principal, record: InspectionRecord
) -> Inspection:
    defects = await InspectionService(session, actor).defects_by_inspection([record])
    out = await defects_out(DefectService(session, actor), defects[record.id])
    return Inspection.model_validate(record).model_copy(update={"defects": out})


# checklists ---------------------------------------------------------------------------------
@router.get(
    "/inspection-templates",
    response_model=list[Template],
    responses=responses(PermissionDenied),
)
async def list_templates(
    session: DbSession, actor: Reader, active: bool | None = None
) -> list[Template]:
    """The tenant's checklists (the defaults are created on first use)."""
    records = await TemplateService(session, actor).list_all(active=active)
    return [Template.model_validate(r) for r in records]


@router.post(
    "/inspection-templates",
    response_model=Template,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, PayloadTooLarge),
)
async def create_template(body: TemplateCreate, session: DbSession, actor: Manager) -> Template:
    """A checklist for a vehicle type (or any type) and kind; one active per pair (409)."""
    return Template.model_validate(await TemplateService(session, actor).add(body))


@router.get(
    "/inspection-templates/{template_id}",
    response_model=Template,
    responses=responses(PermissionDenied, NotFound),
)
async def get_template(template_id: uuid.UUID, session: DbSession, actor: Reader) -> Template:
    return Template.model_validate(await TemplateService(session, actor).get(template_id))


@router.patch(
    "/inspection-templates/{template_id}",
    response_model=Template,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, AlreadyExists, PreconditionInvalid
    ),
)
async def update_template(
    template_id: uuid.UUID,
    body: TemplateUpdate,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> Template:
    """Rename, replace the items (keep an item's ``id`` to keep it), or (de)activate."""
    record = await TemplateService(session, actor).update(template_id, body, if_match)
    return Template.model_validate(record)


# inspections --------------------------------------------------------------------------------
@router.get(
    "/inspections/form",
    response_model=InspectionForm,
    responses=responses(PermissionDenied, NotFound, NoTemplate),
)
async def inspection_form(
    session: DbSession, actor: Reader, vehicle_id: uuid.UUID, kind: InspectionKind
) -> InspectionForm:
    """What the driver's form shows: the vehicle's checklist and its odometer, read from its
    tracker (``vehicle_state``) or else its record, so nobody types the meter."""
    form = await InspectionService(session, actor).form(vehicle_id, kind)
    return InspectionForm(
        vehicle_id=form.vehicle_id,
        kind=form.kind,
        template=Template.model_validate(form.template),
        odometer_km=form.odometer_km,
        odometer_source=form.odometer_source,
    )


@router.get("/inspections", response_model=Page[Inspection], responses=responses(PermissionDenied))
async def list_inspections(
    session: DbSession,
    actor: Reader,
    vehicle_id: uuid.UUID | None = None,
    kind: InspectionKind | None = None,
    with_defects: bool | None = None,
    sort: Annotated[str, Query(max_length=32)] = "-performed_at",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Inspection]:
    """Inspections, newest first (a driver sees their own)."""
    service = InspectionService(session, actor)
    filters = InspectionFilters(vehicle_id, kind.value if kind else None, with_defects)
    records, next_cursor = await service.list_by(filters, sort=sort, cursor=cursor, limit=limit)
    defects = await service.defects_by_inspection(records)
    defect_service = DefectService(session, actor)
    items = []
    for record in records:
        out = await defects_out(defect_service, defects[record.id])
        items.append(Inspection.model_validate(record).model_copy(update={"defects": out}))
    return Page[Inspection](items=items, next_cursor=next_cursor)


@router.post(
    "/inspections",
    response_model=Inspection,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, *PHOTO_ERRORS),
)
async def submit_inspection(
    body: InspectionSubmit, session: DbSession, actor: Submitter
) -> Inspection:
    """Submit a filled-in inspection, every checklist item answered. Each failed item opens a
    defect (with its photos and a ``defect_reported`` alert); a critical one takes the vehicle
    out of service. Send an ``Idempotency-Key``: a resend (an offline queue's replay) returns
    the first answer and stores nothing twice. Photos: JPEG, PNG, WebP or HEIC by content,
    ≤ 10 MB each (413 ``photo_too_large``; a type that isn't what it says, 415); the whole
    request ≤ 32 MB (413 ``payload_too_large``)."""
    record = await InspectionService(session, actor).submit(body)
    return await inspection_out(session, actor, record)


@router.get(
    "/inspections/{inspection_id}",
    response_model=Inspection,
    responses=responses(PermissionDenied, NotFound),
)
async def get_inspection(inspection_id: uuid.UUID, session: DbSession, actor: Reader) -> Inspection:
    record = await InspectionService(session, actor).get(inspection_id)
    return await inspection_out(session, actor, record)


# defects ------------------------------------------------------------------------------------
@router.get("/defects", response_model=Page[Defect], responses=responses(PermissionDenied))
async def list_defects(
    session: DbSession,
    actor: Reader,
    status: DefectStatus | None = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    vehicle_id: uuid.UUID | None = None,
    inspection_id: uuid.UUID | None = None,
    critical: bool | None = None,
    sort: Annotated[str, Query(max_length=32)] = "-created_at",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Defect]:
    """Defects (``open=true``: not signed off yet), newest first."""
    service = DefectService(session, actor)
    filters = DefectFilters(
        status.value if status else None, open_only, vehicle_id, inspection_id, critical
    )
    records, next_cursor = await service.list_by(filters, sort=sort, cursor=cursor, limit=limit)
    return Page[Defect](items=await defects_out(service, records), next_cursor=next_cursor)


@router.get(
    "/defects/{defect_id}", response_model=Defect, responses=responses(PermissionDenied, NotFound)
)
async def get_defect(defect_id: uuid.UUID, session: DbSession, actor: Reader) -> Defect:
    service = DefectService(session, actor)
    return (await defects_out(service, [await service.get(defect_id)]))[0]


STEP_ERRORS = (PermissionDenied, NotFound, VersionConflict, InvalidTransition, PreconditionInvalid)


@router.post(
    "/defects/{defect_id}/acknowledge", response_model=Defect, responses=responses(*STEP_ERRORS)
)
async def acknowledge_defect(
    defect_id: uuid.UUID,
    body: DefectAcknowledge,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> Defect:
    """A mechanic has seen it."""
    service = DefectService(session, actor)
    version = if_match if if_match is not None else body.version
    return (await defects_out(service, [await service.acknowledge(defect_id, version)]))[0]


@router.post(
    "/defects/{defect_id}/work-order",
    response_model=Defect,
    responses=responses(*STEP_ERRORS),
)
async def create_defect_work_order(
    defect_id: uuid.UUID,
    body: DefectWorkOrder,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> Defect:
    """Turn the defect into a work order (through the maintenance service)."""
    service = DefectService(session, actor)
    version = if_match if if_match is not None else body.version
    record = await service.start_work_order(defect_id, version, body.note)
    return (await defects_out(service, [record]))[0]


@router.post(
    "/defects/{defect_id}/sign-off", response_model=Defect, responses=responses(*STEP_ERRORS)
)
async def sign_off_defect(
    defect_id: uuid.UUID,
    body: DefectSignOff,
    session: DbSession,
    actor: Manager,
    if_match: IfMatch,
) -> Defect:
    """Sign the defect off: repaired (``resolved``) or ``no_repair_needed``, with a note. Its
    alert clears; the vehicle returns to service when no other critical defect holds it."""
    service = DefectService(session, actor)
    version = if_match if if_match is not None else body.version
    record = await service.sign_off(defect_id, body, version)
    return (await defects_out(service, [record]))[0]


@router.get(
    "/defects/{defect_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "image/heic": {}}},
        **responses(PermissionDenied, NotFound),
    },
)
async def get_defect_photo(
    defect_id: uuid.UUID, photo_id: uuid.UUID, session: DbSession, actor: Reader
) -> Response:
    """The photo's bytes, as its sniffed type; only ever to the defect's own tenant."""
    content_type, data = await DefectService(session, actor).photo(defect_id, photo_id)
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=86400, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": "inline",
        },
    )
