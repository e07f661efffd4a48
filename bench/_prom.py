"""Read histograms off a server's /metrics (Prometheus text) for a latency breakdown."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class HistogramSummary:
    count: int
    mean_s: float
    buckets: list[tuple[float, int]]  # (upper bound, cumulative count)

    def quantile(self, q: float) -> float:
        """Linear interpolation inside the bucket holding the q-th observation."""
        if self.count == 0:
            return float("nan")
        rank = q * self.count
        lower, below = 0.0, 0
        for bound, cumulative in self.buckets:
            if cumulative >= rank:
                if bound == float("inf"):
                    return lower
                inside = max(cumulative - below, 1)
                return lower + (bound - lower) * (rank - below) / inside
            lower, below = bound, cumulative
        return lower


def histograms(base_url: str, names: list[str]) -> dict[str, HistogramSummary]:
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    found: dict[str, HistogramSummary] = {}
    for name in names:
        buckets: list[tuple[float, int]] = []
        total, count = 0.0, 0
        for line in text.splitlines():
            if line.startswith(f"{name}_bucket{{"):
                bound = line.split('le="', 1)[1].split('"', 1)[0]
                buckets.append((float(bound), int(float(line.rsplit(" ", 1)[1]))))
            elif line.startswith(f"{name}_sum "):
                total = float(line.rsplit(" ", 1)[1])
            elif line.startswith(f"{name}_count "):
                count = int(float(line.rsplit(" ", 1)[1]))
        found[name] = HistogramSummary(count, total / count if count else float("nan"), buckets)
    return found
