from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from fleetyard.auth.dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Auth,
    AuthContext,
    current_user_session,
)
from fleetyard.auth.schemas import (
    LoginRequest,
    LoginResponse,
    Me,
    SwitchTenantRequest,
    TenantMembership,
)
from fleetyard.auth.service import AuthService
from fleetyard.config import Settings
from fleetyard.errors import CsrfFailed, InvalidCredentials, NotAuthenticated, NotFound, responses
from fleetyard.kit.ids import UserId
from fleetyard.kit.ratelimit import RateLimiter

router = APIRouter(prefix="/auth", tags=["auth"])
Context = Annotated[AuthContext, Depends(current_user_session)]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _me(auth: AuthService, context: AuthContext) -> Me:
    principal = context.principal
    if context.user_id is None:  # an API key
        assert principal is not None
        return Me(
            user_id=None,
            email=None,
            display_name=None,
            actor_type=principal.actor_type.value,
            tenant_id=principal.tenant_id,
            role=principal.role.value,
            memberships=[],
        )
    user = await auth.user(context.user_id)
    memberships = [
        TenantMembership(tenant_id=t.id, slug=t.slug, name=t.name, role=m.role)
        for m, t in await auth.memberships(context.user_id)
    ]
    return Me(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        actor_type="user",
        tenant_id=principal.tenant_id if principal else None,
        role=principal.role.value if principal else None,
        memberships=memberships,
    )


@router.post(
    "/login",
    response_model=LoginResponse,
    responses=responses(InvalidCredentials, NotFound),
)
async def login(
    body: LoginRequest, request: Request, response: Response, auth: Auth
) -> LoginResponse:
    """Email + password → an HTTP-only session cookie, plus a CSRF token to send back in the
    ``X-CSRF-Token`` header on every change. Limited per client IP."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit("login", _client_ip(request), settings.login_attempts_per_minute)
    ttl = timedelta(hours=settings.session_ttl_hours)
    new = await auth.login(body.email, body.password, body.tenant, ttl)
    cookie = {"httponly": True, "samesite": "lax", "secure": settings.cookie_secure, "path": "/"}
    max_age = int(ttl.total_seconds())
    response.set_cookie(SESSION_COOKIE, new.token, max_age=max_age, **cookie)  # type: ignore[arg-type]
    response.set_cookie(
        CSRF_COOKIE,
        new.csrf_token,
        max_age=max_age,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    principal, user_id = await auth.principal_from_session(new.token, None, needs_csrf=False)
    me = await _me(auth, AuthContext(principal, user_id, new.token))
    return LoginResponse(**me.model_dump(), csrf_token=new.csrf_token)


@router.post("/logout", status_code=204, responses=responses(CsrfFailed))
async def logout(context: Context, auth: Auth) -> Response:
    """End the browser session (API keys are revoked instead)."""
    if context.session_token is None:
        raise NotAuthenticated("Only browser sessions log out; revoke an API key instead.")
    await auth.logout(context.session_token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, responses=responses())
async def me(context: Context, auth: Auth) -> Me:
    """Who is logged in, the current tenant and role, and every tenant one may switch to."""
    return await _me(auth, context)


@router.post("/switch", response_model=Me, responses=responses(CsrfFailed, NotFound))
async def switch_tenant(body: SwitchTenantRequest, context: Context, auth: Auth) -> Me:
    """Make another of the user's tenants the current one for this session."""
    if context.session_token is None or context.user_id is None:
        raise NotAuthenticated("API keys belong to one tenant and cannot switch.")
    await auth.switch_tenant(context.session_token, UserId(context.user_id), body.tenant)
    principal, user_id = await auth.principal_from_session(
        context.session_token, None, needs_csrf=False
    )
    return await _me(auth, AuthContext(principal, user_id, context.session_token))
