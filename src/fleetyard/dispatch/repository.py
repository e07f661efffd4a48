"""Every statement of the dispatch domain: scoped to the caller's tenant, and again by
row-level security."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.dispatch.models import (
    Dispatch,
    DispatchReplan,
    DispatchRoute,
    DispatchSettings,
    DispatchStop,
    DispatchStopPhoto,
)
from fleetyard.models import Driver, Tenant, Vehicle, VehicleState

ACTIVE_ROUTE = ("planned", "in_progress")


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: uuid.UUID
    name: str
    status: str
    request: dict[str, Any]
    solution: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Fix:
    vehicle_id: uuid.UUID
    fix_time: datetime
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class PhotoMeta:
    id: uuid.UUID
    stop_id: uuid.UUID
    content_type: str
    size_bytes: int


_PLAN = text(
    "select id, name, status, request, solution from route_plans "
    "where tenant_id = :tenant_id and id = :plan_id"
)


class DispatchRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # the plan (the route-planning domain's table, read only) ------------------------------
    async def plan(self, plan_id: uuid.UUID) -> PlanRow | None:
        row = (
            await self.session.execute(_PLAN, {"tenant_id": self.tenant_id, "plan_id": plan_id})
        ).first()
        if row is None:
            return None
        return PlanRow(row.id, row.name, row.status, dict(row.request), row.solution)

    # fleet records ------------------------------------------------------------------------
    async def vehicle_names(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        v = Vehicle
        stmt = select(v.id, v.name, v.plate, v.vin).where(
            v.tenant_id == self.tenant_id, v.id.in_(list(set(ids)))
        )
        # the plate first, as every list of the product names a vehicle
        return {
            r.id: next((x for x in (r.plate, r.name, r.vin) if x), "Vehicle")
            for r in (await self.session.execute(stmt)).all()
        }

    async def driver_names(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        d = Driver
        stmt = select(d.id, d.name).where(d.tenant_id == self.tenant_id, d.id.in_(list(set(ids))))
        return {r.id: r.name for r in (await self.session.execute(stmt)).all()}

    async def drivers_of_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        d = Driver
        stmt = select(d.id).where(d.tenant_id == self.tenant_id, d.user_id == user_id)
        return list((await self.session.execute(stmt)).scalars())

    async def time_zone(self) -> str:
        stmt = select(Tenant.time_zone).where(Tenant.id == self.tenant_id)
        return str(await self.session.scalar(stmt) or "UTC")

    async def fixes(self, vehicle_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Fix]:
        if not vehicle_ids:
            return {}
        s = VehicleState
        stmt = select(s.vehicle_id, s.fix_time, s.latitude, s.longitude).where(
            s.tenant_id == self.tenant_id, s.vehicle_id.in_(list(set(vehicle_ids)))
        )
        return {
            r.vehicle_id: Fix(r.vehicle_id, r.fix_time, r.latitude, r.longitude)
            for r in (await self.session.execute(stmt)).all()
        }

    # dispatches and routes ----------------------------------------------------------------
    async def dispatch(self, dispatch_id: uuid.UUID, *, lock: bool = False) -> Dispatch | None:
        stmt = select(Dispatch).where(
            Dispatch.tenant_id == self.tenant_id, Dispatch.id == dispatch_id
        )
        if lock:
            stmt = stmt.with_for_update(key_share=True)
        found: Dispatch | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def dispatches(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Dispatch]:
        if not ids:
            return {}
        stmt = select(Dispatch).where(
            Dispatch.tenant_id == self.tenant_id, Dispatch.id.in_(list(set(ids)))
        )
        return {d.id: d for d in (await self.session.execute(stmt)).scalars()}

    async def active_dispatches(self) -> list[Dispatch]:
        stmt = (
            select(Dispatch)
            .where(Dispatch.tenant_id == self.tenant_id, Dispatch.status == "active")
            .order_by(Dispatch.start_at, Dispatch.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def route(self, route_id: uuid.UUID, *, lock: bool = False) -> DispatchRoute | None:
        r = DispatchRoute
        stmt = select(r).where(r.tenant_id == self.tenant_id, r.id == route_id)
        if lock:
            stmt = stmt.with_for_update(key_share=True)
        found: DispatchRoute | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def routes_of(self, dispatch_ids: Sequence[uuid.UUID]) -> list[DispatchRoute]:
        if not dispatch_ids:
            return []
        r = DispatchRoute
        stmt = (
            select(r)
            .where(r.tenant_id == self.tenant_id, r.dispatch_id.in_(list(dispatch_ids)))
            .order_by(r.dispatch_id, r.vehicle_key)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def routes_of_drivers(
        self, driver_ids: Sequence[uuid.UUID], start: datetime, end: datetime
    ) -> list[DispatchRoute]:
        if not driver_ids:
            return []
        r = DispatchRoute
        stmt = (
            select(r)
            .where(
                r.tenant_id == self.tenant_id,
                r.driver_id.in_(list(driver_ids)),
                r.status != "superseded",
                r.planned_start_at < end,
                r.planned_end_at >= start,
            )
            .order_by(r.planned_start_at, r.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def moving_routes(self) -> list[DispatchRoute]:
        """Routes on the road or due: what the monitor follows. Locked for the round, as a
        stop's progress locks its route, so a round never judges a stop by a status that
        changed under it; a route being progressed right now is skipped (the next round
        has it)."""
        r = DispatchRoute
        stmt = (
            select(r)
            .where(r.tenant_id == self.tenant_id, r.status.in_(ACTIVE_ROUTE))
            .order_by(r.id)
            .with_for_update(key_share=True, skip_locked=True)
        )
        return list((await self.session.execute(stmt)).scalars())

    # stops --------------------------------------------------------------------------------
    async def stops_of(self, route_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[DispatchStop]]:
        found: dict[uuid.UUID, list[DispatchStop]] = {r: [] for r in route_ids}
        if not route_ids:
            return found
        s = DispatchStop
        stmt = (
            select(s)
            .where(s.tenant_id == self.tenant_id, s.route_id.in_(list(route_ids)))
            .order_by(s.route_id, s.seq)
        )
        for stop in (await self.session.execute(stmt)).scalars():
            found[stop.route_id].append(stop)
        return found

    async def stop(self, route_id: uuid.UUID, stop_id: uuid.UUID) -> DispatchStop | None:
        s = DispatchStop
        stmt = (
            select(s)
            .where(s.tenant_id == self.tenant_id, s.route_id == route_id, s.id == stop_id)
            .with_for_update(key_share=True)
        )
        found: DispatchStop | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    # photos -------------------------------------------------------------------------------
    def add_photo(self, stop_id: uuid.UUID, content_type: str, data: bytes, sha256: str) -> None:
        self.session.add(
            DispatchStopPhoto(
                tenant_id=self.tenant_id,
                stop_id=stop_id,
                content_type=content_type,
                size_bytes=len(data),
                sha256=sha256,
                data=data,
            )
        )

    async def photos_of(self, stop_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PhotoMeta]]:
        found: dict[uuid.UUID, list[PhotoMeta]] = defaultdict(list)
        if not stop_ids:
            return found
        p = DispatchStopPhoto
        stmt = (
            select(p.id, p.stop_id, p.content_type, p.size_bytes)
            .where(p.tenant_id == self.tenant_id, p.stop_id.in_(list(stop_ids)))
            .order_by(p.created_at, p.id)
        )
        for row in (await self.session.execute(stmt)).all():
            found[row.stop_id].append(
                PhotoMeta(row.id, row.stop_id, row.content_type, row.size_bytes)
            )
        return found

    async def photo(self, stop_id: uuid.UUID, photo_id: uuid.UUID) -> tuple[str, bytes] | None:
        p = DispatchStopPhoto
        stmt = select(p.content_type, p.data).where(
            p.tenant_id == self.tenant_id, p.stop_id == stop_id, p.id == photo_id
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row.content_type, bytes(row.data))

    # replans and settings -----------------------------------------------------------------
    async def replan(self, plan_id: uuid.UUID) -> DispatchReplan | None:
        stmt = select(DispatchReplan).where(
            DispatchReplan.tenant_id == self.tenant_id, DispatchReplan.plan_id == plan_id
        )
        found: DispatchReplan | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    def add_replan(self, plan_id: uuid.UUID, dispatch_id: uuid.UUID, fixed: dict[str, Any]) -> None:
        self.session.add(
            DispatchReplan(
                tenant_id=self.tenant_id,
                plan_id=plan_id,
                dispatch_id=dispatch_id,
                fixed_stops=fixed,
            )
        )

    async def settings(self) -> DispatchSettings:
        stmt = select(DispatchSettings).where(DispatchSettings.tenant_id == self.tenant_id)
        found: DispatchSettings | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found or DispatchSettings(
            tenant_id=self.tenant_id, corridor_m=500, off_route_after_s=60, late_tolerance_s=300
        )

    async def save_settings(self, values: dict[str, int]) -> DispatchSettings:
        stmt = (
            insert(DispatchSettings)
            .values(tenant_id=self.tenant_id, **values)
            .on_conflict_do_update(
                index_elements=[DispatchSettings.tenant_id],
                set_={**values, "updated_at": func.now()},
            )
            .returning(DispatchSettings)
            .execution_options(populate_existing=True)
        )
        saved: DispatchSettings = (await self.session.execute(stmt)).scalar_one()
        return saved

    async def supersede_routes(self, dispatch_id: uuid.UUID) -> None:
        r = DispatchRoute
        await self.session.execute(
            update(r)
            .where(
                r.tenant_id == self.tenant_id,
                r.dispatch_id == dispatch_id,
                r.status.in_(ACTIVE_ROUTE),
            )
            .values(status="superseded", version=r.version + 1, updated_at=func.now())
        )
