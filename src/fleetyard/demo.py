"""The demo tenant that `make run` starts with (idempotent: a second run reuses it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.errors import NotFound
from fleetyard.kit.ids import TenantId
from fleetyard.members.repository import MemberRepository
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.tenants.schemas import TenantCreate
from fleetyard.tenants.service import TenantService

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.fleetyard.dev"
DEMO_PASSWORD = "fleetyard-demo"  # noqa: S105 - printed to the person who ran `make run`


@dataclass(frozen=True)
class DemoLogin:
    tenant_slug: str
    email: str
    password: str


async def ensure_demo_tenant(session: AsyncSession) -> DemoLogin:
    tenants = TenantService(session)
    try:
        tenant = await tenants.get_by_slug(DEMO_SLUG)
    except NotFound:
        tenant = await tenants.create(TenantCreate(slug=DEMO_SLUG, name="Demo Fleet"))
    tenant_id = TenantId(tenant.id)
    await set_tenant(session, tenant_id)
    system = Principal.system(tenant_id)
    repo = MemberRepository(session, tenant_id)
    user = await repo.get_user_by_email(DEMO_EMAIL)
    if user is None or await repo.get(user.id) is None:
        await MemberService(session, system).add(
            MemberCreate(email=DEMO_EMAIL, role=Role.OWNER, password=DEMO_PASSWORD)
        )
    return DemoLogin(DEMO_SLUG, DEMO_EMAIL, DEMO_PASSWORD)
