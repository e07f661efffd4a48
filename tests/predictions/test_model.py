"""Training and prediction without the database: the stored parameters predict what
lifelines predicts, a held-out C-index beats chance, and the prior ships for every part."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from fleetyard.predictions.features import FEATURES
from fleetyard.predictions.history import COMPONENTS
from fleetyard.predictions.model import SurvivalModel, blend, time_to_failure
from fleetyard.predictions.predict import predict_fleet
from fleetyard.predictions.prior import prior_models
from fleetyard.predictions.training import (
    Samples,
    TrainingFailed,
    evaluate,
    fit,
    landmark_samples,
)
from fleetyard.simulator.history import simulate_history


@pytest.fixture(scope="module")
def history():  # type: ignore[no-untyped-def]
    return simulate_history(120, 540, seed=21)


def test_stored_parameters_predict_what_lifelines_predicts(history) -> None:  # type: ignore[no-untyped-def]
    samples = landmark_samples(history, "battery", 28, 540, step=28)
    model = fit(samples, "battery")
    names = list(model.features)
    frame = pd.DataFrame(samples.X, columns=names)
    frame["duration"], frame["event"] = samples.duration, samples.event
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter(penalizer=0.05).fit(frame, "duration", "event")
    theirs = 1 - cph.predict_survival_function(frame[names].iloc[:50], times=[30]).to_numpy()[0]
    ours = model.failure_within(samples.X[:50])
    assert np.allclose(ours, theirs, atol=2e-3)
    again = SurvivalModel.from_json(model.to_json())
    assert np.allclose(again.failure_within(samples.X[:50]), ours, atol=1e-6)


def test_held_out_concordance_beats_chance(history) -> None:  # type: ignore[no-untyped-def]
    for component in COMPONENTS:
        model = fit(landmark_samples(history, component, 28, 360), component)
        scored = evaluate(landmark_samples(history, component, 360, 540), model)
        assert scored["c_index"] is not None and scored["c_index"] > 0.6, (component, scored)
        assert 0 <= scored["brier_30d"] < 0.1


def test_too_few_failures_is_a_training_failure() -> None:
    width = len(FEATURES["brakes"])
    samples = Samples(np.zeros((5, width)), np.ones(5) * 30, np.zeros(5), np.zeros(5))
    with pytest.raises(TrainingFailed):
        fit(samples, "brakes")


def test_prior_covers_every_component_and_blends_toward_it(history) -> None:  # type: ignore[no-untyped-def]
    prior = prior_models()
    assert set(prior) == set(COMPONENTS)
    tenant = fit(landmark_samples(history, "brakes", 28, 540), "brakes")
    assert np.allclose(blend(tenant, prior["brakes"], 1.0).coefs, tenant.coefs)
    halfway = blend(tenant, prior["brakes"], 0.5)
    expected = (np.asarray(tenant.coefs) + np.asarray(prior["brakes"].coefs)) / 2
    assert np.allclose(halfway.coefs, expected)


def test_predictions_carry_interval_action_confidence_and_drivers(history) -> None:  # type: ignore[no-untyped-def]
    out = predict_fleet(history, dict(prior_models()), 540, {3: ["P0700"]})
    assert {p.component for p in out} == {*COMPONENTS, "transmission"}
    for p in out:
        assert 0 <= p.probability_30d <= 1 and 0 <= p.confidence <= 1
        assert p.recommended_action
        if p.days_low is not None and p.days_to_failure is not None:
            assert p.days_low <= p.days_to_failure
    modelled = [p for p in out if p.source == "prior"]
    assert all(p.drivers for p in modelled)
    riskiest = max(modelled, key=lambda p: p.probability_30d)
    assert riskiest.probability_30d > 0.1


def test_time_to_failure_reads_the_survival_curve() -> None:
    curve = np.exp(-np.arange(366) / 100.0)
    ttf = time_to_failure(curve)
    assert (ttf.low_days, ttf.median_days, ttf.high_days) == (11, 70, 231)
    assert time_to_failure(np.ones(366)).median_days is None
