from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Part(TenantOwned, Base):
    """A stocked part: what a completed work order's part lines draw on."""

    __tablename__ = "parts"

    part_number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity_on_hand: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    reorder_level: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
