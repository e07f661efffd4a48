"""What each report kind shows: its columns (label and type) and the chart drawn from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

ColumnType = Literal["text", "datetime", "date", "number", "integer"]
ReportKind = Literal[
    "trips",
    "stops",
    "daily-summary",
    "geofence-visits",
    "speeding",
    "driver-scores",
    "alerts",
]
ReportFormat = Literal["json", "csv", "xlsx", "pdf"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    type: ColumnType = "text"


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart: the sum of ``value`` per distinct ``category``, in order of appearance."""

    category: str
    value: str
    title: str


@dataclass(frozen=True, slots=True)
class KindSpec:
    title: str
    columns: tuple[Column, ...]
    chart: Chart


VEHICLE = Column("vehicle", "Vehicle")

KINDS: Final[dict[str, KindSpec]] = {
    "trips": KindSpec(
        "Trips",
        (
            VEHICLE,
            Column("started_at", "Started", "datetime"),
            Column("ended_at", "Ended", "datetime"),
            Column("distance_km", "Distance (km)", "number"),
            Column("driving_min", "Driving (min)", "number"),
            Column("idle_min", "Idle (min)", "number"),
            Column("max_speed_kmh", "Max speed (km/h)", "number"),
            Column("fuel_used_l", "Fuel (l)", "number"),
            Column("status", "Status"),
        ),
        Chart("vehicle", "distance_km", "Distance per vehicle (km)"),
    ),
    "stops": KindSpec(
        "Stops",
        (
            VEHICLE,
            Column("started_at", "Started", "datetime"),
            Column("ended_at", "Ended", "datetime"),
            Column("duration_min", "Duration (min)", "number"),
            Column("idle_min", "Idle (min)", "number"),
            Column("latitude", "Latitude", "number"),
            Column("longitude", "Longitude", "number"),
        ),
        Chart("vehicle", "duration_min", "Stopped per vehicle (min)"),
    ),
    "daily-summary": KindSpec(
        "Daily summary",
        (
            Column("day", "Day", "date"),
            VEHICLE,
            Column("trips", "Trips", "integer"),
            Column("distance_km", "Distance (km)", "number"),
            Column("driving_min", "Driving (min)", "number"),
            Column("idle_min", "Idle (min)", "number"),
            Column("max_speed_kmh", "Max speed (km/h)", "number"),
            Column("fuel_used_l", "Fuel (l)", "number"),
        ),
        Chart("day", "distance_km", "Distance per day (km)"),
    ),
    "geofence-visits": KindSpec(
        "Geofence visits",
        (
            Column("geofence", "Geofence"),
            VEHICLE,
            Column("entered_at", "Entered", "datetime"),
            Column("exited_at", "Left", "datetime"),
            Column("duration_min", "Stayed (min)", "number"),
        ),
        Chart("geofence", "count", "Visits per geofence"),
    ),
    "driver-scores": KindSpec(
        "Driver scores",
        (
            Column("driver", "Driver"),
            Column("score", "Score", "number"),
            Column("trips", "Trips", "integer"),
            Column("distance_km", "Distance (km)", "number"),
            Column("driving_min", "Driving (min)", "number"),
            Column("events", "Driving events", "integer"),
            Column("speeding", "Speeding episodes", "integer"),
            Column("harsh", "Harsh events", "integer"),
        ),
        Chart("driver", "score", "Score per driver"),
    ),
    "speeding": KindSpec(
        "Speeding",
        (
            VEHICLE,
            Column("started_at", "Started", "datetime"),
            Column("ended_at", "Ended", "datetime"),
            Column("duration_s", "Duration (s)", "number"),
            Column("max_speed_kmh", "Max speed (km/h)", "number"),
            Column("limit_kmh", "Limit (km/h)", "number"),
            Column("excess_kmh", "Over by (km/h)", "number"),
            Column("severity", "Severity"),
            Column("latitude", "Latitude", "number"),
            Column("longitude", "Longitude", "number"),
        ),
        Chart("vehicle", "duration_s", "Speeding per vehicle (s)"),
    ),
    "alerts": KindSpec(
        "Alerts",
        (
            VEHICLE,
            Column("opened_at", "Opened", "datetime"),
            Column("cleared_at", "Cleared", "datetime"),
            Column("kind", "Kind"),
            Column("severity", "Severity"),
            Column("message", "Message"),
            Column("acknowledged_at", "Acknowledged", "datetime"),
        ),
        Chart("kind", "count", "Alerts per kind"),
    ),
}
