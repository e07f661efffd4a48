"""The ``fleetyard`` command: serve, migrate, and platform operations (tenants, users, keys)."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.config import Settings, get_settings
from fleetyard.db import Database, app_url, set_tenant
from fleetyard.errors import FleetyardError
from fleetyard.kit.ids import TenantId

app = typer.Typer(help="Fleetyard: multi-tenant fleet management.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (organisations).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their tenant roles.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for integrations.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


def _run_in_tenant_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate, then run ``work`` in one committed transaction on the app connection."""
    from fleetyard.migrate import migrate

    owner = migrate(settings)

    async def main() -> T:
        db = Database.connect(app_url(settings, owner), pool_size=1)
        try:
            async with db.sessionmaker() as session, session.begin():
                return await work(session)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except FleetyardError as exc:
        err_console.print(f"[red]error[/red] {exc.code}: {exc.message} {exc.details or ''}")
        raise typer.Exit(1) from exc


async def _tenant_principal(session: AsyncSession, slug: str) -> Principal:
    from fleetyard.tenants.service import TenantService

    tenant = await TenantService(session).get_by_slug(slug)
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    return Principal.system(tenant_id)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from fleetyard.migrate import migrate as run_migrations

    run_migrations(get_settings())
    console.print("[green]database is up to date[/green]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port")] = None,
    demo: Annotated[bool, typer.Option(help="Create the demo tenant and print its login")] = False,
) -> None:
    """Migrate, then serve the API (embedded PostgreSQL unless FLEETYARD_DATABASE_URL is set)."""
    import uvicorn

    from fleetyard.app import create_app
    from fleetyard.logging import configure_logging
    from fleetyard.migrate import migrate as run_migrations

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    owner = run_migrations(settings)
    settings = settings.model_copy(update={"database_url": owner})
    bind_host = host or settings.http_host
    bind_port = settings.http_port if port is None else port
    if demo:
        from fleetyard.demo import ensure_demo_tenant

        login = _run_in_tenant_db(settings, ensure_demo_tenant)
        console.print(
            f"Demo tenant [bold]{login.tenant_slug}[/bold]: log in as [bold]{login.email}[/bold]"
            f" / [bold]{login.password}[/bold]"
        )
    console.print(f"Fleetyard listening on [bold]http://{bind_host}:{bind_port}[/bold]")
    console.print(f"API docs at http://{bind_host}:{bind_port}/docs")
    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


@tenant_app.command("create")
def tenant_create(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name")],
    max_vehicles: Annotated[int | None, typer.Option()] = None,
    max_users: Annotated[int | None, typer.Option()] = None,
    api_requests_per_minute: Annotated[int, typer.Option()] = 600,
) -> None:
    """Create a tenant."""
    from fleetyard.tenants.schemas import TenantCreate, TenantLimits
    from fleetyard.tenants.service import TenantService

    data = TenantCreate(
        slug=slug,
        name=name,
        limits=TenantLimits(
            max_vehicles=max_vehicles,
            max_users=max_users,
            api_requests_per_minute=api_requests_per_minute,
        ),
    )

    async def work(session: AsyncSession) -> str:
        tenant = await TenantService(session).create(data)
        return str(tenant.id)

    tenant_id = _run_in_tenant_db(get_settings(), work)
    console.print(f"tenant [bold]{slug}[/bold] created")
    console.print(tenant_id)


@user_app.command("create")
def user_create(
    email: str,
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    role: Annotated[Role, typer.Option(help="Role in the tenant")],
    password: Annotated[str | None, typer.Option(help="Prompted when left out")] = None,
    display_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user (or add an existing one) as a member of a tenant."""
    from fleetyard.members.schemas import MemberCreate
    from fleetyard.members.service import MemberService

    if password is None:
        password = getpass.getpass("Password: ")
    data = MemberCreate(email=email, role=role, password=password, display_name=display_name)

    async def work(session: AsyncSession) -> str:
        actor = await _tenant_principal(session, tenant)
        member = await MemberService(session, actor).add(data)
        return str(member.user_id)

    user_id = _run_in_tenant_db(get_settings(), work)
    console.print(f"user [bold]{email}[/bold] is {role.value} of {tenant}")
    console.print(user_id)


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    role: Annotated[Role, typer.Option(help="Role the key acts with")],
    name: Annotated[str, typer.Option(help="What the key is for")] = "cli",
) -> None:
    """Create an API key; the key alone is printed on the last line."""
    from fleetyard.api_keys.service import ApiKeyService

    async def work(session: AsyncSession) -> str:
        actor = await _tenant_principal(session, tenant)
        _, key = await ApiKeyService(session, actor).create(name, role)
        return key

    key = _run_in_tenant_db(get_settings(), work)
    console.print(f"API key for {tenant} ({role.value}); it is shown only now:")
    print(key)
