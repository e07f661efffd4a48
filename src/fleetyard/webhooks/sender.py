"""Send one claimed delivery over HTTP: signed, bounded in time, redirects not followed, at
most 1 KiB of the answer kept. Never raises for anything the endpoint does."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from fleetyard import __version__
from fleetyard.webhooks import signature
from fleetyard.webhooks.queue import Job, Result
from fleetyard.webhooks.targets import TargetRefused, refuse_private_peers

USER_AGENT = f"Fleetyard-Webhooks/{__version__}"
MAX_RESPONSE_BYTES = 1024
MAX_ERROR_CHARS = 1000


def request_headers(job: Job, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",  # the 1 KiB kept is of the body as sent
        "Fleetyard-Event": job.event_type,
        "Fleetyard-Delivery": str(job.id),
        signature.HEADER: signature.header_value(job.secrets, timestamp, body),
    }


def new_client(max_connections: int, timeout_s: float) -> httpx.AsyncClient:
    """One client per dispatcher. ``timeout_s`` bounds each phase here, and the whole request
    in :class:`Sender`. No proxies from the environment: deliveries connect to the endpoint
    itself (that is what the private-target check sees)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=timeout_s,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=32),
    )


class Sender:
    def __init__(
        self, client: httpx.AsyncClient, *, timeout_s: float, allow_private_targets: bool
    ) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.extensions: dict[str, Any] = (
            {} if allow_private_targets else {"trace": refuse_private_peers}
        )

    async def send(self, job: Job) -> tuple[Result, bool]:
        """The attempt's result, and whether trying again could help."""
        body = job.body()
        headers = request_headers(job, body, int(time.time()))
        started = time.perf_counter()
        status_code: int | None = None
        snippet: str | None = None
        error: str | None = None
        retryable = True
        try:
            async with asyncio.timeout(self.timeout_s):
                request = self.client.build_request(
                    "POST", job.url, content=body, headers=headers, extensions=self.extensions
                )
                response = await self.client.send(request, stream=True)
                status_code = response.status_code
                try:
                    snippet = await read_snippet(response)
                finally:
                    await response.aclose()
        except TimeoutError:
            error = f"No complete answer within {self.timeout_s:g} s."
        except TargetRefused as exc:
            error, retryable = str(exc), False
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            error = describe(exc)
        duration_ms = round((time.perf_counter() - started) * 1000)
        if succeeded(status_code):
            error = None  # accepted, even when the rest of its answer was cut short
        elif status_code is not None and error is None:
            error = f"The endpoint answered HTTP {status_code}."
        result = Result(status_code, snippet, clip(error), duration_ms)
        return result, retryable


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


async def read_snippet(response: httpx.Response) -> str:
    """The first 1 KiB of the body as text (what PostgreSQL can store)."""
    kept = bytearray()
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= MAX_RESPONSE_BYTES:
            break
    text = bytes(kept[:MAX_RESPONSE_BYTES]).decode("utf-8", "replace")
    return text.replace("\x00", "\ufffd")


def describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\x00", "\ufffd")
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
