"""Facet counts cover the whole result (not the page) and equal counts made directly in SQL;
filters narrow the result and the counts with it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.search.conftest import Fleet, ids, search


def counts(answer: dict[str, Any], facet: str) -> dict[str, int]:
    return {value["value"]: value["count"] for value in answer["facets"][facet]}


async def sql_counts(session: AsyncSession, tenant: Tenants, sql: str) -> dict[str, int]:
    await set_tenant(session, TenantId(tenant.a.id))
    rows = await session.execute(text(sql), {"tenant_id": tenant.a.id})
    return {str(row[0]): int(row[1]) for row in rows if row[0] is not None}


async def test_counts_per_value_over_the_whole_result(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(
        client,
        tenants.a.owner,
        "",
        types="vehicle",
        facets="status,make,model,type,group,depot,types",
        limit=2,
    )
    assert len(answer["items"]) == 2 and answer["next_cursor"]
    assert answer["total"] == 6
    by = "from vehicles where tenant_id = :tenant_id group by 1"
    assert counts(answer, "status") == await sql_counts(
        db_session, tenants, f"select status, count(*) {by}"
    )
    assert counts(answer, "make") == await sql_counts(
        db_session, tenants, f"select make, count(*) {by}"
    )
    assert counts(answer, "model") == await sql_counts(
        db_session, tenants, f"select model, count(*) {by}"
    )
    assert counts(answer, "type") == await sql_counts(
        db_session, tenants, f"select type, count(*) {by}"
    )
    assert counts(answer, "group") == await sql_counts(
        db_session, tenants, f"select group_id, count(*) {by}"
    )
    assert counts(answer, "types") == {"vehicle": 6}
    # group and depot name their group
    labels = {v["value"]: v["label"] for v in answer["facets"]["group"]}
    assert labels[fleet.groups["hel"]["id"]] == "Helsinki depot"
    assert counts(answer, "depot")[fleet.groups["hml"]["id"]] == 1


async def test_counts_follow_the_query_and_filters(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(
        client, tenants.a.owner, "ford", facets="status,model,types", status="active"
    )
    expected = await sql_counts(
        db_session,
        tenants,
        "select model, count(*) from vehicles where tenant_id = :tenant_id"
        " and make = 'Ford' and status = 'active' group by 1",
    )
    assert counts(answer, "model") == expected
    assert counts(answer, "status") == {"active": sum(expected.values())}
    assert answer["total"] == sum(counts(answer, "types").values())
    # repeated values of one filter are "any of"; two filters are "both"
    answer = await search(
        client,
        tenants.a.owner,
        "",
        types="vehicle",
        facets="model",
        model=["Transit", "Focus"],
        status=["active", "retired"],
    )
    assert counts(answer, "model") == {"Transit": 3, "Focus": 1}
    answer = await search(
        client,
        tenants.a.owner,
        "",
        types="vehicle",
        model="Transit",
        depot=fleet.groups["hel"]["id"],
    )
    assert ids(answer) == [fleet.vehicles["transit_hel"]["id"]]


async def test_the_types_facet_counts_every_type_found(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "helsinki", facets="types")
    by_type = Counter(hit["type"] for hit in answer["items"])
    assert counts(answer, "types") == dict(by_type)
    assert by_type["group"] == 1 and by_type["driver"] == 1 and by_type["vehicle"] == 3
