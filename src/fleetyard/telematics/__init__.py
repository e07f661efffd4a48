"""Telematics: device protocols, the gateway, and the ingest pipeline."""
