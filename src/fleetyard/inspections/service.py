"""Inspection rules: the form a driver fills in (the vehicle's checklist, the meter from its
tracker), and a submission stored whole or not at all: every item answered once, every photo
checked before anything is written; each failed item becomes a defect with its alert, and a
critical one takes the vehicle out of service.

Drivers see and submit their own inspections only; mechanics and managers see the tenant's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, false, func, select

from fleetyard.auth.roles import Role
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.inspections.defects import DefectService, OutOfService
from fleetyard.inspections.errors import NoTemplate
from fleetyard.inspections.photos import CheckedPhoto, check_photo, decode_base64
from fleetyard.inspections.repository import InspectionRepository, VehicleFacts
from fleetyard.inspections.schemas import (
    InspectionKind,
    InspectionSubmit,
    ItemResult,
)
from fleetyard.inspections.templates import TemplateService
from fleetyard.kit.records import RecordService
from fleetyard.models import Driver, Inspection, InspectionDefect, InspectionTemplate


@dataclass(frozen=True, slots=True)
class InspectionFilters:
    vehicle_id: uuid.UUID | None = None
    kind: str | None = None
    with_defects: bool | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.vehicle_id is not None:
            clauses.append(Inspection.vehicle_id == self.vehicle_id)
        if self.kind is not None:
            clauses.append(Inspection.kind == self.kind)
        if self.with_defects is not None:
            clauses.append(
                Inspection.failed_count > 0 if self.with_defects else Inspection.failed_count == 0
            )
        return clauses


@dataclass(frozen=True, slots=True)
class Form:
    vehicle_id: uuid.UUID
    kind: InspectionKind
    template: InspectionTemplate
    odometer_km: Decimal | None
    odometer_source: str


def odometer_of(vehicle: VehicleFacts) -> tuple[Decimal | None, str]:
    """The meter as the tracker last reported it, else the vehicle record's, else none."""
    if vehicle.tracker_odometer_m is not None and vehicle.tracker_odometer_m >= 0:
        return Decimal(round(vehicle.tracker_odometer_m / 1000, 1)).quantize(
            Decimal("0.1")
        ), "tracker"
    if vehicle.odometer_km:
        return Decimal(vehicle.odometer_km).quantize(Decimal("0.1")), "vehicle"
    return None, "none"


class InspectionService(RecordService[Inspection]):
    # events: submitted only (never updated or deleted through the API)
    entity_type: ClassVar[str] = "inspection"
    model = Inspection
    sort_fields = ("performed_at", "created_at", "id")

    @property
    def repo(self) -> InspectionRepository:
        return InspectionRepository(self.session, self.actor.tenant_id)

    @property
    def own_only(self) -> bool:
        return self.actor.role is Role.DRIVER

    def _scoped(self) -> Any:
        stmt = super()._scoped()
        if self.own_only:
            user_id = self.actor.user_id
            stmt = stmt.where(false() if user_id is None else Inspection.user_id == user_id)
        return stmt

    async def list_by(
        self, filters: InspectionFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Inspection], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def defects_by_inspection(
        self, inspections: Sequence[Inspection]
    ) -> dict[uuid.UUID, list[InspectionDefect]]:
        found: dict[uuid.UUID, list[InspectionDefect]] = {i.id: [] for i in inspections}
        for defect in await self.repo.defects_of([i.id for i in inspections]):
            found[defect.inspection_id].append(defect)
        return found

    # the form -----------------------------------------------------------------------------
    async def _vehicle(self, vehicle_id: uuid.UUID, *, field: str | None) -> VehicleFacts:
        vehicle = await self.repo.vehicle(vehicle_id)
        if vehicle is None:
            if field is None:
                raise NotFound(
                    "No such vehicle.", details={"entity_type": "vehicle", "id": str(vehicle_id)}
                )
            raise ValidationFailed("No such vehicle in this tenant.", details={"field": field})
        return vehicle

    async def form(self, vehicle_id: uuid.UUID, kind: InspectionKind) -> Form:
        vehicle = await self._vehicle(vehicle_id, field=None)
        await TemplateService(self.session, self.actor).ensure_defaults()
        template = await self.repo.active_template(vehicle.type, kind.value)
        if template is None:
            raise NoTemplate(details={"vehicle_type": vehicle.type, "kind": kind.value})
        odometer, source = odometer_of(vehicle)
        return Form(vehicle_id, kind, template, odometer, source)

    # submitting ---------------------------------------------------------------------------
    async def submit(self, data: InspectionSubmit) -> Inspection:
        vehicle = await self._vehicle(data.vehicle_id, field="vehicle_id")
        template = await self._template(data)
        results = _answers(template, data)
        photos = _checked_photos(data)
        await self._check_driver(data.driver_id)
        odometer, source = (
            (Decimal(str(data.odometer_km)).quantize(Decimal("0.1")), "entered")
            if data.odometer_km is not None
            else odometer_of(vehicle)
        )
        failed = [r for r in results if r["result"] == ItemResult.FAIL]
        record = Inspection(
            tenant_id=self.actor.tenant_id,
            version=1,
            vehicle_id=vehicle.id,
            template_id=template.id,
            kind=data.kind.value,
            user_id=self.actor.user_id,
            driver_id=data.driver_id,
            odometer_km=odometer,
            odometer_source=source,
            performed_at=(data.performed_at or datetime.now(UTC)).astimezone(UTC),
            results=results,
            failed_count=len(failed),
            critical_count=sum(1 for r in failed if r["critical"]),
            notes=data.notes,
        )
        self.session.add(record)
        await self.flush()
        self.events.record(self.entity_type, "submitted", record.id, None, self.snapshot(record))
        if failed:
            await self._report_defects(record, vehicle, failed, photos)
        return record

    async def _template(self, data: InspectionSubmit) -> InspectionTemplate:
        try:
            template = await TemplateService(self.session, self.actor).get(data.template_id)
        except NotFound:
            raise ValidationFailed(
                "No such checklist in this tenant.", details={"field": "template_id"}
            ) from None
        if template.kind != data.kind.value:
            raise ValidationFailed(
                f"This checklist is for a {template.kind.replace('_', '-')} inspection.",
                details={"field": "kind", "template_kind": template.kind},
            )
        return template

    async def _check_driver(self, driver_id: uuid.UUID | None) -> None:
        if driver_id is None:
            return
        stmt = select(func.count()).where(
            Driver.tenant_id == self.actor.tenant_id, Driver.id == driver_id
        )
        if not await self.session.scalar(stmt):
            raise ValidationFailed("No such driver in this tenant.", details={"field": "driver_id"})

    async def _report_defects(
        self,
        inspection: Inspection,
        vehicle: VehicleFacts,
        failed: list[dict[str, Any]],
        photos: dict[str, list[CheckedPhoto]],
    ) -> None:
        defects = DefectService(self.session, self.actor)
        holds = any(r["critical"] for r in failed) and await OutOfService(
            self.session, self.actor
        ).take(vehicle.id)
        for answer in failed:
            await defects.report(
                inspection,
                vehicle,
                answer,
                photos.get(answer["item_id"], []),
                out_of_service=holds and answer["critical"],
            )


def _answers(template: InspectionTemplate, data: InspectionSubmit) -> list[dict[str, Any]]:
    """Each template item with its answer (a copy of the item as it stood when answered)."""
    items = {item["id"]: item for item in template.items}
    given = {a.item_id: a for a in data.answers}
    unknown = sorted(set(given) - set(items))
    missing = [i for i in items if i not in given]
    if unknown or missing:
        raise ValidationFailed(
            "Every item of the checklist is answered once, and nothing else.",
            details={"field": "answers", "missing": missing, "unknown": unknown},
        )
    return [
        {
            "item_id": item_id,
            "section": item.get("section", ""),
            "label": item["label"],
            "critical": bool(item.get("critical")),
            "result": given[item_id].result.value,
            "note": given[item_id].note,
        }
        for item_id, item in items.items()
    ]


def _checked_photos(data: InspectionSubmit) -> dict[str, list[CheckedPhoto]]:
    checked: dict[str, list[CheckedPhoto]] = {}
    for i, answer in enumerate(data.answers):
        for j, photo in enumerate(answer.photos):
            where = f"answers.{i}.photos.{j}"
            raw = decode_base64(photo.data, where)
            checked.setdefault(answer.item_id, []).append(
                check_photo(photo.content_type, raw, where)
            )
    return checked
