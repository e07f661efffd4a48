"""``fleetyard demo``: check the ports, start PostgreSQL (embedded unless configured),
migrate, seed both demo tenants — each a progress step — then run the server, the
simulator and the contractor vans publishing to the MQTT broker (``supervisor``) until
Ctrl-C, and say where everything is."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from fleetyard.app import create_app
from fleetyard.config import Settings
from fleetyard.db import Database, app_url, owner_url
from fleetyard.demo.contractors import BrokerState, ContractorVans
from fleetyard.demo.failures import DemoFailed
from fleetyard.demo.fleet import demo_fleet_config, served_protocols
from fleetyard.demo.logins import DemoLogin
from fleetyard.demo.plan import Broker, TenantPlan, demo_fleet_plan, harbour_plan
from fleetyard.demo.ports import check_ports, demo_ports
from fleetyard.demo.seed import SeedReport, seed_tenant
from fleetyard.demo.steps import SetupSteps
from fleetyard.demo.supervisor import DemoServer, DemoSupervisor, Running
from fleetyard.kit.sealing import Keyring
from fleetyard.migrate import upgrade
from fleetyard.server import uvicorn_config
from fleetyard.simulator.fleet import FleetConfig

PROTOCOL_LABELS = {"teltonika": "Teltonika", "gt06": "GT06", "h02": "H02", "osmand": "OsmAnd"}


@dataclass(frozen=True)
class DemoOptions:
    vehicles: int = 20
    http_port: int | None = None  # None: FLEETYARD_HTTP_PORT
    interval_s: float = 1.0
    seed: int = 1


def run_demo(options: DemoOptions, settings: Settings, console: Console) -> None:
    """Set up and run the demo until Ctrl-C; ``DemoFailed`` says why it can't."""
    http_port = settings.http_port if options.http_port is None else options.http_port
    check_ports(demo_ports(settings, http_port))
    try:
        fleet = demo_fleet_config(
            vehicles=options.vehicles,
            seed=options.seed,
            interval_s=options.interval_s,
            protocols=served_protocols(settings),
            data_dir=settings.data_dir,
        )
    except ValueError as exc:
        raise DemoFailed(str(exc)) from exc
    now = datetime.now(UTC)
    broker = Broker(settings.demo_mqtt_host, settings.demo_mqtt_port)
    plans = (demo_fleet_plan(fleet, now, broker), harbour_plan(now))
    contractors = contractor_vans(plans, settings, options)
    steps = SetupSteps(console)
    steps.start()
    try:
        settings = prepare_database(settings, plans, steps)
        config = uvicorn_config(
            create_app(settings), settings, host=settings.http_host, port=http_port
        )
        supervisor = DemoSupervisor(
            DemoServer(config),
            fleet,
            steps,
            console,
            on_ready=lambda running: console.print(demo_banner(running, plans, fleet, contractors)),
            contractors=contractors,
        )
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(supervisor.run())
    finally:
        steps.stop()


def prepare_database(
    settings: Settings, plans: Sequence[TenantPlan], steps: SetupSteps
) -> Settings:
    """Start, migrate and seed; returns the settings with the owner URL filled in."""
    where = "embedded PostgreSQL" if settings.database_url is None else "PostgreSQL"
    with steps.step(f"Start {where} ({settings.data_dir / 'pg'})") as step:
        owner = owner_url(settings)
        if settings.database_url is not None:
            step.describe("PostgreSQL from FLEETYARD_DATABASE_URL")
    with steps.step("Migrate the schema"):
        upgrade(owner, settings.db_app_role)
    settings = settings.model_copy(update={"database_url": owner})
    for plan in plans:
        with steps.step(f"Seed {plan.name} ({plan.slug})") as step:
            report = asyncio.run(seed(settings, plan))
            step.describe(f"{plan.name} ({plan.slug}): {report.summary()}")
    return settings


async def seed(settings: Settings, plan: TenantPlan) -> SeedReport:
    """One tenant's plan in one transaction, on the app role (row-level security applies)."""
    db = Database.connect(app_url(settings, owner_url(settings)), pool_size=1)
    try:
        async with db.sessionmaker() as session, session.begin():
            return await seed_tenant(session, plan, Keyring.from_settings(settings))
    finally:
        await db.dispose()


def contractor_vans(
    plans: Sequence[TenantPlan], settings: Settings, options: DemoOptions
) -> ContractorVans | None:
    """The publishers of the plans' contractor vans (the Demo Fleet has them)."""
    for plan in plans:
        if plan.contractors is not None:
            return ContractorVans(
                plan.contractors,
                data_dir=settings.data_dir,
                seed=options.seed,
                period_s=options.interval_s,
            )
    return None


def contractors_text(vans: ContractorVans) -> str:
    """One line on the MQTT integration and how its broker is doing."""
    plan = vans.plan
    where = f"{plan.integration}: {len(plan.vans)} vans publish OwnTracks to {plan.broker}"
    if vans.state is BrokerState.PUBLISHING:
        return f"{where}, {plan.topic_filter}"
    return f"{where} — not reachable now; Integrations shows it backing off"


def demo_banner(
    running: Running,
    plans: Sequence[TenantPlan],
    fleet: FleetConfig,
    contractors: ContractorVans | None = None,
) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("App", f"[link={running.url}]{running.url}[/link]")
    grid.add_row("API docs", f"{running.url}/docs")
    logins = [login for plan in plans for login in plan.logins]
    grid.add_row("Logins", logins_table(logins))
    grid.add_row("Password", " / ".join(sorted({login.password for login in logins})))
    grid.add_row("Device ports", device_ports_text(running.device_ports))
    grid.add_row(
        "Simulator",
        f"{fleet.vehicles} vehicles on Helsinki's streets, a fix every {fleet.interval_s:g} s",
    )
    if contractors is not None:
        grid.add_row("MQTT", contractors_text(contractors))
    grid.add_row("Stop", "Ctrl+C; a second run reuses the data")
    return Panel.fit(grid, title="[bold green]Fleetyard demo is running[/bold green]")


def logins_table(logins: Sequence[DemoLogin]) -> Table:
    table = Table.grid(padding=(0, 2))
    for login in logins:
        table.add_row(login.tenant_slug, login.email, login.role.value)
    return table


def device_ports_text(ports: Mapping[str, int]) -> str:
    """``Teltonika 5027 (TCP and UDP), GT06 5023, …``"""
    parts = []
    for protocol, port in ports.items():
        if protocol == "teltonika-udp":
            if ports.get("teltonika") != port:
                parts.append(f"Teltonika UDP {port}")
            continue
        both = protocol == "teltonika" and ports.get("teltonika-udp") == port
        parts.append(f"{PROTOCOL_LABELS[protocol]} {port}{' (TCP and UDP)' if both else ''}")
    return ", ".join(parts)
