"""Calibration of the rates no source pins down (issue #13; docs/TRACE.md, section 7): the
summary statistics, the distance and the posterior's summaries, as pure functions.

ABC-SMC (`pyabc`; run by `coopsim.run.calibration.abc_smc`): a particle sets the calibrated
parameters (uniform priors from a calibration file, `coopsim.config.calibration`) and is scored
on the *calibration* targets of the evidence split only. Its summary statistics are, per target,
the check's value and how far it lies outside its target range (`Check.miss`: 0 inside,
relative to the range's width outside); the distance is the sum of the misses. No pattern is
fitted alone, and a particle with distance 0 meets every calibration target on its point values.
The held-out targets are not in the statistics: they are never computed during calibration.

Running the particles is `coopsim.workflows.calibration`.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from coopsim.analysis.validation import Check

__all__ = ["VALUE", "MISS", "summary_statistics", "calibration_distance", "effective_sample_size",
           "weighted_quantiles", "posterior_summary", "target_shares"]

#: Prefixes of the summary statistics: a target's value and its miss.
VALUE, MISS = "value:", "miss:"


def summary_statistics(checks: list[Check]) -> dict[str, float]:
    """One particle's summary statistics: each check's value and miss, by its key.

    Args:
        checks: the particle's checks (the calibration targets only).

    Returns:
        "value:<key>" and "miss:<key>" -> number, per check.
    """
    out: dict[str, float] = {}
    for c in checks:
        out[VALUE + c.key] = float(c.value)
        out[MISS + c.key] = float(c.miss())
    return out


def calibration_distance(stats: dict[str, float], targets: Iterable[str]) -> float:
    """The distance of a particle: the sum of its misses over `targets` (0: every target met).

    Args:
        stats: the particle's summary statistics (`summary_statistics`).
        targets: the calibration targets.

    Returns:
        The distance.

    Raises:
        KeyError: a target has no statistic (the particle did not compute it).
    """
    return float(sum(stats[MISS + t] for t in targets))


def effective_sample_size(weights) -> float:
    """Kish's effective sample size of importance weights.

    Args:
        weights: non-negative weights (any scale).

    Returns:
        (sum w)^2 / sum w^2 (0 for no positive weight).
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) and (w > 0).any() else 0.0


def weighted_quantiles(values, weights, quantiles) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical distribution: the
    smallest value whose cumulative weight reaches q).

    Args:
        values: the sample.
        weights: non-negative weights (any scale).
        quantiles: probabilities in [0, 1].

    Returns:
        One value per quantile.
    """
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    order = np.argsort(v)
    v, cum = v[order], np.cumsum(w[order]) / w.sum()
    idx = np.searchsorted(cum, np.asarray(quantiles, dtype=float) - 1e-12, side="left")
    return v[np.minimum(idx, len(v) - 1)]


def posterior_summary(posterior: pd.DataFrame, priors: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per parameter: its prior, the posterior's weighted mean and 5/50/95% quantiles, and the
    share of the prior's width its 90% interval spans (1: the targets say nothing about it).

    Args:
        posterior: one row per particle, a column per parameter and `weight`.
        priors: dotted path -> (low, high).

    Returns:
        One row per parameter.
    """
    w = posterior["weight"].to_numpy(float)
    rows = []
    for path, (lo, hi) in priors.items():
        q05, q50, q95 = weighted_quantiles(posterior[path], w, [0.05, 0.5, 0.95])
        rows.append({"parameter": path, "prior_low": lo, "prior_high": hi,
                     "mean": float(np.average(posterior[path], weights=w)), "q05": q05, "median": q50,
                     "q95": q95, "span_of_prior": (q95 - q05) / (hi - lo)})
    return pd.DataFrame(rows)


def target_shares(posterior: pd.DataFrame, targets: Iterable[str]) -> pd.Series:
    """Weighted share of the posterior's particles meeting each calibration target (miss 0).

    Args:
        posterior: one row per particle with `weight` and the `miss:<target>` columns.
        targets: the calibration targets.

    Returns:
        target -> share.
    """
    w = posterior["weight"].to_numpy(float)
    return pd.Series({t: float(np.average(posterior[MISS + t].to_numpy() == 0, weights=w)) for t in targets})
