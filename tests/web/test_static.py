"""The built web app at ``/``: files, SPA fallback, cache headers, and a missing build."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fleetyard.app import create_app
from fleetyard.config import Settings
from fleetyard.db import Database

INDEX = "<!doctype html><title>Fleetyard</title><div id=root></div>"
ASSET = "console.log('fleetyard')"


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-AbC123.js").write_text(ASSET)
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    # What web/scripts/compress.mjs writes beside a file (marked, to tell which one went out)
    (dist / "assets" / "index-AbC123.js.br").write_bytes(b"brotli bytes")
    (dist / "assets" / "index-AbC123.js.gz").write_bytes(gzip.compress(b"gzip " + ASSET.encode()))
    (dist / "index.html.gz").write_bytes(gzip.compress(INDEX.encode()))
    (tmp_path / "secret.txt").write_text("outside the build")
    return dist


async def _client(
    settings: Settings, database: Database, web_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"web_dir": web_dir}), database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def web(
    settings: Settings, rolled_back_db: Database, web_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(settings, rolled_back_db, web_dir):
        yield http


@pytest.fixture
async def unbuilt(
    settings: Settings, rolled_back_db: Database, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(settings, rolled_back_db, tmp_path / "no-build"):
        yield http


async def test_root_serves_index_without_caching(web: httpx.AsyncClient) -> None:
    response = await web.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/index-AbC123.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.text == ASSET
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("accept", "encoding", "first_bytes"),
    [
        ("br, gzip", "br", b"brotli bytes"),
        ("gzip;q=1, br;q=0", "gzip", b"\x1f\x8b"),
        ("*", "br", b"brotli bytes"),
        ("identity", None, ASSET.encode()),
        ("", None, ASSET.encode()),
    ],
)
async def test_assets_go_out_precompressed_as_the_client_accepts(
    web: httpx.AsyncClient, accept: str, encoding: str | None, first_bytes: bytes
) -> None:
    async with web.stream(
        "GET", "/assets/index-AbC123.js", headers={"Accept-Encoding": accept}
    ) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == encoding
    assert "javascript" in response.headers["content-type"]  # the file's type, not .br's
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(raw)
    assert raw.startswith(first_bytes)


async def test_the_app_page_goes_out_gzipped(web: httpx.AsyncClient) -> None:
    response = await web.get("/vehicles", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == INDEX


@pytest.mark.parametrize("path", ["/assets/index-AbC123.js.br", "/assets/index-AbC123.js.gz"])
async def test_compressed_siblings_are_not_served_by_name(
    web: httpx.AsyncClient, path: str
) -> None:
    response = await web.get(path)
    assert response.status_code == 404


async def test_pages_and_files_carry_the_security_headers(web: httpx.AsyncClient) -> None:
    for path in ("/", "/map", "/assets/index-AbC123.js", "/favicon.svg"):
        # identity: the fixture's .br sibling is not real brotli, and httpx decodes br
        # whenever the brotli module happens to be installed
        headers = (await web.get(path, headers={"Accept-Encoding": "identity"})).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert "connect-src 'self';" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


async def test_a_production_map_origin_may_be_connected_to(
    settings: Settings, rolled_back_db: Database, web_dir: Path
) -> None:
    production = settings.model_copy(
        update={"map_style_url": "https://tiles.example.com/styles/streets/style.json"}
    )
    async for http in _client(production, rolled_back_db, web_dir):
        policy = (await http.get("/")).headers["content-security-policy"]
        assert "connect-src 'self' https://tiles.example.com;" in policy


async def test_large_api_answers_are_gzipped(web: httpx.AsyncClient) -> None:
    response = await web.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["openapi"].startswith("3.")


async def test_unhashed_files_are_revalidated(web: httpx.AsyncClient) -> None:
    response = await web.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/vehicles", "/vehicles/0190d3a4-0000-7000-8000-000000000000", "/settings/"]
)
async def test_app_routes_fall_back_to_index(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


async def test_head_is_answered(web: httpx.AsyncClient) -> None:
    response = await web.head("/vehicles")
    assert response.status_code == 200


async def test_a_missing_asset_is_a_404_not_the_app(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/index-Old999.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"]
)
async def test_files_outside_the_build_are_never_served(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert "outside the build" not in response.text


@pytest.mark.parametrize("path", ["/%00", "/assets/a%00.js", "/" + "x" * 5000])
async def test_impossible_file_names_are_the_app_or_a_404(
    web: httpx.AsyncClient, path: str
) -> None:
    response = await web.get(path)
    assert response.status_code in (200, 404)
    assert response.status_code == 404 or response.text == INDEX


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_unknown_api_paths_keep_their_json_404(web: httpx.AsyncClient, method: str) -> None:
    response = await web.request(method, "/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_api_and_operations_routes_still_answer(web: httpx.AsyncClient) -> None:
    assert (await web.get("/api/v1/auth/me")).status_code == 401
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    assert (await web.get("/openapi.json")).status_code == 200
    assert (await web.get("/api")).status_code == 404


async def test_web_app_is_not_in_the_api_schema(web: httpx.AsyncClient) -> None:
    paths = (await web.get("/openapi.json")).json()["paths"]
    served = ("/api/", "/basemap/")  # the API, and the offline basemap's files
    assert all(path.startswith(served) or path in {"/healthz", "/readyz"} for path in paths)


async def test_without_a_build_root_says_how_to_build(unbuilt: httpx.AsyncClient) -> None:
    for path in ("/", "/vehicles"):
        response = await unbuilt.get(path)
        assert response.status_code == 200
        assert "npm --prefix web run build" in response.text
        assert response.headers["cache-control"] == "no-cache"


def test_the_default_web_dir_is_the_checkouts_build() -> None:
    default = Settings().web_dir
    assert default.parts[-2:] == ("web", "dist")
    assert (default.parent / "package.json").is_file()
