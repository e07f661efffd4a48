"""Who may open a live connection: an API key (``Authorization: Bearer``, never in the URL)
or a browser session cookie from an allowed origin; in a tenant, with ``vehicles:read``."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from fleetyard.auth.dependencies import SESSION_COOKIE, api_key_grants, bearer_token
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.auth.service import AuthService
from fleetyard.config import Settings
from fleetyard.errors import NotAuthenticated, PermissionDenied
from fleetyard.kit.ratelimit import RateLimiter

_HTTP_SCHEME = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def check_origin(conn: HTTPConnection, settings: Settings) -> None:
    """A cookie rides along with any page's request: only our own pages (or ones the
    operator allowed) may use it for a live connection (cross-site WebSocket hijacking)."""
    origin = conn.headers.get("origin")
    if origin is None:
        return  # not a browser: it holds the cookie itself
    own = f"{_HTTP_SCHEME.get(conn.url.scheme, 'http')}://{conn.headers.get('host', '')}"
    allowed = {own.lower(), *(o.rstrip("/").lower() for o in settings.allowed_origins)}
    parts = urlsplit(origin)
    if f"{parts.scheme}://{parts.netloc}".lower() not in allowed:
        raise PermissionDenied(
            "This origin may not open a live connection.", details={"reason": "origin"}
        )


async def authenticate_live(conn: HTTPConnection) -> Principal:
    settings: Settings = conn.app.state.settings
    key = bearer_token(conn)
    async with conn.app.state.sessionmaker() as session:
        auth = AuthService(session, settings.secret_key, api_key_grants(conn))
        if key is not None:
            principal = await auth.principal_from_api_key(key)
        else:
            token = conn.cookies.get(SESSION_COOKIE)
            if not token:
                raise NotAuthenticated()
            check_origin(conn, settings)
            maybe, _ = await auth.principal_from_session(token, None, needs_csrf=False)
            if maybe is None:
                raise NotAuthenticated(
                    "Pick a tenant first (POST /api/v1/auth/switch).",
                    details={"reason": "no_tenant"},
                )
            principal = maybe
        await session.commit()
    limiter: RateLimiter = conn.app.state.rate_limiter
    await limiter.hit("tenant", str(principal.tenant_id), principal.api_requests_per_minute)
    if not principal.can(Permission.VEHICLES_READ):
        raise PermissionDenied(details={"required": Permission.VEHICLES_READ.value})
    return principal
