"""Positions from a vendor go through the same ingest pipeline as the gateway's: each vendor
vehicle's device (``<provider>-<connection>-<vendor id>``) is looked up in the same directory,
and its positions are submitted with that route, so validation, vehicle state, rules and
alerts, the live map and webhooks all apply. ``deliver`` returns once every vehicle's
positions are committed; if any submission fails, it raises and the runner keeps its cursor.

A vendor vehicle with no device yet is matched there and then (``match_now``: recorded in
``integration_vehicles`` and matched with what is known of it), at most once a minute per
vehicle. One that still matches nothing has its positions dropped and counted, and waits in
``integration_vehicles`` for a person; from the match on, its positions flow.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Final, Protocol

from fleetyard.integrations.matching import device_unique_id
from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.position import Position

log = logging.getLogger(__name__)

MAX_TRIED: Final = 10_000  # vendor ids whose last match attempt is remembered: bounded
RETRY_MATCH_S: Final = 60.0

MatchNow = Callable[[Sequence[str]], Awaitable[None]]


class Directory(Protocol):
    async def resolve_many(
        self, tenant_id: uuid.UUID, unique_ids: Iterable[str]
    ) -> dict[str, DeviceRoute | None]: ...

    def invalidate(self, unique_id: str | None = None) -> None: ...


class Pipeline(Protocol):
    async def submit_many(
        self, groups: Sequence[tuple[DeviceRoute, Sequence[Position]]]
    ) -> None: ...


class VendorRouter:
    def __init__(
        self,
        tenant_id: uuid.UUID,
        integration_id: uuid.UUID,
        provider: str,
        directory: Directory,
        pipeline: Pipeline,
        match_now: MatchNow | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.integration_id = integration_id
        self.provider = provider
        self.directory = directory
        self.pipeline = pipeline
        self.match_now = match_now
        self.unmatched: Counter[str] = Counter()  # positions dropped, by vendor vehicle
        self._tried: dict[str, float] = {}  # vendor id → when a match was last tried

    def device_id_of(self, vendor_id: str) -> str:
        return device_unique_id(self.provider, self.integration_id, vendor_id)

    async def deliver(self, positions: list[Position]) -> int:
        """Returns once stored, with how many were (the rest had no device)."""
        by_vehicle: dict[str, list[Position]] = defaultdict(list)
        for position in positions:
            by_vehicle[position.unique_id].append(position)
        routes = await self._routes(list(by_vehicle))
        missing = [vendor_id for vendor_id, route in routes.items() if route is None]
        if missing and await self._match_now(missing):
            routes.update(await self._routes(missing))
        groups: list[tuple[DeviceRoute, Sequence[Position]]] = []
        stored = 0
        for vendor_id, group in by_vehicle.items():
            route = routes[vendor_id]
            if route is None:
                self.unmatched[vendor_id] += len(group)
                continue
            groups.append((route, group))
            stored += len(group)
        # One submission: the pipeline commits them together; any failure fails the round.
        if groups:
            await self.pipeline.submit_many(groups)
        return stored

    async def _routes(self, vendor_ids: list[str]) -> dict[str, DeviceRoute | None]:
        """Each vendor vehicle's route, looked up together (one query for those not cached)."""
        device_ids = {vendor_id: self.device_id_of(vendor_id) for vendor_id in vendor_ids}
        found = await self.directory.resolve_many(self.tenant_id, device_ids.values())
        return {vendor_id: found.get(device_id) for vendor_id, device_id in device_ids.items()}

    async def _match_now(self, vendor_ids: list[str]) -> bool:
        """Try to match the vehicles not tried in the last minute; True if any was tried."""
        if self.match_now is None:
            return False
        now = time.monotonic()
        due = [v for v in vendor_ids if now - self._tried.get(v, -RETRY_MATCH_S) >= RETRY_MATCH_S]
        if not due:
            return False
        if len(self._tried) > MAX_TRIED:
            self._tried.clear()
        for vendor_id in due:
            self._tried[vendor_id] = now
        try:
            await self.match_now(due)
        except Exception:  # their positions wait as unmatched; the round itself goes on
            log.warning(
                "vendor vehicles not matched",
                exc_info=True,
                extra={"integration": str(self.integration_id)},
            )
            return False
        return True

    def linked(self, unique_ids: Sequence[str]) -> None:
        """Devices just made: forget the directory's cached misses for them."""
        for unique_id in unique_ids:
            self.directory.invalidate(unique_id)
