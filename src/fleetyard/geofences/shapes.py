"""A geofence's geometry in metres: validated once when it is written, and tested against
fixes by the evaluator. Pure (no I/O).

GeoJSON gives degrees, longitude first. Each fence is projected into its own local flat
frame (``kit.geo.LocalProjection`` centred on it), so a polygon's self-intersection, area and
the distance of a fix from its edge are all in metres, and fences anywhere on earth work the
same. A fence is at most ``MAX_EXTENT_M`` across, well inside the projection's accurate range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import shapely
from shapely import Point, Polygon

from fleetyard.errors import ValidationFailed
from fleetyard.kit.geo import METRES_PER_DEGREE, LocalProjection

MIN_RADIUS_M: Final = 5.0  # a circle smaller than GPS noise would flap forever
MAX_RADIUS_M: Final = 100_000.0
MAX_EXTENT_M: Final = 200_000.0  # a polygon's bounding box side: as wide as the largest circle
MIN_AREA_M2: Final = 25.0  # a 5 m square
MAX_VERTICES: Final = 5_000  # all rings together
MAX_HOLES: Final = 50
MAX_ABS_LATITUDE: Final = 85.0  # beyond, a flat frame of 200 km is no longer honest
CIRCLE_SEGMENTS: Final = 16  # quarter-circle segments when a circle is drawn as a polygon


class Shape(StrEnum):
    CIRCLE = "circle"
    POLYGON = "polygon"


class GeometryInvalid(ValidationFailed):
    """422 with a reason a client can act on, and where on the shape it is."""

    code = "invalid_geometry"
    message = "The geofence's geometry is not valid."


def _refuse(reason: str, message: str, **details: Any) -> GeometryInvalid:
    return GeometryInvalid(message, details={"field": "geometry", "reason": reason, **details})


@dataclass(frozen=True, slots=True)
class Bounds:
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float

    def widened(self, metres: float) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) grown by ``metres`` on every side."""
        d_lat = metres / METRES_PER_DEGREE
        top = max(abs(self.min_latitude), abs(self.max_latitude))
        d_lon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(top)), 0.01))
        return (
            self.min_longitude - d_lon,
            self.min_latitude - d_lat,
            self.max_longitude + d_lon,
            self.max_latitude + d_lat,
        )


class Side(StrEnum):
    """Where a fix stands against a fence, given a margin ``h``."""

    INSIDE = "inside"  # inside by more than h
    OUTSIDE = "outside"  # outside by more than h
    EDGE = "edge"  # within h of the edge: too close to call, so nothing changes


@dataclass(frozen=True, slots=True)
class FenceShape:
    """A fence in its own flat frame. ``depth_m`` is about how deep inside a point can be
    (the radius; for a polygon twice its area over its perimeter), which caps the
    hysteresis so a small fence can still be entered."""

    shape: Shape
    projection: LocalProjection
    bounds: Bounds
    depth_m: float
    radius_m: float | None = None
    polygon: Polygon | None = None  # in metres, prepared
    boundary: Any = None  # the polygon's rings, prepared (distance to the edge)

    def side(self, latitude: float, longitude: float, margin_m: float) -> Side:
        x, y = self.projection.to_xy(latitude, longitude)
        h = min(margin_m, self.depth_m / 2)
        if self.radius_m is not None:
            beyond = math.hypot(x, y) - self.radius_m
            if beyond < -h:
                return Side.INSIDE
            return Side.OUTSIDE if beyond > h else Side.EDGE
        assert self.polygon is not None
        if shapely.dwithin(self.boundary, Point(x, y), h):
            return Side.EDGE
        return Side.INSIDE if shapely.contains_xy(self.polygon, x, y) else Side.OUTSIDE

    def contains(self, latitude: float, longitude: float) -> bool:
        """Plainly inside (no margin): what naming a place asks."""
        x, y = self.projection.to_xy(latitude, longitude)
        if self.radius_m is not None:
            return math.hypot(x, y) <= self.radius_m
        assert self.polygon is not None
        return bool(shapely.intersects_xy(self.polygon, x, y))

    def area_m2(self) -> float:
        if self.radius_m is not None:
            return math.pi * self.radius_m**2
        assert self.polygon is not None
        return float(self.polygon.area)


Position = Sequence[float]  # GeoJSON: [longitude, latitude]


def circle(center: Position, radius_m: float) -> FenceShape:
    lon, lat = float(center[0]), float(center[1])
    _check_latitude(lat)
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise _refuse(
            "radius_out_of_range",
            f"A circle's radius is {MIN_RADIUS_M:g} m to {MAX_RADIUS_M / 1000:g} km.",
            field="radius_m",
            min=MIN_RADIUS_M,
            max=MAX_RADIUS_M,
        )
    projection = LocalProjection(lat, lon)
    d_lat = projection.degrees_north(radius_m)
    d_lon = projection.degrees_east(radius_m)
    if lon - d_lon < -180 or lon + d_lon > 180 or abs(lat) + d_lat > 90:
        raise _refuse("crosses_antimeridian", "A geofence may not cross the 180th meridian.")
    bounds = Bounds(lat - d_lat, lon - d_lon, lat + d_lat, lon + d_lon)
    return FenceShape(Shape.CIRCLE, projection, bounds, radius_m, radius_m=radius_m)


def polygon(rings: Sequence[Sequence[Position]]) -> FenceShape:
    """A GeoJSON Polygon's rings (the shell, then holes), checked in this order: ring
    sizes and closure, latitude range, extent, then shapely's validity (self-intersection,
    holes outside the shell) and the area."""
    if not rings:
        raise _refuse("too_few_points", "A polygon needs a ring of at least 4 positions.")
    if len(rings) - 1 > MAX_HOLES:
        raise _refuse("too_many_holes", f"A polygon has at most {MAX_HOLES} holes.")
    if sum(len(ring) for ring in rings) > MAX_VERTICES:
        raise _refuse("too_many_points", f"A polygon has at most {MAX_VERTICES} positions.")
    for index, ring in enumerate(rings):
        _check_ring(ring, index)
    shell = rings[0]
    lats = [float(p[1]) for p in shell]
    lons = [float(p[0]) for p in shell]
    for lat in (min(lats), max(lats)):
        _check_latitude(lat)
    bounds = Bounds(min(lats), min(lons), max(lats), max(lons))
    if bounds.max_longitude - bounds.min_longitude > 180:
        raise _refuse("crosses_antimeridian", "A geofence may not cross the 180th meridian.")
    projection = LocalProjection.around(
        bounds.min_latitude, bounds.min_longitude, bounds.max_latitude, bounds.max_longitude
    )
    width, height = projection.to_xy(bounds.max_latitude, bounds.max_longitude)
    extent = 2 * max(width, height)
    if extent > MAX_EXTENT_M:
        raise _refuse(
            "too_large",
            f"A geofence is at most {MAX_EXTENT_M / 1000:g} km across.",
            extent_m=round(extent),
            max=MAX_EXTENT_M,
        )
    flat = [[projection.to_xy(float(p[1]), float(p[0])) for p in ring] for ring in rings]
    shape = Polygon(flat[0], flat[1:])
    if not shapely.is_valid(shape):
        raise _invalid(shape, projection)
    area = float(shape.area)
    if area < MIN_AREA_M2:
        raise _refuse(
            "too_small", f"A polygon covers at least {MIN_AREA_M2:g} m².", area_m2=round(area, 1)
        )
    boundary = shape.boundary
    shapely.prepare(shape)
    shapely.prepare(boundary)
    depth = 2 * area / max(float(shape.length), 1e-9)
    return FenceShape(Shape.POLYGON, projection, bounds, depth, polygon=shape, boundary=boundary)


def _check_latitude(latitude: float) -> None:
    if not -MAX_ABS_LATITUDE <= latitude <= MAX_ABS_LATITUDE:
        raise _refuse(
            "out_of_range",
            f"Geofences lie between {MAX_ABS_LATITUDE:g}° south and north.",
            latitude=latitude,
        )


def _check_ring(ring: Sequence[Position], index: int) -> None:
    distinct = {(float(p[0]), float(p[1])) for p in ring}
    if len(ring) < 4 or len(distinct) < 3:
        raise _refuse(
            "too_few_points",
            "A polygon's ring needs at least 3 distinct positions and the first repeated last.",
            ring=index,
        )
    if tuple(ring[0]) != tuple(ring[-1]):
        raise _refuse(
            "unclosed", "A polygon's ring must end where it starts (GeoJSON).", ring=index
        )


def _invalid(shape: Polygon, projection: LocalProjection) -> GeometryInvalid:
    """shapely's reason, in our words, with where it happens in degrees."""
    reason = shapely.is_valid_reason(shape)
    at: list[float] | None = None
    if "[" in reason:
        try:
            x, y = (float(v) for v in reason[reason.index("[") + 1 : reason.index("]")].split())
            lat, lon = projection.to_lat_lon(x, y)
            at = [round(lon, 7), round(lat, 7)]
        except ValueError:
            at = None
    if reason.startswith(("Self-intersection", "Ring Self-intersection")):
        return _refuse("self_intersecting", "The polygon's edges cross each other.", at=at)
    if reason.startswith("Too few points"):
        return _refuse("too_few_points", "A polygon's ring needs at least 3 distinct positions.")
    return _refuse("invalid_polygon", f"The polygon is not valid: {reason}.", at=at)


def from_geojson(geometry: dict[str, Any], radius_m: float | None) -> FenceShape:
    """A stored (already validated) geometry back as a shape: the evaluator's loader."""
    if geometry.get("type") == "Point":
        assert radius_m is not None
        return circle(geometry["coordinates"], radius_m)
    return polygon(geometry["coordinates"])
