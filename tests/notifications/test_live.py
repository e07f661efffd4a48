"""A released in-app notification is announced on the live bus to its receivers only, so
their open apps refresh the bell at once instead of at the next poll."""

from __future__ import annotations

import uuid

from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.items import NOTIFICATIONS_RELEASED, LiveBatch
from tests.notifications.conftest import Desk


async def test_released_in_app_notifications_are_announced_to_their_receivers(
    desk: Desk,
) -> None:
    bus = LocalBus()
    heard: list[LiveBatch] = []
    bus.listen(heard.append)
    await desk.dispatcher(bus=bus)
    vehicle = await desk.vehicle(desk.a)
    await desk.raise_alerts(desk.a, vehicle, code="P0420")
    await desk.settled()

    released = [
        r
        for r in await desk.notifications(desk.a)
        if r["released_at"] is not None and "in_app" in r["channels"]
    ]
    assert released, "the owner gets warnings in the app by default"
    # The dispatcher serves every tenant of the test database (other tests' leftovers too):
    # of this test's two tenants, only the one whose alert was raised is announced.
    ours = [b for b in heard if b.tenant_id in {desk.a.id, desk.b.id}]
    assert {b.tenant_id for b in ours} == {desk.a.id}
    notices = [i for b in ours for i in b.items if i.kind == NOTIFICATIONS_RELEASED]
    assert {u for notice in notices for u in notice.audience} == {r["user_id"] for r in released}
    # who, not what: the payload names nothing of the alert
    assert all(notice.payload == {} and notice.vehicle_ids == () for notice in notices)
    assert all(isinstance(u, uuid.UUID) for n in notices for u in n.audience)
