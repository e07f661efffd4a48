"""Choosing a precompressed file by Accept-Encoding."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetyard.kit.static import accepted_encodings, write_gzip_sibling


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", set()),
        ("gzip", {"gzip"}),
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", {"br", "gzip", "*"}),
        ("br;q=0, gzip", {"gzip"}),
        ("GZIP", {"gzip"}),
        ("*", {"*", "br", "gzip"}),
        ("br;q=nonsense, gzip", {"gzip"}),
        ("identity", {"identity"}),
    ],
)
def test_accepted_encodings(header: str, expected: set[str]) -> None:
    assert accepted_encodings(header) == expected


@given(st.text(max_size=200))
def test_any_header_parses_without_raising(header: str) -> None:
    assert isinstance(accepted_encodings(header), set)


def test_gzip_sibling_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "layer.geojson"
    source.write_text('{"type":"FeatureCollection","features":[]}' * 50)
    sibling = write_gzip_sibling(source)
    assert sibling == tmp_path / "layer.geojson.gz"
    assert gzip.decompress(sibling.read_bytes()) == source.read_bytes()
    assert not list(tmp_path.glob("*.tmp"))
