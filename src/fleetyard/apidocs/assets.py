"""The docs pages' files: Swagger UI and ReDoc as the ``fastapi-offline`` package ships them
(no CDN), and our two start-up scripts beside this module.

Every file is read once, kept in memory with its gzip form, and served under a URL that
carries ``ASSETS_TAG``: a new package version or an edited script makes new URLs, so browsers
may cache each file for a year.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.metadata import version
from importlib.resources.abc import Traversable

VENDOR_PACKAGE = "fastapi_offline"
VENDOR_DIST = "fastapi-offline"

JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
PNG = "image/png"

SWAGGER_JS = "swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui.css"
SWAGGER_INIT = "swagger-init.js"
REDOC_JS = "redoc.standalone.js"
REDOC_INIT = "redoc-init.js"
FAVICON = "favicon.png"

# ReDoc's sidebar credit shows Redocly's logo from their CDN: an empty image instead, so the
# page asks nothing of another origin (the link itself stays).
_REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = (
    b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
)


@dataclass(frozen=True, slots=True)
class _Source:
    file: Traversable
    media_type: str
    rewrites: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str


def _vendor(name: str) -> Traversable:
    return resources.files(VENDOR_PACKAGE).joinpath("static", name)


def _ours(name: str) -> Traversable:
    return resources.files(__package__ or "fleetyard.apidocs").joinpath(name)


_SOURCES: dict[str, _Source] = {
    SWAGGER_JS: _Source(_vendor(SWAGGER_JS), JAVASCRIPT),
    SWAGGER_CSS: _Source(_vendor(SWAGGER_CSS), CSS),
    REDOC_JS: _Source(_vendor(REDOC_JS), JAVASCRIPT, ((_REDOCLY_LOGO, _EMPTY_IMAGE),)),
    FAVICON: _Source(_vendor(FAVICON), PNG),
    SWAGGER_INIT: _Source(_ours(SWAGGER_INIT), JAVASCRIPT),
    REDOC_INIT: _Source(_ours(REDOC_INIT), JAVASCRIPT),
}


def _assets_tag() -> str:
    """The vendor package's version, plus a digest of our scripts (they change between
    releases of the vendor package)."""
    digest = hashlib.sha256()
    for name in (SWAGGER_INIT, REDOC_INIT):
        digest.update(_SOURCES[name].file.read_bytes())
    return f"{version(VENDOR_DIST)}-{digest.hexdigest()[:10]}"


ASSETS_TAG = _assets_tag()


def is_asset(name: str) -> bool:
    return name in _SOURCES


@cache
def load_asset(name: str) -> Asset:
    """The named file, rewritten where it must be, and compressed once (blocking: call from a
    thread the first time)."""
    source = _SOURCES[name]
    body = source.file.read_bytes()
    for old, new in source.rewrites:
        body = body.replace(old, new)
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), source.media_type)
