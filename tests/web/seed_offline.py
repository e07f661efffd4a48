"""Extra seed for the offline browser tests (``web/e2e/offline.e2e.mjs``).

Called once from ``tests.web.e2e_server`` after the server is up: through the public API, as
tenant A's fleet manager, it adds the drivers the reservation form offers.
"""

from __future__ import annotations

from typing import Any

import httpx

DRIVERS = ("Dana Driver", "Eli Driver")


async def seed_offline(base_url: str, described: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        login = await http.post(
            "/api/v1/auth/login",
            json={"email": described["a"]["email"], "password": described["password"]},
        )
        login.raise_for_status()
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        drivers = []
        for name in DRIVERS:
            made = await http.post("/api/v1/drivers", json={"name": name}, headers=headers)
            made.raise_for_status()
            drivers.append({"id": made.json()["id"], "name": name})
        await http.post("/api/v1/auth/logout", headers=headers)
    return {"drivers": drivers}
