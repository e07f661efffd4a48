"""The web app's API client is generated from the app's schema and must not drift from it.

``web/src/lib/api/openapi.json`` is the app's ``/openapi.json`` as committed, and
``schema.d.ts`` (the TypeScript types) is stamped with that file's sha256 by
``npm --prefix web run api:generate``. When the API changes, regenerate both and commit.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx

from fleetyard.openapi import openapi_json, openapi_schema

API_DIR = Path(__file__).resolve().parents[2] / "web" / "src" / "lib" / "api"
REGENERATE = "run `npm --prefix web run api:generate` and commit the result"


def test_committed_schema_is_the_apps_current_schema() -> None:
    committed = (API_DIR / "openapi.json").read_text(encoding="utf-8")
    assert json.loads(committed) == openapi_schema(), f"openapi.json is stale: {REGENERATE}"
    assert committed == openapi_json(), f"openapi.json is not as generated: {REGENERATE}"


def test_generated_types_come_from_the_committed_schema() -> None:
    schema = (API_DIR / "openapi.json").read_bytes()
    header = (API_DIR / "schema.d.ts").read_text(encoding="utf-8")[:400]
    stamp = re.search(r"openapi\.json sha256: ([0-9a-f]{64})", header)
    assert stamp is not None, f"schema.d.ts has no schema stamp: {REGENERATE}"
    assert stamp.group(1) == hashlib.sha256(schema).hexdigest(), (
        f"schema.d.ts was generated from another openapi.json: {REGENERATE}"
    )


async def test_dump_matches_what_the_server_serves(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_schema()
