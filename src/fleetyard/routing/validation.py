"""Rules across a route plan request's fields, each refusal naming its field the way the API's
other 422s do (``details.errors[].loc``), and the tenant's limits.

Checked before the plan is stored, so the worker only ever solves a request that makes sense:
indices inside a square matrix, coordinates or indices consistently, capacity and demand with
the same dimensions, unique ids, windows that open before they close."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fleetyard.errors import LimitExceeded, ValidationFailed
from fleetyard.routing.limits import PlanLimits
from fleetyard.routing.schemas import LatLon, RoutePlanCreate

Loc = tuple[str | int, ...]
MAX_ERRORS = 20


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, kind: str = "value_error") -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append({"loc": ["body", *map(str, loc)], "msg": msg, "type": kind})

    def raise_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ValidationFailed(
                f"{'.'.join(first['loc'][1:])}: {first['msg']}",
                details={"errors": self.items},
            )


def check_request(request: RoutePlanCreate) -> None:
    """Raises ``ValidationFailed`` naming every field (up to 20) that breaks a rule."""
    errors = _Errors()
    size = _check_matrix(request, errors)
    _check_places(request, size, errors)
    _check_ids(request, errors)
    _check_dimensions(request, errors)
    _check_times(request, errors)
    errors.raise_any()


def _check_matrix(request: RoutePlanCreate, errors: _Errors) -> int | None:
    matrix = request.matrix
    if matrix is None:
        return None
    size = len(matrix.distances)
    if len(matrix.durations) != size:
        errors.add(
            ("matrix", "durations"),
            f"has {len(matrix.durations)} rows; distances has {size}",
        )
    for name, grid in (("distances", matrix.distances), ("durations", matrix.durations)):
        for row, values in enumerate(grid):
            if len(values) != size:
                errors.add(
                    ("matrix", name, row),
                    f"has {len(values)} values; a square matrix of {size} rows needs {size}",
                )
                break
    return size


def _check_place(
    errors: _Errors,
    loc: Loc,
    index_name: str,
    index: int | None,
    coord_name: str,
    coord: LatLon | None,
    size: int | None,
    *,
    required: bool,
) -> None:
    if index is not None and coord is not None:
        errors.add((*loc, index_name), f"give {index_name} or {coord_name}, not both")
    if size is not None:
        if coord is not None:
            errors.add((*loc, coord_name), f"with a matrix, give {index_name} instead")
        elif index is None and required:
            errors.add((*loc, index_name), "required with a matrix", "missing")
        elif index is not None and index >= size:
            errors.add((*loc, index_name), f"{index} is outside the matrix (rows 0 to {size - 1})")
    else:
        if index is not None:
            errors.add((*loc, index_name), f"without a matrix, give {coord_name} instead")
        elif coord is None and required:
            errors.add((*loc, coord_name), "required without a matrix", "missing")


def _check_places(request: RoutePlanCreate, size: int | None, errors: _Errors) -> None:
    for n, v in enumerate(request.vehicles):
        loc: Loc = ("vehicles", n)
        _check_place(
            errors, loc, "start_index", v.start_index, "start", v.start, size, required=True
        )
        _check_place(errors, loc, "end_index", v.end_index, "end", v.end, size, required=False)
        if v.break_ is not None:
            b = v.break_
            _check_place(
                errors,
                (*loc, "break"),
                "location_index",
                b.location_index,
                "location",
                b.location,
                size,
                required=False,
            )
            if b.location_index is None and b.location is None:
                errors.add(
                    (*loc, "break"),
                    "a break needs the place it is taken at (location_index or location): "
                    "a break anywhere on the road is not supported",
                    "break_not_supported",
                )
    for n, j in enumerate(request.jobs):
        _check_place(
            errors,
            ("jobs", n),
            "location_index",
            j.location_index,
            "location",
            j.location,
            size,
            required=True,
        )


def _duplicates(ids: Sequence[str]) -> dict[int, str]:
    seen: set[str] = set()
    found: dict[int, str] = {}
    for n, i in enumerate(ids):
        if i in seen:
            found[n] = i
        seen.add(i)
    return found


def _check_ids(request: RoutePlanCreate, errors: _Errors) -> None:
    for n, i in _duplicates([j.id for j in request.jobs]).items():
        errors.add(("jobs", n, "id"), f"{i!r} is given to another job too")
    for n, i in _duplicates([v.id for v in request.vehicles]).items():
        errors.add(("vehicles", n, "id"), f"{i!r} is given to another vehicle too")
    for n, v in enumerate(request.vehicles):
        if "#" in v.id:
            errors.add(("vehicles", n, "id"), "'#' is kept for naming a count's vehicles")
    for n, j in enumerate(request.jobs):
        if j.id.startswith("break:"):
            errors.add(("jobs", n, "id"), "'break:' is kept for the drivers' breaks")


def _check_dimensions(request: RoutePlanCreate, errors: _Errors) -> None:
    dims = len(request.vehicles[0].capacity)
    for n, v in enumerate(request.vehicles):
        if len(v.capacity) != dims:
            errors.add(
                ("vehicles", n, "capacity"),
                f"has {len(v.capacity)} dimensions; vehicles[0] has {dims}",
            )
    for n, j in enumerate(request.jobs):
        if j.demand and len(j.demand) != dims:
            errors.add(
                ("jobs", n, "demand"),
                f"has {len(j.demand)} dimensions; the vehicles' capacity has {dims}",
            )


def _check_times(request: RoutePlanCreate, errors: _Errors) -> None:
    for n, v in enumerate(request.vehicles):
        if v.shift is not None and v.shift[0] > v.shift[1]:
            errors.add(("vehicles", n, "shift"), "starts after it ends")
        if v.break_ is not None:
            start, end = v.break_.time_window
            if start > end:
                errors.add(("vehicles", n, "break", "time_window"), "starts after it ends")
    for n, j in enumerate(request.jobs):
        for w, (start, end) in enumerate(j.time_windows):
            if start > end:
                errors.add(("jobs", n, "time_windows", w), "starts after it ends")


def check_limits(request: RoutePlanCreate, limits: PlanLimits) -> None:
    """The tenant's limits on size and time (422 naming the limit)."""
    vehicles = sum(v.count for v in request.vehicles)
    for field, value, limit, name in (
        ("jobs", len(request.jobs), limits.max_jobs, "max_jobs"),
        ("vehicles", vehicles, limits.max_vehicles, "max_vehicles"),
        ("time_limit_s", request.time_limit_s, limits.max_time_limit_s, "max_time_limit_s"),
    ):
        if value > limit:
            raise ValidationFailed(
                f"{field}: {value} is over this organisation's limit {name} = {limit}.",
                details={
                    "errors": [
                        {
                            "loc": ["body", field],
                            "msg": f"at most {limit} ({name})",
                            "type": "limit_exceeded",
                        }
                    ],
                    "limit": name,
                    "max": limit,
                },
            )


def check_concurrency(active: int, limits: PlanLimits) -> None:
    if active >= limits.max_concurrent:
        raise LimitExceeded(
            f"This organisation has {active} plans queued or solving; at most "
            f"{limits.max_concurrent} at once (max_concurrent). Wait for one to finish or "
            "cancel one.",
            details={"limit": "max_concurrent", "max": limits.max_concurrent},
        )
