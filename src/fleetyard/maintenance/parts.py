"""The parts stock: what is on hand, at what unit cost, and when to reorder. A completed work
order draws its part lines from it (never below zero: 409 ``insufficient_stock`` first); at or
below the reorder level a ``part_low_stock`` alert opens on the vehicle whose work took it
there (alerts belong to a vehicle), cleared once the stock is back above the level."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import ColumnElement, or_

from fleetyard.kit.records import RecordService
from fleetyard.maintenance.evaluate import raw_connection
from fleetyard.maintenance.repository import MaintenanceRepository
from fleetyard.maintenance.schemas import Part as PartOut
from fleetyard.maintenance.schemas import PartCreate, PartUpdate
from fleetyard.models import Part
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore

LOW_STOCK: Final = "part_low_stock"

_OPEN_LOW_STOCK = """
select vehicle_id from alerts
where tenant_id = $1 and kind = 'part_low_stock' and code = $2 and cleared_at is null
"""


class PartService(RecordService[Part]):
    entity_type = "part"
    model = Part
    sort_fields = ("part_number", "name", "created_at", "updated_at", "id")
    unique_fields = {"uq_parts_part_number": "part_number"}

    async def out(self, rows: builtins.list[Part]) -> builtins.list[PartOut]:
        _, currency = await MaintenanceRepository(
            self.session, self.actor.tenant_id
        ).zone_and_currency()
        return [
            PartOut.model_validate(
                {
                    **{c.key: getattr(r, c.key) for c in Part.__table__.columns},
                    "low_stock": r.quantity_on_hand <= r.reorder_level,
                    "currency": currency,
                }
            )
            for r in rows
        ]

    async def list(
        self, q: str | None, low_stock: bool | None, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[builtins.list[PartOut], str | None]:
        clauses: builtins.list[ColumnElement[bool]] = []
        if q:
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            clauses.append(or_(Part.part_number.ilike(pattern), Part.name.ilike(pattern)))
        if low_stock is not None:
            low = Part.quantity_on_hand <= Part.reorder_level
            clauses.append(low if low_stock else ~low)
        rows, next_cursor = await self.list_page(clauses, sort=sort, cursor=cursor, limit=limit)
        return await self.out(rows), next_cursor

    async def read(self, part_id: uuid.UUID) -> PartOut:
        [out] = await self.out([await self.get(part_id)])
        return out

    async def create(self, data: PartCreate) -> PartOut:
        record = await self.insert(data.model_dump())
        return await self.read(record.id)

    async def update(
        self, part_id: uuid.UUID, data: PartUpdate, expected_version: int | None
    ) -> PartOut:
        version = expected_version if expected_version is not None else data.version
        changes = data.model_dump(exclude_unset=True, exclude={"version"})
        record = await self.apply_update(part_id, changes, version)
        if record.quantity_on_hand > record.reorder_level:
            await self._clear_low_stock(record, datetime.now(UTC))
        return await self.read(part_id)

    async def delete(self, part_id: uuid.UUID, expected_version: int | None) -> None:
        await self.remove(part_id, expected_version)

    async def draw(
        self, part: Part, quantity: Decimal, vehicle_id: uuid.UUID, now: datetime
    ) -> None:
        """Take ``quantity`` off the locked ``part`` (the caller checked there is enough)."""
        left = part.quantity_on_hand - quantity
        record = await self.apply_update(part.id, {"quantity_on_hand": left}, None)
        if record.quantity_on_hand <= record.reorder_level:
            store = AlertStore(await raw_connection(self.session), self.actor.tenant_id)
            condition = Condition(
                AlertKey(LOW_STOCK, record.id.hex),
                Severity.WARNING,
                f"{record.name} ({record.part_number}) low: "
                f"{record.quantity_on_hand.normalize():f} left, "
                f"reorder at {record.reorder_level.normalize():f}.",
                {
                    "part_id": str(record.id),
                    "part_number": record.part_number,
                    "quantity_on_hand": float(record.quantity_on_hand),
                    "reorder_level": float(record.reorder_level),
                },
            )
            await store.raise_alert(vehicle_id, None, condition, now, now)

    async def _clear_low_stock(self, record: Part, now: datetime) -> None:
        conn = await raw_connection(self.session)
        rows = await conn.fetch(_OPEN_LOW_STOCK, self.actor.tenant_id, record.id.hex)
        store = AlertStore(conn, self.actor.tenant_id)
        for row in rows:
            await store.clear(row["vehicle_id"], AlertKey(LOW_STOCK, record.id.hex), now)
