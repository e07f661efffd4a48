"""The ``fleetyard`` command against the test database: what an operator types, end to end.

Commands commit for real (the CLI owns its transactions), so every test uses fresh slugs and
emails. Keys and users created here are then used against the API to prove they work.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from fleetyard.app import Role, create_app
from fleetyard.cli import app as cli_app
from fleetyard.config import Environment, Settings, get_settings

VIN = "1HGCM82633A004352"
PASSWORD = "a long enough password"
FLEETYARD = Path(sys.executable).parent / "fleetyard"

Invoke = Callable[..., Result]

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="module")
def cli(database_url: str) -> Invoke:
    """Run ``fleetyard <args>`` in-process with FLEETYARD_DATABASE_URL set."""
    runner = CliRunner()
    base_env = {
        "FLEETYARD_DATABASE_URL": database_url,
        "FLEETYARD_ENV": "test",
        "FLEETYARD_SECRET_KEY": TEST_SECRET,
    }

    def invoke(*args: str, input: str | None = None, **env: str) -> Result:
        get_settings.cache_clear()  # settings are read once per process; this is a new "process"
        try:
            return runner.invoke(cli_app, list(args), env={**base_env, **env}, input=input)
        finally:
            get_settings.cache_clear()

    return invoke


@asynccontextmanager
async def api(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app as `fleetyard serve` builds it: its own engine, opened by the lifespan."""
    app = create_app(
        Settings(
            env=Environment.TEST, secret_key=TEST_SECRET, database_url=database_url, log_json=False
        ),
        role=Role.API,  # no device servers on fixed ports from a test
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        yield http


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


def last_line(result: Result) -> str:
    return result.stdout.strip().splitlines()[-1]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def failed(result: Result, exit_code: int = 1) -> str:
    """A readable failure: the exit code, a message on stderr, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.stderr


def test_migrate_is_idempotent(cli: Invoke) -> None:
    for _ in range(2):
        assert "database is up to date" in ok(cli("migrate")).stdout


@dataclass(frozen=True)
class Provisioned:
    slug: str
    tenant_id: str
    email: str
    key: str


@pytest.fixture(scope="module")
def provisioned(cli: Invoke) -> Provisioned:
    """A tenant, an admin user and a fleet-manager key, made the way an operator makes them."""
    slug, email = unique("cli"), f"{unique('ops')}@example.com"
    tenant_id = last_line(ok(cli("tenant", "create", slug, "--name", "CLI Fleet")))
    uuid.UUID(tenant_id)

    result = ok(
        cli("user", "create", email, "--tenant", slug, "--role", "admin", "--password", PASSWORD)
    )
    uuid.UUID(last_line(result))
    assert f"{email} is admin of {slug}" in result.stdout

    key = last_line(ok(cli("apikey", "create", "--tenant", slug, "--role", "fleet_manager")))
    assert key.startswith("fy_") and " " not in key
    return Provisioned(slug, tenant_id, email, key)


async def test_created_key_works_against_the_api(
    provisioned: Provisioned, database_url: str
) -> None:
    bearer = {"Authorization": f"Bearer {provisioned.key}"}
    async with api(database_url) as http:
        me = (await http.get("/api/v1/auth/me", headers=bearer)).json()
        assert me["tenant_id"] == provisioned.tenant_id
        assert me["role"] == "fleet_manager"
        created = await http.post(
            "/api/v1/vehicles", json={"vin": VIN, "plate": "CLI-1"}, headers=bearer
        )
        assert created.status_code == 201, created.text


async def test_created_user_can_log_in(provisioned: Provisioned, database_url: str) -> None:
    async with api(database_url) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"email": provisioned.email, "password": PASSWORD}
        )
    assert login.status_code == 200, login.text
    assert login.json()["tenant_id"] == provisioned.tenant_id
    assert login.json()["role"] == "admin"


async def test_password_is_prompted_for_a_new_user(
    cli: Invoke, provisioned: Provisioned, database_url: str
) -> None:
    email = f"{unique('prompted')}@example.com"
    prompted = "typed at the prompt"
    args = user_create(email, provisioned.slug)
    result = await asyncio.to_thread(cli, *args, input=f"{prompted}\n{prompted}\n")
    ok(result)
    assert "Password:" in result.stdout and "Repeat for confirmation:" in result.stdout
    assert prompted not in result.stdout  # hidden input

    async with api(database_url) as http:
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": prompted})
    assert login.status_code == 200, login.text
    assert login.json()["role"] == "viewer"


def test_existing_user_joins_another_tenant_without_a_password(
    cli: Invoke, provisioned: Provisioned
) -> None:
    other = unique("other")
    ok(cli("tenant", "create", other, "--name", "Other Fleet"))
    result = ok(cli(*user_create(provisioned.email, other, "driver")))
    assert "Password" not in result.stdout


def test_apikey_alone_on_the_last_line_of_the_real_command(
    provisioned: Provisioned, database_url: str
) -> None:
    env = {**os.environ, "FLEETYARD_DATABASE_URL": database_url}
    done = subprocess.run(
        [str(FLEETYARD), "apikey", "create", "--tenant", provisioned.slug, "--role", "viewer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *_, key = done.stdout.splitlines()
    assert key.startswith("fy_") and key == key.strip() and " " not in key


def user_create(email: str, tenant: str, role: str = "viewer", *extra: str) -> list[str]:
    return ["user", "create", email, "--tenant", tenant, "--role", role, *extra]


def test_unknown_tenant(cli: Invoke) -> None:
    for args in (
        ["apikey", "create", "--tenant", "no-such-tenant", "--role", "viewer"],
        user_create("x@example.com", "no-such-tenant", "viewer", "--password", PASSWORD),
    ):
        message = failed(cli(*args))
        assert "not_found: No such tenant. slug=no-such-tenant" in message


def test_duplicate_slug(cli: Invoke, provisioned: Provisioned) -> None:
    message = failed(cli("tenant", "create", provisioned.slug, "--name", "Again"))
    assert "already_exists" in message and "slug" in message


def test_duplicate_member(cli: Invoke, provisioned: Provisioned) -> None:
    assert "already a member" in failed(cli(*user_create(provisioned.email, provisioned.slug)))


def test_bad_role(cli: Invoke, provisioned: Provisioned) -> None:
    message = failed(cli("apikey", "create", "--tenant", provisioned.slug, "--role", "pilot"), 2)
    assert "--role" in message and "pilot" in message


def test_invalid_input_is_explained(cli: Invoke, provisioned: Provisioned) -> None:
    assert "slug" in failed(cli("tenant", "create", "Not A Slug!", "--name", "X"))
    short = user_create("new@example.com", provisioned.slug, "viewer", "--password", "short")
    assert "password: String should have at least 8 characters" in failed(cli(*short))
    bad_email = user_create("not-an-email", provisioned.slug, "viewer", "--password", PASSWORD)
    assert "email: value is not a valid email address" in failed(cli(*bad_email))


def test_unreachable_database(cli: Invoke) -> None:
    unreachable = "postgresql://nobody@127.0.0.1:1/none"
    message = failed(cli("migrate", FLEETYARD_DATABASE_URL=unreachable))
    assert "cannot reach the database" in message and "Connection refused" in message
