"""Calibration of the rates no source pins down (issue 3; docs/TRACE.md, "Model analysis"):
run the Latin hypercube, accept, re-check the accepted points, write the folder.

Each point runs the six validation patterns of `coopsim.workflows.validation` together (a few
replications, the same seeds for every point: common random numbers) and is scored by
`coopsim.analysis.calibration.point_score`; the method (ABC rejection) is described there.
Points run through `coopsim.run.executor.run_sweep` (serial or local processes; resumable
chunks). Writes `points.csv`, `accepted_ranges.csv` and `refined.csv`.

    python experiments/calibrate.py --points 160 --reps 4 --workers 1 --out results/calibration
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopsim.analysis.calibration import (PRIORS, accept, choose, latin_hypercube, point_score,
                                          posterior_ranges, rank_rechecked, recheck_row)
from coopsim.config.scenario import Scenario
from coopsim.run.calibration import CalibrationTarget
from coopsim.workflows.validation import run_checks

__all__ = ["score_point", "calibrate", "refine", "Calibration", "run_calibration", "run_refinement"]


def score_point(scenario: Scenario, seed: int, reps: int) -> dict[str, float]:
    """One point's outputs (the sweep target's score): every check of `coopsim validate`.

    Args:
        scenario: the base scenario with the point's rates.
        seed: master seed (the same for every point).
        reps: replications per scenario.

    Returns:
        Distance, patterns met and check values (`coopsim.analysis.calibration.point_score`).
    """
    return point_score(run_checks(scenario, seed=seed, reps=reps))


def calibrate(scenario: Scenario, points: int, reps: int, seed: int, out_dir: str | Path,
              workers: int = 1, resume: bool = False, progress: bool = True) -> pd.DataFrame:
    """Run the hypercube; return one row per point (parameters, distance, checks).

    Args:
        scenario: the base scenario.
        points: hypercube points.
        reps: replications per scenario per point.
        seed: the design's seed and every point's run seed.
        out_dir: the sweep's chunks go to `out_dir/sweep`.
        workers: local processes (1: serial).
        resume: continue a sweep already in `out_dir/sweep`.
        progress: show a progress bar.

    Returns:
        One row per point, sorted by index.
    """
    from coopsim.run.executor import read_results, run_sweep

    design = latin_hypercube(points, PRIORS, seed)
    target = CalibrationTarget(scenario.model_dump(), reps, score_point, PRIORS, scenario.source_file)
    run_sweep(target, design, [seed] * points, Path(out_dir) / "sweep",
              backend="serial" if workers <= 1 else "process", workers=workers, resume=resume,
              key=f"calibration:{points}:{reps}:{seed}:{sorted(PRIORS.items())}", progress=progress,
              desc="calibration")
    results = read_results(Path(out_dir) / "sweep").sort_values("index").reset_index(drop=True)
    return results.rename(columns=lambda c: c.removeprefix("out:"))


def refine(scenario: Scenario, accepted: pd.DataFrame, reps: int, seed: int) -> pd.DataFrame:
    """Second stage: the accepted points again, with more replications and another seed, judged
    as `coopsim validate` judges (values and 95% intervals). The default is chosen from these.

    Args:
        scenario: the base scenario.
        accepted: the accepted points.
        reps: replications per scenario.
        seed: master seed of the re-check.

    Returns:
        One row per point, most checks passed first (`rank_rechecked`).
    """
    rows = []
    for _, point in accepted.iterrows():
        values = {k: float(point[k]) for k in PRIORS}
        checks = run_checks(scenario.override(values, origin="calibration refine"), seed=seed, reps=reps)
        rows.append(recheck_row(int(point["index"]), values, checks))
    return rank_rechecked(rows)


@dataclass
class Calibration:
    """The first stage's results: every point, the accepted ones (and how), their ranges."""
    results: pd.DataFrame
    accepted: pd.DataFrame
    note: str
    ranges: pd.DataFrame


def run_calibration(scenario: Scenario, points: int, reps: int, seed: int, out: str | Path,
                    workers: int = 1, resume: bool = False, min_accept: int = 10) -> Calibration:
    """First stage: run the hypercube, accept; write `points.csv` and `accepted_ranges.csv`.

    Args:
        scenario, points, reps, seed, workers, resume: as for `calibrate`.
        out: the results folder.
        min_accept: fewest points to accept (`coopsim.analysis.calibration.accept`).

    Returns:
        The `Calibration`.
    """
    out = Path(out)
    results = calibrate(scenario, points, reps, seed, out, workers, resume)
    results.to_csv(out / "points.csv", index=False)
    accepted, note = accept(results, min_accept)
    ranges = posterior_ranges(accepted)
    ranges.to_csv(out / "accepted_ranges.csv", index=False)
    return Calibration(results, accepted, note, ranges)


def run_refinement(scenario: Scenario, calibration: Calibration, reps: int, seed: int,
                   out: str | Path) -> tuple[pd.DataFrame, pd.Series | None]:
    """Second stage: re-check the accepted points (`refine`), write `refined.csv`, choose.

    Args:
        scenario: the base scenario.
        calibration: the first stage.
        reps, seed: replications and master seed of the re-check.
        out: the results folder.

    Returns:
        (the re-checked points, the chosen one or None when none passes every check).
    """
    refined = refine(scenario, calibration.accepted, reps, seed)
    refined.to_csv(Path(out) / "refined.csv", index=False)
    return refined, choose(refined, calibration.accepted)
