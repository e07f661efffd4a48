"""Tenant A's records, made through the API, and everything about them tenant B must not see."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from fleetyard.kit.vin import check_digit
from tests.conftest import Tenants

Route = tuple[str, str]  # (method, path template)
# lists nothing without device_id or vehicle_id; the inspection form is for one vehicle
NEEDS_PARAMETERS = {"/api/v1/positions", "/api/v1/inspections/form"}
# A member's own (API keys get 403 member_only): tests/notifications
MEMBERS_ONLY = {"/api/v1/notification-settings"}


# Answers that never end (Server-Sent Events): fuzzed with their own client in
# tests/realtime/test_stream.py, which reads the first events and hangs up.
STREAMING = {"/api/v1/stream"}


def api_routes(app: FastAPI) -> list[Route]:
    """Every documented operation that answers and ends, as the app's own OpenAPI lists it."""
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if path not in STREAMING
    )


def random_vin() -> str:
    """A VIN with a right check digit and a Honda WMI, unique enough for one test run."""
    draft = "1HG" + "".join(secrets.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(14))
    return draft[:8] + check_digit(draft) + draft[9:]


def token(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def valid_payloads(
    made: dict[str, list[str]],
) -> Iterator[tuple[str, dict[str, Any], tuple[str, ...]]]:
    """(collection path, valid create payload, its fields B must never see), parents first.

    ``made`` maps a collection path to the ids created so far, so children can point at parents.
    """

    def last(path: str) -> str | None:
        return made[path][-1] if made.get(path) else None

    for i in range(3):
        yield "/api/v1/groups", {"name": token("seed-group")}, ("name",)
        yield (
            "/api/v1/geofences",
            {
                "name": token("seed-geofence"),
                "geometry": {"type": "Point", "coordinates": [24.9 + 0.01 * i, 60.2]},
                "radius_m": 100,
                "all_vehicles": False,
                "group_ids": [last("/api/v1/groups")],
            },
            ("name",),
        )
        yield (
            "/api/v1/vehicles",
            {
                "vin": random_vin(),
                "plate": f"SEED-{secrets.token_hex(3).upper()}",
                "name": token("seed-vehicle"),
                "group_id": last("/api/v1/groups"),
                "tags": ["seed"],
            },
            ("vin", "plate", "name"),
        )
        yield (
            "/api/v1/drivers",
            {
                "name": token("seed-driver"),
                "email": f"{token('seed-driver')}@example.com",
                "phone": f"+4930{secrets.randbelow(10**8):08d}",
                "licence_number": token("LIC"),
                "assigned_vehicle_id": last("/api/v1/vehicles"),
                "group_id": last("/api/v1/groups"),
            },
            ("name", "email", "phone", "licence_number"),
        )
        yield (
            "/api/v1/devices",
            {
                "unique_id": f"35{secrets.randbelow(10**13):013d}",
                "protocol": "teltonika",
                "name": token("seed-device"),
                "vehicle_id": last("/api/v1/vehicles"),
            },
            ("unique_id", "name"),
        )
        yield (
            "/api/v1/webhooks",
            {
                "url": f"https://{token('seed-hooks')}.example.com/in",
                "event_types": ["vehicle_created", "alert_opened"],
                "description": token("seed-webhook"),
            },
            ("url", "description"),
        )
        yield (
            "/api/v1/reservations",
            {
                "vehicle_id": last("/api/v1/vehicles"),
                "driver_id": last("/api/v1/drivers"),
                "starts_at": f"2031-0{i + 1}-01T08:00:00Z",
                "ends_at": f"2031-0{i + 1}-02T08:00:00Z",
                "purpose": token("seed-trip"),
            },
            ("purpose",),
        )
        yield (
            "/api/v1/parts",
            {"part_number": token("SEED-PART"), "name": token("seed-part"), "unit_cost": "9.80"},
            ("part_number", "name"),
        )
        yield (
            "/api/v1/service-schedules",
            {
                "name": token("seed-schedule"),
                "vehicle_id": last("/api/v1/vehicles"),
                "interval_km": "15000",
                "interval_months": 12,
            },
            ("name",),
        )
        yield (
            "/api/v1/work-orders",
            {
                "vehicle_id": last("/api/v1/vehicles"),
                "title": token("seed-work-order"),
                "vendor": token("seed-shop"),
                "lines": [{"kind": "part", "part_id": last("/api/v1/parts"), "quantity": "1"}],
            },
            ("title", "vendor"),
        )


@dataclass
class Seed:
    """What tenant B must never see: every uuid A can read, and A's VINs, plates, names."""

    ids: set[str] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)
    records: dict[str, list[str]] = field(default_factory=dict)  # collection path → ids

    def tokens(self) -> set[str]:
        return self.ids | self.secrets


def _uuids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _uuids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uuids(item)
    elif isinstance(value, str):
        try:
            yield str(uuid.UUID(value))
        except ValueError:
            return


async def seed_tenant_a(client: httpx.AsyncClient, tenants: Tenants, routes: list[Route]) -> Seed:
    """Three records per record route the app has, then every uuid A's list routes show."""
    seed = Seed()
    headers = tenants.a.owner
    for path, payload, private in valid_payloads(seed.records):
        if ("POST", path) not in routes:  # a domain not (yet) in the app
            continue
        body = {k: v for k, v in payload.items() if v is not None}
        created = await client.post(path, json=body, headers=headers)
        assert created.status_code == 201, f"{path}: {created.text}"
        seed.records.setdefault(path, []).append(created.json()["id"])
        seed.secrets.update(str(body[k]) for k in private if k in body)
    for method, path in routes:
        if method == "GET" and path.startswith("/api/") and "{" not in path:
            if path in NEEDS_PARAMETERS | MEMBERS_ONLY:
                continue
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 200, f"{path}: {answer.text}"
            seed.ids.update(_uuids(answer.json()))
    seed.ids -= {str(tenants.b.id)}
    assert len(seed.ids) > 10 and seed.secrets
    return seed
