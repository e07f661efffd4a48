"""The ingest pool fixture of the telematics tests, for the fleet's end-to-end tests."""

from tests.telematics.conftest import ingest_pool

__all__ = ["ingest_pool"]
