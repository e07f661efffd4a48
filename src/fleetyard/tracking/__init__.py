"""Tracking: where the fleet has been (positions) and where it is now (vehicle state)."""
