"""Keyset cursors as properties: they round-trip, and nothing a client sends back as a cursor
raises anything but ``ValidationFailed`` (a 422), however it was forged."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute

from fleetyard.errors import ValidationFailed
from fleetyard.kit.pagination import (
    SortDirection,
    decode_cursor,
    encode_cursor,
    page_of,
    paginate,
    parse_sort,
)
from fleetyard.models import Driver, Reservation, Vehicle

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]*$")

SORT_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.uuids(),
)


def as_json(value: Any) -> Any:
    """What a sort value looks like after the trip through JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
# Strings a client could send back: junk, base64 junk, base64 JSON, and base64 JSON pairs.
forged_cursors = st.one_of(
    st.text(),
    st.binary().map(b64),
    json_values.map(lambda v: b64(json.dumps(v).encode())),
    st.tuples(json_values, json_values | st.uuids().map(str)).map(
        lambda pair: b64(json.dumps(list(pair)).encode())
    ),
)


# Round trip -----------------------------------------------------------------------------------
@given(SORT_VALUES, st.uuids())
def test_encode_then_decode_gives_the_value_and_id_back(value: Any, row_id: uuid.UUID) -> None:
    cursor = encode_cursor(value, row_id)
    assert URL_SAFE.match(cursor), cursor
    decoded_value, decoded_id = decode_cursor(cursor)
    assert decoded_id == row_id
    assert decoded_value == as_json(value)


SORTABLE: list[tuple[InstrumentedAttribute[Any], st.SearchStrategy[Any]]] = [
    (Vehicle.id, st.uuids()),
    (Vehicle.created_at, st.datetimes(timezones=st.just(UTC))),
    (Vehicle.plate, st.text(min_size=1, max_size=20)),
    (Vehicle.year, st.integers(1900, 2100)),
    (Vehicle.odometer_km, st.decimals(0, 10_000_000, places=1)),
    (Driver.licence_expiry, st.dates()),
    (Reservation.starts_at, st.datetimes(timezones=st.just(UTC))),
]


@pytest.mark.parametrize(("column", "values"), SORTABLE, ids=lambda c: getattr(c, "key", ""))
@given(data=st.data())
def test_a_cursor_resumes_after_the_row_it_came_from(
    column: InstrumentedAttribute[Any], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """The statement built from a cursor filters on exactly the value and id encoded in it."""
    value = data.draw(values | st.none(), label="sort value")
    row_id = data.draw(st.uuids(), label="id")
    direction = data.draw(st.sampled_from(SortDirection), label="direction")
    model = column.class_
    stmt = paginate(
        select(model),
        sort_column=column,
        id_column=model.id,
        direction=direction,
        cursor=encode_cursor(value, row_id),
        limit=10,
    )
    params = list(stmt.compile(dialect=postgresql.dialect()).params.values())
    assert row_id in params
    if value is not None and column is not model.id:
        assert value in params


# Forged cursors -------------------------------------------------------------------------------
@given(forged_cursors)
@example("")
@example("=")
@example(b64(b"[null, []]"))  # an id that is not a string: uuid.UUID([]) raises AttributeError
@example(b64(b"[null, 12]"))
@example(b64(b"[" * 2000))
@example(b64(b"\xff\xfe"))
@example("é" * 10)
def test_decoding_anything_is_a_cursor_or_validation_failed(cursor: str) -> None:
    try:
        value, row_id = decode_cursor(cursor)
    except ValidationFailed:  # anything else escaping fails the test
        return
    assert isinstance(row_id, uuid.UUID)
    json.dumps(value)  # whatever came out is plain JSON


COLUMNS = [column for column, _ in SORTABLE] + [Vehicle.name, Vehicle.updated_at, Driver.name]


@given(
    column=st.sampled_from(COLUMNS),
    value=json_values | st.sampled_from([2**31, -(2**31) - 1, 2**70, "1e99999", "NaN", "sNaN"]),
    row_id=json_values | st.uuids().map(str),
    direction=st.sampled_from(SortDirection),
)
def test_forged_cursors_only_ever_fail_validation(
    column: InstrumentedAttribute[Any], value: Any, row_id: Any, direction: SortDirection
) -> None:
    """Whatever the cursor holds, paginate builds a statement or raises ValidationFailed; values
    PostgreSQL could not bind for the column (int4 overflow, numeric(12,1) overflow) are refused
    here rather than as a database error."""
    cursor = b64(json.dumps([value, row_id]).encode())
    model = column.class_
    try:
        stmt = paginate(
            select(model),
            sort_column=column,
            id_column=model.id,
            direction=direction,
            cursor=cursor,
            limit=5,
        )
    except ValidationFailed:
        return
    for param in stmt.compile(dialect=postgresql.dialect()).params.values():
        if isinstance(param, int) and not isinstance(param, bool) and param != 6:
            assert -(2**31) <= param < 2**31
        if isinstance(param, Decimal):
            assert param.is_finite() and abs(param) < 10**11


# Sort and pages -------------------------------------------------------------------------------
ALLOWED = ("id", "name", "created_at")


@given(st.sampled_from(ALLOWED), st.booleans())
def test_parse_sort_reads_direction_from_the_prefix(field: str, descending: bool) -> None:
    sort = f"-{field}" if descending else field
    assert parse_sort(sort, ALLOWED) == (
        field,
        SortDirection.DESC if descending else SortDirection.ASC,
    )


@given(st.text(max_size=40).filter(lambda s: s.lstrip("-") not in ALLOWED))
def test_parse_sort_refuses_unknown_fields(sort: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_sort(sort, ALLOWED)


@dataclass
class Row:
    id: uuid.UUID
    name: str | None


@given(
    st.lists(st.builds(Row, st.uuids(), st.text(max_size=5) | st.none()), max_size=12),
    st.integers(1, 10),
)
def test_page_of_trims_the_probe_row_and_points_at_the_last_item(
    rows: list[Row], limit: int
) -> None:
    items, next_cursor = page_of(rows, limit, "name")
    assert items == rows[:limit]
    if len(rows) <= limit:
        assert next_cursor is None
    else:
        assert next_cursor is not None
        assert decode_cursor(next_cursor) == (items[-1].name, items[-1].id)
