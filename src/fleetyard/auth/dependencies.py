"""Request dependencies: the DB session, the caller, permission checks and idempotency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from fleetyard.auth.grants import ApiKeyGrants
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.auth.service import AuthService
from fleetyard.errors import NotAuthenticated, PermissionDenied
from fleetyard.kit import idempotency
from fleetyard.kit.ids import UserId
from fleetyard.kit.ratelimit import RateLimiter
from fleetyard.kit.transaction import IDEMPOTENCY_KEY, SESSION_KEY

SESSION_COOKIE = "fy_session"
CSRF_COOKIE = "fy_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class AuthContext:
    """A caller before tenant checks: API keys always have a tenant, sessions may not yet."""

    principal: Principal | None
    user_id: UserId | None
    session_token: str | None


async def get_db(request: Request) -> AsyncSession:
    session: AsyncSession = getattr(request.state, SESSION_KEY)
    return session


DbSession = Annotated[AsyncSession, Depends(get_db)]


def api_key_grants(request: HTTPConnection) -> ApiKeyGrants:
    """The app's cache of resolved API keys (made on first use)."""
    state = request.app.state
    grants: ApiKeyGrants | None = getattr(state, "api_key_grants", None)
    if grants is None:
        grants = state.api_key_grants = ApiKeyGrants()
    return grants


async def get_auth_service(request: Request, session: DbSession) -> AuthService:
    return AuthService(session, request.app.state.settings.secret_key, api_key_grants(request))


Auth = Annotated[AuthService, Depends(get_auth_service)]


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Use 'Authorization: Bearer <api key>'.")
    return token.strip()


async def current_user_session(request: Request, auth: Auth) -> AuthContext:
    """Who is calling, whether or not a tenant has been chosen yet (for /auth routes)."""
    key = bearer_token(request)
    if key is not None:
        principal = await auth.principal_from_api_key(key)
        request.state.principal = principal
        return AuthContext(principal, None, None)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated()
    maybe_principal, user_id = await auth.principal_from_session(
        token, request.headers.get(CSRF_HEADER), request.method not in SAFE_METHODS
    )
    request.state.principal = maybe_principal
    return AuthContext(maybe_principal, user_id, token)


async def current_principal(
    request: Request, context: Annotated[AuthContext, Depends(current_user_session)]
) -> Principal:
    principal = context.principal
    if principal is None:
        raise NotAuthenticated(
            "Pick a tenant first (POST /api/v1/auth/switch).", details={"reason": "no_tenant"}
        )
    structlog.contextvars.bind_contextvars(tenant_id=str(principal.tenant_id))
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit("tenant", str(principal.tenant_id), principal.api_requests_per_minute)
    return principal


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller, checked for ``permission``; unsafe methods become idempotent."""

    async def dependency(
        request: Request,
        session: DbSession,
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if not principal.can(permission):
            raise PermissionDenied(details={"required": permission.value})
        key = request.headers.get("idempotency-key")
        if key is not None and request.method not in SAFE_METHODS:
            fingerprint = idempotency.request_fingerprint(
                f"{principal.actor_type}:{principal.actor_id}",
                request.method,
                request.url.path,
                request.url.query,
                await request.body(),
            )
            pending = await idempotency.claim(
                session, principal.tenant_id, idempotency.validate_key(key), fingerprint
            )
            setattr(request.state, IDEMPOTENCY_KEY, pending)
        return principal

    dependency.__name__ = f"require_{permission.value.replace(':', '_')}"
    dependency.permission = permission  # type: ignore[attr-defined]  # read by tests and docs
    return dependency
