"""The demo tenant's failure predictions: a year of simulated history (daily telemetry
aggregates and completed work orders from the simulator's failure processes) for its
vehicles, then a retrain and a refresh, so the risk list and each vehicle's risk panel show
believable figures and a few predicted_failure alerts. Runs once: a tenant that already has
daily telemetry is left as it is."""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.predictions.seeding import write_history
from fleetyard.predictions.service import PredictionService, utc_now
from fleetyard.simulator.history import simulate_history

HISTORY_DAYS: Final = 365
SEED: Final = 14


async def seed_predictions(session: AsyncSession, actor: Principal) -> tuple[int, int]:
    """(planned, created): one history per tenant."""
    tenant_id = actor.tenant_id
    seeded = await session.scalar(
        text("select exists (select 1 from vehicle_daily_telemetry where tenant_id = :t)"),
        {"t": tenant_id},
    )
    if seeded:
        return 1, 0
    rows = await session.execute(
        text("select id from vehicles where tenant_id = :t order by created_at, id"),
        {"t": tenant_id},
    )
    ids = [row.id for row in rows]
    if not ids:
        return 1, 0
    now = utc_now()
    history = simulate_history(len(ids), HISTORY_DAYS, SEED)
    await write_history(session, tenant_id, history, ids, now.date())
    service = PredictionService(session, tenant_id)
    await service.retrain(now)
    await service.refresh(now)
    return 1, 1
