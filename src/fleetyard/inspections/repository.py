"""Every statement of the inspection domain beyond a record's own get/list/insert/update
(which ``kit.records.RecordService`` builds): all scoped to the caller's tenant, and again by
row-level security."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.models import (
    Alert,
    InspectionDefect,
    InspectionPhoto,
    InspectionTemplate,
    Vehicle,
    VehicleState,
)


@dataclass(frozen=True, slots=True)
class VehicleFacts:
    id: uuid.UUID
    label: str
    type: str
    status: str
    status_detail: dict[str, Any]
    odometer_km: Decimal | None
    tracker_odometer_m: float | None


@dataclass(frozen=True, slots=True)
class PhotoMeta:
    id: uuid.UUID
    defect_id: uuid.UUID
    content_type: str
    size_bytes: int


class InspectionRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # vehicles -----------------------------------------------------------------------------
    async def vehicle(self, vehicle_id: uuid.UUID, *, lock: bool = False) -> VehicleFacts | None:
        v, s = Vehicle, VehicleState
        stmt = (
            select(
                v.id,
                v.plate,
                v.name,
                v.vin,
                v.type,
                v.status,
                v.status_detail,
                v.odometer_km,
                s.odometer_m,
            )
            .outerjoin(s, (s.tenant_id == v.tenant_id) & (s.vehicle_id == v.id))
            .where(v.tenant_id == self.tenant_id, v.id == vehicle_id)
        )
        if lock:  # serialises out-of-service decisions per vehicle; FK checks still pass
            stmt = stmt.with_for_update(of=v, key_share=True)
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        label = next((x for x in (row.plate, row.name, row.vin) if x), "Vehicle")
        return VehicleFacts(
            row.id,
            label,
            row.type,
            row.status,
            dict(row.status_detail or {}),
            row.odometer_km,
            row.odometer_m,
        )

    # templates ----------------------------------------------------------------------------
    async def template_count(self) -> int:
        stmt = select(func.count()).where(InspectionTemplate.tenant_id == self.tenant_id)
        return int(await self.session.scalar(stmt) or 0)

    async def active_template(self, vehicle_type: str, kind: str) -> InspectionTemplate | None:
        """The vehicle type's own active checklist, else the any-type one."""
        t = InspectionTemplate
        stmt = (
            select(t)
            .where(
                t.tenant_id == self.tenant_id,
                t.kind == kind,
                t.active.is_(True),
                or_(t.vehicle_type == vehicle_type, t.vehicle_type.is_(None)),
            )
            .order_by(t.vehicle_type.is_(None))  # own type first
            .limit(1)
        )
        found: InspectionTemplate | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    # defects ------------------------------------------------------------------------------
    async def defects_of(self, inspection_ids: Sequence[uuid.UUID]) -> list[InspectionDefect]:
        if not inspection_ids:
            return []
        d = InspectionDefect
        stmt = (
            select(d)
            .where(d.tenant_id == self.tenant_id, d.inspection_id.in_(list(inspection_ids)))
            .order_by(d.created_at, d.id)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def open_out_of_service(self, vehicle_id: uuid.UUID, other_than: uuid.UUID) -> int:
        """How many other defects still hold the vehicle out of service."""
        d = InspectionDefect
        stmt = select(func.count()).where(
            d.tenant_id == self.tenant_id,
            d.vehicle_id == vehicle_id,
            d.out_of_service.is_(True),
            d.signed_off_at.is_(None),
            d.id != other_than,
        )
        return int(await self.session.scalar(stmt) or 0)

    # photos -------------------------------------------------------------------------------
    def add_photo(
        self, defect_id: uuid.UUID, content_type: str, data: bytes, sha256: str
    ) -> InspectionPhoto:
        photo = InspectionPhoto(
            tenant_id=self.tenant_id,
            defect_id=defect_id,
            content_type=content_type,
            size_bytes=len(data),
            sha256=sha256,
            data=data,
        )
        self.session.add(photo)
        return photo

    async def photos_of(self, defect_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PhotoMeta]]:
        found: dict[uuid.UUID, list[PhotoMeta]] = defaultdict(list)
        if not defect_ids:
            return found
        p = InspectionPhoto
        stmt = (
            select(p.id, p.defect_id, p.content_type, p.size_bytes)
            .where(p.tenant_id == self.tenant_id, p.defect_id.in_(list(defect_ids)))
            .order_by(p.created_at, p.id)
        )
        for row in (await self.session.execute(stmt)).all():
            found[row.defect_id].append(
                PhotoMeta(row.id, row.defect_id, row.content_type, row.size_bytes)
            )
        return found

    async def photo(self, defect_id: uuid.UUID, photo_id: uuid.UUID) -> tuple[str, bytes] | None:
        p = InspectionPhoto
        stmt = select(p.content_type, p.data).where(
            p.tenant_id == self.tenant_id, p.defect_id == defect_id, p.id == photo_id
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row.content_type, bytes(row.data))

    # alerts -------------------------------------------------------------------------------
    def open_alert(
        self,
        vehicle_id: uuid.UUID,
        code: str,
        severity: str,
        message: str,
        details: dict[str, Any],
        at: datetime,
    ) -> Alert:
        alert = Alert(
            tenant_id=self.tenant_id,
            vehicle_id=vehicle_id,
            kind="defect_reported",
            code=code,
            severity=severity,
            message=message[:500],
            details=details,
            opened_at=at,
            last_seen_at=at,
        )
        self.session.add(alert)
        return alert

    async def clear_alert(self, alert_id: uuid.UUID, at: datetime) -> Alert | None:
        stmt = (
            update(Alert)
            .where(
                Alert.tenant_id == self.tenant_id, Alert.id == alert_id, Alert.cleared_at.is_(None)
            )
            .values(cleared_at=at)
            .returning(Alert)
        )
        alert: Alert | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return alert
