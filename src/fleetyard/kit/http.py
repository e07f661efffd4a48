"""Small HTTP helpers shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from fleetyard.errors import PreconditionInvalid


async def parse_if_match(
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=100)] = None,
) -> int | None:
    """``If-Match: "3"`` (or ``3``, or ``W/"3"``) → expected version 3."""
    if if_match is None:
        return None
    value = if_match.strip()
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        raise PreconditionInvalid(details={"if_match": if_match[:100]})
    return int(value)
