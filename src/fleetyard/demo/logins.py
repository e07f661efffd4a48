"""The demo tenants and the logins `make run` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fleetyard.auth.roles import Role

DEMO_SLUG: Final = "demo"
DEMO_NAME: Final = "Demo Fleet"
DEMO_EMAIL: Final = "admin@demo.fleetyard.dev"
DEMO_PASSWORD: Final = "fleetyard-demo"  # noqa: S105 - printed to the person who ran `make run`
HARBOUR_SLUG: Final = "harbour"
HARBOUR_NAME: Final = "Harbour Logistics"


@dataclass(frozen=True)
class DemoLogin:
    tenant_slug: str
    email: str
    password: str
    role: Role = Role.OWNER
    display_name: str = ""


DEMO_DISPATCHER_EMAIL: Final = "dispatcher@demo.fleetyard.dev"
DEMO_VIEWER_EMAIL: Final = "viewer@demo.fleetyard.dev"
DEMO_DRIVER_EMAIL: Final = "driver@demo.fleetyard.dev"  # drives a dispatched van (demo.dispatch)
DEMO_LOGINS: Final = (
    DemoLogin(DEMO_SLUG, DEMO_EMAIL, DEMO_PASSWORD, Role.OWNER, "Demo owner"),
    DemoLogin(DEMO_SLUG, DEMO_DISPATCHER_EMAIL, DEMO_PASSWORD, Role.DISPATCHER, "Demo dispatcher"),
    DemoLogin(DEMO_SLUG, DEMO_VIEWER_EMAIL, DEMO_PASSWORD, Role.VIEWER, "Demo viewer"),
    DemoLogin(DEMO_SLUG, DEMO_DRIVER_EMAIL, DEMO_PASSWORD, Role.DRIVER, "Demo driver"),
)
HARBOUR_LOGINS: Final = (
    DemoLogin(
        HARBOUR_SLUG, "admin@harbour.fleetyard.dev", DEMO_PASSWORD, Role.OWNER, "Harbour owner"
    ),
)
