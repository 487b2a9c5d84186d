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

The two means shown beside an effect are taken over the same replications as the difference
(those where both scenarios have a value: a share of new partnerships surviving 10 years has
none in a run that signed none), so the difference always equals the difference of the means;
the means over every replication are kept too (`base_mean_all`, `scenario_mean_all`).

Beyond the effects against the base (`findings` gathers them all):
- levers against each other (`lever_pairs`), paired the same way, so "A and B cannot be told
  apart at this N" is a statement about an interval, not about two ranks;
- a lever's own yearly cost stated in the scenario (`levers.<lever>_cost`, `own_cost`) added to
  the programme spending the model counts before anything is priced per unit of budget;
- the model's own accounting behind results that look wrong (`explanations`): more failures
  because more partnerships were kept alive (failures per active partnership-year), fewer
  signings against more partnerships kept, more failures than partnerships held;
- the conclusion's numbers (`conclusion`): which lever helps most, how sure, at what spending.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from coopsim.analysis.stats import (bootstrap_means, paired_interval, percentile_interval, replications_needed,
                                    resample, unpaired_interval)
from coopsim.analysis.robust_levers import RobustFindings
from coopsim.analysis.survival import life_table_survival
from coopsim.config.scenario import Scenario
from coopsim.config.vocabulary import HORIZONS, OUTCOMES, STAGES, Outcome, outcome
from coopsim.run.tracking import TrackedRun, outcome_keys

__all__ = ["compared_outcomes", "verdict", "effects_table", "ranking_table", "outcome_frame", "stage_frame",
           "survival_frame", "end_holdings", "lever_pairs", "exposure_table", "explanations", "conclusion",
           "own_cost", "lever_cost_fields", "Findings", "findings"]


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
    unreachable |= {f"cohort_survival_{k}y" for k in HORIZONS if k > years}
    out = [outcome(key) for key in outcome_keys(years, 1) if key not in unreachable and key in OUTCOMES]
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
        tiny = " (but tiny: under 1% of the base)" if _tiny(diff, base_mean) else ""
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


def _tiny(diff: float, base_mean: float) -> bool:
    """An effect under 1% of the base mean."""
    return bool(np.isfinite(base_mean) and abs(diff) < 0.01 * abs(base_mean))


def _effect_row(o: Outcome, b: np.ndarray, p: np.ndarray, rng: np.random.Generator) -> dict:
    """One outcome's paired effect of one scenario, verdict included; the means are over the
    same replications as the difference (both have a value)."""
    diff, lo, hi, n = paired_interval(b, p, rng)
    _, ulo, uhi = unpaired_interval(b, p, rng)
    ok = np.isfinite(b) & np.isfinite(p)
    d = p[ok] - b[ok]
    identical = len(d) > 0 and bool(np.all(d == 0))
    needed = replications_needed(d, n)
    base_mean, scenario_mean = _nanmean(b[ok]), _nanmean(p[ok])
    code, words = verdict(o, diff, lo, hi, n, needed, identical, base_mean)
    return {"outcome": o.key, "label": o.label, "base_mean": base_mean, "scenario_mean": scenario_mean,
            "difference": diff, "low": lo, "high": hi, "pairs": n, "replications": len(b),
            "base_mean_all": _nanmean(b), "scenario_mean_all": _nanmean(p), "unpaired_low": ulo,
            "unpaired_high": uhi, "verdict_code": code, "verdict": words,
            "tiny": code in ("gain", "loss", "higher", "lower") and _tiny(diff, base_mean),
            "replications_needed": needed if code == "unclear" else np.nan}


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


def _ranking_row(label: str, d: dict[str, np.ndarray], rank_by: str, own: float, rng: np.random.Generator) -> dict:
    """One lever's effects (paired differences `d`) and what it buys per unit of budget: the
    extra programme spending the model counts plus the lever's own extra cost `own`."""
    row: dict = {"scenario": label}
    for k in (rank_by, "benefits", "spending"):
        v = d[k][np.isfinite(d[k])]
        row[k] = float(v.mean()) if len(v) else np.nan
        row[f"{k}_low"], row[f"{k}_high"] = percentile_interval(bootstrap_means(v, rng)) if len(v) >= 2 \
            else (np.nan, np.nan)
    row["own_cost"] = own
    for end in ("", "_low", "_high"):
        row[f"total_spending{end}"] = row[f"spending{end}"] + own
    row["costs_money"] = bool(row["total_spending_low"] > 0)  # priced only where it clearly costs more
    total = d["spending"] + own
    for key, per, name in (("benefits", 1.0, "benefits_per_budget_unit"),
                           (rank_by, 100.0, f"{rank_by}_per_100_budget_units")):
        keep = np.isfinite(d[rank_by]) & np.isfinite(d[key])
        row[name], row[f"{name}_low"], row[f"{name}_high"] = \
            _per_budget(d[key][keep], total[keep], per, rng) if row["costs_money"] else (np.nan,) * 3
    return row


def ranking_table(outcomes: pd.DataFrame, labels: list[str], rank_by: str, seed: int,
                  own_costs: dict[str, float] | None = None) -> pd.DataFrame:
    """Levers ranked by their effect on `rank_by`, with what they buy per unit of budget.

    Args:
        outcomes: one row per (scenario, replication) with a column per outcome.
        labels: scenario labels, the base first.
        rank_by: the outcome that orders the ranking.
        seed: master seed.
        own_costs: per scenario label, the lever's own extra cost over the run in budget units
            (its `levers.<lever>_cost` against the base's, `own_cost`); default none.

    Returns:
        One row per lever, best first: its effects on `rank_by`, benefits and programme
        spending with intervals, its own cost, the total extra spending (both); where the total
        clearly rises, extra benefits per extra unit of it and extra `rank_by` per 100 extra
        units, each with a paired bootstrap interval.
    """
    base = _by_replication(outcomes, labels[0])
    rows = []
    for s, label in enumerate(labels[1:], start=1):
        rng = np.random.default_rng([seed, s, 104729])
        policy = _by_replication(outcomes, label)
        d = {k: policy[k].to_numpy(float) - base[k].to_numpy(float) for k in (rank_by, "benefits", "spending")}
        rows.append(_ranking_row(label, d, rank_by, float((own_costs or {}).get(label, 0.0)), rng))
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


# --- levers' own costs --------------------------------------------------------------------------
def lever_cost_fields(levers) -> dict[str, str]:
    """The levers whose own yearly cost a scenario can state.

    Args:
        levers: a scenario's `levers` table (`coopsim.config.scenario.Levers`).

    Returns:
        Lever name -> the name of its cost field (`joint_committee` -> `joint_committee_cost`).
    """
    fields = type(levers).model_fields
    return {name: f"{name}_cost" for name in fields if f"{name}_cost" in fields}


def own_cost(scenario: Scenario, applies: int) -> float:
    """What the levers a scenario switches on cost themselves over the whole run (a committee's
    meetings, a bureau's staff): each lever's `levers.<lever>_cost` (budget units per region and
    year), for the regions counted where the levers apply, times the years.

    Args:
        scenario: the scenario.
        applies: regions counted (all, or the focus region) where its levers apply
            (`levers.scope`).

    Returns:
        Budget units over the run (0 when no lever that is on has a cost).
    """
    lev = scenario.levers
    fields = type(lev).model_fields
    yearly = sum(getattr(lev, cost) for name, cost in lever_cost_fields(lev).items()
                 if getattr(lev, name) != fields[name].default)
    return float(yearly * applies * scenario.simulation.years)


# --- levers against each other ------------------------------------------------------------------
def _pair_code(diff: float, lo: float, hi: float, n: int, identical: bool) -> str:
    """same, too_few, ahead (the first clearly above), behind, or unclear (cannot be told apart)."""
    if identical:
        return "same"
    if n < 2 or not np.isfinite(lo):
        return "too_few"
    if lo > 0 or hi < 0:
        return "ahead" if diff > 0 else "behind"
    return "unclear"


def lever_pairs(outcomes: pd.DataFrame, ranking: pd.DataFrame, key: str, seed: int) -> pd.DataFrame:
    """Every two levers compared on one outcome, paired by replication (common random numbers
    pair the levers' runs just as they pair each lever's with the base's).

    Args:
        outcomes: one row per (scenario, replication) with a column per outcome.
        ranking: `ranking_table` (the pairs follow its order: the better ranked lever first).
        key: the outcome compared.
        seed: master seed.

    Returns:
        One row per pair: first, second, their means and the difference first - second over
        the replications where both have a value, its 95% interval, pairs, verdict code
        (ahead, behind, unclear: cannot be told apart at this N, same, too_few), and the
        replications that would be needed to tell them apart.
    """
    order = list(ranking["scenario"])
    rows = []
    for i, first in enumerate(order):
        a = _by_replication(outcomes, first)[key].to_numpy(float)
        for j, second in enumerate(order[i + 1:], start=i + 1):
            b = _by_replication(outcomes, second)[key].to_numpy(float)
            diff, lo, hi, n = paired_interval(b, a, np.random.default_rng([seed, i, j, 65537]))
            ok = np.isfinite(a) & np.isfinite(b)
            identical = bool(ok.any() and np.all(a[ok] == b[ok]))
            code = _pair_code(diff, lo, hi, n, identical)
            rows.append({"first": first, "second": second, "outcome": key, "first_mean": _nanmean(a[ok]),
                         "second_mean": _nanmean(b[ok]), "difference": diff, "low": lo, "high": hi, "pairs": n,
                         "verdict_code": code, "replications_needed":
                         replications_needed(a[ok] - b[ok], n) if code == "unclear" else np.nan})
    return pd.DataFrame(rows, columns=["first", "second", "outcome", "first_mean", "second_mean", "difference",
                                       "low", "high", "pairs", "verdict_code", "replications_needed"])


# --- the model's own accounting -----------------------------------------------------------------
def exposure_table(stages: pd.DataFrame, labels: list[str], steps_per_year: int) -> pd.DataFrame:
    """What each scenario's runs held along the way (means over replications).

    Args:
        stages: `stage_frame`.
        labels: scenario labels.
        steps_per_year: steps per year.

    Returns:
        Indexed by scenario: active_years (active partnership-years over the run: what can
        fail), held (partnerships in any stage but ended, mean over the steps), exploration
        and loi (explorations and letters of intent under way, mean over the steps).
    """
    held = stages[[f"n_{x}" for x in STAGES if x != "ended"]].sum(axis=1)
    per_run = stages.assign(held=held).groupby(["scenario", "replication"]).agg(
        active_years=("n_active", "sum"), held=("held", "mean"), exploration=("n_exploration", "mean"),
        loi=("n_loi", "mean"))
    per_run["active_years"] /= steps_per_year
    return per_run.groupby("scenario").mean().reindex(labels)


def _rate_word(base: float, lever: float) -> str:
    """How a rate moved: lower, higher, or similar (within 10%)."""
    if not (np.isfinite(base) and np.isfinite(lever)) or base == 0:
        return "similar" if lever == base else "higher"
    return "lower" if lever < 0.9 * base else "higher" if lever > 1.1 * base else "similar"


def _exposure_record(row: pd.Series, label: str, base: str, exposure: pd.DataFrame) -> dict | None:
    """More failures of one kind: whether the lever kept more partnerships active (`more`:
    over 10% more active partnership-years) and whether each was riskier (failures per 10
    active partnership-years)."""
    years_b, years_l = exposure.loc[base, "active_years"], exposure.loc[label, "active_years"]
    if not (years_b > 0 and years_l > 0):
        return None
    rate_b, rate_l = 10 * row["base_mean"] / years_b, 10 * row["scenario_mean"] / years_l
    return {"kind": "exposure", "lever": label, "outcome": row.name, "base": row["base_mean"],
            "lever_value": row["scenario_mean"], "base_years": years_b, "lever_years": years_l,
            "more": bool(years_l > 1.1 * years_b), "base_rate": rate_b, "lever_rate": rate_l,
            "rate": _rate_word(rate_b, rate_l)}


def _signed_record(sub: pd.DataFrame, label: str, base: str, exposure: pd.DataFrame, rank_by: str) -> dict | None:
    """Fewer signings where the lever still ends with more active partnerships: the pipeline
    and the partnership-years kept say where the difference comes from."""
    if sub.loc[rank_by, "verdict_code"] != "gain":
        return None
    ex = exposure.loc[[base, label]]
    return {"kind": "signed", "lever": label, "outcome": "signed", "base": sub.loc["signed", "base_mean"],
            "lever_value": sub.loc["signed", "scenario_mean"], "active_key": rank_by,
            "active_base": sub.loc[rank_by, "base_mean"], "active_lever": sub.loc[rank_by, "scenario_mean"],
            "base_years": ex["active_years"].iat[0], "lever_years": ex["active_years"].iat[1],
            "exploration_base": ex["exploration"].iat[0], "exploration_lever": ex["exploration"].iat[1],
            "loi_base": ex["loi"].iat[0], "loi_lever": ex["loi"].iat[1]}


def _tradeoff_record(sub: pd.DataFrame, label: str, key: str, rank_by: str) -> dict | None:
    """A clear loss in one outcome of a lever that clearly gains in the ranked one."""
    if key == rank_by or sub.loc[rank_by, "verdict_code"] != "gain":
        return None
    return {"kind": "tradeoff", "lever": label, "outcome": key, "base": sub.loc[key, "base_mean"],
            "lever_value": sub.loc[key, "scenario_mean"], "gain_key": rank_by,
            "gain_base": sub.loc[rank_by, "base_mean"], "gain_lever": sub.loc[rank_by, "scenario_mean"]}


def _repeat_record(effects: pd.DataFrame, labels: list[str], exposure: pd.DataFrame) -> dict | None:
    """More failures per run than partnerships held at a time, in the base: each stall counts."""
    rows = effects[(effects["outcome"] == "failures_total") & (effects["scenario"] == labels[-1])]
    held = exposure.loc[labels[0], "held"]
    if rows.empty or not rows["base_mean"].iat[0] > held > 0:
        return None
    return {"kind": "repeat", "scenario": labels[0], "outcome": "failures_total", "base": rows["base_mean"].iat[0],
            "held": held, "base_years": exposure.loc[labels[0], "active_years"]}


def explanations(effects: pd.DataFrame, exposure: pd.DataFrame, labels: list[str], rank_by: str) -> list[dict]:
    """Results that look wrong, each with the numbers of the model's own accounting behind it;
    only those the runs produced (nothing is said about a result that did not occur).

    Args:
        effects: `effects_table`.
        exposure: `exposure_table`.
        labels: scenario labels, the base first.
        rank_by: the outcome that orders the ranking.

    Returns:
        Records with a `kind`: exposure (more failures of one kind: failures, active
        partnership-years and failures per 10 of them, base and lever; `more`: the lever kept
        over 10% more partnership-years active),
        signed (fewer signings but more active partnerships: signings, active partnerships,
        partnership-years, explorations and letters of intent under way), tradeoff (a clear
        loss of a lever that clearly gains in `rank_by`), repeat (more failures per run than
        partnerships held at a time in the base).
    """
    out = [_repeat_record(effects, labels, exposure)]
    for label in labels[1:]:
        sub = effects[effects["scenario"] == label].set_index("outcome")
        for key in sub.index[sub["verdict_code"] == "loss"]:
            if key.startswith("failures_"):
                record = _exposure_record(sub.loc[key], label, labels[0], exposure)
            else:
                record = _signed_record(sub, label, labels[0], exposure, rank_by) if key == "signed" else None
            out.append(record or _tradeoff_record(sub, label, key, rank_by))
    return [record for record in out if record]


# --- the conclusion -----------------------------------------------------------------------------
_CONCLUSION_EFFECT = ("base_mean", "scenario_mean", "difference", "low", "high", "pairs", "replications",
                      "verdict_code", "replications_needed")
_CONCLUSION_COSTS = ("spending", "spending_low", "spending_high", "own_cost", "total_spending",
                     "total_spending_low", "total_spending_high", "costs_money", "benefits", "benefits_low",
                     "benefits_high")


def conclusion(effects: pd.DataFrame, ranking: pd.DataFrame, pairs: pd.DataFrame, rank_by: str) -> dict:
    """The numbers a conclusion states: which lever helps most with `rank_by`, how sure, at
    what spending.

    Args:
        effects: `effects_table`; ranking: `ranking_table`; pairs: `lever_pairs` on `rank_by`.
        rank_by: the outcome that orders the ranking.

    Returns:
        {} without levers; else lever (the best ranked with a clear gain, else the best
        ranked), clear (it has a clear gain), its effect on `rank_by` (means, difference,
        interval, pairs, verdict code, replications needed), ties (levers it cannot be told
        apart from at this N), losses (outcomes it clearly worsens), its spending (programme,
        own cost, total, with intervals), benefits, and what it buys per 100 extra budget units.
    """
    if ranking.empty:
        return {}
    eff = effects.set_index(["scenario", "outcome"])
    gains = [r for r in ranking["scenario"] if eff.loc[(r, rank_by), "verdict_code"] == "gain"]
    best = gains[0] if gains else ranking["scenario"].iat[0]
    involved = pairs[(pairs["first"] == best) | (pairs["second"] == best)]
    ties = [a if b == best else b for a, b, code in zip(involved["first"], involved["second"],
                                                        involved["verdict_code"]) if code in ("unclear", "same")]
    row = ranking.set_index("scenario").loc[best]
    per = f"{rank_by}_per_100_budget_units"
    return {"lever": best, "clear": bool(gains), "outcome": rank_by,
            **{k: eff.loc[(best, rank_by), k] for k in _CONCLUSION_EFFECT},
            "ties": ties, "losses": [k for k in eff.loc[best].index if eff.loc[(best, k), "verdict_code"] == "loss"],
            **{k: row[k] for k in _CONCLUSION_COSTS},
            "per_100": row[per], "per_100_low": row[f"{per}_low"], "per_100_high": row[f"{per}_high"]}


@dataclass
class Findings:
    """Everything a comparison found, as tables and numbers (rendered by
    `coopsim.reporting.decision`).

    Attributes:
        effects: `effects_table`; ranking: `ranking_table`; pairs: `lever_pairs` on the
        ranked outcome; exposure: `exposure_table`; explanations: `explanations`;
        conclusion: `conclusion`; robust: across draws of the uncertain inputs
        (`coopsim.analysis.robust_levers.robust_findings`; None without `--uncertain`).
    """
    effects: pd.DataFrame
    ranking: pd.DataFrame
    pairs: pd.DataFrame
    exposure: pd.DataFrame
    explanations: list[dict]
    conclusion: dict
    robust: RobustFindings | None = None


def findings(outcomes: pd.DataFrame, stages: pd.DataFrame, labels: list[str], table: list[Outcome],
             rank_by: str, seed: int, steps_per_year: int, own_costs: dict[str, float] | None = None) -> Findings:
    """Compute everything a comparison reports from the tables of its runs.

    Args:
        outcomes: `outcome_frame`; stages: `stage_frame`.
        labels: scenario labels, the base first.
        table: the outcomes compared (`compared_outcomes`).
        rank_by: the outcome that orders the ranking.
        seed: master seed.
        steps_per_year: steps per year.
        own_costs: per lever label, its own extra cost over the run (`own_cost`, lever minus base).

    Returns:
        The `Findings`.
    """
    effects = effects_table(outcomes, labels, table, seed)
    ranking = ranking_table(outcomes, labels, rank_by, seed, own_costs)
    pairs = lever_pairs(outcomes, ranking, rank_by, seed)
    exposure = exposure_table(stages, labels, steps_per_year)
    return Findings(effects, ranking, pairs, exposure, explanations(effects, exposure, labels, rank_by),
                    conclusion(effects, ranking, pairs, rank_by))
