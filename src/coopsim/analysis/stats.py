"""Bootstrap intervals over replications, in one place (comparison, validation, figures).

Every interval here is a percentile bootstrap over replications: resample the replications
with replacement `BOOTSTRAP` times, compute the statistic on each resample, and take the
2.5th and 97.5th percentiles. Resampling draws from a generator the caller passes (or seeds),
so intervals are reproducible.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BOOTSTRAP", "Z95", "Z80", "resample", "percentile_interval", "bootstrap_means", "mean_interval",
           "ratio_of_sums", "ratio_interval", "paired_interval", "unpaired_interval", "replications_needed"]

BOOTSTRAP = 2000          # resamples
Z95, Z80 = 1.959964, 0.841621   # two-sided 5% level, 80% power (normal approximation)


def resample(rng: np.random.Generator, n: int, n_boot: int = BOOTSTRAP) -> np.ndarray:
    """Bootstrap indices: an (n_boot, n) array of replications drawn with replacement."""
    return rng.integers(0, n, (n_boot, n))


def percentile_interval(draws: np.ndarray) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the finite bootstrap draws (NaN, NaN if none)."""
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return np.nan, np.nan
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def bootstrap_means(values: np.ndarray, rng: np.random.Generator, n_boot: int = BOOTSTRAP) -> np.ndarray:
    """Means of `n_boot` resamples of `values`."""
    return values[resample(rng, len(values), n_boot)].mean(axis=1)


def mean_interval(values, rng: np.random.Generator | None = None) -> tuple[float, float, float]:
    """Mean of the finite values and its 95% interval: (mean, low, high); NaNs when none.

    Args:
        values: one number per replication.
        rng: resampling generator (default: seeded with 0, so every check resamples alike).
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return np.nan, np.nan, np.nan
    rng = rng if rng is not None else np.random.default_rng(0)
    return (float(values.mean()), *percentile_interval(bootstrap_means(values, rng)))


def ratio_of_sums(sums: np.ndarray) -> np.ndarray:
    """(a / b) / (c / d) for columns (a, b, c, d) of summed counts, or a / b for two columns;
    NaN where a denominator is zero. `sums` is (..., 2) or (..., 4)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if sums.shape[-1] == 2:
            out = sums[..., 0] / sums[..., 1]
        else:
            out = (sums[..., 0] / sums[..., 1]) / (sums[..., 2] / sums[..., 3])
    return np.where(np.isfinite(out), out, np.nan)


def ratio_interval(counts, rng: np.random.Generator | None = None) -> tuple[float, float, float]:
    """Pooled ratio of counts summed over replications (rows (a, b) -> a/b, or (a, b, c, d) ->
    (a/b)/(c/d)) and its 95% interval, resampling replications: (value, low, high)."""
    counts = np.asarray(counts, dtype=float)
    rng = rng if rng is not None else np.random.default_rng(0)
    value = float(ratio_of_sums(counts.sum(axis=0)))
    return (value, *percentile_interval(ratio_of_sums(counts[resample(rng, len(counts))].sum(axis=1))))


def paired_interval(base: np.ndarray, policy: np.ndarray, rng: np.random.Generator,
                    n_boot: int = BOOTSTRAP) -> tuple[float, float, float, int]:
    """Mean paired difference (policy - base), its 95% interval resampling replications (pairs
    stay together), and the number of pairs: (difference, low, high, pairs). Pairs with a
    missing value are dropped."""
    ok = np.isfinite(base) & np.isfinite(policy)
    d = policy[ok] - base[ok]
    if len(d) < 2:
        return (float(d.mean()) if len(d) else float("nan")), float("nan"), float("nan"), len(d)
    lo, hi = np.percentile(bootstrap_means(d, rng, n_boot), [2.5, 97.5])
    return float(d.mean()), float(lo), float(hi), len(d)


def unpaired_interval(base: np.ndarray, policy: np.ndarray, rng: np.random.Generator,
                      n_boot: int = BOOTSTRAP) -> tuple[float, float, float]:
    """The same difference with the two arms resampled independently, as if the runs had not
    shared their random numbers (what pairing buys): (difference, low, high)."""
    b, p = base[np.isfinite(base)], policy[np.isfinite(policy)]
    if len(b) < 2 or len(p) < 2:
        return float("nan"), float("nan"), float("nan")
    boots = bootstrap_means(p, rng, n_boot) - bootstrap_means(b, rng, n_boot)
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return float(p.mean() - b.mean()), float(lo), float(hi)


def replications_needed(diffs: np.ndarray, current: int) -> float:
    """Replications for a 95% interval to exclude zero with 80% power, if the true effect were
    the observed mean difference (normal approximation); inf when there is no difference."""
    d = diffs[np.isfinite(diffs)]
    if len(d) < 2 or d.mean() == 0:
        return math.inf
    sd = d.std(ddof=1)
    return float(max(current + 1, math.ceil(((Z95 + Z80) * sd / abs(d.mean())) ** 2)))
