"""Naming a trip's ends and a stop: the geofence it is in (once the geofences work plugs a
lookup in), else the depot, else the nearest street of the basemap's OpenStreetMap data.

The hook: ``app.state.geofence_places`` may hold a ``GeofencePlaces`` callable; it gets the
request's session, the tenant and the points, and answers a place (or None) per point.
Points it names keep that name; the rest go to the place namer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.places.dependencies import place_namer
from fleetyard.places.naming import Place
from fleetyard.places.repository import depots_of
from fleetyard.places.service import PlaceNamer

LatLon = tuple[float, float]
GeofencePlaces = Callable[[AsyncSession, TenantId, Sequence[LatLon]], Awaitable[list[Place | None]]]


@dataclass(frozen=True, slots=True)
class TripPlaces:
    namer: PlaceNamer
    geofences: GeofencePlaces | None = None

    async def name_all(
        self, session: AsyncSession, tenant_id: TenantId, points: Sequence[LatLon | None]
    ) -> list[Place | None]:
        named: list[Place | None] = [None] * len(points)
        present = [(i, p) for i, p in enumerate(points) if p is not None]
        if self.geofences is not None and present:
            found = await self.geofences(session, tenant_id, [p for _, p in present])
            for (i, _), place in zip(present, found, strict=True):
                named[i] = place
        rest = [p if named[i] is None else None for i, p in enumerate(points)]
        if any(p is not None for p in rest):
            depots = await depots_of(session, tenant_id)
            for i, place in enumerate(await self.namer.name_all(rest, depots)):
                named[i] = named[i] or place
        return named


def trip_places(request: Request) -> TripPlaces:
    return TripPlaces(place_namer(request), getattr(request.app.state, "geofence_places", None))


Places = Annotated[TripPlaces, Depends(trip_places)]
