"""A fitted survival model as plain parameters, and predictions from it with numpy alone.

A Cox proportional-hazards model: ``S(t | x) = exp(−H₀(t) · exp(β · (x − x̄)))`` with the
baseline cumulative hazard ``H₀`` kept per day up to :data:`HORIZON_DAYS`. Stored as JSON
(coefficients, means, baseline), so the API answers without importing the fitting library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from fleetyard.predictions.history import Component, FloatArray

HORIZON_DAYS: Final = 365
WINDOW_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class SurvivalModel:
    component: str
    features: tuple[str, ...]
    means: tuple[float, ...]
    coefs: tuple[float, ...]
    baseline: tuple[float, ...]  # H₀ at day 0 … HORIZON_DAYS
    events: int  # failures it was fitted on
    samples: int
    source: str = "prior"  # prior | tenant | blended
    metrics: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "features": list(self.features),
            "means": list(self.means),
            "coefs": list(self.coefs),
            "baseline": [round(v, 8) for v in self.baseline],
            "events": self.events,
            "samples": self.samples,
            "source": self.source,
            "metrics": self.metrics,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SurvivalModel:
        return cls(
            component=str(raw["component"]),
            features=tuple(raw["features"]),
            means=tuple(float(v) for v in raw["means"]),
            coefs=tuple(float(v) for v in raw["coefs"]),
            baseline=tuple(float(v) for v in raw["baseline"]),
            events=int(raw["events"]),
            samples=int(raw["samples"]),
            source=str(raw.get("source", "prior")),
            metrics=dict(raw.get("metrics") or {}),
        )

    # predictions ------------------------------------------------------------------------
    def contributions(self, X: FloatArray) -> FloatArray:
        """Each feature's share of the log relative risk, per row."""
        shares: FloatArray = (X - np.asarray(self.means)) * np.asarray(self.coefs)
        return shares

    def risk(self, X: FloatArray) -> FloatArray:
        risk: FloatArray = np.exp(np.clip(self.contributions(X).sum(axis=1), -30, 30))
        return risk

    def survival(self, X: FloatArray) -> FloatArray:
        """S(t) for t = 0 … HORIZON_DAYS, one row per vehicle."""
        return np.asarray(np.exp(-np.outer(self.risk(X), np.asarray(self.baseline))))

    def failure_within(self, X: FloatArray, days: int = WINDOW_DAYS) -> FloatArray:
        return 1.0 - self.survival(X)[:, days]


@dataclass(frozen=True, slots=True)
class TimeToFailure:
    median_days: int | None  # None: beyond the horizon
    low_days: int | None  # 10 % chance of failing before this
    high_days: int | None  # 90 % chance of failing before this (None: beyond the horizon)


def time_to_failure(survival_row: FloatArray) -> TimeToFailure:
    def first_below(level: float) -> int | None:
        below = np.flatnonzero(survival_row <= level)
        return int(below[0]) if below.size else None

    return TimeToFailure(first_below(0.5), first_below(0.9), first_below(0.1))


def blend(tenant: SurvivalModel, prior: SurvivalModel, weight: float) -> SurvivalModel:
    """Shrink a tenant's fit toward the population prior: coefficients and log baseline as a
    weighted mean (the prior's baseline first moved to the tenant's feature means)."""
    bt, bp = np.asarray(tenant.coefs), np.asarray(prior.coefs)
    shift = float(np.exp(bp @ (np.asarray(tenant.means) - np.asarray(prior.means))))
    h_t = np.maximum(np.asarray(tenant.baseline), 1e-12)
    h_p = np.maximum(np.asarray(prior.baseline) * shift, 1e-12)
    baseline = np.exp(weight * np.log(h_t) + (1 - weight) * np.log(h_p))
    baseline[0] = 0.0
    return SurvivalModel(
        component=tenant.component,
        features=tenant.features,
        means=tenant.means,
        coefs=tuple(float(v) for v in weight * bt + (1 - weight) * bp),
        baseline=tuple(float(v) for v in baseline),
        events=tenant.events,
        samples=tenant.samples,
        source="blended",
        metrics=tenant.metrics,
    )


def component_model(models: dict[str, SurvivalModel], component: Component) -> SurvivalModel:
    return models[component]
