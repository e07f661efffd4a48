"""Two work orders completed at the same moment, each needing more than half the stock: the
part rows are locked, so one completes and the other is refused — stock never below zero.
And the pricing rule on its own: each line rounded to the cent, totals exact sums."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal

import httpx
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.maintenance.work_orders import _totals, money
from tests.conftest import Tenants
from tests.maintenance.helpers import PARTS, WORK_ORDERS, make_part, make_vehicle


async def test_concurrent_completions_never_overdraw(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    headers = live_tenants.a.owner
    vid = await make_vehicle(live_client, headers)
    part = await make_part(live_client, headers, quantity_on_hand="3", reorder_level="0")
    orders = []
    for _ in range(2):
        created = await live_client.post(
            WORK_ORDERS,
            json={
                "vehicle_id": vid,
                "title": "Brake pads",
                "lines": [{"kind": "part", "part_id": part["id"], "quantity": "2"}],
            },
            headers=headers,
        )
        wo = created.json()
        await live_client.patch(
            f"{WORK_ORDERS}/{wo['id']}", json={"status": "in_progress"}, headers=headers
        )
        orders.append(wo)
    answers = await asyncio.gather(
        *(
            live_client.patch(
                f"{WORK_ORDERS}/{wo['id']}", json={"status": "completed"}, headers=headers
            )
            for wo in orders
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert refused.json()["error"]["code"] == "insufficient_stock"
    stock = (await live_client.get(f"{PARTS}/{part['id']}", headers=headers)).json()
    assert stock["quantity_on_hand"] == "1.000"


amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(st.sampled_from(["labour", "part"]), amounts, amounts), min_size=0, max_size=20
    )
)
def test_totals_are_exact_sums_of_cent_rounded_lines(lines: list) -> None:
    priced = [{"kind": kind, "amount": money(a * b)} for kind, a, b in lines]
    totals = _totals(priced)
    for line, (_, a, b) in zip(priced, lines, strict=True):
        assert line["amount"] == (a * b).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert line["amount"].as_tuple().exponent == -2
    assert totals["labour_total"] + totals["parts_total"] == totals["total"]
    assert totals["total"] == sum((p["amount"] for p in priced), Decimal("0.00"))
