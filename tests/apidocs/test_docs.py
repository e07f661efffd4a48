"""/docs and /redoc: pages that load only this origin's files, under the web app's CSP."""

from __future__ import annotations

import re

import httpx
import pytest

from fleetyard.apidocs.assets import ASSETS_TAG
from fleetyard.app import Role, create_app
from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.web import security_headers

PAGES = ["/docs", "/redoc"]
CSP = security_headers()["Content-Security-Policy"]

_REFERENCES = re.compile(r'(?:src|href|data-spec-url)="([^"]*)"')


def references(html: str) -> list[str]:
    return _REFERENCES.findall(html)


@pytest.mark.parametrize("path", PAGES)
async def test_page_loads_only_same_origin_files_under_the_csp(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    assert "cdn.jsdelivr.net" not in html
    assert "http://" not in html
    assert "https://" not in html
    refs = references(html)
    assert refs, "the page loads its files"
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in refs), refs
    # No inline script: every <script> has a src (the CSP would refuse the others).
    assert re.findall(r"<script[^>]*>", html) == re.findall(r"<script src=\"[^\"]+\">", html)
    assert 'data-spec-url="/openapi.json"' in html


async def test_docs_page_loads_swagger_ui_and_its_start_up_script(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/docs")).text
    assets = f"/docs/assets/{ASSETS_TAG}/"
    for name in ("swagger-ui-bundle.js", "swagger-init.js", "swagger-ui.css", "favicon.png"):
        assert f'"{assets}{name}"' in html


async def test_redoc_page_loads_redoc_and_its_start_up_script(client: httpx.AsyncClient) -> None:
    html = (await client.get("/redoc")).text
    assets = f"/docs/assets/{ASSETS_TAG}/"
    for name in ("redoc.standalone.js", "redoc-init.js", "favicon.png"):
        assert f'"{assets}{name}"' in html


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "text/css; charset=utf-8"),
        ("swagger-init.js", "text/javascript; charset=utf-8"),
        ("redoc.standalone.js", "text/javascript; charset=utf-8"),
        ("redoc-init.js", "text/javascript; charset=utf-8"),
        ("favicon.png", "image/png"),
    ],
)
async def test_assets_are_served_cached_for_a_year(
    client: httpx.AsyncClient, name: str, content_type: str
) -> None:
    response = await client.get(f"/docs/assets/{ASSETS_TAG}/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.content) > 100


async def test_assets_go_out_gzipped_when_accepted(client: httpx.AsyncClient) -> None:
    url = f"/docs/assets/{ASSETS_TAG}/swagger-ui-bundle.js"
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    packed = await client.get(url, headers={"Accept-Encoding": "gzip"})

    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.content == plain.content  # httpx decoded it: the same file
    assert b"SwaggerUIBundle" in plain.content


async def test_redoc_asks_no_other_origin_for_images(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"/docs/assets/{ASSETS_TAG}/redoc.standalone.js")).text

    assert "Redoc" in body
    assert "cdn.redoc.ly" not in body


async def test_swagger_start_up_uses_no_online_validator(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"/docs/assets/{ASSETS_TAG}/swagger-init.js")).text

    assert "validatorUrl: null" in body
    assert "X-CSRF-Token" in body


@pytest.mark.parametrize(
    "path",
    [
        "/docs/assets/0.0.0-old/swagger-ui-bundle.js",  # an older release's tag
        f"/docs/assets/{ASSETS_TAG}/core.py",  # not one of the docs' files
        f"/docs/assets/{ASSETS_TAG}/..%2Fcore.py",
        f"/docs/assets/{ASSETS_TAG}/",
        f"/docs/assets/{ASSETS_TAG}/swagger-init.js/more",
        "/docs/assets/",
    ],
)
async def test_unknown_assets_are_json_404s(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_docs_are_not_in_the_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert not [path for path in schema["paths"] if path.startswith(("/docs", "/redoc"))]


async def test_an_api_only_node_serves_the_docs(
    settings: Settings, rolled_back_db: Database
) -> None:
    app = create_app(settings, database=rolled_back_db, role=Role.API)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/docs")
        asset = await http.get(f"/docs/assets/{ASSETS_TAG}/swagger-init.js")

    assert page.status_code == 200
    assert "swagger-ui" in page.text
    assert asset.status_code == 200


async def test_pages_follow_the_root_path(settings: Settings, rolled_back_db: Database) -> None:
    app = create_app(settings, database=rolled_back_db)
    transport = httpx.ASGITransport(app=app, root_path="/fleet")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        html = (await http.get("/fleet/docs")).text

    assert f'src="/fleet/docs/assets/{ASSETS_TAG}/swagger-init.js"' in html
    assert 'data-spec-url="/fleet/openapi.json"' in html
