"""The namer of a running server: the street index built once, off the event loop, from a
roads GeoJSON (the basemap's own in the last test); depots named even without streets."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from pathlib import Path

import pytest

from fleetyard.basemap.service import Basemap, BasemapUnavailable
from fleetyard.places.naming import Depot, DepotPlace, StreetIndex, StreetPlace
from fleetyard.places.service import PlaceNamer, basemap_streets, read_streets
from tests.places.test_naming import ROADS, east

HERE = (60.17, 24.94 + east(3))
DEPOT = Depot(uuid.uuid4(), "Pasila depot", 60.17, 24.94, 50)


@pytest.fixture
def roads_file(tmp_path: Path) -> Path:
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(ROADS))
    return path


async def test_streets_are_indexed_once_off_the_event_loop(roads_file: Path) -> None:
    loop_thread = threading.get_ident()
    built_in: list[int] = []

    async def load() -> StreetIndex:
        def read() -> StreetIndex:
            built_in.append(threading.get_ident())
            return read_streets(roads_file)

        return await asyncio.to_thread(read)

    namer = PlaceNamer(load)
    answers = await asyncio.gather(*(namer.name(HERE) for _ in range(5)))
    assert len(built_in) == 1 and built_in[0] != loop_thread
    assert all(isinstance(a, StreetPlace) and a.name == "Mannerheimintie" for a in answers)


async def test_a_page_of_points_is_named_in_order(roads_file: Path) -> None:
    async def load() -> StreetIndex:
        return read_streets(roads_file)

    namer = PlaceNamer(load)
    far = (60.17, 24.94 - east(1000))
    names = await namer.name_all([HERE, None, far, (60.17, 24.94)], [DEPOT])
    assert [getattr(n, "label", None) for n in names] == [
        "Pasila depot",  # 3 m from the depot's centre: at the depot, not on the street
        None,
        None,
        "Pasila depot",
    ]
    assert names[0] == DepotPlace(group_id=DEPOT.group_id, name="Pasila depot")


async def test_without_points_the_streets_are_not_built() -> None:
    async def load() -> StreetIndex:
        raise AssertionError("not needed")

    assert await PlaceNamer(load).name_all([None, None]) == [None, None]


async def test_without_streets_depots_are_still_named(caplog: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def load() -> StreetIndex:
        nonlocal calls
        calls += 1
        raise BasemapUnavailable(details={"reason": "no extract"})

    namer = PlaceNamer(load)
    assert await namer.name(HERE) is None
    assert await namer.name(HERE, [DEPOT]) == DepotPlace(DEPOT.group_id, "Pasila depot")
    assert calls == 1  # not tried again on every request
    assert "no street names" in caplog.text


async def test_the_basemaps_roads_name_central_helsinki(tmp_path: Path) -> None:
    namer = PlaceNamer(basemap_streets(Basemap(tmp_path)))
    place = await namer.name((60.17082, 24.93675))  # on Mannerheimintie by the Kiasma
    assert isinstance(place, StreetPlace) and place.name == "Mannerheimintie", place
    assert not place.near
