"""``/docs`` (Swagger UI), ``/redoc`` (ReDoc) and their files under ``/docs/assets``.

FastAPI's own pages load their scripts from a CDN and start them with an inline script; these
load everything from this origin and start from a script file, under the web app's CSP.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from fleetyard.apidocs.assets import (
    ASSETS_TAG,
    FAVICON,
    REDOC_INIT,
    REDOC_JS,
    SWAGGER_CSS,
    SWAGGER_INIT,
    SWAGGER_JS,
    is_asset,
    load_asset,
)
from fleetyard.errors import NotFound
from fleetyard.kit.static import accepted_encodings
from fleetyard.web import IMMUTABLE, REVALIDATE, security_headers

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = f"{DOCS_PATH}/assets"

router = APIRouter(include_in_schema=False)

_SECURE = security_headers()
_PAGE_HEADERS = {**_SECURE, "Cache-Control": REVALIDATE}
_ASSET_HEADERS = {**_SECURE, "Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{favicon}">
{head}<style>body {{ margin: 0; }}</style>
</head>
<body>
<div id="{root_id}" data-spec-url="{spec_url}"></div>
{scripts}
</body>
</html>
"""


def _asset_url(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{ASSETS_PATH}/{ASSETS_TAG}/{name}"


def _page(
    request: Request, title: str, root_id: str, scripts: list[str], styles: list[str]
) -> HTMLResponse:
    openapi_url = request.app.openapi_url
    if openapi_url is None:  # the schema is switched off: nothing to show
        raise NotFound()
    html = _PAGE.format(
        title=escape(f"{request.app.title} API · {title}"),
        favicon=escape(_asset_url(request, FAVICON)),
        head="".join(
            f'<link rel="stylesheet" href="{escape(_asset_url(request, name))}">\n'
            for name in styles
        ),
        root_id=root_id,
        spec_url=escape(f"{request.scope.get('root_path', '')}{openapi_url}"),
        scripts="\n".join(
            f'<script src="{escape(_asset_url(request, name))}"></script>' for name in scripts
        ),
    )
    return HTMLResponse(html, headers=_PAGE_HEADERS)


@router.api_route(DOCS_PATH, methods=["GET", "HEAD"])
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: every route, with "Try it out"."""
    return _page(request, "Swagger UI", "swagger-ui", [SWAGGER_JS, SWAGGER_INIT], [SWAGGER_CSS])


@router.api_route(REDOC_PATH, methods=["GET", "HEAD"])
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc: the same schema as one readable page."""
    return _page(request, "ReDoc", "redoc", [REDOC_JS, REDOC_INIT], [])


@router.api_route(f"{ASSETS_PATH}/{{path:path}}", methods=["GET", "HEAD"])
async def docs_asset(path: str, request: Request) -> Response:
    """A docs page's file, at ``<tag>/<name>``; another tag is an older release's, gone like
    its build. Every path under here answers, so none falls through to the web app's HTML."""
    tag, _, name = path.partition("/")
    if tag != ASSETS_TAG or not is_asset(name):
        raise NotFound()
    asset = await run_in_threadpool(load_asset, name)
    if "gzip" in accepted_encodings(request.headers.get("accept-encoding", "")):
        headers = {**_ASSET_HEADERS, "Content-Encoding": "gzip"}
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=_ASSET_HEADERS)
