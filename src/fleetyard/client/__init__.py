"""Clients for integrators: :class:`LiveClient` follows a tenant's live stream."""

from fleetyard.client.live import Backoff, LiveAuthError, LiveClient, LiveMessage

__all__ = ["Backoff", "LiveAuthError", "LiveClient", "LiveMessage"]
