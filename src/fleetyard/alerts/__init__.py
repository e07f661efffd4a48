"""Telemetry alerts: list, read and acknowledge what the telematics rules raised."""
