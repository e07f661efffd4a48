"""Hypothesis strategies for what a careless or hostile client sends: text PostgreSQL can't
store, numbers JSON can't hold, forged cursors, header bytes, bodies that are not JSON."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

# Text, numbers, JSON ------------------------------------------------------------------------
NASTY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",  # a lone surrogate: valid JSON escape, not encodable as UTF-8
        "\udfff\ud800",
        "\ufeff",
        "\u202e",
        "null",
        "NaN",
        "-1",
        "1e400",
        "%00",
        "'; drop table vehicles; --",
        "${jndi:ldap://x}",
        "../../../etc/passwd",
        "<script>alert(1)</script>",
        "🚚" * 50,
        "ß" * 300,
    ]
)


def texts(max_long: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters() | st.characters(categories=["Cs"]), max_size=10),  # surrogates
        NASTY_STRINGS,
        st.builds(lambda char, n: char * n, st.characters(), st.integers(200, max_long)),
    )


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), NUMBERS, text)
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
        ),
        max_leaves=12,
    )


NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**300]),
    st.floats(),  # nan and ±inf included: sent as NaN/Infinity, which Python's json reads
)
TEXT = texts(max_long=20_000)  # for bodies and headers
URL_TEXT = texts(max_long=1_000)  # URLs stay under the client's 64 kB limit
JSON_VALUES = json_values(TEXT)
URL_JSON_VALUES = json_values(URL_TEXT)


def quote_any(text: str) -> str:
    """Percent-encode anything, lone surrogates included (as their raw UTF-8-ish bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def dumps(value: Any) -> bytes:
    """Like a careless client: NaN/Infinity allowed, lone surrogates escaped."""
    return json.dumps(value, allow_nan=True).encode()


# Bodies --------------------------------------------------------------------------------------
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-16",
            "application/json; charset=latin-1",
            "application/vnd.api+json",
            "application/merge-patch+json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "text/plain",
            "text/html",
            "application/xml",
            "application/octet-stream",
            "application/",
            "*/*",
            ";;;",
            "",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"{",
            b"null",
            b"[]",
            b'"string"',
            b"\xff\xfe{\x00}\x00",
            b"\xef\xbb\xbf{}",
            b"{'single': 'quotes'}",
            b'{"a": 1, "a": 2}',
            b"a=1&b=2",
            b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xyz--\r\n",
            b"<vehicle><vin>1</vin></vehicle>",
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"1" * 5000,
        ]
    ),
    JSON_VALUES.map(dumps),
)


# Query strings -------------------------------------------------------------------------------
def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = st.one_of(
    URL_TEXT,
    st.binary(max_size=60).map(b64),
    URL_JSON_VALUES.map(lambda v: b64(dumps(v))),
    st.tuples(URL_JSON_VALUES, st.one_of(st.uuids().map(str), URL_JSON_VALUES)).map(
        lambda pair: b64(dumps(list(pair)))
    ),
)
SORTS = st.one_of(
    st.sampled_from(
        ["id", "-id", "created_at", "-updated_at", "name", "-plate", "year", "-odometer_km"]
    ),
    st.sampled_from(["starts_at", "-ends_at", "--id", "-", "", "make", "unique_id", "email"]),
    URL_TEXT,
)
LIMITS = st.one_of(st.integers(), st.sampled_from(["", "abc", "1.5", "1e3", "0x10", "NaN"]))
PARAM_VALUES = st.one_of(URL_TEXT, NUMBERS.map(str), st.uuids().map(str))


# Headers -------------------------------------------------------------------------------------
HEADER_BYTES = st.one_of(
    st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from([b"", b" ", b"\x00", b'"3"', b'W/"3"', b"*", b'"1", "2"', b"9" * 50]),
)
AUTHORIZATIONS = st.one_of(
    HEADER_BYTES,
    HEADER_BYTES.map(lambda b: b"Bearer " + b),
    HEADER_BYTES.map(lambda b: b"Bearer fy_" + b),
    HEADER_BYTES.map(lambda b: b"Basic " + b),
    st.sampled_from([b"Bearer", b"Bearer ", b"bearer  fy_x", b"Bearer fy_" + b"x" * 5000]),
)
