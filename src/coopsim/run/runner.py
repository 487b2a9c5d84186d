"""Running the model: one run, the mean outcomes of replications, and replicated tables.

`evaluate(scenario, seed, reps)` is the pure function every analysis calls (sensitivity,
comparison, calibration, discovery): same scenario and seed, same numbers, in any process.
Replication i uses `replication_seed(seed, i)` in every scenario, so comparisons are
paired (common random numbers). `evaluate(..., per_replication=True)` gives every replication
with its seed instead of the means.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from coopsim.config.scenario import Scenario
from coopsim.model.model import CoopModel
from coopsim.model.outcomes import OUTPUTS, summarize
from coopsim.run.seeds import replication_seed

__all__ = ["simulate", "evaluate", "replicate"]


def simulate(scenario: Scenario, seed: int, agents: bool = False) -> CoopModel:
    """One run to the horizon.

    Args:
        scenario: the scenario (`coopsim.load_scenario(path)`).
        seed: the run's seed.
        agents: also build the Mesa agent views.

    Returns:
        The finished `CoopModel` (`.timeseries()`, `.ledger()`, `.region_table()`).
    """
    return CoopModel(scenario, seed=seed, agents=agents).run()


def evaluate(scenario: Scenario, seed: int, reps: int = 1, overrides: dict | None = None, *,
             per_replication: bool = False) -> dict[str, float] | pd.DataFrame:
    """Mean of each outcome over `reps` replications: the pure function every analysis calls.

    Args:
        scenario: the scenario; `overrides` ({"regions.hr_capacity": 0.6, ...}) are applied first.
        seed: master seed; replication i runs with `replication_seed(seed, i)`.
        reps: replications.
        per_replication: return every replication instead of the means (one row each, with its
            seed); `coopsim.analysis.replications.summarize_replications` turns that frame into
            means with 95% bootstrap intervals.

    Returns:
        {outcome: mean} for every key of `coopsim.config.vocabulary.MODEL_OUTPUTS` (NaN-aware mean);
        with `per_replication`, a DataFrame: columns "replication", "seed", then every outcome.
    """
    if overrides:
        scenario = scenario.override(overrides)
    seeds = [replication_seed(seed, i) for i in range(reps)]
    runs = [summarize(simulate(scenario, s)) for s in seeds]
    if per_replication:
        frame = pd.DataFrame(runs, columns=list(OUTPUTS))
        frame.insert(0, "seed", seeds)
        frame.insert(0, "replication", range(reps))
        return frame
    with warnings.catch_warnings():   # an outcome no replication could measure is NaN, not a warning
        warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
        return {k: float(np.nanmean([r[k] for r in runs])) if reps > 1 else runs[0][k] for k in OUTPUTS}


def replicate(scenario: Scenario, seed: int, reps: int, progress: bool = True,
              label: str = "") -> dict[str, pd.DataFrame]:
    """Run `reps` replications and stack their tables.

    Returns:
        {"timeseries", "ledger", "events", "regions", "summary"}: DataFrames with a `replication`
        column (`events`: the partnerships' event log, `CoopModel.events`).
    """
    from tqdm import tqdm

    frames: dict[str, list[pd.DataFrame]] = {"timeseries": [], "ledger": [], "events": [], "regions": [],
                                             "summary": []}
    for i in tqdm(range(reps), desc=label or scenario.name, unit="rep", disable=not progress,
                  leave=False):
        model = simulate(scenario, replication_seed(seed, i))
        for name, frame in (("timeseries", model.timeseries()), ("ledger", model.ledger()),
                            ("events", model.events()), ("regions", model.region_table()),
                            ("summary", pd.DataFrame([summarize(model)]))):
            frame.insert(0, "replication", i)
            frames[name].append(frame)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
