"""Integration figures for ``/metrics``: totals per provider, and per connection for the
connections this node runs (a node exports only what it holds, so the series are bounded by
its share of the connections and vanish when it lets one go)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge

from fleetyard.integrations.health import ConnectionState, ConnectionStatus


class IntegrationMetrics:
    """Per provider, on the app's registry (``/metrics``)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.records = Counter(
            "fleetyard_integration_records",
            "Positions stored from vendors",
            ["provider"],
            registry=registry,
        )
        self.polls = Counter(
            "fleetyard_integration_polls",
            "Rounds completed (polls or MQTT batches)",
            ["provider"],
            registry=registry,
        )
        self.errors = Counter(
            "fleetyard_integration_errors",
            "Failed rounds by kind",
            ["provider", "kind"],
            registry=registry,
        )
        self.lag = Gauge(
            "fleetyard_integration_lag_seconds",
            "Largest lag behind a vendor on this node",
            ["provider"],
            registry=registry,
        )
        self.connections = Gauge(
            "fleetyard_integration_connections",
            "Connections run by this node, by state",
            ["state"],
            registry=registry,
        )
        per_connection = ["tenant_id", "integration_id", "provider"]
        self.connection_up = Gauge(
            "fleetyard_integration_connection_state",
            "1 for the connection's current state (ok, backing_off, credentials_rejected, paused)",
            [*per_connection, "state"],
            registry=registry,
        )
        self.connection_lag = Gauge(
            "fleetyard_integration_connection_lag_seconds",
            "How far the connection's newest record is behind now",
            per_connection,
            registry=registry,
        )
        self.connection_records = Gauge(
            "fleetyard_integration_connection_records_last_hour",
            "Records the connection stored in the last hour",
            per_connection,
            registry=registry,
        )
        self.connection_last_success = Gauge(
            "fleetyard_integration_connection_last_success_timestamp_seconds",
            "When the connection last completed a round (Unix time)",
            per_connection,
            registry=registry,
        )
        self._exported: set[tuple[str, str, str]] = set()

    def export_connections(self, statuses: Mapping[tuple[str, str, str], ConnectionStatus]) -> None:
        """Sets each held connection's series and removes those of connections let go."""
        for labels, status in statuses.items():
            for state in ConnectionState:
                self.connection_up.labels(*labels, state.value).set(
                    1 if state is status.state else 0
                )
            self.connection_records.labels(*labels).set(status.records_last_hour)
            if status.lag_s is not None:
                self.connection_lag.labels(*labels).set(status.lag_s)
            if status.last_success_at is not None:
                self.connection_last_success.labels(*labels).set(status.last_success_at.timestamp())
        for labels in self._exported - statuses.keys():
            for state in ConnectionState:
                _forget(self.connection_up, *labels, state.value)
            for gauge in (
                self.connection_lag,
                self.connection_records,
                self.connection_last_success,
            ):
                _forget(gauge, *labels)
        self._exported = set(statuses)


def _forget(gauge: Gauge, *labels: str) -> None:
    with contextlib.suppress(KeyError):  # never set (no lag known yet, no success yet)
        gauge.remove(*labels)


class ProviderObserver:
    def __init__(self, metrics: IntegrationMetrics, provider_name: str) -> None:
        self.metrics, self.provider = metrics, provider_name

    def polled(self, records: int, skipped: int) -> None:
        self.metrics.polls.labels(self.provider).inc()
        if records:
            self.metrics.records.labels(self.provider).inc(records)

    def failed(self, kind: str) -> None:
        self.metrics.errors.labels(self.provider, kind).inc()
