"""Relevance on the real PostgreSQL: weighted fields, prefixes, typos, accents and exact
identifiers, over a small fleet indexed in the test's transaction."""

from __future__ import annotations

import httpx

from tests.conftest import Tenants
from tests.search.conftest import Fleet, ids, search, vin


async def test_the_typed_dispatcher_query_finds_the_helsinki_transit_first(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "ford trnsit hel")
    assert answer["items"][0]["id"] == fleet.vehicles["transit_hel"]["id"]
    assert answer["corrections"] == {"trnsit": ["transit"]}
    assert answer["mode"] == "all"
    # the Espoo Transit has no word starting with "hel"; the Focus is no Transit
    assert fleet.vehicles["transit_espoo"]["id"] not in ids(answer)
    assert fleet.vehicles["focus_hel"]["id"] not in ids(answer)
    first = answer["items"][0]
    assert first["type"] == "vehicle"
    assert first["title"] == "ABC-123"
    matched = {m["field"]: m for m in first["matches"]}
    assert {"make", "model", "group"} <= set(matched)
    model = matched["model"]
    assert model["value"] == "Transit"
    assert model["highlights"] == [{"start": 0, "end": 7}]
    # "hel" is a prefix: the first three letters of "Helsinki" are marked
    assert matched["group"]["highlights"] == [{"start": 0, "end": 3}]


async def test_the_last_word_matches_as_a_prefix(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "transi", types="vehicle")
    found = set(ids(answer))
    transits = {fleet.vehicles[k]["id"] for k in ("transit_hel", "transit_espoo", "retired")}
    assert transits <= found
    assert fleet.vehicles["transporter_hml"]["id"] not in found
    # a finished word (followed by a space) is no prefix: "trans" is no word of the fleet
    # (nor one edit from one), while "transi" is one edit from "transit"
    assert (await search(client, tenants.a.owner, "trans ", types="vehicle"))["items"] == []
    assert set(ids(await search(client, tenants.a.owner, "trans", types="vehicle"))) == {
        *transits,
        fleet.vehicles["transporter_hml"]["id"],
    }
    answer = await search(client, tenants.a.owner, "transi ", types="vehicle")
    assert set(ids(answer)) == transits
    assert answer["corrections"] == {"transi": ["transit"]}


async def test_typos_one_edit_from_five_letters_two_from_nine(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    hel = fleet.vehicles["transit_hel"]["id"]
    # two letters swapped count as one edit
    assert hel in ids(await search(client, tenants.a.owner, "tarnsit ford"))
    # nine letters or more: two edits ("transporter" with two letters dropped)
    answer = await search(client, tenants.a.owner, "trnsportr ", types="vehicle")
    assert ids(answer) == [fleet.vehicles["transporter_hml"]["id"]]
    # four letters: no correction, so "frod" finds nothing
    assert (await search(client, tenants.a.owner, "frod ", types="vehicle"))["items"] == []
    # five letters, two edits: too far
    assert (await search(client, tenants.a.owner, "fcosu ", types="vehicle"))["items"] == []


async def test_accents_are_folded_both_ways(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    for q in ("hameenlinna", "Hämeenlinna", "HAMEENLINNA", "hämeen"):
        answer = await search(client, tenants.a.owner, q, types="vehicle")
        assert ids(answer) == [fleet.vehicles["transporter_hml"]["id"]], q
    answer = await search(client, tenants.a.owner, "jarvinen", types="driver")
    assert ids(answer) == [fleet.drivers["anna"]["id"]]
    [name] = [m for m in answer["items"][0]["matches"] if m["field"] == "name"]
    assert name["value"] == "Anna Järvinen"
    assert name["highlights"] == [{"start": 5, "end": 13}]  # "Järvinen", as written
    answer = await search(client, tenants.a.owner, "astrom", types="driver")
    assert ids(answer) == [fleet.drivers["sven"]["id"]]


async def test_a_plate_without_its_dash_or_with_a_space(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    hel = fleet.vehicles["transit_hel"]["id"]
    for q in ("abc123", "ABC 123", "abc-123", "abc1"):
        answer = await search(client, tenants.a.owner, q)
        assert answer["items"][0]["id"] == hel, q
    answer = await search(client, tenants.a.owner, "abc123")
    first = answer["items"][0]
    assert first["score"] >= 2  # the whole identifier
    [plate] = [m for m in first["matches"] if m["field"] == "plate"]
    assert plate["highlights"] == [{"start": 0, "end": 7}]
    assert (await search(client, tenants.a.owner, "spr42"))["items"][0]["id"] == fleet.vehicles[
        "sprinter_hel"
    ]["id"]


async def test_a_vin_whole_its_end_or_its_beginning(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    hel = fleet.vehicles["transit_hel"]["id"]
    whole = vin(42788)
    answer = await search(client, tenants.a.owner, whole.lower())
    assert answer["items"][0]["id"] == hel
    assert answer["items"][0]["score"] >= 2
    # the serial at its end ranks first, above any text match
    answer = await search(client, tenants.a.owner, "042788")
    assert answer["items"][0]["id"] == hel
    assert 1 <= answer["items"][0]["score"] < 2
    [vin_field] = [m for m in answer["items"][0]["matches"] if m["field"] == "vin"]
    assert vin_field["highlights"] == [{"start": 11, "end": 17}]
    # its beginning, as it is typed
    answer = await search(client, tenants.a.owner, whole[:8])
    assert hel in ids(answer)


async def test_an_imei_by_its_last_six_digits(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "441013")
    found = ids(answer)
    # the tracker itself, and the vehicle that carries it
    assert set(found[:2]) == {fleet.devices["tracker"]["id"], fleet.vehicles["transit_hel"]["id"]}
    assert all(hit["score"] >= 1 for hit in answer["items"][:2])
    assert (await search(client, tenants.a.owner, "356307042441013"))["items"][0]["score"] >= 2


async def test_weights_rank_a_plate_above_a_note(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    """A word in the notes (why a vehicle retired) is found, below a name with it."""
    answer = await search(client, tenants.a.owner, "rusted", types="vehicle")
    assert ids(answer) == [fleet.vehicles["retired"]["id"]]
    [notes] = [m for m in answer["items"][0]["matches"] if m["field"] == "notes"]
    assert notes["value"] == "Rusted through"


async def test_when_no_document_holds_every_word_those_holding_some_come(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "sprinter zanzibar", types="vehicle")
    assert answer["mode"] == "any"
    assert ids(answer) == [fleet.vehicles["sprinter_hel"]["id"]]


async def test_a_depot_finds_what_it_holds_and_the_region_its_depots(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    answer = await search(client, tenants.a.owner, "helsinki depot", types="vehicle,driver")
    found = set(ids(answer))
    assert {fleet.vehicles[k]["id"] for k in ("transit_hel", "focus_hel", "sprinter_hel")} <= found
    assert fleet.drivers["anna"]["id"] in found
    # the region is no depot: its depots' records are "in" it by the group_id filter
    answer = await search(
        client, tenants.a.owner, "", types="vehicle", group_id=fleet.groups["south"]["id"]
    )
    assert len(answer["items"]) == 5  # all but the retired van, which has no group


async def test_suggestions_complete_titles_and_words(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    response = await client.get(
        "/api/v1/search/suggest", params={"q": "ford tra"}, headers=tenants.a.owner
    )
    assert response.status_code == 200, response.text
    body = response.json()
    titles = [item["title"] for item in body["items"]]
    assert {"ABC-123", "XYZ-987", "OLD-1"} <= set(titles)
    assert "ford transit" in body["completions"]
    # typos forgiven while typing
    body = (
        await client.get("/api/v1/search/suggest", params={"q": "trnsp"}, headers=tenants.a.owner)
    ).json()
    assert [item["id"] for item in body["items"]] == [fleet.vehicles["transporter_hml"]["id"]]
    # a plate as it is typed
    body = (
        await client.get("/api/v1/search/suggest", params={"q": "hel-5"}, headers=tenants.a.owner)
    ).json()
    assert body["items"][0]["id"] == fleet.vehicles["focus_hel"]["id"]
