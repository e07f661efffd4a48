"""Print the API's OpenAPI schema: ``python -m fleetyard.openapi > web/src/lib/api/openapi.json``.

The web app's typed client is generated from this file, and a test fails when the committed
copy differs from what the app describes now, so the client can't drift from the API.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fleetyard.config import Environment, Settings


def openapi_schema() -> dict[str, Any]:
    """The schema as ``/openapi.json`` serves it (no database or network needed)."""
    from fleetyard.app import create_app

    schema: dict[str, Any] = create_app(Settings(env=Environment.DEVELOPMENT)).openapi()
    return schema


def openapi_json() -> str:
    """Stable text: the same schema always prints the same bytes."""
    return json.dumps(openapi_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
