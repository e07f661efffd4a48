"""Telemetry alert rules: small pure functions over one fix's attributes, an evaluator that runs
them in fix-time order per vehicle, and the after-store handler that writes the alerts."""
