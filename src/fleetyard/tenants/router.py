from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import PermissionDenied, responses
from fleetyard.tenants.schemas import TenantRead, TenantUpdate, tenant_out
from fleetyard.tenants.service import TenantService

router = APIRouter(prefix="/tenant", tags=["tenant"])


@router.get("", response_model=TenantRead, responses=responses(PermissionDenied))
async def get_tenant(
    session: DbSession, actor: Annotated[Principal, Depends(require(Permission.TENANT_READ))]
) -> TenantRead:
    """The current tenant: name, features, plan limits and branding."""
    return tenant_out(await TenantService(session).get(actor.tenant_id))


@router.patch("", response_model=TenantRead, responses=responses(PermissionDenied))
async def update_tenant(
    body: TenantUpdate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))],
) -> TenantRead:
    """Rename the tenant, change its branding (colour, logo) or its time zone."""
    return tenant_out(await TenantService(session).update(actor, body))
