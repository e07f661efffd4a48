from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import model_validator

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls


class GroupKind(StrEnum):
    DEPOT = "depot"
    REGION = "region"
    TEAM = "team"
    OTHER = "other"


class GroupCreate(Schema):
    name: Name
    kind: GroupKind = GroupKind.DEPOT
    parent_id: uuid.UUID | None = None


class GroupUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    name: Name | None = None
    kind: GroupKind | None = None
    parent_id: uuid.UUID | None = None

    _required = model_validator(mode="after")(refuse_nulls("name", "kind"))


class Group(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    kind: GroupKind
    parent_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
