"""Checklists: a tenant's templates, created with sensible defaults on first use, edited as a
whole list of items (ids kept, so answers stay linked to the item they answered)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from sqlalchemy import text

from fleetyard.inspections.defaults import default_templates
from fleetyard.inspections.repository import InspectionRepository
from fleetyard.inspections.schemas import TemplateCreate, TemplateItemIn, TemplateUpdate
from fleetyard.kit.ids import uuid7
from fleetyard.kit.records import RecordService
from fleetyard.models import InspectionTemplate


def item_rows(items: list[TemplateItemIn]) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id or uuid7().hex[-12:],
            "section": item.section,
            "label": item.label,
            "critical": item.critical,
        }
        for item in items
    ]


class TemplateService(RecordService[InspectionTemplate]):
    # events: created and updated (retired by ``active``, never deleted)
    entity_type: ClassVar[str] = "inspection_template"
    model = InspectionTemplate
    sort_fields = ("name", "created_at", "updated_at", "id")
    unique_fields = {"uq_inspection_templates_active": "vehicle_type"}

    async def ensure_defaults(self) -> None:
        """A tenant without any checklist gets the default ones (once: under a per-tenant lock)."""
        repo = InspectionRepository(self.session, self.actor.tenant_id)
        if await repo.template_count():
            return
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.actor.tenant_id}:inspection_templates"},
        )
        if await repo.template_count():
            return
        for template in default_templates():
            await self.create(template)

    async def list_all(self, *, active: bool | None) -> list[InspectionTemplate]:
        await self.ensure_defaults()
        filters = [] if active is None else [InspectionTemplate.active.is_(active)]
        stmt = (
            self._scoped()
            .where(*filters)
            .order_by(
                InspectionTemplate.vehicle_type.nulls_last(),
                InspectionTemplate.kind.desc(),
                InspectionTemplate.name,
            )
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def add(self, data: TemplateCreate) -> InspectionTemplate:
        """A tenant's own checklist, after the defaults (so they are never skipped)."""
        await self.ensure_defaults()
        return await self.create(data)

    async def create(self, data: TemplateCreate) -> InspectionTemplate:
        values = data.model_dump(exclude={"items"})
        values["kind"] = data.kind.value
        values["vehicle_type"] = data.vehicle_type.value if data.vehicle_type else None
        values["items"] = item_rows(data.items)
        return await self.insert(values)

    async def update(
        self, template_id: uuid.UUID, data: TemplateUpdate, expected_version: int | None
    ) -> InspectionTemplate:
        changes = data.model_dump(exclude_unset=True, exclude={"version", "items"})
        if data.items is not None:
            changes["items"] = item_rows(data.items)
        version = expected_version if expected_version is not None else data.version
        return await self.apply_update(template_id, changes, version)
