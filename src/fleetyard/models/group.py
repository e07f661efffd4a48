from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Group(TenantOwned, Base):
    """A depot, region or team; groups nest through parent_id."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="depot")
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
