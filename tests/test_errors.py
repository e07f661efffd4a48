"""Faults and overload answer in the error envelope: 503 ``overloaded``, 500 ``internal_error``."""

from __future__ import annotations

import httpx

from fleetyard.app import create_app
from fleetyard.config import Settings
from fleetyard.db import Database, with_user


def asgi_client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_no_free_connection_is_a_503_overloaded(
    settings: Settings, database_url: str
) -> None:
    db = Database.connect(with_user(database_url, "fleetyard_app"), pool_size=1, pool_timeout=0.2)
    held = [await db.engine.connect(), await db.engine.connect()]  # the pool and its overflow
    try:
        async with asgi_client(create_app(settings, database=db)) as http:
            response = await http.get(
                "/api/v1/vehicles", headers={"Authorization": "Bearer fy_busy"}
            )
    finally:
        for connection in held:
            await connection.close()
        await db.dispose()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "overloaded"
    assert int(response.headers["Retry-After"]) >= 1


async def test_an_unhandled_fault_is_a_500_in_the_envelope(
    settings: Settings, rolled_back_db: Database
) -> None:
    app = create_app(settings, database=rolled_back_db)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/boom", boom)
    async with asgi_client(app) as http:
        response = await http.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side.",
            "details": {},
        }
    }
    assert "a bug" not in response.text
