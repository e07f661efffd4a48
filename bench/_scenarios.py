"""What each scenario asks for: filtered lists (and deeper pages), gets by id, creates, a mix."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections import deque
from collections.abc import Sequence
from urllib.parse import quote

from _fleet import new_vehicle_body
from _load import Planned
from _seed import BenchTenant
from fleetyard.kit.pagination import encode_cursor

VEHICLES = "/api/v1/vehicles"
PAGE = 50
LIST_TYPES = ("van", "van", "car", "truck", "heavy_truck", "pickup")
JSON_HEADERS = {"Content-Type": "application/json"}
_NEXT_CURSOR = b'"next_cursor":"'


def next_cursor_of(body: bytes) -> str | None:
    """The page's ``next_cursor`` without parsing 50 vehicles (it is the body's last field)."""
    start = body.rfind(_NEXT_CURSOR)
    if start < 0:
        return None
    start += len(_NEXT_CURSOR)
    end = body.find(b'"', start)
    return body[start:end].decode() if end > start else None


class ListVehicles:
    """``status=active``, 50 a page: 45 % first pages, 20 % by group, 15 % by type, 20 % deeper
    pages (half continue a walk through next_cursor, half jump to a random depth)."""

    def __init__(self, tenant: BenchTenant, rng: random.Random) -> None:
        self.tenant = tenant
        self.rng = rng
        self.walks: deque[str] = deque(maxlen=256)

    def next(self) -> Planned:
        roll = self.rng.random()
        query = f"status=active&limit={PAGE}"
        kind = "list"
        if roll < 0.20:
            query += f"&group_id={self.rng.choice(self.tenant.group_ids)}"
        elif roll < 0.35:
            query += f"&type={self.rng.choice(LIST_TYPES)}"
        elif roll < 0.55:
            query += f"&cursor={quote(self._deeper_cursor())}"
            kind = "list-deep"
        return Planned(kind, "GET", f"{VEHICLES}?{query}", self.tenant.headers)

    def _deeper_cursor(self) -> str:
        if self.walks and self.rng.random() < 0.5:
            return self.walks.popleft()
        vehicle_id = self.rng.choice(self.tenant.vehicle_ids)
        return encode_cursor(vehicle_id, vehicle_id)

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        # first pages and walks (not group/type pages) feed the walks with their next page
        plain = "group_id=" not in planned.path and "type=" not in planned.path
        if status == 200 and plain:
            cursor = next_cursor_of(body)
            if cursor:
                self.walks.append(cursor)


class GetVehicle:
    def __init__(self, tenant: BenchTenant, rng: random.Random) -> None:
        self.tenant = tenant
        self.rng = rng

    def next(self) -> Planned:
        vehicle_id = self.rng.choice(self.tenant.vehicle_ids)
        return Planned("get", "GET", f"{VEHICLES}/{vehicle_id}", self.tenant.headers)

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        pass


class CreateVehicle:
    """New vehicles with plates no other row has (a shared counter); half send a VIN."""

    def __init__(
        self, tenant: BenchTenant, rng: random.Random, numbers: itertools.count[int]
    ) -> None:
        self.tenant = tenant
        self.rng = rng
        self.numbers = numbers
        self.headers = {**tenant.headers, **JSON_HEADERS}

    def next(self) -> Planned:
        body = new_vehicle_body(next(self.numbers), self.rng, self.tenant.group_ids)
        return Planned("create", "POST", VEHICLES, self.headers, body.encode())

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        if status == 201:
            self.tenant.vehicle_ids.append(uuid.UUID(json.loads(body)["id"]))


class OtherTenants:
    """The small tenants: their own first page or one of their vehicles, with their own key."""

    def __init__(self, tenants: Sequence[BenchTenant], rng: random.Random) -> None:
        self.tenants = tenants
        self.rng = rng

    def next(self) -> Planned:
        tenant = self.rng.choice(self.tenants)
        if self.rng.random() < 0.5:
            path = f"{VEHICLES}?status=active&limit={PAGE}"
        else:
            path = f"{VEHICLES}/{self.rng.choice(tenant.vehicle_ids)}"
        return Planned("other-tenant", "GET", path, tenant.headers)

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        pass


Part = ListVehicles | GetVehicle | CreateVehicle | OtherTenants


class Mixed:
    """The scenarios interleaved at fixed weights."""

    def __init__(self, parts: Sequence[tuple[Part, int]], rng: random.Random) -> None:
        self.parts = [part for part, _ in parts]
        self.weights = [weight for _, weight in parts]
        self.rng = rng
        self.owner: dict[int, Part] = {}

    def next(self) -> Planned:
        part = self.rng.choices(self.parts, weights=self.weights)[0]
        planned = part.next()
        self.owner[id(planned)] = part
        return planned

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        self.owner.pop(id(planned)).on_response(planned, status, body)
