"""Fitting: landmark samples from a history, a Cox model per component (lifelines, imported
here only, so the API never pays its import), and its evaluation (C-index, 30-day Brier score,
calibration by decile).

Landmarking: every ``step`` days each vehicle contributes one sample — its features that
morning, and the days until the component failed (a breakdown or corrective work order) or
was serviced or the window ended (censored).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from fleetyard.predictions.features import FEATURES, features_at, last_services
from fleetyard.predictions.history import (
    FAILURE_KINDS,
    Component,
    FleetHistory,
    FloatArray,
)
from fleetyard.predictions.model import HORIZON_DAYS, WINDOW_DAYS, SurvivalModel

PENALIZER: Final = 0.05  # when there is too little to tune it on
PENALIZERS: Final = (0.002, 0.01, 0.05, 0.2)  # the candidates tuned on a validation split
VALIDATION_SHARE: Final = 0.25  # of the training vehicles, held out to choose the penalizer
MIN_EVENTS: Final = 8  # fewer failures than this: the prior alone
SHRINK_EVENTS: Final = 40.0  # weight of a tenant fit = events / (events + this)


class TrainingFailed(Exception):
    pass


@dataclass(slots=True)
class Samples:
    X: FloatArray
    duration: FloatArray
    event: FloatArray
    day: FloatArray
    vehicle: FloatArray | None = None  # index of the vehicle each sample follows

    def __len__(self) -> int:
        return int(self.duration.shape[0])


def next_events(history: FleetHistory, component: Component) -> dict[int, list[tuple[int, bool]]]:
    """Per vehicle, its work orders on the component as (day, was a failure), by day."""
    found: dict[int, list[tuple[int, bool]]] = {}
    for e in history.events:
        if e.component == component:
            found.setdefault(e.vehicle, []).append((e.day, e.kind in FAILURE_KINDS))
    for events in found.values():
        events.sort()
    return found


def landmark_samples(
    history: FleetHistory,
    component: Component,
    first_day: int,
    end_day: int,
    step: int = 14,
    follow_up: int = HORIZON_DAYS,
) -> Samples:
    """Samples at landmarks first_day, first_day + step, … < end_day, followed until end_day
    or for ``follow_up`` days, whichever comes first."""
    events = next_events(history, component)
    xs, durations, flags, days, vehicles = [], [], [], [], []
    for day in range(max(first_day, 1), end_day, step):
        X, _ = features_at(history, day, component, last_services(history, day))
        for vehicle in range(history.vehicles):
            duration, failed = float(min(end_day - day, follow_up)), False
            for event_day, is_failure in events.get(vehicle, ()):
                if event_day >= day:
                    if event_day - day < duration:
                        duration, failed = float(event_day - day) + 0.5, is_failure
                    break
            xs.append(X[vehicle])
            durations.append(duration)
            flags.append(1.0 if failed else 0.0)
            days.append(day)
            vehicles.append(vehicle)
    width = len(FEATURES[component])
    return Samples(
        np.asarray(xs, dtype=float).reshape(-1, width),
        np.asarray(durations),
        np.asarray(flags),
        np.asarray(days, dtype=float),
        np.asarray(vehicles, dtype=float),
    )


def subset(samples: Samples, which: np.ndarray) -> Samples:
    return Samples(
        samples.X[which],
        samples.duration[which],
        samples.event[which],
        samples.day[which],
        None if samples.vehicle is None else samples.vehicle[which],
    )


def tune_penalizer(samples: Samples, component: Component, seed: int = 0) -> float:
    """The ridge penalizer whose fit ranks best (C-index) on a quarter of the vehicles held
    out from ``samples`` — a validation split carved from the training data only. Falls back
    to :data:`PENALIZER` when the split has too few failures to tell."""
    if samples.vehicle is None:
        return PENALIZER
    ids = np.unique(samples.vehicle)
    rng = np.random.default_rng(seed)
    held = rng.permutation(ids)[: max(1, int(len(ids) * VALIDATION_SHARE))]
    in_validation = np.isin(samples.vehicle, held)
    train, validation = subset(samples, ~in_validation), subset(samples, in_validation)
    if train.event.sum() < MIN_EVENTS or validation.event.sum() < MIN_EVENTS // 2:
        return PENALIZER
    scored: list[tuple[float, float]] = []
    for penalizer in PENALIZERS:
        try:
            c = concordance(validation, fit(train, component, penalizer=penalizer))
        except TrainingFailed:
            continue
        if not np.isnan(c):
            scored.append((round(c, 3), penalizer))  # a tie goes to the stronger penalizer
    return max(scored)[1] if scored else PENALIZER


def fit_tuned(samples: Samples, component: Component, source: str = "tenant") -> SurvivalModel:
    """:func:`fit` with the penalizer chosen by :func:`tune_penalizer` (recorded in the
    model's metrics)."""
    penalizer = tune_penalizer(samples, component)
    model = fit(samples, component, source, penalizer=penalizer)
    raw = model.to_json()
    raw["metrics"] = {**model.metrics, "penalizer": penalizer}
    return SurvivalModel.from_json(raw)


def fit(
    samples: Samples,
    component: Component,
    source: str = "tenant",
    *,
    penalizer: float = PENALIZER,
) -> SurvivalModel:
    """A Cox model on the samples; raises TrainingFailed when there is too little to fit."""
    import pandas as pd
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    events = int(samples.event.sum())
    if events < 2 or len(samples) < 10:
        raise TrainingFailed(f"{component}: {events} failures in {len(samples)} samples")
    names = [f.name for f in FEATURES[component]]
    # a feature that never varies (no DTC for this part in this fleet) gets no coefficient
    varies = [i for i in range(len(names)) if np.std(samples.X[:, i]) > 1e-9]
    frame = pd.DataFrame(samples.X[:, varies], columns=[names[i] for i in varies])
    frame["duration"] = samples.duration
    frame["event"] = samples.event
    cph = CoxPHFitter(penalizer=penalizer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cph.fit(frame, duration_col="duration", event_col="event")
    except (ConvergenceError, ValueError, np.linalg.LinAlgError) as exc:
        raise TrainingFailed(f"{component}: {exc}") from exc
    coefs = cph.params_.reindex(names).fillna(0.0).to_numpy(dtype=float)
    means = samples.X.mean(axis=0)
    norm_mean = cph._norm_mean
    for i in varies:
        means[i] = float(norm_mean[names[i]])
    if not (np.isfinite(coefs).all() and np.isfinite(means).all()):
        raise TrainingFailed(f"{component}: the fit did not converge to finite coefficients")
    return SurvivalModel(
        component=component,
        features=tuple(names),
        means=tuple(float(v) for v in means),
        coefs=tuple(float(v) for v in coefs),
        baseline=_baseline(cph),
        events=events,
        samples=len(samples),
        source=source,
    )


def _baseline(cph: Any) -> tuple[float, ...]:
    """H₀ on whole days 0 … HORIZON_DAYS (interpolated linearly, as lifelines does;
    extrapolated past the last
    observed time at the mean hazard of its last 90 days)."""
    cumulative = cph.baseline_cumulative_hazard_.iloc[:, 0]
    times = cumulative.index.to_numpy(dtype=float)
    values = cumulative.to_numpy(dtype=float)
    grid = np.arange(HORIZON_DAYS + 1, dtype=float)
    h = np.interp(grid, np.concatenate([[0.0], times]), np.concatenate([[0.0], values]))
    last = times[-1] if times.size else 0.0
    if last < HORIZON_DAYS and last > 0:
        start = max(0.0, last - 90)
        at_start = np.interp(start, times, values)
        slope = (values[-1] - at_start) / max(last - start, 1.0)
        h = np.where(grid > last, values[-1] + slope * (grid - last), h)
    return tuple(float(v) for v in np.maximum.accumulate(h))


# evaluation --------------------------------------------------------------------------------
def concordance(samples: Samples, model: SurvivalModel, within: float | None = None) -> float:
    """Harrell's C over the whole follow-up, or with follow-up cut at ``within`` days."""
    from lifelines.utils import concordance_index

    duration, event = samples.duration, samples.event
    if within is not None:
        event = np.where(duration <= within, event, 0.0)
        duration = np.minimum(duration, within)
    if event.sum() == 0:
        return float("nan")
    return float(concordance_index(duration, -model.risk(samples.X), event))


def known_at_window(samples: Samples) -> tuple[np.ndarray, FloatArray]:
    """Which samples have a known 30-day outcome (failed within it, or followed past it),
    and that outcome."""
    failed = (samples.event == 1) & (samples.duration <= WINDOW_DAYS)
    followed = samples.duration > WINDOW_DAYS
    return failed | followed, failed.astype(float)


def brier(samples: Samples, model: SurvivalModel) -> float:
    known, outcome = known_at_window(samples)
    if not known.any():
        return float("nan")
    p = model.failure_within(samples.X[known])
    return float(np.mean((p - outcome[known]) ** 2))


def calibration(samples: Samples, model: SurvivalModel, bins: int = 10) -> list[dict[str, float]]:
    """Deciles of predicted 30-day risk: mean predicted vs observed failure share."""
    known, outcome = known_at_window(samples)
    p = model.failure_within(samples.X[known])
    y = outcome[known]
    order = np.argsort(p)
    table = []
    for chunk in np.array_split(order, bins):
        if chunk.size:
            table.append(
                {
                    "n": float(chunk.size),
                    "predicted": float(p[chunk].mean()),
                    "observed": float(y[chunk].mean()),
                }
            )
    return table


def evaluate(samples: Samples, model: SurvivalModel) -> dict[str, Any]:
    c = concordance(samples, model)
    c30 = concordance(samples, model, WINDOW_DAYS)
    b = brier(samples, model)
    return {
        "c_index": None if np.isnan(c) else round(c, 4),
        "c_index_30d": None if np.isnan(c30) else round(c30, 4),
        "brier_30d": None if np.isnan(b) else round(b, 5),
        "samples": len(samples),
        "events": int(samples.event.sum()),
    }
