"""The ``fleetyard`` command: serve, migrate, and platform operations (tenants, users, keys)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
import uvloop
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.config import Settings, get_settings
from fleetyard.db import Database, app_url, set_tenant
from fleetyard.errors import FleetyardError, ValidationFailed
from fleetyard.integrations.cli import integrations_app
from fleetyard.kit.ids import TenantId
from fleetyard.predictions.cli import predictions_app
from fleetyard.search.cli import search_app

if TYPE_CHECKING:
    import uvicorn

    from fleetyard.demo import DemoLogin
    from fleetyard.members.schemas import MemberCreate

app = typer.Typer(
    help="Fleetyard: multi-tenant fleet management.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold passwords and keys
)
tenant_app = typer.Typer(help="Tenants (organisations).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their tenant roles.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for integrations.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(integrations_app, name="integrations")
app.add_typer(search_app, name="search")
app.add_typer(predictions_app, name="predictions")

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    err_console.print(f"[red]error[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(1)


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


@contextmanager
def _readable_errors() -> Iterator[None]:
    """Expected failures end the command with one line on stderr and exit code 1."""
    try:
        yield
    except FleetyardError as exc:
        details = "".join(f" {key}={value}" for key, value in exc.details.items())
        _fail(f"{exc.code}: {exc.message}{details}")
    except ValidationError as exc:
        _fail(
            "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
                for err in exc.errors()
            )
        )
    except (OperationalError, InterfaceError, OSError) as exc:
        _fail(f"cannot reach the database: {_first_line(exc)}")


def _migrated(settings: Settings) -> str:
    """Migrate the configured (or embedded) database; returns its owner URL."""
    from fleetyard.migrate import migrate as run_migrations

    return run_migrations(settings)


def _database_for_commands(settings: Settings) -> str:
    """The embedded database is ours to keep migrated; a configured server is migrated only by
    `fleetyard migrate` / `serve`, never as a side effect of pointing a command at it."""
    if settings.database_url is None:
        return _migrated(settings)
    return settings.database_url


def _run_in_tenant_db(
    settings: Settings, owner: str, work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """Run ``work`` in one committed transaction on the app connection."""

    async def main() -> T:
        db = Database.connect(app_url(settings, owner), pool_size=1)
        try:
            async with db.sessionmaker() as session, session.begin():
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


async def _tenant_principal(session: AsyncSession, slug: str) -> Principal:
    from fleetyard.tenants.service import TenantService

    tenant = await TenantService(session).get_by_slug(slug)
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    return Principal.system(tenant_id)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    with _readable_errors():
        _migrated(get_settings())
    console.print("[green]database is up to date[/green]")


def _banner(url: str, login: DemoLogin | None) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("App", f"[link={url}]{url}[/link]")
    grid.add_row("API docs", f"{url}/docs")
    if login is not None:
        grid.add_row("Tenant", login.tenant_slug)
        grid.add_row("Email", login.email)
        grid.add_row("Password", login.password)
    grid.add_row("Stop", "Ctrl+C")
    return Panel.fit(grid, title="[bold green]Fleetyard is starting[/bold green]")


def _exit_on_sigterm(signum: int, _: FrameType | None) -> None:
    """Before the server runs, SIGTERM unwinds like Ctrl+C so atexit stops embedded PostgreSQL."""
    raise SystemExit(128 + signum)


def _run_until_signalled(server: uvicorn.Server) -> None:
    """Serve until SIGINT/SIGTERM, then return normally.

    uvicorn shuts down gracefully on those signals and then raises the same signal again;
    answered here by a no-op, the process exits 0 through atexit (which stops the embedded
    PostgreSQL) instead of being killed by the signal.
    """

    def stop(_signum: int, _frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port")] = None,
    demo: Annotated[bool, typer.Option(help="Create the demo tenant and print its login")] = False,
    role: Annotated[
        str,
        typer.Option(
            help="all, api (HTTP only), gateway (devices and vendor clouds) or providers "
            "(vendor clouds and MQTT brokers only)"
        ),
    ] = "all",
    limit_concurrency: Annotated[
        int | None,
        typer.Option(
            help="Connections + requests in flight before answering 503 "
            "(default 512 + FLEETYARD_LIVE_MAX_CONNECTIONS: live sockets are connections too)",
            min=1,
        ),
    ] = None,
    backlog: Annotated[int, typer.Option(help="Pending TCP connections queued", min=1)] = 1024,
    workers: Annotated[
        int | None,
        typer.Option(
            help="API processes (default: one per core when FLEETYARD_DATABASE_URL and "
            "FLEETYARD_REDIS_URL are set, else 1)",
            min=1,
        ),
    ] = None,
) -> None:
    """Migrate, then serve the API and the device gateway (embedded PostgreSQL unless
    FLEETYARD_DATABASE_URL is set)."""
    import uvicorn

    from fleetyard.app import Role, create_app
    from fleetyard.server import (
        WorkersRefused,
        run_workers,
        uvicorn_config,
        worker_count,
        workers_config,
    )

    if role not in {r.value for r in Role}:
        raise typer.BadParameter("role must be all, api, gateway or providers", param_hint="--role")
    from fleetyard.logging import configure_logging

    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    login: DemoLogin | None = None
    with _readable_errors():
        settings = get_settings()
        configure_logging(settings.log_level, settings.log_json)
        owner = _migrated(settings)
        settings = settings.model_copy(update={"database_url": owner})
        if demo:
            from fleetyard.demo import ensure_demo_tenant

            login = _run_in_tenant_db(settings, owner, ensure_demo_tenant)
    bind_host = host or settings.http_host
    bind_port = settings.http_port if port is None else port
    try:
        processes = worker_count(settings, workers, role in (Role.ALL, Role.API))
    except WorkersRefused as exc:
        _fail(str(exc))
    console.print(_banner(f"http://{bind_host}:{bind_port}", login))
    if processes > 1:
        run_workers(
            workers_config(
                settings,
                role,
                processes,
                host=bind_host,
                port=bind_port,
                limit_concurrency=limit_concurrency,
                backlog=backlog,
            )
        )
        return
    config = uvicorn_config(
        create_app(settings, role=Role(role)),
        settings,
        host=bind_host,
        port=bind_port,
        limit_concurrency=limit_concurrency,
        backlog=backlog,
    )
    _run_until_signalled(uvicorn.Server(config))


@app.command()
def stages(
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve this worker's /metrics here (default FLEETYARD_STAGES_METRICS_PORT)"
        ),
    ] = None,
    claim: Annotated[int, typer.Option(help="Stored batches claimed per round", min=1)] = 64,
    parent_pid: Annotated[
        int | None, typer.Option(hidden=True, help="Started by serve: stop when it has ended")
    ] = None,
) -> None:
    """Run a stage worker: the after-store stages (alert rules, trips, geofences, driving
    behaviour) on the batches the gateways stored. Several may run; `serve` starts one."""
    from fleetyard.logging import configure_logging
    from fleetyard.stages.main import serve_stages

    with _readable_errors():
        settings = get_settings()
        configure_logging(settings.log_level, settings.log_json)
        owner = _database_for_commands(settings) if parent_pid is None else settings.database_url
        assert owner is not None, "serve hands its child the database"
        port = settings.stages_metrics_port if metrics_port is None else metrics_port
        # uvloop, as the server runs on (uvicorn[standard]): asyncpg's round trips and the
        # loop itself cost the worker a tenth of its CPU on the standard loop
        uvloop.run(
            serve_stages(settings, owner, parent_pid=parent_pid, metrics_port=port, claim=claim)
        )


@app.command()
def demo(
    vehicles: Annotated[int, typer.Option(help="Simulated vehicles", min=1, max=1000)] = 20,
    port: Annotated[
        int | None, typer.Option(help="HTTP port (default FLEETYARD_HTTP_PORT)", min=0, max=65535)
    ] = None,
    interval: Annotated[float, typer.Option(help="Seconds between fixes", min=0.1)] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same fleet and drives")] = 1,
) -> None:
    """The demo: embedded PostgreSQL, the Demo Fleet and Harbour Logistics tenants, the
    server and simulated vehicles on Helsinki's streets, until Ctrl-C. A second run reuses
    the data. Logs only warnings unless FLEETYARD_LOG_LEVEL is set."""
    from fleetyard.demo.failures import DemoFailed
    from fleetyard.demo.launch import DemoOptions, run_demo
    from fleetyard.logging import configure_logging

    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # until the server runs: unwind like Ctrl+C
    with _readable_errors():
        settings = get_settings()
        level = settings.log_level if "log_level" in settings.model_fields_set else "WARNING"
        # a line a person can read, unless FLEETYARD_LOG_JSON asks for what it says
        for_people = "log_json" not in settings.model_fields_set
        configure_logging(level, settings.log_json, for_people=for_people)
        options = DemoOptions(vehicles=vehicles, http_port=port, interval_s=interval, seed=seed)
        try:
            run_demo(options, settings, console)
            console.print("demo stopped: simulator and server (PostgreSQL stops as we exit)")
        except DemoFailed as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None


@tenant_app.command("create")
def tenant_create(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name")],
    max_vehicles: Annotated[int | None, typer.Option()] = None,
    max_users: Annotated[int | None, typer.Option()] = None,
    api_requests_per_minute: Annotated[int, typer.Option()] = 600,
) -> None:
    """Create a tenant; its id is printed on the last line."""
    from fleetyard.tenants.schemas import TenantCreate, TenantLimits
    from fleetyard.tenants.service import TenantService

    with _readable_errors():
        settings = get_settings()
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

        tenant_id = _run_in_tenant_db(settings, _database_for_commands(settings), work)
    console.print(f"tenant [bold]{escape(slug)}[/bold] created")
    print(tenant_id)


def _add_member(settings: Settings, owner: str, tenant: str, data: MemberCreate) -> str:
    from fleetyard.members.service import MemberService

    async def work(session: AsyncSession) -> str:
        actor = await _tenant_principal(session, tenant)
        member = await MemberService(session, actor).add(data)
        return str(member.user_id)

    return _run_in_tenant_db(settings, owner, work)


@user_app.command("create")
def user_create(
    email: str,
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    role: Annotated[Role, typer.Option(help="Role in the tenant")],
    password: Annotated[
        str | None, typer.Option(help="For a new user; prompted for when needed and left out")
    ] = None,
    display_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user (or add an existing one) as a member of a tenant; the user id is printed
    on the last line."""
    from fleetyard.members.schemas import MemberCreate

    with _readable_errors():
        settings = get_settings()
        data = MemberCreate(email=email, role=role, password=password, display_name=display_name)
        owner = _database_for_commands(settings)
        try:
            user_id = _add_member(settings, owner, tenant, data)
        except ValidationFailed as exc:
            if password is not None or exc.details.get("field") != "password":
                raise
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            data = MemberCreate.model_validate({**data.model_dump(), "password": password})
            user_id = _add_member(settings, owner, tenant, data)
    console.print(f"user [bold]{escape(email)}[/bold] is {role.value} of {escape(tenant)}")
    print(user_id)


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

    with _readable_errors():
        settings = get_settings()
        key = _run_in_tenant_db(settings, _database_for_commands(settings), work)
    console.print(f"API key for {escape(tenant)} ({role.value}); it is shown only now:")
    print(key)


@app.command()
def simulate(
    vehicles: Annotated[int, typer.Option(help="Simulated vehicles", min=0)] = 20,
    server: Annotated[str, typer.Option(help="Gateway host")] = "127.0.0.1",
    teltonika_port: Annotated[int, typer.Option(min=1, max=65535)] = 5027,
    gt06_port: Annotated[int, typer.Option(min=1, max=65535)] = 5023,
    h02_port: Annotated[int, typer.Option(min=1, max=65535)] = 5013,
    osmand_port: Annotated[int, typer.Option(min=1, max=65535)] = 5055,
    interval: Annotated[float, typer.Option(help="Seconds between fixes", min=0.01)] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same fleet and drives")] = 1,
    protocols: Annotated[
        str, typer.Option(help="Protocol shares, e.g. teltonika=0.5,gt06=0.2,h02=0.15,osmand=0.15")
    ] = "teltonika=0.5,gt06=0.2,h02=0.15,osmand=0.15",
    data_dir: Annotated[
        str, typer.Option(envvar="FLEETYARD_DATA_DIR", help="Where the road graph is cached")
    ] = "./.fleetyard",
    list_devices: Annotated[
        bool, typer.Option(help="Print the devices (unique_id,protocol,name) and exit")
    ] = False,
    early_alerts: Annotated[
        bool, typer.Option(help="A DTC, overheating and a fuel leak in the first seconds")
    ] = False,
    parent_pid: Annotated[
        int | None, typer.Option(help="Stop when this process, our parent, has ended")
    ] = None,
    quiet: Annotated[
        bool, typer.Option(help="Print only problems and the final count, no report every 10 s")
    ] = False,
) -> None:
    """Drive simulated vehicles on Helsinki's streets against a gateway, each a tracker on
    its protocol's port, until Ctrl-C. Register the devices first (see --list-devices)."""
    from pathlib import Path

    from fleetyard.simulator.fleet import Fleet, FleetConfig, planned_devices

    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in protocols.split(","))):
        name, _, share = part.partition("=")
        try:
            mix[name.strip().lower()] = float(share)
        except ValueError:
            message = f"{part!r} is not protocol=share"
            raise typer.BadParameter(message, param_hint="--protocols") from None
    ports = {"teltonika": teltonika_port, "gt06": gt06_port, "h02": h02_port}
    try:
        config = FleetConfig(
            vehicles=vehicles,
            host=server,
            ports={**ports, "osmand": osmand_port},
            protocol_mix=mix,
            seed=seed,
            interval_s=interval,
            data_dir=Path(data_dir),
            early_alerts=early_alerts,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if list_devices:
        print("unique_id,protocol,name")
        for device in planned_devices(config):
            print(f"{device.unique_id},{device.protocol},{device.name}")
        return

    async def report(fleet: Fleet, every_s: float = 10.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            stats, links = fleet.stats, fleet.stats.links
            console.print(
                f"acked {links.acked}  unacked {stats.unacked}  resent {links.resent}  "
                f"connects {links.connects}  failures {links.connect_failures}  "
                f"late ticks {stats.late_ticks}"
            )

    async def stop_when_orphaned(fleet: Fleet, parent: int, every_s: float = 1.0) -> None:
        while True:
            if os.getppid() != parent:  # an orphan is adopted by another process
                break
            await asyncio.sleep(every_s)
        console.print(f"parent process {parent} has ended")
        fleet.stop()

    async def main() -> None:
        fleet = Fleet(config)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, fleet.stop)
        helpers: list[asyncio.Task[None]] = []
        if not quiet:
            console.print(f"{vehicles} simulated vehicles → {server}; Ctrl+C stops them")
            helpers.append(asyncio.create_task(report(fleet)))
        if parent_pid is not None:
            helpers.append(asyncio.create_task(stop_when_orphaned(fleet, parent_pid)))
        try:
            await fleet.run()
        finally:
            for helper in helpers:
                helper.cancel()
        stats = fleet.stats
        console.print(
            f"stopped: {stats.links.acked} fixes acknowledged, {stats.links.resent} resent, "
            f"{stats.unacked} left unacknowledged"
        )

    asyncio.run(main())
