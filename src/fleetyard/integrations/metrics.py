"""Integration figures for ``/metrics``, per provider (never per connection: thousands of
tenants' connections would be thousands of series)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


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


class ProviderObserver:
    def __init__(self, metrics: IntegrationMetrics, provider_name: str) -> None:
        self.metrics, self.provider = metrics, provider_name

    def polled(self, records: int, skipped: int) -> None:
        self.metrics.polls.labels(self.provider).inc()
        if records:
            self.metrics.records.labels(self.provider).inc(records)

    def failed(self, kind: str) -> None:
        self.metrics.errors.labels(self.provider, kind).inc()
