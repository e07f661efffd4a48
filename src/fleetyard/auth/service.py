"""Login, logout, tenant switching and turning a credential into a Principal."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.grants import ApiKeyGrants
from fleetyard.auth.principal import ActorType, Principal, VehicleLimit
from fleetyard.auth.repository import ApiKeyGrant, AuthRepository
from fleetyard.auth.roles import Role
from fleetyard.auth.secrets import API_KEY_PREFIX, digest, new_token, verify_password
from fleetyard.db import set_tenant
from fleetyard.errors import CsrfFailed, InvalidCredentials, NotAuthenticated, NotFound
from fleetyard.kit.ids import TenantId, UserId
from fleetyard.models import Membership, Tenant, User


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf_token: str
    user: User
    tenant_id: uuid.UUID | None


class AuthService:
    def __init__(
        self, session: AsyncSession, secret_key: str, grants: ApiKeyGrants | None = None
    ) -> None:
        self.session = session
        self.repo = AuthRepository(session)
        self._secret = secret_key.encode()
        # the process's cache of resolved keys; without one, every request looks its key up
        self.grants = grants if grants is not None else ApiKeyGrants(ttl_s=0)

    def _session_digest(self, token: str) -> str:
        """Session and CSRF tokens are stored as HMACs under SECRET_KEY: a leaked table can't
        be replayed, and rotating the key logs everyone out."""
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()

    async def login(
        self, email: str, password: str, tenant_slug: str | None, ttl: timedelta
    ) -> NewSession:
        user = await self.repo.get_user_by_email(email)
        valid = verify_password(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            raise InvalidCredentials()
        memberships = await self.repo.list_memberships(user.id)
        tenant_id = _pick_tenant(memberships, tenant_slug)
        token, csrf = new_token(), new_token()
        await self.repo.create_session(
            self._session_digest(token), user.id, tenant_id, self._session_digest(csrf), ttl
        )
        return NewSession(token, csrf, user, tenant_id)

    async def logout(self, token: str) -> None:
        await self.repo.delete_session(self._session_digest(token))

    async def switch_tenant(self, token: str, user_id: UserId, tenant_slug: str) -> uuid.UUID:
        memberships = await self.repo.list_memberships(user_id)
        tenant_id = _pick_tenant(memberships, tenant_slug)
        assert tenant_id is not None
        await self.repo.set_session_tenant(self._session_digest(token), tenant_id)
        return tenant_id

    async def memberships(self, user_id: UserId) -> list[tuple[Membership, Tenant]]:
        return await self.repo.list_memberships(user_id)

    async def user(self, user_id: UserId) -> User:
        user = await self.repo.get_user(user_id)
        if user is None:
            raise NotAuthenticated()
        return user

    async def principal_from_api_key(self, key: str) -> Principal:
        if not key.startswith(API_KEY_PREFIX) or len(key) > 200:
            raise NotAuthenticated("The API key is not valid.")
        key_hash = digest(key)
        grant = self.grants.get(key_hash) or await self._look_up_api_key(key_hash)
        tenant_id = TenantId(grant.tenant_id)
        await set_tenant(self.session, tenant_id)
        if self.grants.should_touch(key_hash):
            await self.repo.touch_api_key(grant.tenant_id, grant.key_id)
        return Principal(
            tenant_id=tenant_id,
            role=Role(grant.role),
            actor_type=ActorType.API_KEY,
            actor_id=grant.key_id,
            api_requests_per_minute=grant.api_requests_per_minute,
            vehicle_limit=VehicleLimit(grant.max_vehicles),
        )

    async def _look_up_api_key(self, key_hash: str) -> ApiKeyGrant:
        stamp = self.grants.stamp()
        grant = await self.repo.get_api_key_grant(key_hash)
        if grant is None:
            raise NotAuthenticated("The API key is not valid, revoked or expired.")
        self.grants.put(key_hash, grant, stamp)
        return grant

    async def principal_from_session(
        self, token: str, csrf_token: str | None, needs_csrf: bool
    ) -> tuple[Principal | None, UserId]:
        """The session's user and, when it has picked a tenant, its principal there."""
        grant = await self.repo.get_live_session(self._session_digest(token))
        if grant is None:
            raise NotAuthenticated("The session has expired; log in again.")
        if needs_csrf and not (
            csrf_token and hmac.compare_digest(self._session_digest(csrf_token), grant.csrf_hash)
        ):
            raise CsrfFailed()
        user_id = UserId(grant.user_id)
        if grant.tenant_id is None:
            return None, user_id
        membership = await self.repo.enter_membership(grant.user_id, grant.tenant_id)
        if membership is None:  # removed from the tenant since logging in
            return None, user_id
        tenant_id = TenantId(grant.tenant_id)  # and the transaction is scoped to it
        role, per_minute, max_vehicles = membership
        principal = Principal(
            tenant_id=tenant_id,
            role=Role(role),
            actor_type=ActorType.USER,
            actor_id=grant.user_id,
            user_id=user_id,
            api_requests_per_minute=per_minute,
            vehicle_limit=VehicleLimit(max_vehicles),
        )
        return principal, user_id


def _pick_tenant(
    memberships: list[tuple[Membership, Tenant]], tenant_slug: str | None
) -> uuid.UUID | None:
    if tenant_slug is None:
        # One tenant: pick it. Several: the first by name; the client may switch.
        return memberships[0][1].id if memberships else None
    for _, tenant in memberships:
        if tenant.slug == tenant_slug:
            return tenant.id
    raise NotFound("You are not a member of that tenant.", details={"tenant": tenant_slug})
