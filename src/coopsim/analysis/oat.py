"""One-at-a-time obstacle effects: each obstacle moved from weak to strong, paired by seed.

Pure functions on the runs' numbers (`coopsim.run.oat`); `coopsim.reporting.oat` writes them.

Replication i of an obstacle's weak and strong settings ran with the same seed, so its
effect on an outcome is estimated from the paired differences d_i = strong_i - weak_i over
the replications where both have a value (n pairs): their mean and a 95% t-interval,
mean +/- t(0.975, n - 1) * sd / sqrt(n). The verdict compares the interval with 0 and the
sign with the paper's direction, which is the outcome's `good` sign in
`coopsim.config.vocabulary.OUTCOMES` (more active partnerships and more survival are better,
a lower failure hazard is better):

    paper      the interval excludes 0 and the difference has the paper's direction
    unclear    the interval includes 0 (or fewer than 2 pairs): not distinguishable from 0
    opposite   the interval excludes 0 and the difference has the other direction

An obstacle passes when its verdict is `paper` on every outcome of
`coopsim.config.oat.ACCEPTANCE` (active partnerships and cohort survival after 10 years).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from coopsim.config.oat import ACCEPTANCE, LEVELS, OUTCOMES
from coopsim.config.vocabulary import OUTCOMES as DECLARED

__all__ = ["VERDICTS", "t_interval", "oat_verdict", "run_table", "oat_effects", "failing"]

#: Verdict codes and their words (tables, figures, the summary).
VERDICTS = {"paper": "paper's direction, CI excludes 0", "unclear": "not distinguishable from 0",
            "opposite": "opposite direction"}


def t_interval(differences) -> tuple[float, float, float, int]:
    """Mean of the finite paired differences and its 95% t-interval.

    Args:
        differences: one difference per replication (NaN where a run had no value).

    Returns:
        (mean, low, high, n): n finite differences; the interval is NaN for fewer than 2, and
        a point when every difference is the same.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    n = len(d)
    if n < 2:
        return (float(d.mean()) if n else math.nan), math.nan, math.nan, n
    half = float(student_t.ppf(0.975, n - 1)) * float(d.std(ddof=1)) / math.sqrt(n)
    mean = float(d.mean())
    return mean, mean - half, mean + half, n


def oat_verdict(good: int, difference: float, low: float, high: float) -> str:
    """The verdict code of one effect (`VERDICTS`).

    Args:
        good: +1 when more of the outcome is better, -1 when less is (the paper's direction).
        difference, low, high: mean paired difference strong - weak and its 95% interval.

    Returns:
        "paper", "unclear" or "opposite".
    """
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high or good == 0:
        return "unclear"
    return "paper" if np.sign(difference) == np.sign(good) else "opposite"


def run_table(results: pd.DataFrame, settings: Sequence[tuple[str, str]],
              outcomes: Sequence[str] = OUTCOMES) -> pd.DataFrame:
    """Every run as a row of the OAT table (oat.csv).

    Args:
        results: the runs (`coopsim.run.oat.run_settings`): `scenario` (index into
            `settings`), `replication`, `seed` and the outcomes.
        settings: (obstacle name, level) of each scenario index.
        outcomes: the outcome columns kept.

    Returns:
        Columns obstacle, level, replication, seed, then `outcomes`; obstacles in the order
        of `settings`, weak before strong, replications in order.
    """
    names = [name for name, _ in settings]
    frame = results.assign(obstacle=[names[s] for s in results["scenario"]],
                           level=[settings[s][1] for s in results["scenario"]])
    frame = frame.sort_values(["scenario", "replication"], kind="stable")
    return frame[["obstacle", "level", "replication", "seed", *outcomes]].reset_index(drop=True)


def _paired(runs: pd.DataFrame, obstacle: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """An obstacle's weak and strong values of one outcome, aligned by replication (same seed)."""
    sub = runs[runs["obstacle"] == obstacle]
    by_level = [sub[sub["level"] == level].set_index("replication").sort_index() for level in LEVELS]
    weak, strong = by_level
    if not weak.index.equals(strong.index) or not (weak["seed"] == strong["seed"]).all():
        raise ValueError(f"the weak and strong runs of '{obstacle}' do not share their replications' seeds")
    return weak[key].to_numpy(float), strong[key].to_numpy(float)


def _effect(obstacle: str, key: str, weak: np.ndarray, strong: np.ndarray) -> dict:
    """One obstacle's paired effect on one outcome, with its verdict."""
    ok = np.isfinite(weak) & np.isfinite(strong)
    difference, low, high, n = t_interval(strong[ok] - weak[ok])
    good = DECLARED[key].good
    code = oat_verdict(good, difference, low, high)
    return {"obstacle": obstacle, "outcome": key, "weak_mean": float(np.mean(weak[ok])) if n else math.nan,
            "strong_mean": float(np.mean(strong[ok])) if n else math.nan, "difference": difference,
            "low": low, "high": high, "n": n, "replications": len(weak), "paper_sign": good,
            "excludes_zero": bool(np.isfinite(low) and (low > 0 or high < 0)), "verdict_code": code,
            "verdict": VERDICTS[code], "acceptance": key in ACCEPTANCE}


def oat_effects(runs: pd.DataFrame, outcomes: Sequence[str] = OUTCOMES) -> pd.DataFrame:
    """Each obstacle's paired effect (strong - weak) on each outcome.

    Args:
        runs: `run_table` (both levels of every obstacle, the same replications).
        outcomes: the outcomes, in table order.

    Returns:
        One row per (obstacle, outcome), obstacles in their order in `runs`: obstacle,
        outcome, weak_mean and strong_mean (over the pairs with both values), difference, low,
        high (95% t-interval), n (pairs), replications, paper_sign (+1 more is better, -1
        less), excludes_zero, verdict_code and verdict (`VERDICTS`), acceptance (an outcome of
        `ACCEPTANCE`).
    """
    rows = [_effect(obstacle, key, *_paired(runs, obstacle, key))
            for obstacle in dict.fromkeys(runs["obstacle"]) for key in outcomes]
    return pd.DataFrame(rows)


def failing(effects: pd.DataFrame) -> dict[str, list[str]]:
    """The obstacles that do not move an acceptance outcome in the paper's direction with an
    interval excluding 0.

    Args:
        effects: `oat_effects`.

    Returns:
        Obstacle -> the acceptance outcomes it fails on (empty when every obstacle passes).
    """
    bad = effects[effects["acceptance"] & (effects["verdict_code"] != "paper")]
    return {name: list(group["outcome"]) for name, group in bad.groupby("obstacle", sort=False)}
