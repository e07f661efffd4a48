"""Phone numbers as people type them: E.164-ish, an optional ``+`` then digits, spaces, dashes."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_SHAPE = re.compile(r"^\+?[0-9](?:[0-9 \-]*[0-9])?$")
MIN_DIGITS = 5
MAX_DIGITS = 20


def validate_phone(value: str) -> str:
    phone = " ".join(value.split())
    digits = sum(char in "0123456789" for char in phone)
    if not _SHAPE.match(phone) or not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ValueError(
            f"a phone number is an optional '+' then {MIN_DIGITS}-{MAX_DIGITS} digits, "
            "spaces or dashes allowed between them"
        )
    return phone


Phone = Annotated[str, StringConstraints(max_length=32), AfterValidator(validate_phone)]
