"""What a plan keeps of the travel it was solved over: the locations (when coordinates were
given), the metres and seconds between them, and where they came from; deflated JSON, so a
2,000-job plan's matrices take a few megabytes, not tens."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from fleetyard.routing.problem import Layout, Point, Problem, build_problem, layout
from fleetyard.routing.schemas import LatLon, RoutePlanCreate, Travel


@dataclass(frozen=True, slots=True)
class StoredTravel:
    source: str
    points: list[Point] | None
    distances: list[list[int]]
    durations: list[list[int]]

    def pack(self) -> bytes:
        body = {
            "source": self.source,
            "points": self.points,
            "distances": self.distances,
            "durations": self.durations,
        }
        return zlib.compress(orjson.dumps(body), 6)

    @classmethod
    def unpack(cls, raw: bytes) -> StoredTravel:
        body: dict[str, Any] = orjson.loads(zlib.decompress(raw))
        points = body.get("points")
        return cls(
            source=str(body["source"]),
            points=[(float(p[0]), float(p[1])) for p in points] if points is not None else None,
            distances=body["distances"],
            durations=body["durations"],
        )


def problem_of(request: RoutePlanCreate, travel: StoredTravel) -> tuple[Problem, Layout]:
    where = layout(request)
    return build_problem(request, where, travel.distances, travel.durations), where


def travel_answer(request: RoutePlanCreate, travel: StoredTravel) -> Travel:
    """``?include=matrix``: the matrices and where each job and vehicle is in them."""
    where = layout(request)
    return Travel(
        source=travel.source,
        locations=[LatLon(lat=p[0], lon=p[1]) for p in travel.points]
        if travel.points is not None
        else None,
        distances=travel.distances,
        durations=travel.durations,
        job_indices={j.id: where.job_indices[n] for n, j in enumerate(request.jobs)},
        vehicle_indices={v.id: where.vehicle_ends[n] for n, v in enumerate(request.vehicles)},
    )
