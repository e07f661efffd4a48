"""Every line of SQL failure prediction runs, scoped to one tenant (RLS is the second lock)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId, uuid7

_VEHICLES = """
select id, coalesce(plate, name, id::text) as label, year, odometer_km::float8 as odometer_km,
       created_at
from vehicles where tenant_id = :tenant_id
  and (cast(:vehicle_id as uuid) is null or id = cast(:vehicle_id as uuid))
order by id
"""

_TELEMETRY = """
select vehicle_id, day, distance_km, odometer_km, crank_voltage_v, coolant_max_c,
       coolant_excursions, harsh_brakes, dtc_codes
from vehicle_daily_telemetry
where tenant_id = :tenant_id and day >= :start and day < :end
  and (cast(:vehicle_id as uuid) is null or vehicle_id = cast(:vehicle_id as uuid))
order by vehicle_id, day
"""

# The maintenance package's work orders; a cancelled one changed nothing on the vehicle.
_WORK_ORDERS = """
select vehicle_id, component, kind,
       (coalesce(completed_at, started_at, created_at) at time zone 'UTC')::date as day,
       completion_odometer_km::float8 as odometer_km
from work_orders
where tenant_id = :tenant_id and status <> 'cancelled'
  and (cast(:vehicle_id as uuid) is null or vehicle_id = cast(:vehicle_id as uuid))
order by vehicle_id, day
"""

_ACTIVE_DTCS = """
select vehicle_id, code from alerts
where tenant_id = :tenant_id and kind = 'dtc' and cleared_at is null and code <> ''
  and (cast(:vehicle_id as uuid) is null or vehicle_id = cast(:vehicle_id as uuid))
order by vehicle_id, opened_at
"""

_ACTIVE_MODEL = """
select id, version, status, params, metrics, error, trained_at from prediction_models
where tenant_id = :tenant_id and status = 'active'
"""

_MODELS = """
select id, version, status, params, metrics, error, trained_at from prediction_models
where tenant_id = :tenant_id order by version desc limit :limit
"""

_NEXT_VERSION = """
select coalesce(max(version), 0) + 1 from prediction_models where tenant_id = :tenant_id
"""

_RETIRE = """
update prediction_models set status = 'retired' where tenant_id = :tenant_id and status = 'active'
"""

_INSERT_MODEL = """
insert into prediction_models (tenant_id, id, version, status, params, metrics, error, trained_at)
values (:tenant_id, :id, :version, :status, cast(:params as jsonb), cast(:metrics as jsonb),
        :error, :trained_at)
"""

_UPSERT_PREDICTION = """
insert into predictions (tenant_id, id, vehicle_id, component, model_version, source,
    probability_30d, days_to_failure, days_low, days_high, recommended_action, confidence,
    drivers, dtc_code, computed_at)
values (:tenant_id, :id, :vehicle_id, :component, :model_version, :source, :probability_30d,
    :days_to_failure, :days_low, :days_high, :recommended_action, :confidence,
    cast(:drivers as jsonb), :dtc_code, :computed_at)
on conflict (tenant_id, vehicle_id, component) do update set
    model_version = excluded.model_version, source = excluded.source,
    probability_30d = excluded.probability_30d, days_to_failure = excluded.days_to_failure,
    days_low = excluded.days_low, days_high = excluded.days_high,
    recommended_action = excluded.recommended_action, confidence = excluded.confidence,
    drivers = excluded.drivers, dtc_code = excluded.dtc_code, computed_at = excluded.computed_at
"""

_DELETE_STALE = """
delete from predictions where tenant_id = :tenant_id and computed_at < :computed_at
"""

_PREDICTION_COLUMNS = """
p.id, p.vehicle_id, coalesce(v.plate, v.name, v.id::text) as vehicle_label, p.component,
p.model_version, p.source, p.probability_30d, p.days_to_failure, p.days_low, p.days_high,
p.recommended_action, p.confidence, p.drivers, p.dtc_code, p.computed_at
"""

_FLEET = f"""
select {_PREDICTION_COLUMNS}
from predictions p join vehicles v on v.tenant_id = p.tenant_id and v.id = p.vehicle_id
where p.tenant_id = :tenant_id
  and (cast(:component as text) is null or p.component = cast(:component as text))
  and p.probability_30d >= :min_probability
  and (cast(:group_id as uuid) is null or v.group_id = cast(:group_id as uuid))
  and (cast(:vehicle_id as uuid) is null or p.vehicle_id = cast(:vehicle_id as uuid))
  and (cast(:after_p as float8) is null
       or p.probability_30d < cast(:after_p as float8)
       or (p.probability_30d = cast(:after_p as float8) and p.id > cast(:after_id as uuid)))
order by p.probability_30d desc, p.id
limit :limit
"""  # noqa: S608 - constants only, every value bound

_OF_VEHICLE = f"""
select {_PREDICTION_COLUMNS}
from predictions p join vehicles v on v.tenant_id = p.tenant_id and v.id = p.vehicle_id
where p.tenant_id = :tenant_id and p.vehicle_id = :vehicle_id
order by p.probability_30d desc, p.component
"""  # noqa: S608 - constants only, every value bound


@dataclass(frozen=True, slots=True)
class FleetFilters:
    component: str | None = None
    min_probability: float = 0.0
    group_id: uuid.UUID | None = None
    vehicle_id: uuid.UUID | None = None


class PredictionRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, **extra}

    async def vehicles(self, vehicle_id: uuid.UUID | None = None) -> Sequence[Row[Any]]:
        result = await self.session.execute(text(_VEHICLES), self._params(vehicle_id=vehicle_id))
        return result.all()

    async def telemetry(
        self, start: date, end: date, vehicle_id: uuid.UUID | None = None
    ) -> Sequence[Row[Any]]:
        params = self._params(start=start, end=end, vehicle_id=vehicle_id)
        return (await self.session.execute(text(_TELEMETRY), params)).all()

    async def work_orders(self, vehicle_id: uuid.UUID | None = None) -> Sequence[Row[Any]]:
        exists = await self.session.scalar(text("select to_regclass('work_orders') is not null"))
        if not exists:
            return []
        params = self._params(vehicle_id=vehicle_id)
        return (await self.session.execute(text(_WORK_ORDERS), params)).all()

    async def active_dtcs(self, vehicle_id: uuid.UUID | None = None) -> Sequence[Row[Any]]:
        params = self._params(vehicle_id=vehicle_id)
        return (await self.session.execute(text(_ACTIVE_DTCS), params)).all()

    async def active_model(self) -> Row[Any] | None:
        return (await self.session.execute(text(_ACTIVE_MODEL), self._params())).one_or_none()

    async def models(self, limit: int) -> Sequence[Row[Any]]:
        return (await self.session.execute(text(_MODELS), self._params(limit=limit))).all()

    async def add_model(
        self,
        status: str,
        params: dict[str, Any],
        metrics: dict[str, Any],
        error: str | None,
        trained_at: datetime,
    ) -> tuple[uuid.UUID, int]:
        """A new model row (serialised per tenant); an active one retires the one before."""
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.tenant_id}:prediction_models"},
        )
        version = int(await self.session.scalar(text(_NEXT_VERSION), self._params()) or 1)
        if status == "active":
            await self.session.execute(text(_RETIRE), self._params())
        model_id = uuid7()
        await self.session.execute(
            text(_INSERT_MODEL),
            self._params(
                id=model_id,
                version=version,
                status=status,
                params=json.dumps(params),
                metrics=json.dumps(metrics),
                error=error,
                trained_at=trained_at,
            ),
        )
        return model_id, version

    async def store_predictions(
        self, rows: Sequence[dict[str, Any]], computed_at: datetime
    ) -> None:
        if rows:
            await self.session.execute(
                text(_UPSERT_PREDICTION),
                [
                    self._params(
                        id=uuid7(),
                        computed_at=computed_at,
                        **{**row, "drivers": json.dumps(row["drivers"])},
                    )
                    for row in rows
                ],
            )
        await self.session.execute(text(_DELETE_STALE), self._params(computed_at=computed_at))

    async def fleet(
        self, filters: FleetFilters, after: tuple[float, uuid.UUID] | None, limit: int
    ) -> Sequence[Row[Any]]:
        params = self._params(
            component=filters.component,
            min_probability=filters.min_probability,
            group_id=filters.group_id,
            vehicle_id=filters.vehicle_id,
            after_p=after[0] if after else None,
            after_id=after[1] if after else None,
            limit=limit,
        )
        return (await self.session.execute(text(_FLEET), params)).all()

    async def of_vehicle(self, vehicle_id: uuid.UUID) -> Sequence[Row[Any]]:
        params = self._params(vehicle_id=vehicle_id)
        return (await self.session.execute(text(_OF_VEHICLE), params)).all()

    async def insert_daily(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(
                text(
                    "insert into vehicle_daily_telemetry (tenant_id, vehicle_id, day, distance_km,"
                    " odometer_km, crank_voltage_v, coolant_max_c, coolant_excursions,"
                    " harsh_brakes, dtc_codes) values (:tenant_id, :vehicle_id, :day,"
                    " :distance_km, :odometer_km, :crank_voltage_v, :coolant_max_c,"
                    " :coolant_excursions, :harsh_brakes, :dtc_codes)"
                    " on conflict (tenant_id, vehicle_id, day) do nothing"
                ),
                [self._params(**row) for row in rows],
            )

    async def insert_work_orders(self, rows: Sequence[dict[str, Any]]) -> None:
        """Completed work orders from a simulated history (numbered after the tenant's last)."""
        if not rows:
            return
        first = int(
            await self.session.scalar(
                text("select coalesce(max(number), 0) + 1 from work_orders where tenant_id = :t"),
                {"t": self.tenant_id},
            )
            or 1
        )
        await self.session.execute(
            text(
                "insert into work_orders (tenant_id, id, number, vehicle_id, title, component,"
                " kind, priority, status, source_kind, currency, total, started_at,"
                " completed_at, completion_odometer_km, out_of_service_from,"
                " out_of_service_until) values (:tenant_id, :id, :number, :vehicle_id, :title,"
                " :component, :kind, :priority, 'completed', 'manual', :currency, :total,"
                " :started_at, :completed_at, :odometer_km, :started_at, :completed_at)"
            ),
            [self._params(id=uuid7(), number=first + i, **row) for i, row in enumerate(rows)],
        )

    async def currency(self) -> str:
        value = await self.session.scalar(
            text("select to_jsonb(t)->>'currency' from tenants t where id = :id"),
            {"id": self.tenant_id},
        )
        return str(value or "EUR")
