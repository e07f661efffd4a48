"""The offline basemap: layers from the OpenStreetMap extract the simulator drives on, a
style that needs no internet, served by the app; the map settings the web app reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.basemap.layers import LAYERS, cached_layers
from fleetyard.config import Settings
from fleetyard.db import Database
from tests.conftest import Tenants


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("basemap")


@pytest.fixture
async def http(
    settings: Settings, rolled_back_db: Database, data_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"data_dir": data_dir}), database=rolled_back_db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON: a browser refuses the layer")


def test_the_layers_come_from_the_extract_and_are_cached(data_dir: Path) -> None:
    folder = cached_layers(data_dir)
    layers = {
        name: json.loads((folder / f"{name}.geojson").read_text(), parse_constant=_refuse)
        for name in LAYERS
    }
    assert all(layers[name]["features"] for name in ("roads", "buildings", "green", "water"))
    classes = {f["properties"]["class"] for f in layers["roads"]["features"]}
    assert {"major", "minor", "path"} <= classes
    west, south, east, north = json.loads((folder / "bounds.json").read_text())
    assert 24.9 < west < east < 25.0 and 60.1 < south < north < 60.2  # central Helsinki
    stamp = (folder / "roads.geojson").stat().st_mtime_ns
    cached_layers(data_dir)
    assert (folder / "roads.geojson").stat().st_mtime_ns == stamp  # not built again


async def test_the_style_needs_no_internet(http: httpx.AsyncClient) -> None:
    response = await http.get("/basemap/style.json")
    assert response.status_code == 200
    style = response.json()
    assert "glyphs" not in style and "sprite" not in style
    assert "http" not in json.dumps(style["sources"])
    for layer in style["layers"]:
        assert layer.get("source", "background") in (*style["sources"], "background")
        assert layer["type"] != "symbol"  # text would need font glyphs from somewhere
    for source in style["sources"].values():
        if isinstance(source["data"], dict):  # inline: the drawn area's outline
            assert source["data"]["type"] == "FeatureCollection"
            continue
        data = await http.get(source["data"])
        assert data.status_code == 200
        assert data.headers["content-type"] == "application/geo+json"
        assert data.json()["type"] == "FeatureCollection"


async def test_the_style_marks_where_the_drawn_area_ends(
    http: httpx.AsyncClient, data_dir: Path
) -> None:
    style = (await http.get("/basemap/style.json")).json()
    west, south, east, north = json.loads((cached_layers(data_dir) / "bounds.json").read_text())
    [area] = style["sources"]["coverage"]["data"]["features"]
    ring = area["geometry"]["coordinates"][0]
    assert {tuple(corner) for corner in ring} == {
        (west, south),
        (east, south),
        (east, north),
        (west, north),
    }
    layers = {layer["id"]: layer for layer in style["layers"]}
    beyond = layers["background"]["paint"]["background-color"]
    assert layers["coverage-land"]["paint"]["fill-color"] != beyond  # inside reads as land
    assert [layer["id"] for layer in style["layers"]][-1] == "coverage-edge"  # drawn on top


async def test_an_unknown_layer_is_a_422(http: httpx.AsyncClient) -> None:
    response = await http.get("/basemap/secrets.geojson")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


async def test_map_settings_need_a_login_and_name_the_offline_style(
    http: httpx.AsyncClient, tenants: Tenants
) -> None:
    assert (await http.get("/api/v1/map")).status_code == 401
    response = await http.get("/api/v1/map", headers=tenants.a.as_(Role.VIEWER))
    assert response.status_code == 200
    config = response.json()
    assert config["style_url"] == "/basemap/style.json" and config["offline"] is True
    west, south, east, north = config["bounds"]
    outer_west, outer_south, outer_east, outer_north = config["max_bounds"]
    assert outer_west < west < east < outer_east and outer_south < south < north < outer_north
    # the margin is small: the map cannot wander off far from the drawn area
    assert (outer_east - outer_west) < 2 * (east - west)
    assert (outer_north - outer_south) < 2 * (north - south)
    assert 11 < config["min_zoom"] < 14  # the patch spans a few hundred pixels at the least


async def test_a_production_style_url_replaces_the_offline_one(
    settings: Settings, rolled_back_db: Database, tenants: Tenants, data_dir: Path
) -> None:
    custom = settings.model_copy(
        update={"map_style_url": "https://tiles.example/style.json", "data_dir": data_dir}
    )
    app = create_app(custom, database=rolled_back_db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        config = (await client.get("/api/v1/map", headers=tenants.a.owner)).json()
    assert config == {
        "style_url": "https://tiles.example/style.json",
        "offline": False,
        "bounds": None,
        "max_bounds": None,
        "min_zoom": None,
    }


async def test_layers_go_out_gzipped_to_clients_that_take_gzip(
    http: httpx.AsyncClient, data_dir: Path
) -> None:
    plain = (cached_layers(data_dir) / "roads.geojson").read_bytes()
    zipped = await http.get("/basemap/roads.geojson", headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"] == "application/geo+json"
    assert int(zipped.headers["content-length"]) < len(plain) / 3
    assert zipped.content == plain  # httpx undoes the gzip
    identity = await http.get("/basemap/roads.geojson", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers
    assert identity.content == plain
