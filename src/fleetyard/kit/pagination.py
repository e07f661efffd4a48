"""Keyset (cursor) pagination: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import BigInteger, ColumnElement, Integer, Select, SmallInteger, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from fleetyard.errors import ValidationFailed

T = TypeVar("T")
# an ORM attribute (``Vehicle.plate``) or a Core column (``vehicles.c.plate``)
Column = InstrumentedAttribute[Any] | ColumnElement[Any]
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def parse_sort(sort: str, allowed: Sequence[str]) -> tuple[str, SortDirection]:
    """``name`` / ``-name`` → (field, direction); only fields the route allows."""
    direction = SortDirection.DESC if sort.startswith("-") else SortDirection.ASC
    field = sort.lstrip("-")
    if field not in allowed:
        raise ValidationFailed(
            "Unknown sort field.", details={"sort": sort, "allowed": list(allowed)}
        )
    return field, direction


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def encode_cursor(sort_value: Any, row_id: uuid.UUID) -> str:
    raw = json.dumps([_encode_value(sort_value), str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(row_id, str):  # uuid.UUID(123) raises AttributeError
            raise TypeError("cursor id is not a string")
        return value, uuid.UUID(row_id)
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise ValidationFailed("Malformed cursor.", details={"cursor": cursor[:100]}) from exc


def _coerce(column: Column, value: Any) -> Any:
    """The cursor's sort value as the column's type; a forged one is a 422, not a DB error."""
    if value is None:
        return None
    python_type = column.type.python_type
    coerced: Any
    try:
        if python_type is datetime:
            coerced = datetime.fromisoformat(value)
        elif python_type is date:
            coerced = date.fromisoformat(value)
        else:
            coerced = python_type(value)
        _check_range(column.type, coerced)
    except (ValueError, TypeError, AttributeError, ArithmeticError) as exc:
        raise ValidationFailed("Malformed cursor.") from exc
    return coerced


def _check_range(column_type: Any, value: Any) -> None:
    """PostgreSQL refuses a parameter its column type can't hold (int4, numeric(p, s))."""
    if isinstance(column_type, Integer):
        bits = 16 if isinstance(column_type, SmallInteger) else 32
        bits = 64 if isinstance(column_type, BigInteger) else bits
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError("out of the column's range")
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) >= 1000:
            raise ValueError("out of the column's range")
        precision, scale = getattr(column_type, "precision", None), getattr(column_type, "scale", 0)
        if precision is not None:
            rounded = value.quantize(Decimal(1).scaleb(-(scale or 0)))
            if abs(rounded) >= Decimal(10) ** (precision - (scale or 0)):
                raise ValueError("out of the column's range")


def paginate(
    stmt: Select[Any],
    *,
    sort_column: Column,
    id_column: Column,
    direction: SortDirection,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Order by (sort column, id) and start after the cursor. NULLs sort last either way."""
    descending = direction is SortDirection.DESC
    if cursor:
        raw_value, last_id = decode_cursor(cursor)
        last_value = _coerce(sort_column, raw_value)
        stmt = stmt.where(_after(sort_column, id_column, last_value, last_id, descending))
    if sort_column is id_column:
        order = [id_column.desc() if descending else id_column.asc()]
    else:
        primary = sort_column.desc() if descending else sort_column.asc()
        order = [primary.nulls_last(), id_column.desc() if descending else id_column.asc()]
    return stmt.order_by(*order).limit(limit + 1)


def _after(
    sort_column: Column,
    id_column: Column,
    last_value: Any,
    last_id: uuid.UUID,
    descending: bool,
) -> ColumnElement[bool]:
    id_after = id_column < last_id if descending else id_column > last_id
    if sort_column is id_column:
        return id_after
    if last_value is None:  # already in the NULL tail
        return and_(sort_column.is_(None), id_after)
    beyond = sort_column < last_value if descending else sort_column > last_value
    return or_(beyond, and_(sort_column == last_value, id_after), sort_column.is_(None))


def page_of(
    rows: Sequence[T], limit: int, sort_field: str, id_field: str = "id"
) -> tuple[list[T], str | None]:
    """Trim the extra row fetched by :func:`paginate` and make the next cursor from it."""
    items = list(rows[:limit])
    if len(rows) <= limit or not items:
        return items, None
    last = items[-1]
    return items, encode_cursor(getattr(last, sort_field), getattr(last, id_field))
