from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import AlreadyExists, NotFound
from fleetyard.events.service import EventLog
from fleetyard.kit.ids import TenantId
from fleetyard.models import Tenant
from fleetyard.tenants.repository import TenantRepository
from fleetyard.tenants.schemas import TenantCreate, TenantUpdate, tenant_out


class TenantService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = TenantRepository(session)

    async def create(self, data: TenantCreate) -> Tenant:
        """Platform operation (CLI): a new organisation."""
        if await self.repo.get_by_slug(data.slug) is not None:
            raise AlreadyExists("A tenant with this slug exists.", details={"field": "slug"})
        return await self.repo.add(
            slug=data.slug,
            name=data.name,
            features=data.features,
            **data.limits.model_dump(),
            primary_color=data.branding.primary_color,
            logo_url=str(data.branding.logo_url) if data.branding.logo_url else None,
            time_zone=data.time_zone,
        )

    async def get(self, tenant_id: TenantId) -> Tenant:
        tenant = await self.repo.get(tenant_id)
        if tenant is None:
            raise NotFound("No such tenant.")
        return tenant

    async def get_by_slug(self, slug: str) -> Tenant:
        tenant = await self.repo.get_by_slug(slug)
        if tenant is None:
            raise NotFound("No such tenant.", details={"slug": slug})
        return tenant

    async def update(self, actor: Principal, data: TenantUpdate) -> Tenant:
        tenant = await self.get(actor.tenant_id)
        before = tenant_out(tenant).model_dump(mode="json")
        if data.name is not None:
            tenant.name = data.name
        if data.time_zone is not None:
            tenant.time_zone = data.time_zone
        if data.currency is not None:
            tenant.currency = data.currency
        if data.branding is not None:
            sent = data.branding.model_fields_set
            if "primary_color" in sent:
                tenant.primary_color = data.branding.primary_color
            if "logo_url" in sent:
                logo = data.branding.logo_url
                tenant.logo_url = str(logo) if logo else None
        tenant.updated_at = func.now()
        await self.session.flush()
        await self.session.refresh(tenant)
        after = tenant_out(tenant).model_dump(mode="json")
        EventLog(self.session, actor).record("tenant", "updated", tenant.id, before, after)
        return tenant
