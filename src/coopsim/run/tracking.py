"""Tracked runs: the model stepped by hand, with one region's partnerships counted after
every step (what `coopsim compare --region` reports), or every partnership's.

`run_tracked(scenario, seed, region)` is the same run as `coopsim.run.runner.simulate(scenario,
seed)`; without a region its outcomes equal `coopsim.model.outcomes.summarize` (tested).
`TrackedTarget` runs it through the executor (`coopsim.run.executor.run_sweep`), whose targets
return flat numbers, and `run_replications` reads the runs back: the per-step stage counts and
the life table travel as outputs named `n_<stage>@<step>`, `failed@<k>` and `censored@<k>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.config.scenario import Scenario
from coopsim.config.vocabulary import CAUSES, FAILURE_CAUSES, HORIZONS, STAGES
from coopsim.model.model import CoopModel
from coopsim.model.outcomes import cohort_survival_at, failure_times, survival_at
from coopsim.model.partnerships import ACTIVE, ENDED, STAGNANT
from coopsim.run.executor import read_results, run_sweep
from coopsim.run.seeds import replication_seed

__all__ = ["TrackedRun", "outcome_keys", "run_tracked", "TrackedTarget", "run_replications", "paired_sweep"]



@dataclass
class TrackedRun:
    """What one tracked run counted.

    Attributes:
        outcomes: the run's outcomes (`outcome_keys`, in that order).
        stages: (steps, stages) partnerships in each stage after each step.
        failed: failed[k], partnerships signed during the run that failed k steps after signing.
        censored: censored[k], those still active at the end, k steps after signing.
    """
    outcomes: dict[str, float]
    stages: np.ndarray
    failed: np.ndarray
    censored: np.ndarray


def outcome_keys(steps: int, steps_per_year: int) -> list[str]:
    """The outcomes of a tracked run, in order (the active stock after k years only when the
    run lasts k years).

    Args:
        steps: the run's length in steps.
        steps_per_year: steps per year.

    Returns:
        The outcome keys.
    """
    keys = [f"active_{k}y" for k in HORIZONS if k * steps_per_year <= steps] + ["active_end"]
    keys += [f"survival_{k}y" for k in HORIZONS] + [f"cohort_survival_{k}y" for k in HORIZONS]
    keys += ["signed", "benefits", "spending", "failures_total"]
    return keys + [f"failures_{cause}" for cause in FAILURE_CAUSES]


def run_tracked(scenario: Scenario, seed: int, region: int | None = None) -> TrackedRun:
    """One run to the horizon with outcomes counted over one region's partnerships.

    Args:
        scenario: the scenario.
        seed: the run's seed (as for `coopsim.run.runner.simulate`).
        region: an index into the model's regions, or None for every partnership.

    Returns:
        The run's `TrackedRun`.
    """
    model = CoopModel(scenario, seed=seed, agents=False)
    e, steps = model.partnerships, scenario.steps
    stages = np.zeros((steps, len(STAGES)), dtype=np.int64)
    failures = np.zeros(len(CAUSES), dtype=np.int64)
    while model.t < steps:
        t, n0 = model.t, e.n
        before = e.stage[:n0].copy()
        model.step()
        mask = _counted(model, region)
        stages[t] = np.bincount(e.stage[:e.n][mask], minlength=len(STAGES))
        failures += _step_failures(model, before, mask[:n0])
    mask = _counted(model, region)
    failed, censored = _life_table(model, mask, steps)
    return TrackedRun(_final_outcomes(model, mask, stages, failures), stages, failed, censored)


def _counted(model: CoopModel, region: int | None) -> np.ndarray:
    """Which partnerships are counted: the region's, or all."""
    e = model.partnerships
    return np.ones(e.n, dtype=bool) if region is None else e.region[:e.n] == region


def _step_failures(model: CoopModel, before: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """This step's failures by cause, as `coopsim.model.outcomes.summarize` counts them: each
    stagnation (only the stagnation mechanism moves active -> stagnant) by its binding cause,
    plus each active agreement that ended (lapsed unrenewed, left by its partner, dropped for
    other priorities, its programmes failed) by its end cause; one concluded with its purpose
    achieved is no failure, and a dormant one that later ends is not counted again."""
    e = model.partnerships
    after = e.stage[:len(before)]
    stuck = mask & (before == ACTIVE) & (after == STAGNANT)
    ended = mask & (before == ACTIVE) & (after == ENDED)
    out = np.bincount(e.cause[:len(before)][stuck], minlength=len(CAUSES))
    out += np.bincount(e.end_cause[:len(before)][ended], minlength=len(CAUSES))
    out[CAUSES.index("completed")] = 0
    return out


def _life_table(model: CoopModel, mask: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Partnerships signed during the run by steps followed: (failed, censored at the end)."""
    t_mou, failed_at = failure_times(model)
    new = mask & (t_mou >= 0)
    to_failure, observed = failed_at[new] - t_mou[new], model.t - t_mou[new]
    event = np.isfinite(to_failure)
    duration = np.where(event, to_failure, observed).astype(np.int64).clip(0, steps)
    return (np.bincount(duration[event], minlength=steps + 1)[: steps + 1],
            np.bincount(duration[~event], minlength=steps + 1)[: steps + 1])


def _final_outcomes(model: CoopModel, mask: np.ndarray, stages: np.ndarray, failures: np.ndarray) -> dict:
    """The outcomes of `outcome_keys` from the final state and the counts along the way."""
    e, n, spy = model.partnerships, model.partnerships.n, model.steps_per_year
    t_mou = e.t_mou[:n]
    new = mask & (t_mou >= 0)
    out = {f"active_{k}y": float(stages[k * spy - 1, ACTIVE]) for k in HORIZONS if k * spy <= len(stages)}
    out["active_end"] = float(stages[-1, ACTIVE])
    for k in HORIZONS:  # share of those signed k years before the end still active k years on
        out[f"survival_{k}y"] = survival_at(model, k, counted=mask)
    for k in HORIZONS:  # share of the cohort active at the start still active k years later
        out[f"cohort_survival_{k}y"] = cohort_survival_at(model, k, counted=mask)
    out["signed"] = float(new.sum())
    out["benefits"] = float(e.benefits[:n][mask].sum())
    out["spending"] = float(e.spending[:n][mask].sum())
    out["failures_total"] = float(failures.sum())
    out |= {f"failures_{cause}": float(failures[i]) for i, cause in enumerate(CAUSES) if cause in FAILURE_CAUSES}
    return out


# --- through the executor: flat outputs and back ----------------------------------------------
def _stage_columns(steps: int) -> list[str]:
    return [f"n_{stage}@{t}" for t in range(steps) for stage in STAGES]


def _flatten(run: TrackedRun) -> dict[str, float]:
    steps = len(run.stages)
    out = dict(run.outcomes)
    out |= dict(zip(_stage_columns(steps), run.stages.ravel().tolist()))
    out |= {f"failed@{k}": v for k, v in enumerate(run.failed.tolist())}
    out |= {f"censored@{k}": v for k, v in enumerate(run.censored.tolist())}
    return out


class TrackedTarget:
    """Executor target: point (scenario index, replication) -> the tracked run's outputs.

    Args:
        scenarios: the scenarios; a point's `scenario` column picks one.
        regions: per scenario, the region counted (an index into its model's regions) or None.
    """

    preload = ("coopsim.run.tracking", "coopsim.run.warm_start")  # what local workers import once

    def __init__(self, scenarios: Sequence[Scenario], regions: Sequence[int | None]):
        self.scenarios = list(scenarios)
        self.regions = list(regions)

    def scenario(self, params: dict) -> Scenario:
        """The scenario a point runs (`coopsim.run.uncertain.DrawTarget` changes it per draw)."""
        return self.scenarios[int(params["scenario"])]

    def __call__(self, params: dict, seed: int) -> dict[str, float]:
        return _flatten(run_tracked(self.scenario(params), seed, self.regions[int(params["scenario"])]))


def _unflatten(results: pd.DataFrame, scenario: Scenario) -> list[TrackedRun]:
    """The runs of `results` (rows of one scenario, outputs `out:NAME`) as `TrackedRun`s."""
    steps = scenario.steps

    def block(names: list[str]) -> np.ndarray:
        return results[[f"out:{name}" for name in names]].to_numpy(float)

    keys = outcome_keys(steps, scenario.simulation.steps_per_year)
    outcomes = block(keys)
    stages = block(_stage_columns(steps)).astype(np.int64).reshape(len(results), steps, len(STAGES))
    failed = block([f"failed@{k}" for k in range(steps + 1)]).astype(np.int64)
    censored = block([f"censored@{k}" for k in range(steps + 1)]).astype(np.int64)
    return [TrackedRun(dict(zip(keys, map(float, outcomes[r]))), stages[r], failed[r], censored[r])
            for r in range(len(results))]


def run_replications(scenarios: Sequence[Scenario], regions: Sequence[int | None], seed: int, reps: int,
                     folder: str | Path, workers: int = 1, progress: bool = False,
                     target: TrackedTarget | None = None) -> list[list[TrackedRun]]:
    """Replication i of every scenario with seed `replication_seed(seed, i)` (common random
    numbers), through the executor: chunk files in `folder`, serially or on `workers` local
    processes; the results do not depend on `workers`.

    Args:
        scenarios: the scenarios.
        regions: per scenario, the region counted (index) or None for every partnership.
        seed: master seed.
        reps: replications per scenario.
        folder: where the executor writes its chunk files (must hold no earlier runs).
        workers: local worker processes (1: serially).
        progress: show a progress bar.
        target: the executor target (default `TrackedTarget(scenarios, regions)`).

    Returns:
        runs[s][i]: the `TrackedRun` of scenario s, replication i.

    Raises:
        UserError: when a run failed (the finished ones stay in `folder`).
    """
    results = paired_sweep(target or TrackedTarget(scenarios, regions), len(scenarios), seed, reps, folder, workers,
                           progress)
    return [_unflatten(results[results["scenario"] == s].sort_values("replication"), scenarios[s])
            for s in range(len(scenarios))]


def paired_sweep(target, n: int, seed: int, reps: int, folder: str | Path, workers: int = 1,
                 progress: bool = False) -> pd.DataFrame:
    """Replication i of each of `n` scenarios with seed `replication_seed(seed, i)` (common random
    numbers) through the executor: points (scenario, replication), chunk files in `folder`,
    serially or on `workers` local processes. `run_replications` and `coopsim oat`
    (`coopsim.run.oat`) run their targets through it.

    Args:
        target: an executor target reading the point's `scenario` (an index below `n`).
        n: the number of scenarios.
        seed, reps, folder, workers, progress: as for `run_replications`.

    Returns:
        The runs as the executor stores them (`read_results`: columns scenario, replication,
        seed and the outputs `out:NAME`), sorted by point.

    Raises:
        UserError: when a run failed (the finished ones stay in `folder`).
    """
    points = pd.DataFrame({"scenario": [s for _ in range(reps) for s in range(n)],
                           "replication": [i for i in range(reps) for _ in range(n)]})
    seeds = [replication_seed(seed, i) for i in points["replication"]]
    report = run_sweep(target, points, seeds, folder, backend="process" if workers > 1 else "serial",
                       workers=workers, progress=progress)
    if report.n_failed:
        first = report.failures.iloc[0]
        raise UserError(f"{report.n_failed} of {len(points)} runs failed; the first (scenario "
                        f"{int(first['scenario'])}, replication {int(first['replication'])}): {first['error']}")
    return read_results(folder)
