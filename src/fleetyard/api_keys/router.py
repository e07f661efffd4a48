from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from fleetyard.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from fleetyard.api_keys.service import ApiKeyService
from fleetyard.auth.dependencies import DbSession, api_key_grants, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, responses

router = APIRouter(prefix="/api-keys", tags=["api keys"])
Manager = Annotated[Principal, Depends(require(Permission.API_KEYS_MANAGE))]


@router.get("", response_model=list[ApiKeyRead], responses=responses(PermissionDenied))
async def list_api_keys(session: DbSession, actor: Manager) -> list[ApiKeyRead]:
    """Every key of the tenant, revoked ones included; never the key itself."""
    return [ApiKeyRead.model_validate(k) for k in await ApiKeyService(session, actor).list()]


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied),
)
async def create_api_key(body: ApiKeyCreate, session: DbSession, actor: Manager) -> ApiKeyCreated:
    """A new key for an integration. ``key`` is in this response only; store it now."""
    record, key = await ApiKeyService(session, actor).create(body.name, body.role, body.expires_at)
    return ApiKeyCreated(**ApiKeyRead.model_validate(record).model_dump(), key=key)


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound),
)
async def revoke_api_key(
    key_id: uuid.UUID, request: Request, session: DbSession, actor: Manager
) -> Response:
    """Revoke a key: it stops working at once and stays listed for the audit trail."""
    await ApiKeyService(session, actor, api_key_grants(request).invalidate).revoke(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
