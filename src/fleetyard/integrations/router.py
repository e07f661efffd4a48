"""Integrations: a tenant's telematics clouds and brokers, their (write-only) credentials and
what the runner last saw of each."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.integrations.credentials import CredentialsUnreadable, ProviderUnavailable
from fleetyard.integrations.schemas import (
    Integration,
    IntegrationCheck,
    IntegrationCreate,
    IntegrationStatus,
    IntegrationUpdate,
)
from fleetyard.integrations.service import IntegrationService, IntegrationView
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.kit.sealing import Keyring, keyring_of

router = APIRouter(prefix="/integrations", tags=["integrations"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Manager = Annotated[Principal, Depends(require(Permission.INTEGRATIONS_MANAGE))]
Seals = Annotated[Keyring, Depends(keyring_of)]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def _read(view: IntegrationView) -> Integration:
    record = view.record
    return Integration(
        id=record.id,
        version=record.version,
        provider=record.provider,
        name=record.name,
        settings=record.settings,
        credentials_set=record.credential_fields,
        paused=record.paused,
        status=IntegrationStatus.model_validate(view.status) if view.status else None,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


@router.get("", response_model=Page[Integration], responses=responses(PermissionDenied))
async def list_integrations(
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[Integration]:
    """The tenant's connections, newest first, each with its status; never credentials."""
    service = IntegrationService(session, actor, keyring)
    items, next_cursor = await service.list(cursor=cursor, limit=limit)
    return Page[Integration](items=[_read(v) for v in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=Integration,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, LimitExceeded, AlreadyExists, ProviderUnavailable),
)
async def create_integration(
    body: IntegrationCreate, session: DbSession, actor: Manager, keyring: Seals
) -> Integration:
    """A new connection. ``settings`` and ``credentials`` are checked against the provider's
    own fields (422 naming the bad ones); credentials are stored sealed and never returned."""
    return _read(await IntegrationService(session, actor, keyring).create(body))


@router.get(
    "/{integration_id}",
    response_model=Integration,
    responses=responses(PermissionDenied, NotFound),
)
async def get_integration(
    integration_id: uuid.UUID, session: DbSession, actor: Manager, keyring: Seals
) -> Integration:
    return _read(await IntegrationService(session, actor, keyring).view(integration_id))


@router.patch(
    "/{integration_id}",
    response_model=Integration,
    responses=responses(
        PermissionDenied,
        NotFound,
        VersionConflict,
        AlreadyExists,
        PreconditionInvalid,
        ProviderUnavailable,
    ),
)
async def update_integration(
    integration_id: uuid.UUID,
    body: IntegrationUpdate,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    if_match: IfMatch,
) -> Integration:
    """Rename, change settings, replace the credentials, pause or resume."""
    service = IntegrationService(session, actor, keyring)
    return _read(await service.update(integration_id, body, if_match))


@router.delete(
    "/{integration_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, PreconditionInvalid),
)
async def delete_integration(
    integration_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    keyring: Seals,
    if_match: IfMatch,
) -> Response:
    """The connection, its status and cursor; the positions it brought in stay."""
    await IntegrationService(session, actor, keyring).delete(integration_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{integration_id}/test",
    response_model=IntegrationCheck,
    responses=responses(PermissionDenied, NotFound, CredentialsUnreadable, ProviderUnavailable),
)
async def test_integration(
    integration_id: uuid.UUID, session: DbSession, actor: Manager, keyring: Seals
) -> IntegrationCheck:
    """Ask the vendor with the stored credentials: ``ok`` with the vehicles it counts, or
    ``ok: false`` with its problem (``credentials_rejected``, ``rate_limited``,
    ``unavailable``, ``bad_response``) in plain words."""
    return await IntegrationService(session, actor, keyring).check(integration_id)
