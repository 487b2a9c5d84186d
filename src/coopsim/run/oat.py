"""The runs of a one-at-a-time obstacle experiment (`coopsim oat`): every weak and strong
scenario, replication i of each with the same seed `replication_seed(seed, i)` (common random
numbers), through the executor (`coopsim.run.tracking.paired_sweep`).

A run reports the scalar outcomes of `coopsim.model.outcomes.summarize` (cohort survival,
survival of new signings, signings, the failure hazard, ...) and the active stock after k
years (`active_<k>y`) read from the stage counts the model records after every step, the
numbers `coopsim compare` reads from its tracked runs (`coopsim.run.tracking`; the two are
tested equal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from coopsim.config.scenario import Scenario
from coopsim.config.vocabulary import HORIZONS
from coopsim.model.outcomes import summarize
from coopsim.model.results import column
from coopsim.run.runner import simulate
from coopsim.run.tracking import paired_sweep

__all__ = ["run_outcomes", "OatTarget", "run_settings"]


def run_outcomes(model) -> dict[str, float]:
    """A finished run's outcomes: `summarize` and the active stock after each horizon it reached.

    Args:
        model: a finished `CoopModel`.

    Returns:
        {outcome: value}: `active_<k>y` for every k of `HORIZONS` the run lasted, then every
        key of `coopsim.config.vocabulary.MODEL_OUTPUTS`.
    """
    spy, active = model.steps_per_year, model.history[:model.t, column("n_active")]
    out = {f"active_{k}y": float(active[k * spy - 1]) for k in HORIZONS if k * spy <= model.t}
    return out | summarize(model)


class OatTarget:
    """Executor target: point (scenario index) and seed -> the run's `run_outcomes`.

    Args:
        scenarios: the scenarios; a point's `scenario` column picks one.
    """

    preload = ("coopsim.run.oat", "coopsim.run.warm_start")   # what local workers import once

    def __init__(self, scenarios: Sequence[Scenario]):
        self.scenarios = list(scenarios)

    def __call__(self, params: dict, seed: int) -> dict[str, float]:
        return run_outcomes(simulate(self.scenarios[int(params["scenario"])], seed))


def run_settings(scenarios: Sequence[Scenario], seed: int, reps: int, folder: str | Path, workers: int = 1,
                 progress: bool = False) -> pd.DataFrame:
    """Replication i of every scenario with seed `replication_seed(seed, i)`, serially or on
    `workers` local processes (the numbers do not depend on `workers`).

    Args:
        scenarios: the scenarios (an OAT experiment's weak and strong settings).
        seed, reps, folder, workers, progress: master seed, replications per scenario, the
            folder of the executor's chunk files, local worker processes, a progress bar
            (`coopsim.run.tracking.paired_sweep`).

    Returns:
        One row per run: `scenario` (index), `replication`, `seed`, then every outcome of
        `run_outcomes`, sorted by scenario and replication.

    Raises:
        UserError: when a run failed (saying which, and why; `paired_sweep`).
    """
    results = paired_sweep(OatTarget(scenarios), len(scenarios), seed, reps, folder, workers, progress)
    results = results.rename(columns=lambda c: c.removeprefix("out:"))
    return results.sort_values(["scenario", "replication"]).reset_index(drop=True)
