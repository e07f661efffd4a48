from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    responses,
)
from fleetyard.members.schemas import Member, MemberCreate, MemberUpdate
from fleetyard.members.service import MemberService

router = APIRouter(prefix="/members", tags=["members"])
Reader = Annotated[Principal, Depends(require(Permission.MEMBERS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.MEMBERS_MANAGE))]


@router.get("", response_model=list[Member], responses=responses(PermissionDenied))
async def list_members(session: DbSession, actor: Reader) -> list[Member]:
    return await MemberService(session, actor).list()


@router.post(
    "",
    response_model=Member,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, LimitExceeded),
)
async def add_member(body: MemberCreate, session: DbSession, actor: Manager) -> Member:
    return await MemberService(session, actor).add(body)


@router.get("/{user_id}", response_model=Member, responses=responses(PermissionDenied, NotFound))
async def get_member(user_id: uuid.UUID, session: DbSession, actor: Reader) -> Member:
    return await MemberService(session, actor).get(user_id)


@router.patch(
    "/{user_id}",
    response_model=Member,
    responses=responses(PermissionDenied, NotFound, Conflict),
)
async def update_member(
    user_id: uuid.UUID, body: MemberUpdate, session: DbSession, actor: Manager
) -> Member:
    return await MemberService(session, actor).update_role(user_id, body.role)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, Conflict),
)
async def remove_member(user_id: uuid.UUID, session: DbSession, actor: Manager) -> Response:
    await MemberService(session, actor).remove(user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
