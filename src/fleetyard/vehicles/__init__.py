"""Vehicles: the fleet's records."""
