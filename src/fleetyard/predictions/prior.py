"""The population prior: one model per component fitted on pooled simulated fleets, shipped
as parameters (``prior.json``) so a tenant with little or no history still gets predictions.

Regenerate with ``python -m fleetyard.predictions.prior`` (about a minute); the simulator's
hazards are in :mod:`fleetyard.simulator.wear`.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Final

from fleetyard.predictions.history import COMPONENTS
from fleetyard.predictions.model import SurvivalModel

PRIOR_FILE: Final = Path(__file__).with_name("prior.json")
PRIOR_SEEDS: Final = (101, 102)
PRIOR_VEHICLES: Final = 300
PRIOR_DAYS: Final = 730


@functools.cache
def prior_models() -> dict[str, SurvivalModel]:  # keyed by component
    raw = json.loads(PRIOR_FILE.read_text())
    return {c: SurvivalModel.from_json(raw[c]) for c in COMPONENTS}


def fit_prior() -> dict[str, SurvivalModel]:
    import numpy as np

    from fleetyard.predictions.training import Samples, fit_tuned, landmark_samples
    from fleetyard.simulator.history import simulate_history

    models: dict[str, SurvivalModel] = {}
    histories = [simulate_history(PRIOR_VEHICLES, PRIOR_DAYS, seed) for seed in PRIOR_SEEDS]
    for component in COMPONENTS:
        parts = [landmark_samples(h, component, 28, PRIOR_DAYS, step=21) for h in histories]
        pooled = Samples(
            np.vstack([p.X for p in parts]),
            np.concatenate([p.duration for p in parts]),
            np.concatenate([p.event for p in parts]),
            np.concatenate([p.day for p in parts]),
            # the second fleet's vehicles numbered after the first's (the validation split)
            np.concatenate(
                [
                    p.vehicle + i * PRIOR_VEHICLES
                    for i, p in enumerate(parts)
                    if p.vehicle is not None
                ]
            ),
        )
        models[component] = fit_tuned(pooled, component, source="prior")
    return models


if __name__ == "__main__":
    fitted = fit_prior()
    PRIOR_FILE.write_text(json.dumps({c: m.to_json() for c, m in fitted.items()}, indent=1))
    print(
        f"wrote {PRIOR_FILE.name}: "
        + ", ".join(f"{c} {m.events} events" for c, m in fitted.items())
    )
