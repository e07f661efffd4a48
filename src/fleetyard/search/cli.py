"""``fleetyard search …``: operations on the search documents."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fleetyard.config import get_settings
from fleetyard.db import Database
from fleetyard.migrate import migrate
from fleetyard.search.refresh import count_records, reindex_tenant
from fleetyard.search.repository import tenants_by_slug

search_app = typer.Typer(help="Search across the fleet.", no_args_is_help=True)
console = Console()


async def _reindex(owner: str, slug: str | None, progress: Progress) -> tuple[int, int]:
    db = Database.connect(owner, pool_size=1)
    try:
        async with db.sessionmaker() as session:
            tenants = await tenants_by_slug(session, slug)
        if not tenants:
            return 0, 0
        totals = {tid: await count_records(db.sessionmaker, tid) for tid, _ in tenants}
        task = progress.add_task("records", total=sum(totals.values()))
        indexed = 0
        for tenant_id, tenant_slug in tenants:
            progress.update(task, description=tenant_slug)
            indexed += await reindex_tenant(
                db.sessionmaker, tenant_id, lambda n: progress.advance(task, n)
            )
        return len(tenants), indexed
    finally:
        await db.dispose()


@search_app.command("reindex")
def reindex(
    tenant: Annotated[
        str | None, typer.Option(help="Tenant slug (default: every tenant)", show_default=False)
    ] = None,
) -> None:
    """Rebuild search documents from the records (every tenant, or one), drop those of
    records that are gone, and count each vocabulary again. Safe while the server runs."""
    settings = get_settings()
    # the embedded database is ours to keep migrated; a configured server is left as it is
    owner = settings.database_url or migrate(settings)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tenants, indexed = asyncio.run(_reindex(owner, tenant, progress))
    if tenant is not None and tenants == 0:
        console.print(f"[red]error[/red] no tenant {tenant!r}")
        raise typer.Exit(1)
    console.print(f"reindexed {indexed} record(s) of {tenants} tenant(s)")
