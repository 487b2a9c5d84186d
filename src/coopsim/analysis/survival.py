"""Survival of partnerships, estimated once, with `lifelines`: the Kaplan-Meier (product-limit)
estimator (`KaplanMeierFitter`) and Cox proportional hazards (`CoxPHFitter`).

Every survival curve coopsim draws or stores goes through `kaplan_meier`: the curves of
`coopsim run` (from the ledger, `survival_curve`), those of `coopsim compare` (from each
run's life table, `life_table_survival`) and the band over replications that compare draws
(`mean_survival`). `cox_table` fits a Cox model on a run's ledger (time from signing to the
first failure, censored at the run's end; partnerships signed before the run enter late).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coopsim.analysis.stats import resample

__all__ = ["kaplan_meier", "life_table_survival", "ledger_durations", "survival_curve", "COX_COVARIATES",
           "cox_table", "MeanSurvival", "mean_survival"]

#: Ledger columns `cox_table` uses by default: the conditions the paper says keep a partnership alive.
COX_COVARIATES = ("joint_committee", "dedicated_budget")


def _fitter():
    """A lifelines Kaplan-Meier fitter (imported late: lifelines is slow to import)."""
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter()


def kaplan_meier(duration, event, times, weights=None) -> np.ndarray:
    """Kaplan-Meier survival S(t) at each of `times` (lifelines' `KaplanMeierFitter`): the
    product, over the distinct event times u <= t, of (1 - failures at u / partnerships still
    followed at u).

    Args:
        duration: time each partnership was followed (to its failure, or to censoring).
        event: True where the follow-up ended in a failure, False where it was censored.
        times: where to evaluate S (same unit as `duration`).
        weights: how many partnerships each row stands for (whole numbers; default 1 each).

    Returns:
        S at each of `times` (1.0 before the first failure); NaN everywhere when there is
        nobody to follow.
    """
    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=bool)
    times = np.asarray(times, dtype=float)
    w = np.ones(len(duration)) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    if not keep.any():
        return np.full(len(times), np.nan)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"lifelines(\..*)?")   # its deprecations, not ours
        fitted = _fitter().fit(duration[keep], event[keep], weights=w[keep])
    curve = fitted.survival_function_
    timeline, survival = curve.index.to_numpy(float), curve.iloc[:, 0].to_numpy(float)
    last = np.searchsorted(timeline, times, side="right") - 1
    return np.where(last >= 0, survival[np.maximum(last, 0)], 1.0)


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
    duration = np.concatenate([steps, steps])
    event = np.concatenate([np.ones(len(steps), dtype=bool), np.zeros(len(steps), dtype=bool)])
    return kaplan_meier(duration, event, steps, weights=np.concatenate([failed, censored]))


def ledger_durations(ledger: pd.DataFrame, start_year: float, end_year: float) -> pd.DataFrame:
    """Follow-up of each signed partnership of a run's ledger, in years: from its MoU to its
    first failure after signing (the latest stagnation or the ending), censored at the run's end.

    Args:
        ledger: `coopsim.model.model.CoopModel.ledger()` (columns signed, mou, stagnated, ended).
        start_year, end_year: the run's calendar span.

    Returns:
        The signed rows with `event` (failed), `duration` (years from the MoU) and `entry`
        (years from the MoU to the run's start: 0 for partnerships signed during the run).
    """
    signed = ledger[ledger["signed"]].copy()
    clock = np.maximum(signed["mou"], start_year)
    fails = signed[["stagnated", "ended"]]
    first_fail = fails.where(fails.ge(clock, axis=0)).min(axis=1)  # not an older life's failure
    signed["event"] = first_fail.notna()
    signed["entry"] = clock - signed["mou"]
    signed["duration"] = np.where(signed["event"], first_fail, end_year) - signed["mou"]
    return signed


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
    signed = ledger_durations(ledger, start_year, end_year)
    signed["duration"] = signed["duration"] - signed["entry"]   # followed from the run's start
    groups = signed.groupby(group.loc[signed.index]) if group is not None else [("all", signed)]
    grid = np.linspace(0, horizon_years, int(horizon_years * 4) + 1)
    frames = [pd.DataFrame({"group": name, "years": grid, "n": len(g),
                            "survival": kaplan_meier(g["duration"].to_numpy(), g["event"].to_numpy(), grid)})
              for name, g in groups]
    columns = ["group", "years", "survival", "n"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def cox_table(ledger: pd.DataFrame, start_year: float, end_year: float,
              covariates: tuple[str, ...] = COX_COVARIATES, penalizer: float = 0.0) -> pd.DataFrame:
    """Cox proportional hazards of the first failure after signing (lifelines' `CoxPHFitter`):
    time from the MoU, censored at the run's end; a partnership signed before the run enters
    at the run's start (left truncation, `entry_col`), so its earlier years are not counted
    as survived.

    Args:
        ledger: a run's ledger (or several runs' ledgers stacked), with the covariate columns.
        start_year, end_year: the run's calendar span.
        covariates: ledger columns (numbers or yes/no); a column with one value is left out.
        penalizer: lifelines' ridge penalty (0: the plain partial likelihood).

    Returns:
        One row per covariate fitted: coef, hazard_ratio with its 95% interval, p, and the
        partnerships n and failures used. Empty when nobody failed.
    """
    from lifelines import CoxPHFitter

    data = ledger_durations(ledger, start_year, end_year)
    data = data[data["duration"] > data["entry"]]
    used = [c for c in covariates if data[c].astype(float).nunique() > 1]
    columns = ["covariate", "coef", "hazard_ratio", "hr_low", "hr_high", "p", "n", "events"]
    if not used or not data["event"].any():
        return pd.DataFrame(columns=columns)
    frame = data[used].astype(float).assign(duration=data["duration"].astype(float),
                                            event=data["event"].astype(bool), entry=data["entry"].astype(float))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"lifelines(\..*)?")   # its deprecations, not ours
        fitted = CoxPHFitter(penalizer=penalizer).fit(frame, "duration", "event", entry_col="entry")
    s = fitted.summary
    return pd.DataFrame({"covariate": s.index.to_numpy(), "coef": s["coef"].to_numpy(),
                         "hazard_ratio": s["exp(coef)"].to_numpy(), "hr_low": s["exp(coef) lower 95%"].to_numpy(),
                         "hr_high": s["exp(coef) upper 95%"].to_numpy(), "p": s["p"].to_numpy(),
                         "n": len(frame), "events": int(frame["event"].sum())})[columns]


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
