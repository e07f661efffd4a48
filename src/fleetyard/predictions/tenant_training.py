"""A tenant's models from its own history, shrunk toward the population prior.

Per component: with fewer than ``MIN_EVENTS`` failures in the tenant's work orders the prior
is used alone (and scored on the tenant's data where it can be); otherwise a Cox model is
fitted on the first three quarters of the history and scored on the last quarter (the stored
C-index and Brier score), then fitted on all of it and blended with the prior, weight
``events / (events + SHRINK_EVENTS)``.
"""

from __future__ import annotations

from typing import Any

from fleetyard.predictions.history import COMPONENTS, FAILURE_KINDS, FleetHistory
from fleetyard.predictions.model import SurvivalModel, blend
from fleetyard.predictions.prior import prior_models
from fleetyard.predictions.training import (
    MIN_EVENTS,
    SHRINK_EVENTS,
    evaluate,
    fit,
    landmark_samples,
    tune_penalizer,
)

FIRST_LANDMARK = 28


def train_tenant(history: FleetHistory) -> dict[str, SurvivalModel]:
    """Raises TrainingFailed when a component with enough failures cannot be fitted."""
    prior = prior_models()
    models: dict[str, SurvivalModel] = {}
    for component in COMPONENTS:
        failures = sum(
            1
            for e in history.events
            if e.component == component and e.kind in FAILURE_KINDS and e.day >= 0
        )
        everything = landmark_samples(history, component, FIRST_LANDMARK, history.days)
        if failures < MIN_EVENTS:
            metrics: dict[str, Any] = {"failures": failures, "weight": 0.0}
            if everything.event.sum() > 0:
                metrics |= evaluate(everything, prior[component])
            models[component] = _with_metrics(prior[component], metrics)
            continue
        cut = FIRST_LANDMARK + (history.days - FIRST_LANDMARK) * 3 // 4
        holdout = landmark_samples(history, component, cut, history.days)
        early = landmark_samples(history, component, FIRST_LANDMARK, cut)
        # the penalizer is chosen on vehicles held out of the early part, never the last quarter
        penalizer = tune_penalizer(early, component)
        scored = (
            evaluate(holdout, fit(early, component, penalizer=penalizer))
            if early.event.sum() >= 2
            else {}
        )
        weight = failures / (failures + SHRINK_EVENTS)
        fitted = blend(fit(everything, component, penalizer=penalizer), prior[component], weight)
        models[component] = _with_metrics(
            fitted,
            {**scored, "failures": failures, "weight": round(weight, 3), "penalizer": penalizer},
        )
    return models


def _with_metrics(model: SurvivalModel, metrics: dict[str, Any]) -> SurvivalModel:
    raw = model.to_json()
    raw["metrics"] = metrics
    return SurvivalModel.from_json(raw)
