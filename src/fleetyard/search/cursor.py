"""Opaque page cursors, signed and bound to the query and tenant they came from.

A cursor carries where the next page starts (score, title, type, id) and the mode the first
page chose; its fingerprint names the tenant, query, types and filters, and an HMAC under
the server's secret key stops anyone from forging one. A cursor from another search, another
tenant, or altered in any way is a 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fleetyard.search.errors import InvalidCursor
from fleetyard.search.query import Mode
from fleetyard.search.repository import After

_MAC_BYTES = 16


def fingerprint(
    tenant_id: uuid.UUID,
    q: str,
    types: Sequence[str],
    filters: Mapping[str, Sequence[str]],
) -> str:
    """What a cursor is bound to (the page size and facets may change between pages)."""
    identity = [
        str(tenant_id),
        q,
        sorted(types),
        sorted((name, sorted(values)) for name, values in filters.items()),
    ]
    raw = json.dumps(identity, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), b"search-cursor:" + payload, hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def encode(secret: str, bound_to: str, after: After, mode: Mode) -> str:
    body: list[Any] = [
        bound_to,
        mode.value,
        after.score,
        after.sort_title,
        after.entity_type,
        str(after.entity_id),
    ]
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def decode(secret: str, cursor: str, bound_to: str) -> tuple[After, Mode]:
    try:
        payload_text, mac_text = cursor.split(".")
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursor() from exc
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        raise InvalidCursor()
    try:
        bound, mode, score, sort_title, entity_type, entity_id = json.loads(payload)
        after = After(float(score), str(sort_title), str(entity_type), uuid.UUID(entity_id))
        parsed_mode = Mode(mode)
    except (ValueError, TypeError) as exc:  # signed by us, so only an old format lands here
        raise InvalidCursor() from exc
    if bound != bound_to:
        raise InvalidCursor(details={"reason": "another_search"})
    return after, parsed_mode
