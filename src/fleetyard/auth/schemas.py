from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, EmailStr, StringConstraints

from fleetyard.kit.schemas import Schema

Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
TenantSlug = Annotated[str, StringConstraints(min_length=1, max_length=63)]


class LoginRequest(Schema):
    email: EmailStr
    password: Password
    tenant: TenantSlug | None = None


class SwitchTenantRequest(Schema):
    tenant: TenantSlug


class TenantMembership(BaseModel):
    tenant_id: uuid.UUID
    slug: str
    name: str
    role: str


class Me(BaseModel):
    user_id: uuid.UUID | None
    email: str | None
    display_name: str | None
    actor_type: str
    tenant_id: uuid.UUID | None
    role: str | None
    memberships: list[TenantMembership]


class LoginResponse(Me):
    csrf_token: str
