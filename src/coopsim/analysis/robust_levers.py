"""Lever verdicts that survive what we do not know (`coopsim compare --uncertain N`): the robust
decision-making view of EMA Workbench on the comparison's own runs.

The uncertain inputs are the behavioural rates (particles of the ABC posterior, or uniform draws
from the calibration's priors when there is no posterior) and the obstacles' levels (uniform in
the ranges of an experiment file). `draw_inputs` draws N points of them in one Latin hypercube
(`scipy.stats.qmc`): a posterior particle is picked by one column of the hypercube through the
inverse of its cumulative weights (stratified resampling), every range by one column each.

In every draw the base and each lever run `reps` paired replications with the same seeds (common
random numbers: replication i = draw * reps + r of every scenario has seed
`coopsim.run.seeds.replication_seed(seed, i)`), so a draw's effect is the mean paired difference
lever - base over its replications (`draw_effects`). Per lever and outcome (`robust_table`):

    help share      share of draws where the lever is better than the base (in the outcome's
                    good direction); harm share: worse; the rest: no difference
    median effect   over the draws, with the 5th and 95th percentiles of the draws
    regret          in each draw, how far the lever falls short of the best lever of that draw
                    (best effect - its effect, in the good direction: 0 for the best, never
                    negative); its median and 90th percentile over the draws
    best share      share of draws where the lever is the best (regret 0, ties included)

Levers are ordered by median regret, then its 90th percentile, then the median effect.

Pure functions: they take tables and return DataFrames (`coopsim.reporting.decision` writes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import qmc

from coopsim.config.vocabulary import outcome

__all__ = ["UncertainInputs", "draw_inputs", "draw_effects", "regret_frame", "robust_table", "robust_outcomes",
           "RobustFindings", "robust_findings", "INTERVAL", "REGRET_QUANTILE", "COHORT_OUTCOME"]

#: Percentiles of the draws shown around the median effect.
INTERVAL = (5.0, 95.0)
#: The upper percentile of regret shown beside its median.
REGRET_QUANTILE = 90.0
#: The second outcome every robust table shows: survival of the partnerships active at the start.
COHORT_OUTCOME = "cohort_survival_10y"


@dataclass(frozen=True)
class UncertainInputs:
    """What `draw_inputs` draws from.

    Attributes:
        ranges: dotted scenario path -> (low, high), each drawn uniformly (priors, obstacles).
        posterior: the posterior's particles (one column per dotted path), or None.
        weights: the particles' weights (sum 1), or None.
    """
    ranges: dict[str, tuple[float, float]]
    posterior: pd.DataFrame | None = None
    weights: np.ndarray | None = None

    @property
    def paths(self) -> list[str]:
        """Every drawn parameter: the posterior's, then the ranges'."""
        return ([] if self.posterior is None else list(self.posterior.columns)) + list(self.ranges)


def draw_inputs(inputs: UncertainInputs, n: int, seed: int) -> pd.DataFrame:
    """N draws of the uncertain inputs from one Latin hypercube; the same seed gives the same draws.

    Args:
        inputs: what to draw from.
        n: the number of draws (at least 1).
        seed: the master seed (the hypercube's generator is seeded from it).

    Returns:
        One row per draw: `draw` (0..n-1), `particle` (the posterior particle, -1 without a
        posterior), then one column per drawn dotted path.
    """
    k = len(inputs.ranges) + (inputs.posterior is not None)
    rng = np.random.default_rng([int(seed), 4242])
    unit = qmc.LatinHypercube(d=max(k, 1), rng=rng).random(n)
    out = pd.DataFrame({"draw": np.arange(n), "particle": -1})
    column = 0
    if inputs.posterior is not None:
        cumulative = np.cumsum(inputs.weights) / np.sum(inputs.weights)
        pick = np.minimum(np.searchsorted(cumulative, unit[:, 0], side="right"), len(cumulative) - 1)
        out["particle"] = pick
        for path in inputs.posterior.columns:
            out[path] = inputs.posterior[path].to_numpy(float)[pick]
        column = 1
    for j, (path, (low, high)) in enumerate(inputs.ranges.items(), start=column):
        out[path] = low + (high - low) * unit[:, j]
    return out


def draw_effects(outcomes: pd.DataFrame, labels: list[str], keys: list[str], reps: int) -> pd.DataFrame:
    """Each lever's effect in each draw: the mean paired difference lever - base over the draw's
    replications where both have a value.

    Args:
        outcomes: one row per (scenario, replication) with its `seed` and a column per outcome;
            replication i belongs to draw i // reps.
        labels: scenario labels, the base first.
        keys: the outcomes.
        reps: replications per draw.

    Returns:
        One row per (outcome, draw, lever): base_mean, scenario_mean (over the same
        replications), effect (their difference), runs (replications with both values) and
        seeds (the draw's run seeds, the same for the base and the lever), by outcome and draw.
    """
    frame = outcomes.assign(draw=outcomes["replication"] // reps)
    base = frame[frame["scenario"] == labels[0]].set_index("replication").sort_index()
    seeds = base.groupby("draw")["seed"].agg(lambda s: " ".join(str(int(x)) for x in s))
    parts = []
    for label in labels[1:]:
        lever = frame[frame["scenario"] == label].set_index("replication").reindex(base.index)
        for key in keys:
            b, v = base[key].to_numpy(float), lever[key].to_numpy(float)
            ok = np.isfinite(b) & np.isfinite(v)
            pairs = pd.DataFrame({"draw": base["draw"].to_numpy(), "base_mean": np.where(ok, b, np.nan),
                                  "scenario_mean": np.where(ok, v, np.nan), "runs": ok.astype(int)})
            per = pairs.groupby("draw").agg(base_mean=("base_mean", "mean"), scenario_mean=("scenario_mean", "mean"),
                                            runs=("runs", "sum")).reset_index()
            per.insert(0, "outcome", key)
            per.insert(2, "scenario", label)
            per["effect"] = per["scenario_mean"] - per["base_mean"]
            parts.append(per)
    out = pd.concat(parts, ignore_index=True)
    out["seeds"] = out["draw"].map(seeds)
    return out[["outcome", "draw", "scenario", "base_mean", "scenario_mean", "effect", "runs", "seeds"]]


def regret_frame(effects: pd.DataFrame, key: str, levers: list[str]) -> pd.DataFrame:
    """Each lever's regret in each draw on one outcome: the best lever's effect in that draw minus
    its own, both turned so that more is better (0 for the best lever, never negative; NaN where
    the lever's effect has no value).

    Args:
        effects: `draw_effects` (or any table with outcome, draw, scenario, effect).
        key: the outcome (its `good` direction decides what is better; spending counts more as better).
        levers: the levers, in the columns' order.

    Returns:
        Draws (index) x levers (columns): the regret.
    """
    good = outcome(key).good or 1
    sub = effects[effects["outcome"] == key]
    better = good * sub.pivot(index="draw", columns="scenario", values="effect").reindex(columns=levers)
    best = better.max(axis=1, skipna=True)
    return better.rsub(best, axis=0)


def _percentile(x: np.ndarray, q: float) -> float:
    """The q-th percentile (linear interpolation), NaN for no values."""
    return float(np.percentile(x, q)) if len(x) else np.nan


def _share(mask: np.ndarray) -> float:
    """The share of True values, NaN for no values."""
    return float(np.mean(mask)) if len(mask) else np.nan


def _lever_row(key: str, label: str, effect: np.ndarray, regret: np.ndarray, good: int) -> dict:
    """One lever's robust numbers on one outcome over the draws with a value."""
    ok = np.isfinite(effect)
    e, r = effect[ok], regret[np.isfinite(regret)]
    return {"outcome": key, "scenario": label, "draws": int(ok.sum()), "missing": int((~ok).sum()),
            "help_share": _share(good * e > 0), "harm_share": _share(good * e < 0), "median": _percentile(e, 50),
            "low": _percentile(e, INTERVAL[0]), "high": _percentile(e, INTERVAL[1]),
            "mean": float(e.mean()) if len(e) else np.nan, "regret_median": _percentile(r, 50),
            "regret_p90": _percentile(r, REGRET_QUANTILE), "best_share": _share(r == 0)}


def robust_table(effects: pd.DataFrame, labels: list[str], key: str) -> pd.DataFrame:
    """The levers on one outcome across the draws: help share, median effect and its interval,
    regret, best share; the least regret first.

    Args:
        effects: `draw_effects`.
        labels: scenario labels, the base first.
        key: the outcome.

    Returns:
        One row per lever: rank, outcome, scenario, draws (with a value), missing, help_share,
        harm_share, median, low, high (`INTERVAL` percentiles of the draws), mean,
        regret_median, regret_p90, best_share.
    """
    levers = labels[1:]
    good = outcome(key).good or 1
    regret = regret_frame(effects, key, levers)
    sub = effects[effects["outcome"] == key].pivot(index="draw", columns="scenario", values="effect")
    rows = [_lever_row(key, label, sub[label].to_numpy(float), regret[label].to_numpy(float), good)
            for label in levers]
    frame = pd.DataFrame(rows)
    frame["_better"] = -good * frame["median"]
    frame = frame.sort_values(["regret_median", "regret_p90", "_better"], kind="stable", na_position="last")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.drop(columns="_better").reset_index(drop=True)


def robust_outcomes(rank_by: str, compared: list[str]) -> list[str]:
    """The outcomes a robust table is made for: the ranked one and the 10-year survival of the
    cohort active at the start, those the comparison has.

    Args:
        rank_by: the outcome that orders the ranking.
        compared: the keys of the outcomes compared.

    Returns:
        The keys, the ranked one first.
    """
    return [k for k in dict.fromkeys([rank_by, COHORT_OUTCOME]) if k in compared]


@dataclass
class RobustFindings:
    """What the draws found (rendered by `coopsim.reporting.decision`).

    Attributes:
        effects: `draw_effects` for every compared outcome; table: `robust_table` of each
        robust outcome, stacked; outcomes: those outcomes, the ranked one first; draws: the
        drawn inputs (`draw_inputs`); reps: replications per draw; kept: per lever, the drawn
        parameters it sets itself (left at its own value in every draw).
    """
    effects: pd.DataFrame
    table: pd.DataFrame
    outcomes: list[str]
    draws: pd.DataFrame
    reps: int
    kept: dict[str, list[str]] = field(default_factory=dict)

    def lever_table(self, key: str) -> pd.DataFrame:
        """The robust table of one outcome."""
        return self.table[self.table["outcome"] == key].reset_index(drop=True)


def robust_findings(outcomes: pd.DataFrame, labels: list[str], keys: list[str], rank_by: str, reps: int,
                    draws: pd.DataFrame, kept: dict[str, list[str]] | None = None) -> RobustFindings:
    """Everything `coopsim compare --uncertain` reports about the draws.

    Args:
        outcomes: one row per (scenario, replication) with `seed` and the outcomes.
        labels: scenario labels, the base first.
        keys: the compared outcomes' keys.
        rank_by: the outcome that orders the ranking.
        reps: replications per draw.
        draws: the drawn inputs (`draw_inputs`).
        kept: per lever, the drawn parameters it sets itself (kept at its own value).

    Returns:
        The `RobustFindings`.
    """
    effects = draw_effects(outcomes, labels, keys, reps)
    chosen = robust_outcomes(rank_by, keys)
    table = pd.concat([robust_table(effects, labels, k) for k in chosen], ignore_index=True)
    return RobustFindings(effects, table, chosen, draws, reps, dict(kept or {}))
