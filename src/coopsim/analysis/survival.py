"""Survival of partnerships, estimated once: the Kaplan-Meier (product-limit) estimator.

Every survival curve coopsim draws or stores goes through `kaplan_meier`: the curves of
`coopsim run` (from the ledger, `survival_curve`), those of `coopsim compare` (from each
run's life table, `life_table_survival`) and the band over replications that compare draws
(`mean_survival`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coopsim.analysis.stats import resample

__all__ = ["kaplan_meier", "life_table_survival", "survival_curve", "MeanSurvival", "mean_survival"]


def kaplan_meier(duration, event, times) -> np.ndarray:
    """Kaplan-Meier survival S(t) at each of `times`: the product, over the distinct event
    times u <= t, of (1 - failures at u / partnerships still followed at u).

    Args:
        duration: time each partnership was followed (to its failure, or to censoring).
        event: True where the follow-up ended in a failure, False where it was censored.
        times: where to evaluate S (same unit as `duration`).

    Returns:
        S at each of `times` (1.0 before the first failure); NaN everywhere when there is
        nobody to follow.
    """
    duration = np.asarray(duration)
    event = np.asarray(event, dtype=bool)
    times = np.asarray(times)
    if not len(duration):
        return np.full(len(times), np.nan)
    failure_times, failures = np.unique(duration[event], return_counts=True)
    # followed at u: not yet failed or censored before u
    at_risk = len(duration) - np.searchsorted(np.sort(duration), failure_times, side="left")
    survival = np.cumprod(1 - failures / at_risk)
    last = np.searchsorted(failure_times, times, side="right") - 1
    return np.where(last >= 0, survival[np.maximum(last, 0)] if len(survival) else 1.0, 1.0)


def life_table_survival(failed: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """Kaplan-Meier survival at 0, 1, ..., K steps from a life table.

    Args:
        failed: failed[k], partnerships that failed k steps after signing (k = 0..K).
        censored: censored[k], partnerships still followed when the run ended, k steps
            after signing.

    Returns:
        S(k) for k = 0..K (NaN everywhere when the table is empty).
    """
    steps = np.arange(len(failed))
    failed, censored = np.asarray(failed, dtype=np.int64), np.asarray(censored, dtype=np.int64)
    duration = np.concatenate([np.repeat(steps, failed), np.repeat(steps, censored)])
    event = np.concatenate([np.ones(failed.sum(), dtype=bool), np.zeros(censored.sum(), dtype=bool)])
    return kaplan_meier(duration, event, steps)


def survival_curve(ledger: pd.DataFrame, horizon_years: float, start_year: float, end_year: float,
                   group: pd.Series | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival of signed partnerships from a run's ledger: time from the MoU
    (or from the run's start, for those signed before it) to the latest stagnation or the
    ending, censored at the end of the run; per quarter up to the horizon.

    Args:
        ledger: `coopsim.model.model.CoopModel.ledger()` (columns signed, mou, stagnated, ended).
        horizon_years: how far to evaluate the curve.
        start_year, end_year: the run's calendar span.
        group: optional label per ledger row; one curve per label.

    Returns:
        One row per (group, years): the survival and the group's number of partnerships, n.
    """
    signed = ledger[ledger["signed"]].copy()
    clock = np.maximum(signed["mou"], start_year)
    fails = signed[["stagnated", "ended"]]
    first_fail = fails.where(fails.ge(clock, axis=0)).min(axis=1)  # not an older life's failure
    signed["event"] = first_fail.notna()
    signed["duration"] = np.where(signed["event"], first_fail - clock, end_year - clock)
    groups = signed.groupby(group.loc[signed.index]) if group is not None else [("all", signed)]
    grid = np.linspace(0, horizon_years, int(horizon_years * 4) + 1)
    frames = [pd.DataFrame({"group": name, "years": grid, "n": len(g),
                            "survival": kaplan_meier(g["duration"].to_numpy(), g["event"].to_numpy(), grid)})
              for name, g in groups]
    columns = ["group", "years", "survival", "n"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


@dataclass
class MeanSurvival:
    """Mean survival curve over the replications of one scenario, with a bootstrap band.

    Attributes:
        years: time since signing.
        mean, low, high: mean over replications and its 95% interval (NaN where no
            replication followed anybody that long).
        runs: replications that signed any partnership (the others have no curve).
    """
    years: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    runs: int


def mean_survival(curves: pd.DataFrame, rng: np.random.Generator, n_boot: int = 500) -> MeanSurvival | None:
    """Mean of the replications' survival curves and a percentile bootstrap band of it.

    Args:
        curves: one row per (replication, years) with column survival (NaN: nobody followed).
        rng: resampling generator.
        n_boot: bootstrap resamples of the replications.

    Returns:
        The mean curve, or None when no replication has a curve.
    """
    table = curves.pivot(index="replication", columns="years", values="survival").dropna(how="all")
    if table.empty:
        return None
    values = table.to_numpy()
    idx = resample(rng, len(values), n_boot)
    with warnings.catch_warnings():  # a time nobody was followed to stays NaN
        warnings.filterwarnings("ignore", message="(Mean of empty slice|All-NaN slice)", category=RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        low, high = np.nanpercentile(np.nanmean(values[idx], axis=1), [2.5, 97.5], axis=0)
    return MeanSurvival(table.columns.to_numpy(float), mean, low, high, len(values))
