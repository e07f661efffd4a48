"""Groups: depots, regions and teams."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.groups.schemas import Group, GroupCreate, GroupKind, GroupUpdate
from fleetyard.groups.service import GroupFilters, GroupService
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/groups", tags=["groups"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.GROUPS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.GROUPS_WRITE))]


@router.get("", response_model=Page[Group], responses=responses(PermissionDenied))
async def list_groups(
    session: DbSession,
    actor: Reader,
    kind: GroupKind | None = None,
    parent_id: uuid.UUID | None = None,
    sort: Annotated[
        str, Query(max_length=32, description="name, created_at, updated_at or id; '-' descends")
    ] = "name",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Group]:
    """Groups with the number of vehicles in each; a depot may carry its location."""
    filters = GroupFilters(kind=kind.value if kind else None, parent_id=parent_id)
    service = GroupService(session, actor)
    items, next_cursor = await service.list(filters, sort=sort, cursor=cursor, limit=limit)
    return Page[Group](items=await service.with_counts(items), next_cursor=next_cursor)


@router.post(
    "",
    response_model=Group,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, Conflict),
)
async def create_group(body: GroupCreate, session: DbSession, actor: Writer) -> Group:
    """A location is optional: latitude and longitude together, radius_m 20-5000 m (default
    100 m when only the point is given)."""
    service = GroupService(session, actor)
    return (await service.with_counts([await service.create(body)]))[0]


@router.get("/{group_id}", response_model=Group, responses=responses(PermissionDenied, NotFound))
async def get_group(group_id: uuid.UUID, session: DbSession, actor: Reader) -> Group:
    service = GroupService(session, actor)
    return (await service.with_counts([await service.get(group_id)]))[0]


@router.patch(
    "/{group_id}",
    response_model=Group,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, AlreadyExists, Conflict, PreconditionInvalid
    ),
)
async def update_group(
    group_id: uuid.UUID, body: GroupUpdate, session: DbSession, actor: Writer, if_match: IfMatch
) -> Group:
    """Moving a group under itself or one of its own subgroups is refused (422, with the
    cycle in details); sending null latitude and longitude clears the location."""
    service = GroupService(session, actor)
    return (await service.with_counts([await service.update(group_id, body, if_match)]))[0]


@router.delete(
    "/{group_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, Conflict, PreconditionInvalid),
)
async def delete_group(
    group_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    """Child groups become top-level groups; the group's vehicles and drivers are kept, with
    no group. Nothing else is deleted."""
    await GroupService(session, actor).delete(group_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
