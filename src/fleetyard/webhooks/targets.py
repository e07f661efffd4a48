"""Where a webhook may point: an http(s) URL with a host and no credentials; and, when the
operator turns private targets off, never an address inside a network (checked on the very
connection a delivery uses, so DNS answers that change between a check and the connect can't
slip through)."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

MAX_URL_LENGTH = 2000
SCHEMES = frozenset({"http", "https"})


class TargetRefused(Exception):
    """The delivery's target is not allowed; it fails at once, without retries."""


def check_url(value: str) -> str:
    """The URL as given, or ValueError saying what is wrong with it."""
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError("must start with http:// or https://")
    if "@" in parts.netloc:
        raise ValueError("must not contain credentials")
    if not parts.hostname:
        raise ValueError("must name a host")
    if "#" in value:
        raise ValueError("must not contain a fragment")
    _ = parts.port  # ValueError when it is not a port number
    try:
        httpx.URL(value)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError("is not a valid URL") from exc
    return value


def is_public(address: str) -> bool:
    """A globally routable unicast address (IPv4-mapped IPv6 judged as its IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


Trace = Callable[[str, Mapping[str, Any]], Awaitable[None]]


async def refuse_private_peers(event: str, info: Mapping[str, Any]) -> None:
    """An httpcore ``trace`` hook: after each new TCP connection, before a byte is sent,
    close it and refuse the delivery when the peer is not a public address."""
    if event != "connection.connect_tcp.complete":
        return
    stream = info.get("return_value")
    if stream is None:
        return
    peer = stream.get_extra_info("server_addr")
    address = str(peer[0]) if peer else ""
    if not is_public(address):
        await stream.aclose()
        raise TargetRefused(
            f"The target resolves to {address or 'an unknown address'}, which is not a public "
            "address; private targets are turned off on this server."
        )
