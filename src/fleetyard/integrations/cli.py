"""``fleetyard integrations …``: operations on every tenant's connections."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from fleetyard.config import get_settings
from fleetyard.db import libpq_dsn
from fleetyard.integrations.rotation import rotate
from fleetyard.kit.sealing import Keyring, master_key
from fleetyard.migrate import migrate

integrations_app = typer.Typer(help="Telematics integrations.", no_args_is_help=True)
console = Console()


@integrations_app.command("rotate-key")
def rotate_key(
    previous_key: Annotated[
        str | None,
        typer.Option(
            envvar="FLEETYARD_MASTER_KEY_PREVIOUS",
            help="The master key being replaced (default: FLEETYARD_MASTER_KEY_PREVIOUS)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Re-seal every integration's credentials and webhook secret under FLEETYARD_MASTER_KEY,
    opening them with the previous key. Safe to run again; resumes where it stopped."""
    settings = get_settings()
    # the embedded database is ours to keep migrated; a configured server is left as it is
    owner = settings.database_url or migrate(settings)
    keyring = Keyring.from_keys(master_key(settings), previous_key)
    result = asyncio.run(rotate(libpq_dsn(owner), keyring))
    console.print(
        f"re-sealed {result.integrations} integration(s) and {result.webhooks} webhook "
        f"secret(s) under master key {keyring.key_id}"
    )
    if result.unreadable:
        console.print(
            f"[red]{result.unreadable} value(s) opened with neither key: left as they are[/red]"
        )
        raise typer.Exit(1)
