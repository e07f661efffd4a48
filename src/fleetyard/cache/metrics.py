"""Cache figures for ``/metrics``: lookups by tier and result, entries and bytes held in this
process's memory tier, invalidations, and whether the shared tier (Redis) is reachable."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge


class CacheMetrics:
    def __init__(
        self,
        registry: CollectorRegistry | None,
        entries: Callable[[], float],
        size_bytes: Callable[[], float],
    ) -> None:
        self.lookups = Counter(
            "fleetyard_cache_lookups",
            "Cache lookups by tier (memory, redis) and result (hit, stale, miss, bypass)",
            ["tier", "result"],
            registry=registry,
        )
        self.invalidations = Counter(
            "fleetyard_cache_invalidated_tags",
            "Tags dropped, by where the drop came from (local commit, another node)",
            ["origin"],
            registry=registry,
        )
        self.entries = Gauge(
            "fleetyard_cache_memory_entries",
            "Entries in this process's memory tier",
            registry=registry,
        )
        self.entries.set_function(entries)
        self.size = Gauge(
            "fleetyard_cache_memory_bytes",
            "Bytes of answers held in this process's memory tier",
            registry=registry,
        )
        self.size.set_function(size_bytes)
        self.redis_up = Gauge(
            "fleetyard_cache_redis_up",
            "1 while the shared tier (Redis) answers, 0 while the cache is bypassed",
            registry=registry,
        )

    def hit(self, tier: str) -> None:
        self.lookups.labels(tier, "hit").inc()

    def count(self, tier: str, result: str) -> None:
        self.lookups.labels(tier, result).inc()
