"""``fleetyard predictions …``: retrain the failure models, and write a simulated history."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from fleetyard.config import get_settings
from fleetyard.db import Database, set_tenant
from fleetyard.migrate import migrate
from fleetyard.search.repository import tenants_by_slug

predictions_app = typer.Typer(help="Failure prediction.", no_args_is_help=True)
console = Console()


def _owner() -> str:
    settings = get_settings()
    # the embedded database is ours to keep migrated; a configured server is left as it is
    return settings.database_url or migrate(settings)


async def _retrain(owner: str, slug: str | None) -> list[str]:
    from fleetyard.predictions.service import PredictionService, utc_now

    db = Database.connect(owner, pool_size=1)
    lines = []
    try:
        async with db.sessionmaker() as session:
            tenants = await tenants_by_slug(session, slug)
        for tenant_id, tenant_slug in tenants:
            async with db.sessionmaker() as session, session.begin():
                await set_tenant(session, tenant_id)
                service = PredictionService(session, tenant_id)
                now = utc_now()
                result = await service.retrain(now)
                stored = await service.refresh(now)
            detail = result.error or ", ".join(
                f"{c} {m.get('source')} C={m.get('c_index')}" for c, m in result.metrics.items()
            )
            lines.append(
                f"{tenant_slug}: v{result.version} {result.status}; {stored} predictions; {detail}"
            )
    finally:
        await db.dispose()
    return lines


@predictions_app.command("retrain")
def retrain(
    tenant: Annotated[
        str | None, typer.Option(help="Tenant slug (default: every tenant)", show_default=False)
    ] = None,
) -> None:
    """Retrain each tenant's models on its history and refresh its predictions (run it on a
    schedule, e.g. nightly). A failed retrain is recorded and the active model stays."""
    lines = asyncio.run(_retrain(_owner(), tenant))
    if tenant is not None and not lines:
        console.print(f"[red]error[/red] no tenant {tenant!r}")
        raise typer.Exit(1)
    for line in lines:
        console.print(line, soft_wrap=True)


async def _simulate(owner: str, slug: str, days: int, seed: int, vehicles: int | None) -> str:
    from sqlalchemy import text

    from fleetyard.predictions.seeding import write_history
    from fleetyard.predictions.service import utc_now
    from fleetyard.simulator.history import simulate_history

    db = Database.connect(owner, pool_size=1)
    try:
        async with db.sessionmaker() as session:
            tenants = await tenants_by_slug(session, slug)
        if not tenants:
            return ""
        tenant_id = tenants[0][0]
        async with db.sessionmaker() as session, session.begin():
            await set_tenant(session, tenant_id)
            rows = await session.execute(
                text("select id from vehicles where tenant_id = :t order by created_at, id"),
                {"t": tenant_id},
            )
            ids = [r.id for r in rows][: vehicles or None]
            if not ids:
                return "the tenant has no vehicles"
            history = simulate_history(len(ids), days, seed)
            daily, orders = await write_history(session, tenant_id, history, ids, utc_now().date())
        return f"{len(ids)} vehicles: {daily} daily rows, {orders} work orders"
    finally:
        await db.dispose()


@predictions_app.command("simulate-history")
def simulate_history_command(
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    days: Annotated[int, typer.Option(min=30, max=3650, help="Days of history")] = 730,
    seed: Annotated[int, typer.Option(help="Same seed, same history")] = 1,
    vehicles: Annotated[int | None, typer.Option(min=1, help="At most this many")] = None,
) -> None:
    """Write a simulated history (daily telemetry aggregates and work orders, ending
    yesterday) for the tenant's vehicles, from the simulator's failure processes — no real
    time passes. Then `fleetyard predictions retrain --tenant …`."""
    summary = asyncio.run(_simulate(_owner(), tenant, days, seed, vehicles))
    if not summary:
        console.print(f"[red]error[/red] no tenant {tenant!r}")
        raise typer.Exit(1)
    console.print(summary)
