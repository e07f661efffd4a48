"""Kept answers: an identical search while the tenant's documents are unchanged is answered
from the process's kept answer; any rebuilt document (here by a reindex) makes the next
search count again, so a kept answer is never staler than the documents."""

from __future__ import annotations

from typing import Any

import httpx

from fleetyard.db import Database
from fleetyard.search.answers import FoundCache
from fleetyard.search.repository import Found
from tests.conftest import Tenants
from tests.search.conftest import SUGGEST, Fleet, index, search


def kept(client: httpx.AsyncClient) -> FoundCache:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    cache: FoundCache = transport.app.state.search_answers  # type: ignore[attr-defined]
    return cache


def makes(answer: dict[str, Any]) -> dict[str, int]:
    return {value["value"]: value["count"] for value in answer["facets"]["make"]}


async def test_an_identical_search_is_answered_from_the_kept_answer_until_a_document_changes(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, rolled_back_db: Database
) -> None:
    params = {"types": "vehicle", "make": "Ford", "facets": "make,model"}
    first = await search(client, tenants.a.owner, "", **params)
    assert makes(first) == {"Ford": 4}
    hits_before = kept(client).hits
    again = await search(client, tenants.a.owner, "", **params)
    assert again == first
    assert kept(client).hits == hits_before + 1

    focus = fleet.vehicles["focus_hel"]
    response = await client.patch(
        f"/api/v1/vehicles/{focus['id']}",
        json={"make": "Skoda", "model": "Octavia"},
        headers=tenants.a.owner,
    )
    assert response.status_code == 200, response.text
    await index(rolled_back_db, tenants.a.id)
    after = await search(client, tenants.a.owner, "", **params)
    assert makes(after) == {"Ford": 3}
    assert focus["id"] not in [hit["id"] for hit in after["items"]]
    skoda = await search(client, tenants.a.owner, "octavia", facets="make")
    assert [hit["id"] for hit in skoda["items"]] == [focus["id"]]


async def test_kept_answers_are_per_tenant(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    mine = await search(client, tenants.a.owner, "transit", facets="make")
    assert mine["total"] > 0
    theirs = await search(client, tenants.b.owner, "transit", facets="make")
    assert theirs["total"] == 0 and theirs["items"] == [] and theirs["facets"] == {"make": []}
    assert (await search(client, tenants.a.owner, "transit", facets="make")) == mine


async def test_a_repeated_keystroke_is_answered_from_the_kept_suggestions(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, rolled_back_db: Database
) -> None:
    first = await client.get(SUGGEST, params={"q": "tran"}, headers=tenants.a.owner)
    assert first.status_code == 200 and first.json()["items"]
    hits_before = kept(client).hits
    again = await client.get(SUGGEST, params={"q": "tran"}, headers=tenants.a.owner)
    assert again.json() == first.json() and kept(client).hits == hits_before + 1
    sven = fleet.drivers["sven"]
    response = await client.patch(
        f"/api/v1/drivers/{sven['id']}", json={"name": "Sven Tranberg"}, headers=tenants.a.owner
    )
    assert response.status_code == 200, response.text
    await index(rolled_back_db, tenants.a.id)
    after = await client.get(SUGGEST, params={"q": "tran"}, headers=tenants.a.owner)
    assert sven["id"] in [item["id"] for item in after.json()["items"]]


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = FoundCache(max_entries=2)
    answer = Found([], 0, [])
    cache.put("a", answer)
    cache.put("b", answer)
    assert cache.get("a") is answer  # a is now the most recently used
    cache.put("c", answer)
    assert cache.get("b") is None and cache.get("a") is answer and len(cache) == 2
