"""Failure prediction, measured against the simulator's known hazards.

    .venv/bin/python bench/predictive.py [--vehicles 500] [--days 730] [--seed 1]

1. Accuracy: a fleet of --vehicles vehicles is simulated for --days days under the classic
   fixed-interval schedule (fleetyard.simulator.wear states the hazards). A Cox model per
   component is trained on the first half (landmarks every 14 days, followed to mid-history)
   and evaluated on landmarks in the held-out second half: C-index, the 30-day Brier score,
   and a calibration table (deciles of predicted 30-day risk against the share that failed).
   The model reads only what a tenant's database would hold (daily aggregates, work orders).
2. Cost: a second fleet (another seed: vehicles the model never saw) is run for --days days;
   the first half under fixed intervals for both, then the second half twice on the same
   random draws — once on fixed intervals, once acting on the predictions (weekly, a
   component is serviced when its 30-day failure probability reaches its threshold). Costs of
   the second half are printed with the prices below, and the saving.

   The thresholds are chosen on the *training* fleet only (its second half replayed with each
   candidate threshold): per component the cheapest one with no more breakdowns than fixed
   intervals had there (or the cheapest at all when none qualifies). The evaluation fleet is
   never used to choose anything.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Final

import numpy as np

from fleetyard.predictions.features import features_at, last_services
from fleetyard.predictions.history import COMPONENTS, Component, FleetHistory
from fleetyard.predictions.model import SurvivalModel
from fleetyard.predictions.training import (
    Samples,
    calibration,
    evaluate,
    fit_tuned,
    landmark_samples,
)
from fleetyard.simulator import history as simulator_history
from fleetyard.simulator.history import FixedIntervals, ServiceLog, simulate_history
from fleetyard.simulator.wear import (
    BREAKDOWN_DOWNTIME,
    SERVICE_DOWNTIME,
    DayReport,
    WearingFleet,
)

# Stated prices (EUR): a planned service of the part, a breakdown's repair (parts, callout,
# tow, collateral damage), and each day the vehicle is off the road.
SERVICE_PRICE: Final = {"battery": 180.0, "brakes": 320.0, "engine_cooling": 250.0}
BREAKDOWN_PRICE: Final = {"battery": 330.0, "brakes": 900.0, "engine_cooling": 2500.0}
DOWNTIME_PER_DAY: Final = 250.0
DECIDE_EVERY_DAYS: Final = 7
CANDIDATE_THRESHOLDS: Final = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06, 0.08, 0.12, 0.2, 0.3)


@dataclass
class Predictive:
    models: dict[str, SurvivalModel]
    thresholds: dict[str, float]
    switch_day: int
    fixed: FixedIntervals

    def __call__(
        self, history: FleetHistory, log: ServiceLog, day: int
    ) -> dict[Component, np.ndarray]:
        if day < self.switch_day:
            return self.fixed(history, log, day)
        if (day - self.switch_day) % DECIDE_EVERY_DAYS:
            return {}
        last = last_services(history, day)
        actions: dict[Component, np.ndarray] = {}
        for component in COMPONENTS:
            X, _ = features_at(history, day, component, last)
            p30 = self.models[component].failure_within(X)
            actions[component] = p30 >= self.thresholds[component]
        return actions


@dataclass
class Costs:
    services: Counter[str]
    breakdowns: Counter[str]
    downtime_days: float
    component_downtime: dict[str, float]

    @property
    def service_cost(self) -> float:
        return sum(SERVICE_PRICE[c] * n for c, n in self.services.items())

    @property
    def repair_cost(self) -> float:
        return sum(BREAKDOWN_PRICE[c] * n for c, n in self.breakdowns.items())

    @property
    def downtime_cost(self) -> float:
        return self.downtime_days * DOWNTIME_PER_DAY

    @property
    def total(self) -> float:
        return self.service_cost + self.repair_cost + self.downtime_cost

    def of(self, component: str) -> float:
        days = self.component_downtime.get(component, 0.0)
        return (
            SERVICE_PRICE[component] * self.services[component]
            + BREAKDOWN_PRICE[component] * self.breakdowns[component]
            + days * DOWNTIME_PER_DAY
        )


def costs_of(history: FleetHistory, from_day: int) -> Costs:
    services: Counter[str] = Counter()
    breakdowns: Counter[str] = Counter()
    downtime: dict[str, float] = {}
    for e in history.events:
        if e.day < from_day:
            continue
        (breakdowns if e.kind == "breakdown" else services)[e.component] += 1
        downtime[e.component] = downtime.get(e.component, 0.0) + e.downtime_days
    return Costs(services, breakdowns, sum(downtime.values()), downtime)


def choose_thresholds(
    models: dict[str, SurvivalModel], vehicles: int, days: int, seed: int
) -> dict[str, float]:
    """Replay the training fleet's second half with each candidate (components are
    independent, so one replay scores a candidate for all three)."""
    cut = days // 2
    fixed = costs_of(simulate_history(vehicles, days, seed), cut)
    scored = []
    for t in CANDIDATE_THRESHOLDS:
        policy = Predictive(models, dict.fromkeys(COMPONENTS, t), cut, FixedIntervals())
        scored.append((t, costs_of(simulate_history(vehicles, days, seed, policy=policy), cut)))
    print("\nthreshold choice on the training fleet (cost EUR / breakdowns; fixed first)")
    for component in COMPONENTS:
        row = [f"fixed {fixed.of(component):,.0f}/{fixed.breakdowns[component]}"]
        row += [f"{t} {c.of(component):,.0f}/{c.breakdowns[component]}" for t, c in scored]
        print(f"  {component:15} " + "  ".join(row))
    chosen: dict[str, float] = {}
    for component in COMPONENTS:
        qualifying = [
            (c.of(component), t)
            for t, c in scored
            if c.breakdowns[component] <= fixed.breakdowns[component]
        ] or [(c.of(component), t) for t, c in scored]
        chosen[component] = min(qualifying)[1]
    return chosen


HiddenState = dict[Component, np.ndarray]


def simulate_with_hidden_state(
    vehicles: int, days: int, seed: int
) -> tuple[FleetHistory, HiddenState]:
    """The same history as ``simulate_history`` (fixed intervals), plus each morning's hidden
    state — battery health lost, pad wear, cooling fault severity — recorded for the ceiling
    reference only: no model or policy ever reads it."""
    mornings: dict[Component, list[np.ndarray]] = {c: [] for c in COMPONENTS}

    class Recording(WearingFleet):
        def step(self, weekday: int) -> DayReport:
            mornings["battery"].append(1.0 - self.battery_health)
            mornings["brakes"].append(self.brake_wear.copy())
            mornings["engine_cooling"].append(self.cooling_severity.copy())
            return super().step(weekday)

    original = getattr(simulator_history, "WearingFleet")  # noqa: B009
    setattr(simulator_history, "WearingFleet", Recording)  # noqa: B010
    try:
        history = simulate_history(vehicles, days, seed)
    finally:
        setattr(simulator_history, "WearingFleet", original)  # noqa: B010
    return history, {c: np.asarray(v).T for c, v in mornings.items()}


def ceiling(samples: Samples, hidden: np.ndarray, within: float | None = None) -> float:
    """Harrell's C of a ranking by the simulator's hidden state on the landmark morning: what a
    model that saw the true wear today (but not the future) would score on these samples."""
    from lifelines.utils import concordance_index

    assert samples.vehicle is not None
    state = hidden[samples.vehicle.astype(int), samples.day.astype(int)]
    duration, event = samples.duration, samples.event
    if within is not None:
        event = np.where(duration <= within, event, 0.0)
        duration = np.minimum(duration, within)
    return float(concordance_index(duration, -state, event))


def accuracy(history: FleetHistory, cut: int, hidden: HiddenState) -> dict[str, SurvivalModel]:
    models: dict[str, SurvivalModel] = {}
    print(f"\n## Accuracy: trained on days 28–{cut}, evaluated on landmarks {cut}–{history.days}")
    print(
        f"{'component':16}{'train n/events':>18}{'test n/events':>17}"
        f"{'C-index':>9}{'C 30d':>7}{'Brier 30d':>11}{'penalizer':>11}"
        f"{'ceiling C':>11}{'C 30d':>7}"
    )
    for component in COMPONENTS:
        train = landmark_samples(history, component, 28, cut)
        test = landmark_samples(history, component, cut, history.days)
        model = fit_tuned(train, component)
        scored = evaluate(test, model)
        models[component] = model
        print(
            f"{component:16}{len(train):>11}/{int(train.event.sum()):<6}"
            f"{len(test):>10}/{int(test.event.sum()):<6}"
            f"{scored['c_index']:>9.3f}{scored['c_index_30d']:>7.3f}{scored['brier_30d']:>11.4f}"
            f"{model.metrics['penalizer']:>11}"
            f"{ceiling(test, hidden[component]):>11.3f}"
            f"{ceiling(test, hidden[component], 30):>7.3f}"
        )
    print(
        "ceiling: the same samples ranked by the simulator's hidden state that morning "
        "(health lost, pad wear, fault severity) — a reference no model can see"
    )
    for component in COMPONENTS:
        test = landmark_samples(history, component, cut, history.days)
        print(f"\ncalibration, {component} (deciles of predicted 30-day risk)")
        print(f"{'n':>7}{'predicted':>11}{'observed':>10}")
        for row in calibration(test, models[component]):
            print(f"{int(row['n']):>7}{row['predicted']:>11.3f}{row['observed']:>10.3f}")
    return models


def print_costs(name: str, costs: Costs) -> None:
    services = ", ".join(f"{c} {costs.services[c]}" for c in COMPONENTS)
    breakdowns = ", ".join(f"{c} {costs.breakdowns[c]}" for c in COMPONENTS)
    print(f"{name}:")
    print(f"  services    {services}  → {costs.service_cost:>10,.0f} EUR")
    print(f"  breakdowns  {breakdowns}  → {costs.repair_cost:>10,.0f} EUR")
    print(f"  downtime    {costs.downtime_days:,.1f} days  → {costs.downtime_cost:>10,.0f} EUR")
    print(f"  total       {costs.total:>10,.0f} EUR")
    print("  per component " + ", ".join(f"{c} {costs.of(c):,.0f}" for c in COMPONENTS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vehicles", type=int, default=500)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cut = args.days // 2
    print(f"# Failure prediction: {args.vehicles} vehicles, {args.days} days, seed {args.seed}")
    print("prices (EUR): service " + ", ".join(f"{c} {p:.0f}" for c, p in SERVICE_PRICE.items()))
    print(
        "              breakdown " + ", ".join(f"{c} {p:.0f}" for c, p in BREAKDOWN_PRICE.items())
    )
    print(
        f"              downtime {DOWNTIME_PER_DAY:.0f}/day; a planned visit {SERVICE_DOWNTIME} d, "
        "a breakdown " + ", ".join(f"{c} {d:.0f} d" for c, d in BREAKDOWN_DOWNTIME.items())
    )
    started = time.perf_counter()
    history, hidden = simulate_with_hidden_state(args.vehicles, args.days, args.seed)
    print(
        f"simulated {args.vehicles * args.days:,} vehicle-days "
        f"in {time.perf_counter() - started:.1f} s"
    )
    models = accuracy(history, cut, hidden)

    print(f"\n## Cost on a fresh fleet (seed {args.seed + 1000}), days {cut}–{args.days}")
    thresholds = choose_thresholds(models, args.vehicles, args.days, args.seed)
    print("act when p30 ≥ " + ", ".join(f"{c} {thresholds[c]}" for c in COMPONENTS))
    fixed = simulate_history(args.vehicles, args.days, args.seed + 1000)
    predictive = simulate_history(
        args.vehicles,
        args.days,
        args.seed + 1000,
        policy=Predictive(models, thresholds, cut, FixedIntervals()),
    )
    a, b = costs_of(fixed, cut), costs_of(predictive, cut)
    print_costs("fixed intervals", a)
    print_costs("acting on predictions", b)
    saving = 1 - b.total / a.total
    more = sum(b.breakdowns.values()) - sum(a.breakdowns.values())
    print(
        f"\nsaving {saving:.1%} ({a.total - b.total:,.0f} EUR); breakdowns "
        f"{sum(a.breakdowns.values())} → {sum(b.breakdowns.values())} ({more:+d})"
    )
    print(f"elapsed {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
