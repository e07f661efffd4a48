"""Builders of test tenants, users and keys, through the real services (and, for a signed-in
member, the real API)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.api_keys.service import ApiKeyService
from fleetyard.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.tenants.schemas import TenantCreate, TenantLimits
from fleetyard.tenants.service import TenantService

PASSWORD = "correct horse battery staple"


@dataclass
class Actor:
    key: str
    role: Role

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class TenantSetup:
    id: uuid.UUID
    slug: str
    keys: dict[Role, Actor] = field(default_factory=dict)
    owner_email: str = ""

    def as_(self, role: Role) -> dict[str, str]:
        return self.keys[role].headers

    @property
    def owner(self) -> dict[str, str]:
        return self.as_(Role.OWNER)


async def setup_tenant(
    session: AsyncSession, label: str, limits: TenantLimits | None = None
) -> TenantSetup:
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    tenant = await TenantService(session).create(
        TenantCreate(slug=slug, name=f"Tenant {label}", limits=limits or TenantLimits())
    )
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    system = Principal.system(tenant_id)
    setup = TenantSetup(id=tenant.id, slug=slug, owner_email=f"owner-{slug}@example.com")
    await MemberService(session, system).add(
        MemberCreate(email=setup.owner_email, role=Role.OWNER, password=PASSWORD)
    )
    keys = ApiKeyService(session, system)
    for role in Role:
        _, key = await keys.create(f"test {role.value}", role)
        setup.keys[role] = Actor(key, role)
    return setup


@dataclass
class UserSession:
    user_id: str
    headers: dict[str, str]


async def member_session(
    client: httpx.AsyncClient, tenant: TenantSetup, role: Role, display_name: str | None = None
) -> UserSession:
    """A new member of ``tenant`` with ``role``, logged in; headers carry cookie and CSRF."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
    member = {"email": email, "role": role.value, "password": PASSWORD}
    if display_name is not None:
        member["display_name"] = display_name
    added = await client.post("/api/v1/members", json=member, headers=tenant.owner)
    assert added.status_code == 201, added.text
    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "tenant": tenant.slug}
    )
    assert login.status_code == 200, login.text
    token = login.cookies[SESSION_COOKIE]
    client.cookies.clear()  # each caller passes its own credentials explicitly
    headers = {"Cookie": f"{SESSION_COOKIE}={token}", CSRF_HEADER: login.json()["csrf_token"]}
    return UserSession(added.json()["user_id"], headers)
