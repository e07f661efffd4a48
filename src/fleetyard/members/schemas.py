from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, StringConstraints

from fleetyard.auth.roles import Role
from fleetyard.kit.schemas import Schema

NewPassword = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class MemberCreate(Schema):
    """Adds an existing user by email, or creates the user (``password`` then required)."""

    email: EmailStr
    role: Role
    password: NewPassword | None = None
    display_name: DisplayName = ""


class MemberUpdate(Schema):
    role: Role


class Member(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: str
    created_at: datetime
