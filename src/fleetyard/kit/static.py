"""Static files served precompressed: ``name.br`` or ``name.gz`` beside ``name``, chosen by
the request's ``Accept-Encoding``, so nothing is compressed per request.

The web build (``web/scripts/compress.mjs``) and the basemap cache write the siblings; a file
without them is sent as it is.
"""

from __future__ import annotations

import gzip
import mimetypes
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse

# Preferred first: brotli is about a fifth smaller than gzip on JavaScript and JSON.
ENCODINGS: tuple[tuple[str, str], ...] = (("br", ".br"), ("gzip", ".gz"))
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("application/geo+json", ".geojson")


def accepted_encodings(header: str) -> set[str]:
    """The codings ``Accept-Encoding`` allows (``q=0`` excludes one); ``*`` stands for all."""
    accepted: set[str] = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name and quality > 0:
            accepted.add(name.strip().lower())
    if "*" in accepted:
        accepted.update(coding for coding, _ in ENCODINGS)
    return accepted


def precompressed_response(
    request: Request,
    path: Path,
    *,
    media_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> FileResponse:
    """``path`` as a response, from its best precompressed sibling the client accepts."""
    media_type = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    out = {**(headers or {}), "Vary": "Accept-Encoding"}
    accepted = accepted_encodings(request.headers.get("accept-encoding", ""))
    for coding, suffix in ENCODINGS:
        sibling = path.with_name(path.name + suffix)
        if coding in accepted and sibling.is_file():
            out["Content-Encoding"] = coding
            return FileResponse(sibling, media_type=media_type, headers=out)
    return FileResponse(path, media_type=media_type, headers=out)


def write_gzip_sibling(path: Path) -> Path:
    """Write ``path.gz`` (replaced atomically) for files built at run time."""
    target = path.with_name(path.name + ".gz")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
    tmp.replace(target)
    return target
