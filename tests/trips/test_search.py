"""Trips register as search documents: found by the vehicle, titled by when and how far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.search.documents import SOURCES
from fleetyard.search.groups import GroupTree
from fleetyard.search.registry import BuildContext
from fleetyard.trips.search import trip_documents
from tests.telematics.conftest import Tracked
from tests.trips.feeding import Feeder
from tests.trips.tracks import drive, generate, park

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


async def test_a_trip_is_a_search_document(
    feeder: Feeder, tracked: Tracked, app_database: Database
) -> None:
    await feeder.feed(tracked, generate(T0, [park(300), drive(600, 60), park(300)]))
    (trip,) = await feeder.trips_of(tracked)
    source = SOURCES.get("trip")
    assert source is not None and source.load is trip_documents
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(tracked.tenant.id))
        (document,) = await trip_documents(
            session, TenantId(tracked.tenant.id), [trip["id"]], BuildContext(GroupTree([]))
        )
    assert document.entity_id == trip["id"]
    assert document.title.startswith("T-")  # the plate
    assert "10.0 km" in document.subtitle
    assert ("vehicle", tracked.vehicle_id) in document.refs
