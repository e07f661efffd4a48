"""One bounded GET to a vendor's REST API, shared by the HTTP adapters (Samsara, Verizon
Connect): a deadline over the whole answer (a server trickling bytes ends too), a capped body,
and every failure as a ``ProviderError`` in plain words naming the vendor. Each adapter keeps
what is its own: authentication, and the words for a refused credential (401/403)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

import httpx
import orjson

from fleetyard.integrations.providers.base import ProblemKind, ProviderError

MAX_RETRY_AFTER_S: Final = 3600.0
ERROR_BODY_BYTES: Final = 64 * 1024  # enough for a vendor's error message, never its whole page


@dataclass(frozen=True, slots=True)
class VendorReply:
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def looks_like_html(self) -> bool:
        content_type = self.headers.get("content-type", "").lower()
        return "html" in content_type or self.body.lstrip()[:1] == b"<"


async def fetch(
    vendor: str,
    client: httpx.AsyncClient,
    path: str,
    *,
    params: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
    deadline_s: float,
    max_body_bytes: int,
    where: str = "",
) -> VendorReply:
    """The whole answer within ``deadline_s``; a success over ``max_body_bytes`` is refused,
    an error's body is cut to what its message needs. ``where`` names the endpoint in messages."""
    try:
        async with (
            asyncio.timeout(deadline_s),
            client.stream("GET", path, params=params, headers=headers) as response,
        ):
            ok = 200 <= response.status_code < 300
            limit = max_body_bytes if ok else ERROR_BODY_BYTES
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    if not ok:
                        del body[limit:]
                        break
                    raise ProviderError(
                        ProblemKind.BAD_RESPONSE,
                        f"{vendor}'s answer{_at(where)} is larger than "
                        f"{max_body_bytes / (1024 * 1024):g} MB",
                    )
            return VendorReply(response.status_code, response.headers, bytes(body))
    except (TimeoutError, httpx.TimeoutException):
        raise ProviderError(
            ProblemKind.UNAVAILABLE, f"{vendor} did not answer in time{_at(where)}"
        ) from None
    except httpx.HTTPError as problem:
        said = f"{where}: " if where else ""
        raise ProviderError(
            ProblemKind.UNAVAILABLE, f"Could not reach {vendor} ({said}{type(problem).__name__})"
        ) from None


def status_problem(
    vendor: str,
    reply: VendorReply,
    *,
    where: str = "",
    said: str | None = None,
    default_wait_s: float,
) -> ProviderError:
    """What a non-2xx answer other than a refused credential means: slow down (429), the
    vendor is down (5xx), or it refused what we asked (with its own words when it gave some)."""
    on = f"{where}: " if where else ""
    if reply.status == 429:
        wait = retry_after_s(reply.headers.get("retry-after"), default_wait_s)
        return ProviderError(
            ProblemKind.RATE_LIMITED,
            f"{vendor}'s rate limit was reached{_at(where)}: retrying in {wait:g} s",
            retry_after_s=wait,
        )
    if reply.status >= 500:
        return ProviderError(
            ProblemKind.UNAVAILABLE, f"{vendor} is unavailable ({on}HTTP {reply.status})"
        )
    detail = f": {said}" if said else ""
    return ProviderError(
        ProblemKind.BAD_RESPONSE, f"{vendor} refused the request ({on}HTTP {reply.status}){detail}"
    )


def parse_json(vendor: str, reply: VendorReply, *, where: str = "") -> object:
    try:
        return orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        if reply.looks_like_html:
            message = f"{vendor} answered with a web page instead of data{_at(where)}"
        else:
            message = f"{vendor} answered something that is not JSON{_at(where)}"
        raise ProviderError(ProblemKind.BAD_RESPONSE, message) from None


def retry_after_s(header: str | None, default_s: float) -> float:
    """Seconds to wait from a ``Retry-After`` of seconds or an HTTP date, within reason."""
    if header is None or not header.strip():
        return default_s
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            moment = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return default_s
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return default_s
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _at(where: str) -> str:
    return f" ({where})" if where else ""
