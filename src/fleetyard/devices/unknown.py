"""Unknown devices: hardware ids that connected without being registered, and claiming one.

``unknown_devices`` is platform-wide (the gateway can't know whose a device is), so any tenant's
device admins see the recent ids — but only the id, protocol, times and attempt count, never
the address it connected from. Claiming registers the id in the caller's tenant through
:class:`DeviceService`, so the event log and the platform-wide uniqueness of ids apply.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.devices.schemas import DeviceCreate, DeviceProtocol
from fleetyard.devices.service import DeviceService
from fleetyard.errors import NotFound
from fleetyard.kit.schemas import Name, ReadSchema, Schema
from fleetyard.kit.search import contains_pattern
from fleetyard.models import Device, UnknownDevice


class UnknownDeviceOut(ReadSchema):
    unique_id: str
    protocol: str
    first_seen_at: datetime
    last_seen_at: datetime
    attempts: int


class UnknownDeviceClaim(Schema):
    """Defaults: the protocol the device spoke, no name, no vehicle."""

    protocol: DeviceProtocol | None = None
    name: Name | None = None
    vehicle_id: uuid.UUID | None = None


class UnknownDeviceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_seen_since(
        self, since: datetime, *, q: str | None, limit: int
    ) -> Sequence[UnknownDevice]:
        stmt = select(UnknownDevice).where(UnknownDevice.last_seen_at >= since)
        if q:
            stmt = stmt.where(UnknownDevice.unique_id.ilike(contains_pattern(q)))
        stmt = stmt.order_by(UnknownDevice.last_seen_at.desc(), UnknownDevice.unique_id)
        return (await self.session.execute(stmt.limit(limit))).scalars().all()

    async def get_for_update(self, unique_id: str) -> UnknownDevice | None:
        """Locks the row: of two tenants claiming one id at once, the second waits."""
        stmt = select(UnknownDevice).where(UnknownDevice.unique_id == unique_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def delete(self, unique_id: str) -> None:
        await self.session.execute(
            delete(UnknownDevice).where(UnknownDevice.unique_id == unique_id)
        )


def _protocol(seen: str) -> DeviceProtocol:
    """The gateway's name for what the device spoke (never an integration's)."""
    try:
        protocol = DeviceProtocol(seen)
    except ValueError:
        return DeviceProtocol.OTHER
    return DeviceProtocol.OTHER if protocol.by_integration else protocol


class UnknownDeviceService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.repo = UnknownDeviceRepository(session)
        self.devices = DeviceService(session, actor)

    async def list_recent(self, *, days: int, q: str | None, limit: int) -> Sequence[UnknownDevice]:
        """Seen in the last ``days`` days, most recently seen first."""
        since = datetime.now(UTC) - timedelta(days=days)
        return await self.repo.list_seen_since(since, q=q, limit=limit)

    async def claim(self, unique_id: str, data: UnknownDeviceClaim) -> Device:
        """Register the id in the caller's tenant; already registered anywhere → 409."""
        unknown = await self.repo.get_for_update(unique_id)
        if unknown is None:
            raise NotFound(
                "No such unknown device.",
                details={"entity_type": "unknown_device", "unique_id": unique_id},
            )
        device = await self.devices.create(
            DeviceCreate(
                unique_id=unique_id,
                protocol=data.protocol or _protocol(unknown.protocol),
                name=data.name,
                vehicle_id=data.vehicle_id,
            )
        )
        await self.repo.delete(unique_id)
        return device
