"""Geofences: circles and polygons vehicles enter, leave, dwell and speed in."""
