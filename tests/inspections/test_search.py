"""Inspections and defects are search documents: found by the failed item, the note and the
vehicle, faceted by status and criticality, and readable only by their own tenant."""

from __future__ import annotations

import httpx

from fleetyard.db import Database
from fleetyard.kit.ids import TenantId
from fleetyard.search.refresh import reindex_tenant
from tests.conftest import Tenants
from tests.inspections.helpers import URL, form, make_vehicle, submission


async def test_inspections_and_defects_are_found(
    client: httpx.AsyncClient, rolled_back_db: Database, tenants: Tenants
) -> None:
    van = await make_vehicle(client, tenants.a.owner, plate="SRCH-77")
    filled = await form(client, tenants.a.owner, van["id"])
    body = submission(filled, {"mirrors": {"note": "Nearside glass shattered"}})
    inspection = (await client.post(URL, json=body, headers=tenants.a.owner)).json()
    defect = inspection["defects"][0]
    await reindex_tenant(rolled_back_db.sessionmaker, TenantId(tenants.a.id))

    found = await client.get("/api/v1/search", params={"q": "shattered"}, headers=tenants.a.owner)
    assert found.status_code == 200, found.text
    hits = {(h["type"], h["id"]) for h in found.json()["items"]}
    assert ("defect", defect["id"]) in hits
    assert ("inspection", inspection["id"]) in hits

    by_plate = await client.get(
        "/api/v1/search", params={"q": "SRCH-77", "types": "defect"}, headers=tenants.a.owner
    )
    assert [h["id"] for h in by_plate.json()["items"]] == [defect["id"]]

    # tenant B finds nothing of it
    other = await client.get("/api/v1/search", params={"q": "shattered"}, headers=tenants.b.owner)
    assert other.json()["items"] == []
    # the defect is also found by its status facet
    faceted = await client.get(
        "/api/v1/search",
        params={"q": "mirror", "types": "defect", "status": "open"},
        headers=tenants.a.owner,
    )
    assert defect["id"] in [h["id"] for h in faceted.json()["items"]]
