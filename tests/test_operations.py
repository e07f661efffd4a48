"""What operators and client generators rely on: probes, metrics, request ids, the OpenAPI."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.config import Environment, Settings
from fleetyard.db import Database
from tests.conftest import Tenants

VIN = "1HGCM82633A004352"
ERROR_REF = "#/components/schemas/ErrorResponse"
ALWAYS_DECLARED = ("401", "422", "429")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens once the socket is closed


@pytest.fixture
async def unreachable_db() -> AsyncIterator[Database]:
    db = Database.connect(f"postgresql://nobody@127.0.0.1:{closed_port()}/nothing", pool_size=1)
    yield db
    await db.dispose()


def asgi_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# --- probes -----------------------------------------------------------------------------------


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_with_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_without_database(settings: Settings, unreachable_db: Database) -> None:
    async with asgi_client(create_app(settings, database=unreachable_db)) as http:
        ready = await http.get("/readyz")
        alive = await http.get("/healthz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable"}
    assert alive.status_code == 200  # the process is fine; only readiness fails


# --- metrics ----------------------------------------------------------------------------------


def samples(metrics: str, name: str, route: str) -> list[str]:
    pattern = re.compile(rf'^{name}\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} ', re.M)
    return pattern.findall(metrics)


async def test_metrics_have_a_histogram_per_route_template(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    created = await client.post(
        "/api/v1/vehicles", json={"vin": VIN, "plate": "M-1"}, headers=headers
    )
    vehicle_id = created.json()["id"]
    await client.get(f"/api/v1/vehicles/{vehicle_id}", headers=headers)
    await client.get("/api/v1/vehicles", headers=headers)
    await client.get("/api/v1/no/such/path")  # other paths belong to the web app

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    metrics = response.text
    bucket = "fleetyard_http_request_duration_seconds_bucket"
    for route in ("/api/v1/vehicles", "/api/v1/vehicles/{vehicle_id}", "unmatched"):
        assert samples(metrics, bucket, route), route
    assert vehicle_id not in metrics  # templates, never raw ids: bounded label values
    assert (
        'fleetyard_http_request_duration_seconds_count{method="POST",'
        'route="/api/v1/vehicles",status="201"} 1.0'
    ) in metrics
    assert 'fleetyard_http_requests_total{method="GET",route="unmatched",status="404"}' in metrics


# --- request ids and the access log -----------------------------------------------------------


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123.DEF_4"})
    assert response.headers["x-request-id"] == "abc-123.DEF_4"


@pytest.mark.parametrize(
    "sent", [None, "", "has spaces", "x" * 65, 'quote"d', "back\\slash", "ünï"]
)
async def test_request_id_is_generated_when_absent_or_invalid(
    client: httpx.AsyncClient, sent: str | None
) -> None:
    """Only a short token is trusted: ids end up in logs and the audit trail."""
    headers = {} if sent is None else {"X-Request-ID": sent.encode()}
    response = await client.get("/healthz", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_request_id_reaches_the_event_log(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.as_(Role.OWNER)
    created = await client.post(
        "/api/v1/vehicles",
        json={"vin": VIN, "plate": "RID-1"},
        headers={**headers, "X-Request-ID": "trace-me-1"},
    )
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "vehicle", "entity_id": created.json()["id"]},
        headers=headers,
    )
    assert [e["request_id"] for e in events.json()["items"]] == ["trace-me-1"]


async def test_access_log_line_carries_request_and_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    with capture_logs(processors=[merge_contextvars]) as logs:
        await client.get(
            "/api/v1/vehicles", headers={**tenants.a.owner, "X-Request-ID": "logged-1"}
        )
        await client.get("/healthz", headers={"X-Request-ID": "logged-2"})
    by_id = {r["request_id"]: r for r in logs if r.get("event") == "request"}
    assert by_id["logged-1"]["tenant_id"] == str(tenants.a.id)
    assert by_id["logged-1"]["route"] == "/api/v1/vehicles"
    assert by_id["logged-1"]["status"] == 200
    assert by_id["logged-2"]["tenant_id"] is None


async def test_access_log_can_be_turned_off(settings: Settings, rolled_back_db: Database) -> None:
    quiet = settings.model_copy(update={"access_log": False})
    async with asgi_client(create_app(quiet, database=rolled_back_db)) as http:
        with capture_logs() as logs:
            response = await http.get("/healthz")
        metrics = (await http.get("/metrics")).text
    assert response.headers["x-request-id"]  # ids still flow
    assert [r for r in logs if r.get("event") == "request"] == []
    assert samples(metrics, "fleetyard_http_request_duration_seconds_bucket", "/healthz")


def test_access_log_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETYARD_ACCESS_LOG", "false")
    assert Settings().access_log is False
    monkeypatch.delenv("FLEETYARD_ACCESS_LOG")
    assert Settings().access_log is True


# --- OpenAPI and docs -------------------------------------------------------------------------


async def test_openapi_and_docs_load(client: httpx.AsyncClient) -> None:
    spec = await client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Fleetyard"
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text.lower()


def api_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
    ]


async def test_every_api_route_declares_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = api_operations(spec)
    assert len(operations) >= 10
    missing = []
    for method, path, operation in operations:
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")) and status not in ALWAYS_DECLARED:
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != ERROR_REF:
                missing.append(f"{method} {path} {status}: not ErrorResponse")
        missing += [
            f"{method} {path} {status}: undeclared"
            for status in ALWAYS_DECLARED
            if status not in operation["responses"]
        ]
    assert missing == []
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's own 422 shape


def test_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env=Environment.TEST)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env=Environment.PRODUCTION, secret_key="short")
    assert Settings(env=Environment.DEVELOPMENT).secret_key
