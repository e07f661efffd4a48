"""One tenant's geofences, ready to test fixes against: each fence's shape in metres
(prepared), an STRtree over their boxes in degrees (widened by the largest hysteresis, so a
fix just outside a fence still finds it), and which vehicles each fence applies to. Pure:
the loader reads the rows and hands them in."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from shapely import STRtree

from fleetyard.geofences.hours import ALWAYS, ActiveHours, parse
from fleetyard.geofences.shapes import FenceShape, from_geojson
from fleetyard.kit.geo import METRES_PER_DEGREE

MAX_MARGIN_M: Final = 50.0  # the hysteresis never exceeds this (see evaluate.margin_m)


@dataclass(frozen=True, slots=True)
class Fence:
    id: uuid.UUID
    name: str
    shape: FenceShape
    all_vehicles: bool = True
    group_ids: frozenset[uuid.UUID] = frozenset()
    speed_limit_kmh: int | None = None
    hours: ActiveHours = ALWAYS
    dwell_minutes: int | None = None
    alert_on: frozenset[str] = frozenset()

    @property
    def watches_stay(self) -> bool:
        """Whether a fix inside matters beyond its time (a dwell or a speed limit to check)."""
        return self.dwell_minutes is not None or self.speed_limit_kmh is not None

    def applies_to(self, groups: frozenset[uuid.UUID]) -> bool:
        """``groups``: the vehicle's group and its ancestors."""
        return self.all_vehicles or not self.group_ids.isdisjoint(groups)


def fence_from_row(row: Mapping[str, Any], zone_name: str | None) -> Fence:
    return Fence(
        id=row["id"],
        name=row["name"],
        shape=from_geojson(row["geometry"], row["radius_m"]),
        all_vehicles=row["all_vehicles"],
        group_ids=frozenset(row["group_ids"] or ()),
        speed_limit_kmh=row["speed_limit_kmh"],
        hours=parse(row["active_hours"], zone_name),
        dwell_minutes=row["dwell_minutes"],
        alert_on=frozenset(row["alert_on"] or ()),
    )


def group_chains(
    vehicle_groups: Mapping[uuid.UUID, uuid.UUID | None],
    parents: Mapping[uuid.UUID, uuid.UUID | None],
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """Vehicle → its group and every ancestor (a fence for a region covers its depots)."""
    cache: dict[uuid.UUID, frozenset[uuid.UUID]] = {}

    def chain(group_id: uuid.UUID) -> frozenset[uuid.UUID]:
        found = cache.get(group_id)
        if found is None:
            seen: list[uuid.UUID] = []
            node: uuid.UUID | None = group_id
            while node is not None and node not in seen and len(seen) < 1000:
                seen.append(node)
                node = parents.get(node)
            found = cache[group_id] = frozenset(seen)
        return found

    return {
        vehicle: chain(group) if group is not None else frozenset()
        for vehicle, group in vehicle_groups.items()
    }


# How a fix stands against a fence, as the vectorised test gives it (``shapes.Side`` in words)
EDGE: Final = 0
INSIDE: Final = 1
OUTSIDE: Final = 2


@dataclass(frozen=True, slots=True)
class Near:
    """Every (fix, fence) pair within reach in a batch, sorted by fix: ``fix[k]`` is the
    fix's index, ``fence[k]`` the fence's, ``side[k]`` one of EDGE, INSIDE, OUTSIDE."""

    fix: np.ndarray
    fence: np.ndarray
    side: np.ndarray

    def span(self, first_fix: int, end_fix: int) -> tuple[int, int]:
        """The pairs of fixes ``first_fix`` … ``end_fix - 1``."""
        lo, hi = np.searchsorted(self.fix, [first_fix, end_fix])
        return int(lo), int(hi)


class TenantFences:
    def __init__(
        self,
        fences: Sequence[Fence],
        vehicle_groups: Mapping[uuid.UUID, frozenset[uuid.UUID]] | None = None,
    ) -> None:
        self.fences = list(fences)
        self.by_id = {f.id: f for f in self.fences}
        self.vehicle_groups = dict(vehicle_groups or {})
        boxes = [shapely.box(*f.shape.bounds.widened(MAX_MARGIN_M)) for f in self.fences]
        self.tree = STRtree(boxes) if boxes else None
        # each fence's frame and shape as arrays, so a batch's pairs are tested in one go
        shapes = [f.shape for f in self.fences]
        self._ref_lat = np.array([s.projection.latitude for s in shapes], dtype=float)
        self._ref_lon = np.array([s.projection.longitude for s in shapes], dtype=float)
        self._m_per_lon = np.array([s.projection.metres_per_degree_lon for s in shapes])
        self._radius = np.array([s.radius_m or 0.0 for s in shapes], dtype=float)
        self._circle = np.array([s.radius_m is not None for s in shapes], dtype=bool)
        self._half_depth = np.array([s.depth_m / 2 for s in shapes], dtype=float)
        self._polygons = np.array([s.polygon for s in shapes], dtype=object)
        self._boundaries = np.array([s.boundary for s in shapes], dtype=object)

    def __len__(self) -> int:
        return len(self.fences)

    def groups_of(self, vehicle_id: uuid.UUID) -> frozenset[uuid.UUID]:
        return self.vehicle_groups.get(vehicle_id, frozenset())

    def near(
        self,
        latitudes: Sequence[float],
        longitudes: Sequence[float],
        margins_m: Sequence[float],
    ) -> Near:
        """Which fences each fix is near, and on which side (one tree query and one
        vectorised test for the whole batch): inside or outside by more than the fix's
        margin (capped at half the fence's depth), or too close to the edge to call."""
        if self.tree is None or not len(latitudes):
            empty = np.empty(0, dtype=np.intp)
            return Near(empty, empty, np.empty(0, dtype=np.int8))
        lats = np.asarray(latitudes, dtype=float)
        lons = np.asarray(longitudes, dtype=float)
        fix, fence = self.tree.query(shapely.points(lons, lats))
        order = np.argsort(fix, kind="stable")
        fix, fence = fix[order], fence[order]
        x = (lons[fix] - self._ref_lon[fence]) * self._m_per_lon[fence]
        y = (lats[fix] - self._ref_lat[fence]) * METRES_PER_DEGREE
        h = np.minimum(np.asarray(margins_m, dtype=float)[fix], self._half_depth[fence])
        side = np.full(len(fix), OUTSIDE, dtype=np.int8)
        circles = self._circle[fence]
        beyond = np.hypot(x[circles], y[circles]) - self._radius[fence[circles]]
        hc = h[circles]
        side[circles] = np.where(beyond < -hc, INSIDE, np.where(beyond > hc, OUTSIDE, EDGE))
        polygons = ~circles
        if polygons.any():
            which, px, py, hp = fence[polygons], x[polygons], y[polygons], h[polygons]
            edge = shapely.dwithin(self._boundaries[which], shapely.points(px, py), hp)
            inside = shapely.contains_xy(self._polygons[which], px, py)
            side[polygons] = np.where(edge, EDGE, np.where(inside, INSIDE, OUTSIDE))
        return Near(fix, fence, side)

    def pairs_per_fix(
        self,
        latitudes: Sequence[float],
        longitudes: Sequence[float],
        margins_m: Sequence[float],
    ) -> list[list[tuple[Fence, int]]]:
        """Per fix, its (fence, side) pairs: ``near`` in plain lists (tests, small uses)."""
        near = self.near(latitudes, longitudes, margins_m)
        found: list[list[tuple[Fence, int]]] = [[] for _ in latitudes]
        for i, j, side in zip(
            near.fix.tolist(), near.fence.tolist(), near.side.tolist(), strict=True
        ):
            found[i].append((self.fences[j], side))
        return found

    def containing(self, latitude: float, longitude: float) -> list[Fence]:
        """The fences a point is plainly inside, smallest first (the most specific place)."""
        if self.tree is None:
            return []
        near = self.tree.query(shapely.points([longitude], [latitude]))[1].tolist()
        inside = [
            self.fences[j] for j in near if self.fences[j].shape.contains(latitude, longitude)
        ]
        return sorted(inside, key=lambda f: f.shape.area_m2())


def build(
    rows: Iterable[Mapping[str, Any]],
    zone_name: str | None,
    vehicle_groups: Mapping[uuid.UUID, frozenset[uuid.UUID]] | None = None,
) -> TenantFences:
    return TenantFences([fence_from_row(row, zone_name) for row in rows], vehicle_groups)
