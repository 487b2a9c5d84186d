"""Paired comparison of scenarios (common random numbers): effects with intervals, verdicts in
plain words, a ranking of levers by what they buy, and the tables of the runs.

Pure functions: they take the runs' numbers and return DataFrames; `coopsim.reporting.comparison`
turns them into text and figures, `coopsim.workflows.compare` writes them.

Replication i of every scenario runs with the same seed, so the difference of the two runs is
the lever's effect plus far less noise than two independent runs. Each effect is the mean of
the paired differences over replications, with a 95% percentile bootstrap interval over
replications (`coopsim.analysis.stats.paired_interval`), and a verdict:

    clear gain / clear loss          the interval excludes zero (direction: good or bad)
    clearly higher / clearly lower   the same, for spending (neither good nor bad by itself)
    not distinguishable at this N    the interval includes zero; with the N that would be
                                     needed (normal approximation, 5% level, 80% power)
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from coopsim.analysis.stats import (bootstrap_means, paired_interval, percentile_interval, replications_needed,
                                    resample, unpaired_interval)
from coopsim.analysis.survival import life_table_survival
from coopsim.config.vocabulary import HORIZONS, STAGES, Outcome, outcome
from coopsim.run.tracking import TrackedRun, outcome_keys

__all__ = ["compared_outcomes", "verdict", "effects_table", "ranking_table", "outcome_frame", "stage_frame",
           "survival_frame", "end_holdings"]


def compared_outcomes(years: int) -> list[Outcome]:
    """The outcomes compared, in display order, from the outcome registry
    (`coopsim.config.vocabulary.OUTCOMES`): those a run of `years` can reach, the active stock
    at the end worded with its year.

    Args:
        years: the runs' horizon in years.

    Returns:
        The outcomes' declarations.
    """
    unreachable = {f"survival_{k}y" for k in HORIZONS if k >= years}  # nobody followed that long
    out = [outcome(key) for key in outcome_keys(years, 1) if key not in unreachable]
    return [replace(o, words=f"active partnerships at the end (year {years})") if o.key == "active_end" else o
            for o in out]


def verdict(outcome: Outcome, diff: float, lo: float, hi: float, n: int, needed: float,
            identical: bool, base_mean: float = float("nan")) -> tuple[str, str]:
    """A paired effect in plain words. Pairing detects even tiny real effects; one under 1%
    of the base mean is called tiny.

    Args:
        outcome: the outcome (its `good` direction decides gain or loss).
        diff, lo, hi: mean paired difference and its 95% interval.
        n: pairs with a value.
        needed: replications needed for the interval to exclude zero (`replications_needed`).
        identical: no difference in any replication.
        base_mean: the base scenario's mean.

    Returns:
        (code, words); codes: gain, loss, higher, lower, same, unclear, too_few.
    """
    if identical:
        return "same", "not distinguishable: no difference in any replication"
    if n < 2 or not np.isfinite(lo):
        return "too_few", f"not distinguishable: only {n} replication(s) with a value"
    if lo > 0 or hi < 0:
        up = diff > 0
        tiny = " (but tiny: under 1% of the base)" if np.isfinite(base_mean) and abs(diff) < 0.01 * abs(base_mean) \
            else ""
        if outcome.good == 0:
            return ("higher", "clearly higher" + tiny) if up else ("lower", "clearly lower" + tiny)
        return ("gain", "clear gain" + tiny) if up == (outcome.good > 0) else ("loss", "clear loss" + tiny)
    if math.isinf(needed):
        return "unclear", f"not distinguishable at N={n} (no average difference)"
    return "unclear", f"not distinguishable at N={n}; about {_count_words(needed)} replications needed"


def _count_words(x: float) -> str:
    return "more than a million" if x >= 1e6 else f"{int(x):,}"


def _by_replication(outcomes: pd.DataFrame, label: str) -> pd.DataFrame:
    return outcomes[outcomes["scenario"] == label].sort_values("replication")


def _nanmean(values: np.ndarray) -> float:
    return float(np.nanmean(values)) if np.isfinite(values).any() else np.nan


def _effect_row(o: Outcome, b: np.ndarray, p: np.ndarray, rng: np.random.Generator) -> dict:
    """One outcome's paired effect of one scenario, verdict included."""
    diff, lo, hi, n = paired_interval(b, p, rng)
    _, ulo, uhi = unpaired_interval(b, p, rng)
    ok = np.isfinite(b) & np.isfinite(p)
    d = p[ok] - b[ok]
    identical = len(d) > 0 and bool(np.all(d == 0))
    needed = replications_needed(d, n)
    base_mean = _nanmean(b)
    code, words = verdict(o, diff, lo, hi, n, needed, identical, base_mean)
    return {"outcome": o.key, "label": o.label, "base_mean": base_mean, "scenario_mean": _nanmean(p),
            "difference": diff, "low": lo, "high": hi, "pairs": n, "unpaired_low": ulo, "unpaired_high": uhi,
            "verdict_code": code, "verdict": words, "replications_needed": needed if code == "unclear" else np.nan}


def effects_table(outcomes: pd.DataFrame, labels: list[str], table: list[Outcome], seed: int) -> pd.DataFrame:
    """Paired effects of every scenario against the base.

    Args:
        outcomes: one row per (scenario, replication) with a column per outcome.
        labels: scenario labels, the base first.
        table: the outcomes compared (`compared_outcomes`).
        seed: master seed (each scenario's resampling is seeded from it and its position).

    Returns:
        One row per (scenario other than the base, outcome): means, paired difference with
        its interval, the unpaired interval for comparison, verdict and replications needed.
    """
    base = _by_replication(outcomes, labels[0])
    rows = []
    for s, label in enumerate(labels[1:], start=1):
        rng = np.random.default_rng([seed, s, 7919])
        policy = _by_replication(outcomes, label)
        rows += [{"scenario": label, **_effect_row(o, base[o.key].to_numpy(float), policy[o.key].to_numpy(float),
                                                    rng)} for o in table]
    return pd.DataFrame(rows)


def _per_budget(extra: np.ndarray, spending: np.ndarray, per: float,
                rng: np.random.Generator) -> tuple[float, float, float]:
    """`per` x mean extra outcome / mean extra spending over the pairs, with a paired
    bootstrap interval (resamples whose extra spending is not positive are left out)."""
    idx = resample(rng, len(extra))
    cost = spending[idx].mean(axis=1)
    ratios = per * extra[idx].mean(axis=1)[cost > 0] / cost[cost > 0]
    lo, hi = np.percentile(ratios, [2.5, 97.5]) if len(ratios) else (np.nan, np.nan)
    return per * extra.mean() / spending.mean(), lo, hi


def _ranking_row(label: str, d: dict[str, np.ndarray], rank_by: str, rng: np.random.Generator) -> dict:
    """One lever's effects (paired differences `d`) and what it buys per unit of budget."""
    row: dict = {"scenario": label}
    for k in (rank_by, "benefits", "spending"):
        v = d[k][np.isfinite(d[k])]
        row[k] = float(v.mean()) if len(v) else np.nan
        row[f"{k}_low"], row[f"{k}_high"] = percentile_interval(bootstrap_means(v, rng)) if len(v) >= 2 \
            else (np.nan, np.nan)
    row["costs_money"] = bool(row["spending_low"] > 0)  # priced only where it clearly costs more
    for key, per, name in (("benefits", 1.0, "benefits_per_budget_unit"),
                           (rank_by, 100.0, f"{rank_by}_per_100_budget_units")):
        keep = np.isfinite(d[rank_by]) & np.isfinite(d[key])
        row[name], row[f"{name}_low"], row[f"{name}_high"] = \
            _per_budget(d[key][keep], d["spending"][keep], per, rng) if row["costs_money"] else (np.nan,) * 3
    return row


def ranking_table(outcomes: pd.DataFrame, labels: list[str], rank_by: str, seed: int) -> pd.DataFrame:
    """Levers ranked by their effect on `rank_by`, with what they buy per unit of budget.

    Args:
        outcomes: one row per (scenario, replication) with a column per outcome.
        labels: scenario labels, the base first.
        rank_by: the outcome that orders the ranking.
        seed: master seed.

    Returns:
        One row per lever, best first: its effects on `rank_by`, benefits and spending with
        intervals; where it clearly raises spending, extra benefits per extra unit of spending
        and extra `rank_by` per 100 extra units, each with a paired bootstrap interval.
    """
    base = _by_replication(outcomes, labels[0])
    rows = []
    for s, label in enumerate(labels[1:], start=1):
        rng = np.random.default_rng([seed, s, 104729])
        policy = _by_replication(outcomes, label)
        d = {k: policy[k].to_numpy(float) - base[k].to_numpy(float) for k in (rank_by, "benefits", "spending")}
        rows.append(_ranking_row(label, d, rank_by, rng))
    frame = pd.DataFrame(rows).sort_values(rank_by, ascending=False, kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


# --- tables of the runs -------------------------------------------------------------------------
def outcome_frame(runs: list[list[TrackedRun]], labels: list[str], seeds: list[int]) -> pd.DataFrame:
    """One row per (scenario, replication): its seed and outcomes.

    Args:
        runs: runs[s][i], scenario s, replication i.
        labels: scenario labels.
        seeds: the seed of each replication.

    Returns:
        The outcomes table (outcomes.csv).
    """
    return pd.DataFrame([{"scenario": label, "replication": i, "seed": seeds[i], **run.outcomes}
                         for label, scenario_runs in zip(labels, runs) for i, run in enumerate(scenario_runs)])


def stage_frame(runs: list[list[TrackedRun]], labels: list[str], start_year: float,
                steps_per_year: int) -> pd.DataFrame:
    """Partnerships in each stage after each step, per scenario and replication (stages.parquet).

    Args:
        runs: runs[s][i].
        labels: scenario labels.
        start_year: the runs' first calendar year.
        steps_per_year: steps per year.

    Returns:
        Columns scenario, replication, year, n_<stage>.
    """
    frames = []
    for label, scenario_runs in zip(labels, runs):
        for i, run in enumerate(scenario_runs):
            f = pd.DataFrame(run.stages, columns=[f"n_{x}" for x in STAGES])
            f.insert(0, "year", start_year + (np.arange(len(run.stages)) + 1) / steps_per_year)
            f.insert(0, "replication", i)
            f.insert(0, "scenario", label)
            frames.append(f)
    return pd.concat(frames, ignore_index=True)


def survival_frame(runs: list[list[TrackedRun]], labels: list[str], steps_per_year: int) -> pd.DataFrame:
    """Kaplan-Meier survival of the partnerships each run signed, by years since signing
    (survival.parquet; NaN for a run that signed none).

    Args:
        runs: runs[s][i].
        labels: scenario labels.
        steps_per_year: steps per year.

    Returns:
        Columns scenario, replication, years, survival.
    """
    return pd.concat([pd.DataFrame({"scenario": label, "replication": i,
                                    "years": np.arange(len(run.failed)) / steps_per_year,
                                    "survival": life_table_survival(run.failed, run.censored)})
                      for label, scenario_runs in zip(labels, runs) for i, run in enumerate(scenario_runs)],
                     ignore_index=True)


def end_holdings(stages: pd.DataFrame) -> pd.Series | None:
    """Partnerships held at the end (any stage but ended), mean over replications, per scenario.

    Args:
        stages: `stage_frame`.

    Returns:
        Mean holdings by scenario label, or None when no run had a partnership at any stage
        at any time (nothing to compare).
    """
    counts = [f"n_{x}" for x in STAGES]
    ever = stages.groupby(["scenario", "replication"])[counts].max().sum(axis=1)
    if (ever == 0).all():
        return None
    last = stages[stages["year"] == stages["year"].max()]
    return last[[f"n_{x}" for x in STAGES if x != "ended"]].sum(axis=1).groupby(last["scenario"]).mean()
