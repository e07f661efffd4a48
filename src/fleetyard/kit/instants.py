"""An instant (``from``, ``to``) or a day (``date``) in a query string: ISO 8601 (an instant
with its offset), never a bare number, within years a fleet's records can have. Pydantic
would read ``from=-4.7e-225`` as seconds since 1970 and answer for 1970, which the schema
(``date-time``) says is not an instant at all; and year 1 less a default window of 7 days is
no date at all (a 500): a 422 says so instead."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_only(value: Any) -> Any:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("ISO 8601: a day (2026-12-05) or a time with its offset (…T08:00:00Z)")
    return value


EARLIEST_YEAR = 1970
LATEST_YEAR = 2200


def _plausible(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"an instant between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_plausible)]


def _plausible_day(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"a day between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


# A day: ISO 8601 (2026-12-05), the same bounds.
Day = Annotated[date, BeforeValidator(_iso_only), AfterValidator(_plausible_day)]
