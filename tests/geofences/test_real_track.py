"""A real phone track (Neuchâtel to Lausanne, 52 minutes, noisy: cached fixes, outliers, a
63 s gap) through the real pipeline, against fences at both ends and one far away. No answer
key comes with the track: the expected crossings are worked out here by a haversine written
out again, over the fixes the pipeline kept as valid, with the product's own rules (enter
when more than 10 m inside, leave when more than 10 m outside)."""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fleetyard.db import Database
from tests.geofences.feeding import fix, geofence_pipeline, make_fence
from tests.telematics.conftest import register_tracked

TRACK = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "tracks"
CSV = TRACK / "posmo_neuchatel_lausanne.csv"
MARGIN_M = 10.0  # a phone fix without accuracy: the smallest margin


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written out again rather than imported."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def track(start: datetime) -> list[tuple[datetime, float, float]]:
    """The track's fixes, moved in time so it ran two hours ago (same spacing)."""
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = datetime.fromisoformat(rows[0]["time_utc"].replace("Z", "+00:00"))
    return [
        (
            start + (datetime.fromisoformat(r["time_utc"].replace("Z", "+00:00")) - first),
            float(r["lat"]),
            float(r["lon"]),
        )
        for r in rows
    ]


def crossings(
    fixes: list[tuple[datetime, float, float]], centre: tuple[float, float], radius: float
) -> list[tuple[str, datetime]]:
    """Entries and exits of a circle with the margin, as the rules say."""
    inside = False
    found = []
    for at, lat, lon in fixes:
        beyond = metres(*centre, lat, lon) - radius
        if not inside and beyond < -MARGIN_M:
            inside = True
            found.append(("entered", at))
        elif inside and beyond > MARGIN_M:
            inside = False
            found.append(("exited", at))
    return found


async def test_the_real_track_enters_and_leaves_where_worked_out(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-real")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    fixes = track(start)
    neuchatel = (fixes[0][1], fixes[0][2])
    lausanne = (fixes[-1][1], fixes[-1][2])
    far = (46.9480, 7.4474)  # Bern: never on the way
    for name, centre, radius in (
        ("Neuchâtel", neuchatel, 1500),
        ("Lausanne", lausanne, 2000),
        ("Bern", far, 3000),
    ):
        await make_fence(
            app_database,
            tracked.tenant.id,
            name=name,
            geometry={"type": "Point", "coordinates": [centre[1], centre[0]]},
            radius_m=radius,
        )
    async with geofence_pipeline(database_url) as feeder:
        for first in range(0, len(fixes), 30):  # uploads as a phone app batches them
            chunk = fixes[first : first + 30]
            await feeder.feed(tracked, [fix(tracked, at, lat, lon) for at, lat, lon in chunk])
        kept = await feeder.fetch(
            tracked.tenant.id,
            "select fix_time, latitude, longitude from positions "
            "where device_id = $1 and valid order by fix_time",
            tracked.device_id,
        )
        events = await feeder.events(tracked)
    valid = [(r["fix_time"], r["latitude"], r["longitude"]) for r in kept]
    assert 1000 < len(valid) < len(fixes)  # the track's outliers were set aside
    names = {"Neuchâtel": neuchatel, "Lausanne": lausanne}
    radii = {"Neuchâtel": 1500, "Lausanne": 2000}
    seen: dict[str, list[tuple[str, datetime]]] = {"Neuchâtel": [], "Lausanne": []}
    for event in events:
        changes = event["changes"]
        name = "Neuchâtel" if '"Neuchâtel"' in changes else "Lausanne"
        assert '"Bern"' not in changes
        kind = event["type"].removeprefix("geofence_")
        at = _moment(changes, kind)
        seen[name].append((kind, at))
    for name, centre in names.items():
        expected = crossings(valid, centre, radii[name])
        assert seen[name] == expected, name
    assert [k for k, _ in seen["Neuchâtel"]] == ["entered", "exited"]
    assert [k for k, _ in seen["Lausanne"]] == ["entered"]


def _moment(changes: str, kind: str) -> datetime:
    values = json.loads(changes)
    field = "entered_at" if kind == "entered" else "exited_at"
    return datetime.fromisoformat(values[field]["after"])
