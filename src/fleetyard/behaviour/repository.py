"""Every line of driving-behaviour SQL for the API, each statement filtered by the tenant (and
row-level security behind it)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId

_EVENT_COLUMNS = """id, kind, source, severity, vehicle_id, device_id, driver_id, started_at,
    ended_at, latitude, longitude, duration_s, speed_kmh, peak_g, delta_kmh, limit_kmh,
    limit_source, max_speed_kmh, excess_kmh, mean_excess_kmh, distance_m, details, fixes"""


@dataclass(frozen=True, slots=True)
class EventFilters:
    start: datetime
    end: datetime
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    kinds: tuple[str, ...] = ()


class BehaviourRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _all(self, sql: str, **params: Any) -> Sequence[RowMapping]:
        result = await self.session.execute(text(sql), {"tenant_id": self.tenant_id, **params})
        return result.mappings().all()

    async def zone(self) -> str | None:
        rows = await self._all("select time_zone from tenants where id = :tenant_id")
        return str(rows[0]["time_zone"]) if rows and rows[0]["time_zone"] else None

    async def driver_name(self, driver_id: uuid.UUID) -> str | None:
        rows = await self._all(
            "select name from drivers where tenant_id = :tenant_id and id = :id", id=driver_id
        )
        return str(rows[0]["name"]) if rows else None

    async def driver_names(self, driver_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await self._all(
            "select id, name from drivers where tenant_id = :tenant_id and id = any(:ids)",
            ids=list(driver_ids),
        )
        return {r["id"]: r["name"] for r in rows}

    async def list_events(
        self, filters: EventFilters, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[RowMapping]:
        """Events starting in the window, the latest first; ``after``: the cursor's row."""
        clauses = ["tenant_id = :tenant_id", "started_at >= :start", "started_at < :end"]
        params: dict[str, Any] = {"start": filters.start, "end": filters.end, "limit": limit + 1}
        if filters.vehicle_id is not None:
            clauses.append("vehicle_id = :vehicle_id")
            params["vehicle_id"] = filters.vehicle_id
        if filters.driver_id is not None:
            clauses.append("driver_id = :driver_id")
            params["driver_id"] = filters.driver_id
        if filters.kinds:
            clauses.append("kind = any(:kinds)")
            params["kinds"] = list(filters.kinds)
        if after is not None:
            clauses.append("(started_at, id) < (:after_at, :after_id)")
            params["after_at"], params["after_id"] = after
        sql = f"""select {_EVENT_COLUMNS} from driving_events where {" and ".join(clauses)}
            order by started_at desc, id desc limit :limit"""  # noqa: S608 - our own clauses
        return await self._all(sql, **params)

    async def get_event(self, event_id: uuid.UUID) -> RowMapping | None:
        rows = await self._all(
            f"select {_EVENT_COLUMNS} from driving_events "  # noqa: S608 - fixed columns
            "where tenant_id = :tenant_id and id = :id",
            id=event_id,
        )
        return rows[0] if rows else None

    async def driver_events(
        self, start: datetime, end: datetime, driver_id: uuid.UUID | None = None
    ) -> Sequence[RowMapping]:
        """Events of one driver (or of every driver) starting in the window."""
        who = "driver_id = :driver_id" if driver_id else "driver_id is not null"
        return await self._all(
            f"""select id, kind, severity, started_at, ended_at, latitude, longitude, vehicle_id,
                duration_s, excess_kmh, peak_g, driver_id
            from driving_events
            where tenant_id = :tenant_id and {who} and started_at >= :start and started_at < :end
            order by started_at, id""",  # noqa: S608 - one of two fixed clauses
            start=start,
            end=end,
            driver_id=driver_id,
        )

    async def driver_trips(
        self, start: datetime, end: datetime, driver_id: uuid.UUID | None = None
    ) -> Sequence[RowMapping]:
        """Trips of one driver (or of every driver) starting in the window: the exposure."""
        who = "driver_id = :driver_id" if driver_id else "driver_id is not null"
        return await self._all(
            f"""select id, vehicle_id, driver_id, started_at, ended_at, distance_m, driving_s
            from trips
            where tenant_id = :tenant_id and {who} and started_at >= :start and started_at < :end
            order by started_at, id""",  # noqa: S608 - one of two fixed clauses
            start=start,
            end=end,
            driver_id=driver_id,
        )
