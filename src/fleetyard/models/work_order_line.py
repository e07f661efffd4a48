from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.kit.ids import uuid7
from fleetyard.models.base import Base


class WorkOrderLine(Base):
    """Labour (hours × rate) or a part (quantity × unit cost) on a work order."""

    __tablename__ = "work_order_lines"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    work_order_id: Mapped[uuid.UUID] = mapped_column()
    position: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(500), default="")
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    part_id: Mapped[uuid.UUID | None] = mapped_column()
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
