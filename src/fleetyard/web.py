"""The web app's static files at ``/``: hashed assets cached for a year, ``index.html`` never.

Any path that is not an API route or a file (``/vehicles/…`` opened from a bookmark) answers
``index.html`` so the single-page app routes it. Without a build, ``/`` says how to make one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from fleetyard.errors import NotFound
from fleetyard.kit.static import ENCODINGS, precompressed_response

# Vite puts every content-hashed file under assets/: a new build means new names.
HASHED_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleetyard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<main><h1>Fleetyard</h1>
<p>The API is running, but the web app has not been built yet. Build it with:</p>
<pre>npm --prefix web ci
npm --prefix web run build</pre>
<p>or point <code>FLEETYARD_WEB_DIR</code> at a built <code>dist</code> folder.
The API is at <a href="/docs">/docs</a>.</p></main></body></html>
"""


# Every script, style, worker and connection comes from this origin (MapLibre starts its
# worker from a blob: URL). Images may come from elsewhere: a tenant's logo is a URL.
_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; "
    "font-src 'self' data:; connect-src 'self'{extra}; manifest-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), payment=(), usb=()",
}


def security_headers(map_style_url: str | None = None) -> dict[str, str]:
    """The headers every web app response carries; a production map's style URL on another
    origin is let through ``connect-src`` (its tiles and glyphs usually live beside it)."""
    extra = ""
    if map_style_url:
        parts = urlsplit(map_style_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            extra = f" {parts.scheme}://{parts.netloc}"
    return {
        **_SECURITY_HEADERS,
        "Content-Security-Policy": _CONTENT_SECURITY_POLICY.format(extra=extra),
    }


class WebPath(Convertor[str]):
    """Any path outside ``/api``: API paths never reach the web app, so an unknown one keeps
    its JSON 404 (or 405) whatever its method."""

    regex = r"(?!api(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("webpath", WebPath())


def _resolve(web_dir: Path, path: str) -> Path | None:
    """The file for ``path`` inside ``web_dir``, or None (missing, a folder, outside it, or a
    precompressed sibling asked for by name: those go out only with their encoding header)."""
    if path.endswith(tuple(suffix for _, suffix in ENCODINGS)):
        return None
    try:
        candidate = (web_dir / path).resolve()
        if not candidate.is_relative_to(web_dir) or not candidate.is_file():
            return None
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system
        return None
    return candidate


def mount_web(app: FastAPI, web_dir: Path, map_style_url: str | None = None) -> None:
    """Serve the built app from ``web_dir``; call after every other route is added."""
    root = web_dir.resolve()
    secure = security_headers(map_style_url)
    revalidated = {**secure, "Cache-Control": REVALIDATE}
    immutable = {**secure, "Cache-Control": IMMUTABLE}

    @app.api_route("/{path:webpath}", methods=["GET", "HEAD"], include_in_schema=False)
    async def web_app(path: str, request: Request) -> Response:
        index = _resolve(root, "index.html")
        if index is None:
            return HTMLResponse(NOT_BUILT, headers=revalidated)
        found = _resolve(root, path) if path else None
        if found is not None and found != index:
            hashed = path.startswith(f"{HASHED_DIR}/")
            return precompressed_response(
                request, found, headers=immutable if hashed else revalidated
            )
        if path.startswith(f"{HASHED_DIR}/"):  # an old build's asset: HTML here would mislead
            raise NotFound()
        return precompressed_response(request, index, headers=revalidated)
