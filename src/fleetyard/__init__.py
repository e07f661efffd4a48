"""Fleetyard: open-source, multi-tenant fleet management."""

__version__ = "0.1.0"
