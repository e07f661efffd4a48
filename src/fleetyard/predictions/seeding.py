"""A simulated history written into a tenant: daily telemetry aggregates and completed work
orders (breakdowns and preventive services) for its existing vehicles, ending yesterday —
the demo's data and ``fleetyard predictions simulate-history``."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.predictions.history import FleetHistory
from fleetyard.predictions.repository import PredictionRepository

DTC_CODES: Final = {"battery": "P0562", "engine_cooling": "P0217", "engine": "P0300"}
# list prices of the stated cost model (docs/predictions.md), in the tenant's currency
PRICES: Final[dict[tuple[str, str], int]] = {
    ("battery", "preventive"): 180,
    ("brakes", "preventive"): 320,
    ("engine_cooling", "preventive"): 250,
    ("battery", "breakdown"): 330,
    ("brakes", "breakdown"): 900,
    ("engine_cooling", "breakdown"): 2500,
}
TITLES: Final = {
    ("battery", "preventive"): "Battery replacement",
    ("brakes", "preventive"): "Brake pads",
    ("engine_cooling", "preventive"): "Cooling system service",
    ("battery", "breakdown"): "Breakdown: battery dead",
    ("brakes", "breakdown"): "Breakdown: brakes failed",
    ("engine_cooling", "breakdown"): "Breakdown: engine overheated",
}


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


async def write_history(
    session: AsyncSession,
    tenant_id: TenantId,
    history: FleetHistory,
    vehicle_ids: list[uuid.UUID],
    today: date,
) -> tuple[int, int]:
    """Write history vehicle ``i`` onto ``vehicle_ids[i]``, its last day yesterday; returns
    (daily rows, work orders)."""
    repo = PredictionRepository(session, tenant_id)
    start = today - timedelta(days=history.days)
    n = min(len(vehicle_ids), history.vehicles)
    daily: list[dict[str, Any]] = []
    written = 0
    for v in range(n):
        for d in range(history.days):
            codes = [
                code
                for component, code in DTC_CODES.items()
                if component in history.dtc_days and history.dtc_days[component][v, d] > 0
            ]
            daily.append(
                {
                    "vehicle_id": vehicle_ids[v],
                    "day": start + timedelta(days=d),
                    "distance_km": round(float(history.distance_km[v, d]), 2),
                    "odometer_km": round(float(history.odometer_km[v, d]), 1),
                    "crank_voltage_v": _num(history.crank_voltage_v[v, d]),
                    "coolant_max_c": _num(history.coolant_max_c[v, d]),
                    "coolant_excursions": int(history.coolant_excursions[v, d]),
                    "harsh_brakes": int(history.harsh_brakes[v, d]),
                    "dtc_codes": codes,
                }
            )
        if len(daily) >= 5000:
            await repo.insert_daily(daily)
            written, daily = written + len(daily), []
    await repo.insert_daily(daily)
    written += len(daily)
    currency = await repo.currency()
    orders = []
    for e in history.events:
        if e.vehicle >= n:
            continue
        done = datetime.combine(start + timedelta(days=e.day), time(15, 0), UTC)
        began = done - timedelta(days=max(e.downtime_days, 0.1))
        orders.append(
            {
                "vehicle_id": vehicle_ids[e.vehicle],
                "title": TITLES.get((e.component, e.kind), e.component),
                "component": e.component,
                "kind": e.kind,
                "priority": "urgent" if e.kind == "breakdown" else "normal",
                "currency": currency,
                "total": Decimal(PRICES.get((e.component, e.kind), 0)),
                "started_at": began,
                "completed_at": done,
                "odometer_km": None if math.isnan(e.odometer_km) else round(e.odometer_km, 1),
            }
        )
    await repo.insert_work_orders(orders)
    return written, len(orders)
