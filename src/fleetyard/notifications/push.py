"""Web Push (RFC 8030/8291/8292): the payload encrypted for the browser's keys with
``pywebpush`` (aes128gcm), signed with the tenant's VAPID key (``py_vapid``), and POSTed to
the subscription's push service with our own bounded HTTP client (the same rules as webhook
deliveries: no redirects, private targets refusable)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pywebpush import WebPusher, WebPushException

from fleetyard.notifications.email import SendOutcome
from fleetyard.notifications.vapid import signer
from fleetyard.webhooks.sender import describe
from fleetyard.webhooks.targets import TargetRefused

TTL_S = 24 * 3600  # a browser offline for a day still gets it
VAPID_LIFETIME_S = 12 * 3600


@dataclass(frozen=True, slots=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class PushOutcome(SendOutcome):
    gone: bool = False  # the push service says this subscription no longer exists


def request_parts(
    subscription: Subscription, payload: bytes, vapid_private_key: str, subject: str
) -> tuple[bytes, dict[str, str]]:
    """The encrypted body and the headers of the POST to the push service."""
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    encoded = WebPusher(info).encode(payload, "aes128gcm")
    parts = urlsplit(subscription.endpoint)
    claims: dict[str, Any] = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + VAPID_LIFETIME_S,
        "sub": subject,
    }
    headers = {
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_S),
        "Urgency": "high",
        **signer(vapid_private_key).sign(claims),
    }
    return bytes(encoded["body"]), headers


async def send_push(
    client: httpx.AsyncClient,
    subscription: Subscription,
    payload: bytes,
    *,
    vapid_private_key: str,
    subject: str,
    timeout_s: float,
    extensions: dict[str, Any] | None = None,
) -> PushOutcome:
    try:
        body, headers = request_parts(subscription, payload, vapid_private_key, subject)
    except (WebPushException, ValueError, TypeError) as exc:
        return PushOutcome(f"The subscription's keys are not usable: {exc}", False, gone=True)
    try:
        async with asyncio.timeout(timeout_s):
            request = client.build_request(
                "POST",
                subscription.endpoint,
                content=body,
                headers=headers,
                extensions=extensions or {},
            )
            response = await client.send(request)
    except TimeoutError:
        return PushOutcome(f"The push service did not answer within {timeout_s:g} s.")
    except TargetRefused as exc:
        return PushOutcome(str(exc), False)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return PushOutcome(describe(exc))
    status = response.status_code
    if 200 <= status < 300:
        return PushOutcome()
    if status in (404, 410):
        return PushOutcome(f"The push service answered HTTP {status}: unsubscribed.", False, True)
    retryable = status == 429 or status >= 500
    return PushOutcome(f"The push service answered HTTP {status}.", retryable)
