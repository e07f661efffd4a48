from __future__ import annotations

import uuid

from sqlalchemy import Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Group(TenantOwned, Base):
    """A depot, region or team; groups nest through parent_id. A group may be a place: a
    point and a radius (all three set or none), inside which a vehicle is "at" it."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="depot")
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    radius_m: Mapped[int | None] = mapped_column(Integer)
