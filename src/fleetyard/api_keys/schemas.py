from __future__ import annotations

import uuid
from datetime import datetime

from fleetyard.auth.roles import Role
from fleetyard.kit.schemas import Name, ReadSchema, Schema


class ApiKeyCreate(Schema):
    name: Name
    role: Role
    expires_at: datetime | None = None


class ApiKeyRead(ReadSchema):
    id: uuid.UUID
    name: str
    role: str
    prefix: str
    created_by: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str
