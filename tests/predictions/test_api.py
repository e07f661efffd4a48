"""The predictions API on the real database: a vehicle with no history (the prior), an
active DTC's component, isolation, bad input, retraining (a failure keeps the model), the
fleet list ranked by risk, and the predicted_failure alert."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.predictions.history import FleetHistory
from fleetyard.predictions.model import SurvivalModel
from fleetyard.predictions.seeding import write_history
from fleetyard.predictions.service import PredictionService
from fleetyard.simulator.history import simulate_history
from tests.conftest import Tenants

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def add_vehicles(session: AsyncSession, tenant_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    await set_tenant(session, TenantId(tenant_id))
    ids = [uuid.uuid4() for _ in range(count)]
    for i, vid in enumerate(ids):
        await session.execute(
            text(
                "insert into vehicles (tenant_id, id, plate, type, fuel_type, status, year,"
                " odometer_km) values (:t, :id, :plate, 'van', 'diesel', 'active', 2019, 80000)"
            ),
            {"t": tenant_id, "id": vid, "plate": f"PR-{i:03d}-{vid.hex[:4]}"},
        )
    await session.commit()
    return ids


async def get(
    client: httpx.AsyncClient, tenants: Tenants, path: str, **params: Any
) -> httpx.Response:
    return await client.get(f"/api/v1{path}", params=params, headers=tenants.a.as_(Role.VIEWER))


async def test_a_vehicle_with_no_history_gets_the_prior(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    [vid] = await add_vehicles(db_session, tenants.a.id, 1)
    response = await get(client, tenants, f"/vehicles/{vid}/predictions")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {i["component"] for i in items} == {"battery", "brakes", "engine_cooling"}
    for item in items:
        assert item["source"] == "prior" and item["model_version"] is None
        assert 0 <= item["probability_30d"] <= 1
        assert item["risk"] in {"low", "medium", "high"}
        # only age and distance are known: the confidence says so
        assert item["confidence"] < 0.4
        assert item["recommended_action"]
    probabilities = [i["probability_30d"] for i in items]
    assert probabilities == sorted(probabilities, reverse=True)


async def test_an_active_dtc_names_its_component(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    [vid] = await add_vehicles(db_session, tenants.a.id, 1)
    await db_session.execute(
        text(
            "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message,"
            " details, opened_at, last_seen_at) values (:t, :id, :v, 'dtc', 'P0730', 'warning',"
            " 'Incorrect gear ratio', '{}', now(), now())"
        ),
        {"t": tenants.a.id, "id": uuid.uuid4(), "v": vid},
    )
    await db_session.commit()
    items = (await get(client, tenants, f"/vehicles/{vid}/predictions")).json()["items"]
    [dtc] = [i for i in items if i["source"] == "dtc"]
    assert dtc["component"] == "transmission" and dtc["dtc_code"] == "P0730"
    assert "P0730" in dtc["recommended_action"]


async def test_another_tenants_vehicle_is_404(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    [theirs] = await add_vehicles(db_session, tenants.b.id, 1)
    response = await get(client, tenants, f"/vehicles/{theirs}/predictions")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (await get(client, tenants, f"/vehicles/{uuid.uuid4()}/predictions")).status_code == 404
    listed = await get(client, tenants, "/predictions", vehicle_id=str(theirs))
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_anonymous_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/predictions")).status_code == 401


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/vehicles/not-a-uuid/predictions", {}),
        ("/predictions", {"component": "wings"}),
        ("/predictions", {"min_probability": "2"}),
        ("/predictions", {"limit": "0"}),
        ("/predictions", {"cursor": "%%%"}),
        ("/predictions", {"group_id": "x"}),
        ("/predictions/models", {"limit": "1000"}),
    ],
)
async def test_bad_input_is_a_4xx(
    client: httpx.AsyncClient, tenants: Tenants, path: str, params: dict[str, str]
) -> None:
    response = await get(client, tenants, path, **params)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()["error"]) >= {"code", "message"}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cursor=st.text(max_size=60),
    component=st.text(max_size=20),
    min_probability=st.one_of(st.floats(allow_nan=True), st.text(max_size=8)),
)
async def test_any_query_is_answered_without_a_500(
    client: httpx.AsyncClient, tenants: Tenants, cursor: str, component: str, min_probability: Any
) -> None:
    params = {"cursor": cursor, "component": component, "min_probability": str(min_probability)}
    response = await get(client, tenants, "/predictions", **params)
    assert response.status_code in {200, 422}, response.text


async def _seed_history(session: AsyncSession, tenant_id: uuid.UUID, vehicles: int) -> FleetHistory:
    ids = await add_vehicles(session, tenant_id, vehicles)
    history = simulate_history(vehicles, 240, seed=8)
    await set_tenant(session, TenantId(tenant_id))
    await write_history(session, TenantId(tenant_id), history, ids, NOW.date())
    await session.commit()
    return history


def _failing(history: FleetHistory) -> dict[str, SurvivalModel]:
    raise np.linalg.LinAlgError("singular matrix")


async def test_a_failed_retrain_keeps_the_previous_model(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await _seed_history(db_session, tenants.a.id, 12)
    await set_tenant(db_session, TenantId(tenants.a.id))
    service = PredictionService(db_session, TenantId(tenants.a.id))
    first = await service.retrain(NOW)
    assert first.status == "active" and first.version == 1
    assert set(first.metrics) == {"battery", "brakes", "engine_cooling"}
    before = await service.active_models()
    second = await service.retrain(NOW, trainer=_failing)
    assert second.status == "failed" and second.version == 2
    assert second.error and "singular" in second.error
    after = await service.active_models()
    assert after.version == 1 and after.models == before.models
    await db_session.commit()
    models = (await get(client, tenants, "/predictions/models")).json()
    assert [(m["version"], m["status"]) for m in models] == [(2, "failed"), (1, "active")]


async def test_retrain_ranks_the_fleet_and_raises_alerts(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await _seed_history(db_session, tenants.a.id, 15)
    response = await client.post("/api/v1/predictions/retrain", headers=tenants.a.as_(Role.OWNER))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "active" and body["predictions"] >= 45
    page = (await get(client, tenants, "/predictions", limit=10)).json()
    probabilities = [i["probability_30d"] for i in page["items"]]
    assert len(probabilities) == 10 and probabilities == sorted(probabilities, reverse=True)
    rest = (
        await get(client, tenants, "/predictions", limit=500, cursor=page["next_cursor"])
    ).json()
    assert len(page["items"]) + len(rest["items"]) == body["predictions"]
    assert all(i["probability_30d"] <= probabilities[-1] for i in rest["items"])
    every = page["items"] + rest["items"]
    assert len({(i["vehicle_id"], i["component"]) for i in every}) == len(every)
    brakes = (await get(client, tenants, "/predictions", component="brakes", limit=500)).json()
    assert {i["component"] for i in brakes["items"]} == {"brakes"}
    high = [i for i in every if i["probability_30d"] >= 0.3]
    alerts = (await get(client, tenants, "/alerts", kind="predicted_failure", limit=500)).json()
    assert len(alerts["items"]) == len(high)
    one = every[0]
    vehicle = (await get(client, tenants, f"/vehicles/{one['vehicle_id']}/predictions")).json()
    assert vehicle["items"][0]["model_version"] == 1
    assert vehicle["items"][0]["drivers"]
    viewer = await client.post("/api/v1/predictions/retrain", headers=tenants.a.as_(Role.VIEWER))
    assert viewer.status_code == 403


async def test_a_rule_for_predicted_failures_takes_a_probability(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    body = {"name": "Likely failures", "kind": "predicted_failure"}
    ok = await client.post(
        "/api/v1/alert-rules",
        json={**body, "thresholds": {"min_probability": 0.5}},
        headers=tenants.a.owner,
    )
    assert ok.status_code == 201, ok.text
    bad = await client.post(
        "/api/v1/alert-rules",
        json={**body, "thresholds": {"min_probability": 1.5}},
        headers=tenants.a.owner,
    )
    assert bad.status_code == 422


async def test_the_demo_seeds_a_history_and_predictions_once(
    tenants: Tenants, db_session: AsyncSession
) -> None:
    from fleetyard.auth.principal import Principal
    from fleetyard.demo.predictions import seed_predictions

    await add_vehicles(db_session, tenants.a.id, 6)
    actor = Principal.system(TenantId(tenants.a.id))
    await set_tenant(db_session, TenantId(tenants.a.id))
    assert await seed_predictions(db_session, actor) == (1, 1)
    stored = await db_session.scalar(
        text("select count(*) from predictions where tenant_id = :t"), {"t": tenants.a.id}
    )
    assert stored == 18
    orders = await db_session.scalar(
        text("select count(*) from work_orders where tenant_id = :t"), {"t": tenants.a.id}
    )
    assert orders >= 18  # the parts fitted before the history, and what happened in it
    assert await seed_predictions(db_session, actor) == (1, 0)
