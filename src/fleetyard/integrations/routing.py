"""Positions from a vendor go through the same ingest pipeline as the gateway's: each vendor
vehicle's device (``<provider>-<connection>-<vendor id>``) is looked up in the same directory,
and its positions are submitted with that route, so validation, vehicle state, rules and
alerts, the live map and webhooks all apply. ``deliver`` returns once every vehicle's
positions are committed; if any submission fails, it raises and the runner keeps its cursor.

A vendor vehicle with no device yet (not matched to ours) has its positions dropped and
counted, and its id kept so the runner lists it for a person to match; from the match on, its
positions flow.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Final, Protocol

from fleetyard.integrations.matching import device_unique_id
from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.position import Position

MAX_UNKNOWN: Final = 10_000  # vendor ids waiting to be listed: bounded


class Directory(Protocol):
    async def resolve(self, unique_id: str) -> DeviceRoute | None: ...

    def invalidate(self, unique_id: str | None = None) -> None: ...


class Pipeline(Protocol):
    async def submit(self, route: DeviceRoute, positions: Sequence[Position]) -> None: ...


class VendorRouter:
    def __init__(
        self,
        tenant_id: uuid.UUID,
        integration_id: uuid.UUID,
        provider: str,
        directory: Directory,
        pipeline: Pipeline,
    ) -> None:
        self.tenant_id = tenant_id
        self.integration_id = integration_id
        self.provider = provider
        self.directory = directory
        self.pipeline = pipeline
        self.unmatched: Counter[str] = Counter()  # positions dropped, by vendor vehicle
        self.unknown: set[str] = set()  # vendor ids seen without a device, to be listed

    def device_id_of(self, vendor_id: str) -> str:
        return device_unique_id(self.provider, self.integration_id, vendor_id)

    async def deliver(self, positions: list[Position]) -> int:
        """Returns once stored, with how many were (the rest had no device)."""
        by_vehicle: dict[str, list[Position]] = defaultdict(list)
        for position in positions:
            by_vehicle[position.unique_id].append(position)
        submissions = []
        stored = 0
        for vendor_id, group in by_vehicle.items():
            route = await self.directory.resolve(self.device_id_of(vendor_id))
            if route is None or route.tenant_id != self.tenant_id:
                self.unmatched[vendor_id] += len(group)
                if len(self.unknown) < MAX_UNKNOWN:
                    self.unknown.add(vendor_id)
                continue
            submissions.append(self.pipeline.submit(route, group))
            stored += len(group)
        # One batch of the pipeline commits them together; any failure fails the round.
        await asyncio.gather(*submissions)
        return stored

    def take_unknown(self) -> set[str]:
        unknown, self.unknown = self.unknown, set()
        return unknown

    def linked(self, unique_ids: Sequence[str]) -> None:
        """Devices just made: forget the directory's cached misses for them."""
        for unique_id in unique_ids:
            self.directory.invalidate(unique_id)
