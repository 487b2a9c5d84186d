"""Calibration of the rates no source pins down (issue 3; docs/TRACE.md, "Model analysis"):
the priors, the design and the ABC computations, as pure functions.

Approximate Bayesian computation by rejection over a Latin hypercube: each point sets the
`behaviour.*` parameters of `PRIORS` (uniform priors) and is scored by the summed relative
distance of every validation check's value from its target range (`Check.miss`; 0 when every
pattern's value is inside its range; `point_score`). No pattern is fitted alone. Accepted
points are those with distance 0 (all targets met on the point values); if fewer than
`min_accept` are, the closest `min_accept` points are taken (the usual ABC tolerance quantile)
and the note says so (`accept`). The accepted points are re-checked with more replications
(`recheck_row`, `rank_rechecked`) and the default is a typical one of those that pass (`choose`).

Running the points is `coopsim.workflows.calibration`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.analysis.validation import Check

__all__ = ["PRIORS", "latin_hypercube", "point_score", "accept", "pattern_shares", "posterior_ranges",
           "recheck_row", "rank_rechecked", "choose"]

# Uniform priors: plausible bounds for quarterly or yearly rates no source gives.
PRIORS: dict[str, tuple[float, float]] = {
    "behaviour.exploration_rate": (0.02, 0.12),
    "behaviour.foreign_exploration_rate": (0.01, 0.08),
    "behaviour.follow_up": (0.15, 0.60),
    "behaviour.drafting": (0.40, 0.95),
    "behaviour.revival_rate": (0.005, 0.10),
    "behaviour.activity_threshold": (0.15, 0.35),
    "behaviour.feedback": (0.01, 0.08),
}


def latin_hypercube(n: int, priors: dict[str, tuple[float, float]], seed: int) -> pd.DataFrame:
    """n points, one per stratum of every parameter, strata shuffled independently.

    Drawn parameter by parameter (a permutation, then the offsets within strata), not with
    `scipy.stats.qmc.LatinHypercube` (which draws the offsets first): the documented
    calibration (docs/TRACE.md, section 7) repeats exactly with these draws.

    Args:
        n: points.
        priors: dotted path -> (low, high) of a uniform prior.
        seed: the design's seed.

    Returns:
        One row per point, one column per parameter.
    """
    rng = np.random.default_rng(seed)
    columns = {}
    for path, (lo, hi) in priors.items():
        u = (rng.permutation(n) + rng.random(n)) / n
        columns[path] = lo + u * (hi - lo)
    return pd.DataFrame(columns)


def point_score(checks: list[Check]) -> dict[str, float]:
    """One point's outputs: its distance, whether each pattern's values are all in range, and
    every check's value (columns `check_00`, ...).

    Args:
        checks: the point's validation checks.

    Returns:
        output name -> value.
    """
    out = {"distance": float(sum(c.miss() for c in checks))}
    for pattern in sorted({c.pattern for c in checks}):
        out[f"pattern_{pattern}_met"] = float(all(c.miss() == 0 for c in checks if c.pattern == pattern))
    for i, c in enumerate(checks):
        out[f"check_{i:02d}"] = float(c.value)
    return out


def accept(results: pd.DataFrame, min_accept: int = 10) -> tuple[pd.DataFrame, str]:
    """ABC rejection: points meeting every target; else the `min_accept` closest.

    Args:
        results: one row per point (`error`, `distance`, ...).
        min_accept: fewest points to accept.

    Returns:
        (accepted rows, a sentence saying how they were chosen).
    """
    ok = results[(results["error"] == "") & (results["distance"] == 0)]
    if len(ok) >= min_accept:
        return ok, f"{len(ok)} of {len(results)} points meet every pattern's target (distance 0)"
    best = results[results["error"] == ""].nsmallest(min_accept, "distance")
    return best, (f"only {len(ok)} of {len(results)} points meet every target; the {min_accept} "
                  f"closest (distance <= {best['distance'].max():.3f}) are accepted")


def pattern_shares(results: pd.DataFrame) -> pd.Series:
    """Share of points meeting each pattern's targets (columns `pattern_<k>_met`)."""
    return results[[c for c in results if c.startswith("pattern_")]].mean()


def posterior_ranges(accepted: pd.DataFrame, priors: dict[str, tuple[float, float]] = PRIORS) -> pd.DataFrame:
    """Per parameter: its prior bounds and the accepted points' min, 10%, median, 90%, max.

    Args:
        accepted: the accepted points.
        priors: dotted path -> (low, high).

    Returns:
        One row per parameter.
    """
    rows = []
    for path, (lo, hi) in priors.items():
        v = accepted[path]
        rows.append({"parameter": path, "prior_low": lo, "prior_high": hi,
                     "accepted_min": v.min(), "accepted_q10": v.quantile(0.1),
                     "accepted_median": v.median(), "accepted_q90": v.quantile(0.9),
                     "accepted_max": v.max()})
    return pd.DataFrame(rows)


def recheck_row(index: int, values: dict[str, float], checks: list[Check]) -> dict:
    """One accepted point re-checked as `coopsim validate` judges (values and 95% intervals).

    Args:
        index: the point's index in the hypercube.
        values: its parameter values.
        checks: its checks at the re-check's replications and seed.

    Returns:
        index, values, checks passed, checks, distance, and whether each pattern passed.
    """
    row = {"index": index, **values,
           "checks_passed": sum(c.passed for c in checks), "checks": len(checks),
           "distance": float(sum(c.miss() for c in checks))}
    row.update({f"pattern_{k}_passed": all(c.passed for c in checks if c.pattern == k)
                for k in sorted({c.pattern for c in checks})})
    return row


def rank_rechecked(rows: list[dict]) -> pd.DataFrame:
    """Re-checked points, most checks passed first, then the nearest."""
    return pd.DataFrame(rows).sort_values(["checks_passed", "distance"], ascending=[False, True])


def choose(refined: pd.DataFrame, accepted: pd.DataFrame,
           priors: dict[str, tuple[float, float]] = PRIORS) -> pd.Series | None:
    """The default: among the points that pass every check when re-checked, the one nearest
    the accepted points' median (each parameter scaled by its prior range): a typical accepted
    point, not the luckiest one.

    Args:
        refined: the re-checked points (`rank_rechecked`).
        accepted: the accepted points.
        priors: dotted path -> (low, high).

    Returns:
        The chosen row, or None when no point passes everything.
    """
    ok = refined[refined["checks_passed"] == refined["checks"]]
    if ok.empty:
        return None
    centre = accepted[list(priors)].median()
    scale = pd.Series({k: hi - lo for k, (lo, hi) in priors.items()})
    gap = (((ok[list(priors)] - centre) / scale) ** 2).sum(axis=1)
    return ok.loc[gap.idxmin()]
