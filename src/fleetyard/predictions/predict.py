"""Predictions from fitted models and a history (pure): per vehicle and component the 30-day
failure probability, days to failure with an 80 % interval, an action, a confidence, and the
features that drove it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from fleetyard.predictions.features import FEATURES, features_at, last_services
from fleetyard.predictions.history import COMPONENTS, FleetHistory
from fleetyard.predictions.model import HORIZON_DAYS, SurvivalModel, time_to_failure

HIGH: Final = 0.3  # the predicted_failure alert opens at this 30-day probability
MEDIUM: Final = 0.1
# An active DTC on a part no model covers: the share of such codes followed by a repair
# within 30 days is not something we can measure yet, so a stated prior, at low confidence.
DTC_PRIOR_30D: Final = 0.15
DTC_CONFIDENCE: Final = 0.2

ACTIONS: Final[dict[str, tuple[str, str, str]]] = {  # high, medium, low
    "battery": (
        "Test the battery now and replace it before the next cold start.",
        "Test the battery at the next visit (within two weeks).",
        "No action: check at the next scheduled service.",
    ),
    "brakes": (
        "Inspect pads and discs now; keep the vehicle off the road if they are worn out.",
        "Inspect the brake pads within two weeks.",
        "No action: check at the next scheduled service.",
    ),
    "engine_cooling": (
        "Pressure-test the cooling system now (leak, pump, thermostat).",
        "Check the coolant level and look for leaks within a week.",
        "No action: check at the next scheduled service.",
    ),
}


def risk_of(probability: float) -> str:
    return "high" if probability >= HIGH else "medium" if probability >= MEDIUM else "low"


def action_for(component: str, probability: float, dtc_code: str | None = None) -> str:
    if component not in ACTIONS:
        return f"Read and diagnose fault code {dtc_code} ({component.replace('_', ' ')})."
    high, medium, low = ACTIONS[component]
    return {"high": high, "medium": medium, "low": low}[risk_of(probability)]


def model_support(model: SurvivalModel) -> float:
    """How much the model knows this fleet: 0.6 for the population prior alone, up to 1 as
    the tenant's own failures grow (the blend's weight)."""
    if model.source == "prior":
        return 0.6
    weight = float(model.metrics.get("weight", 1.0))
    return 0.6 + 0.4 * weight


@dataclass(frozen=True, slots=True)
class VehiclePrediction:
    vehicle: int
    component: str
    probability_30d: float
    days_to_failure: int | None
    days_low: int | None
    days_high: int | None
    recommended_action: str
    confidence: float
    drivers: list[dict[str, Any]]
    source: str
    dtc_code: str | None = None


def predict_fleet(
    history: FleetHistory,
    models: dict[str, SurvivalModel],
    day: int,
    active_dtcs: dict[int, list[str]] | None = None,
    top: int = 4,
) -> list[VehiclePrediction]:
    """Every vehicle's prediction per modelled component on the morning of ``day``, plus one
    per other component named by an active DTC."""
    out: list[VehiclePrediction] = []
    last = last_services(history, day)
    for component in COMPONENTS:
        model = models[component]
        X, coverage = features_at(history, day, component, last)
        survival = model.survival(X)
        p30 = 1.0 - survival[:, 30]
        contributions = model.contributions(X)
        support = model_support(model)
        specs = FEATURES[component]
        for v in range(history.vehicles):
            ttf = time_to_failure(survival[v])
            order = np.argsort(-np.abs(contributions[v]))[:top]
            drivers = [
                {
                    "feature": specs[i].name,
                    "label": specs[i].label,
                    "value": round(float(X[v, i]), 3),
                    "unit": specs[i].unit,
                    "effect": "raises" if contributions[v, i] > 0 else "lowers",
                    "weight": round(float(contributions[v, i]), 3),
                }
                for i in order
                if abs(contributions[v, i]) > 1e-3
            ]
            probability = float(np.clip(p30[v], 0.0, 1.0))
            out.append(
                VehiclePrediction(
                    vehicle=v,
                    component=component,
                    probability_30d=round(probability, 4),
                    days_to_failure=ttf.median_days,
                    days_low=ttf.low_days,
                    days_high=ttf.high_days,
                    recommended_action=action_for(component, probability),
                    confidence=round(float(coverage[v]) * support, 2),
                    drivers=drivers,
                    source=model.source,
                )
            )
    out.extend(_dtc_predictions(active_dtcs or {}))
    return out


def _dtc_predictions(active_dtcs: dict[int, list[str]]) -> list[VehiclePrediction]:
    from fleetyard.predictions.history import component_of_dtc

    out = []
    for vehicle, codes in active_dtcs.items():
        seen: set[str] = set()
        for code in codes:
            component = component_of_dtc(code)
            if component is None or component in COMPONENTS or component in seen:
                continue
            seen.add(component)
            out.append(
                VehiclePrediction(
                    vehicle=vehicle,
                    component=component,
                    probability_30d=DTC_PRIOR_30D,
                    days_to_failure=None,
                    days_low=None,
                    days_high=None,
                    recommended_action=action_for(component, DTC_PRIOR_30D, code),
                    confidence=DTC_CONFIDENCE,
                    drivers=[
                        {
                            "feature": "active_dtc",
                            "label": "Active diagnostic trouble code",
                            "value": code,
                            "unit": "code",
                            "effect": "raises",
                            "weight": 1.0,
                        }
                    ],
                    source="dtc",
                    dtc_code=code,
                )
            )
    return out


__all__ = ["HORIZON_DAYS", "VehiclePrediction", "predict_fleet"]
