"""`coopsim compare`: test policy levers against a base scenario, paired, with uncertainty.

    coopsim compare BASE.toml POLICY.toml [MORE.toml ...] [--region NAME] [--reps N]

Design: common random numbers. Replication i of every scenario runs with the same seed
(`coopsim.run.runner.replication_seed(seed, i)`), and each mechanism draws from its own named
random stream, so replication i of the base and of a lever share their dice; the difference
of the two runs is the lever's effect plus far less noise than two independent runs. Each
effect is the mean of the paired differences over replications, with a 95% percentile
bootstrap interval over replications, and a plain-words verdict:

    clear gain / clear loss          the interval excludes zero (direction: good or bad)
    clearly higher / clearly lower   the same, for spending (neither good nor bad by itself)
    not distinguishable at this N    the interval includes zero; with the N that would be
                                     needed (normal approximation, 5% level, 80% power)

`--region NAME` computes every outcome from that regional government's own partnerships:
each run is stepped here and the region's rows of the partnership table are counted after
every step (stage stock, failures by cause, signings, benefits, spending), so
nothing is a national figure scaled down. Without `--region` the same code counts every
partnership, and the numbers equal `coopsim.model.outcomes.summarize` (tested).

Results do not depend on `--workers`: each (scenario, replication) is a pure function of
its seed, and results are stored by their index, not by arrival.
"""

from __future__ import annotations

import math
import shlex
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.model.model import CoopModel
from coopsim.model.partnerships import ACTIVE, CAUSES, ENDED, LEGAL, STAGES, STAGNANT
from coopsim.run.seeds import replication_seed
from coopsim.config.scenario import Scenario, load_scenario

Z95, Z80 = 1.959964, 0.841621
BOOTSTRAP = 2000


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    good: int            # +1 more is better, -1 less is better, 0 neither (spending)
    share: bool = False  # a share (shown in %, differences in percentage points)


def outcome_table(years: int) -> list[Outcome]:
    """The outcomes compared, in display order (horizon-dependent ones only when reachable)."""
    out = []
    for k in (5, 10):
        if k <= years:
            out.append(Outcome(f"active_{k}y", f"active partnerships after {k} years", +1))
    out.append(Outcome("active_end", f"active partnerships at the end (year {years})", +1))
    for k in (5, 10):
        if k < years:
            out.append(Outcome(f"survival_{k}y", f"new partnerships still active {k} years after signing", +1,
                               share=True))
    out += [Outcome("signed", "partnerships signed during the run", +1),
            Outcome("benefits", "benefits delivered (programme units)", +1),
            Outcome("spending", "regional spending on cooperation (budget units)", 0),
            Outcome("failures_total", "failures (stagnations and unrenewed lapses), all causes", -1)]
    out += [Outcome(f"failures_{c}", f"failures caused by {c}", -1) for c in CAUSES]
    return out


# --- one run, counted for one region or for all ---------------------------------------------
def run_tracked(scenario: Scenario, seed: int, region: int | None = None) -> dict:
    """One run to the horizon (the same run as `coopsim.run.runner.simulate(scenario, seed)`),
    with outcomes counted over the partnerships of `region` (an index into the model's
    regions), or over all partnerships when `region` is None.

    Returns {"outcomes": {key: float}, "stages": (steps, 6) counts after each step,
    "km": survival (Kaplan-Meier) of partnerships signed during the run, per step since
    signing, NaN when the run signed none}."""
    model = CoopModel(scenario, seed=seed, agents=False)
    e, spy, steps = model.partnerships, model.steps_per_year, scenario.steps
    stages = np.zeros((steps, len(STAGES)), dtype=np.int64)
    stagnations = np.zeros(len(CAUSES), dtype=np.int64)
    lapses = np.zeros(len(CAUSES), dtype=np.int64)
    while model.t < steps:
        t, n0 = model.t, e.n
        before = e.stage[:n0].copy()
        model.step()
        n = e.n
        mask = np.ones(n, dtype=bool) if region is None else e.region[:n] == region
        stages[t] = np.bincount(e.stage[:n][mask], minlength=len(STAGES))
        after, m0 = e.stage[:n0], mask[:n0]
        # failures as `coopsim.model.outcomes.summarize` counts them: each stagnation (only the
        # stagnation mechanism moves active -> stagnant) by its binding cause, plus each active
        # agreement that lapsed unrenewed at its term end (only the yearly evaluation ends an
        # active one), as a legal failure; a dormant one that later lapses is not counted again
        stuck = m0 & (before == ACTIVE) & (after == STAGNANT)
        lapsed = m0 & (before == ACTIVE) & (after == ENDED)
        stagnations += np.bincount(e.cause[:n0][stuck], minlength=len(CAUSES))
        lapses[LEGAL] += int(lapsed.sum())
    n = e.n
    mask = np.ones(n, dtype=bool) if region is None else e.region[:n] == region
    t_mou = e.t_mou[:n]
    new = mask & (t_mou >= 0)
    failed_at = np.minimum(np.where(e.t_stagnant[:n] >= t_mou, e.t_stagnant[:n], np.inf),
                           np.where(e.t_end[:n] >= t_mou, e.t_end[:n], np.inf))
    out = {}
    for k in (5, 10):
        if k * spy <= steps:
            out[f"active_{k}y"] = float(stages[k * spy - 1, ACTIVE])
    out["active_end"] = float(stages[-1, ACTIVE])
    for k in (5, 10):
        eligible = new & (t_mou + k * spy <= model.t)
        out[f"survival_{k}y"] = float((failed_at[eligible] > t_mou[eligible] + k * spy).mean()) \
            if eligible.any() else float("nan")
    out["signed"] = float(new.sum())
    out["benefits"] = float(e.benefits[:n][mask].sum())
    out["spending"] = float(e.spending[:n][mask].sum())
    failures = stagnations + lapses
    out["failures_total"] = float(failures.sum())
    for i, cause in enumerate(CAUSES):
        out[f"failures_{cause}"] = float(failures[i])
    return {"outcomes": out, "stages": stages, "km": kaplan_meier(failed_at[new] - t_mou[new],
                                                                   model.t - t_mou[new], steps)}


def kaplan_meier(time_to_failure: np.ndarray, time_observed: np.ndarray, steps: int) -> np.ndarray:
    """Survival S(k) for k = 0..steps steps after signing; failures at inf are censored at
    `time_observed`. NaN everywhere when there is nobody to follow."""
    if not len(time_to_failure):
        return np.full(steps + 1, np.nan)
    event = np.isfinite(time_to_failure)
    duration = np.where(event, time_to_failure, time_observed).astype(np.int64).clip(0, steps)
    events = np.bincount(duration[event], minlength=steps + 1)[: steps + 1]
    leaving = np.bincount(duration, minlength=steps + 1)[: steps + 1]
    at_risk = len(duration) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    hazard = np.divide(events, at_risk, out=np.zeros(steps + 1), where=at_risk > 0)
    return np.cumprod(1 - hazard)


# --- many runs, serially or on persistent worker processes -----------------------------------
_WORKER: dict = {}


def _init_worker(scenarios: list[Scenario], regions: list[int | None]) -> None:
    _WORKER["scenarios"], _WORKER["regions"] = scenarios, regions


def _run_task(task: tuple[int, int, int]) -> tuple[int, int, dict]:
    s, i, seed = task
    return s, i, run_tracked(_WORKER["scenarios"][s], seed, _WORKER["regions"][s])


def run_all(scenarios: list[Scenario], regions: list[int | None], seed: int, reps: int,
            workers: int = 1, progress: bool = False) -> list[list[dict]]:
    """results[s][i]: `run_tracked` of scenario s, replication i (seed replication_seed(seed, i))."""
    from tqdm import tqdm

    tasks = [(s, i, replication_seed(seed, i)) for i in range(reps) for s in range(len(scenarios))]
    results: list[list[dict | None]] = [[None] * reps for _ in scenarios]
    bar = tqdm(total=len(tasks), desc="runs", unit="run", disable=not progress, leave=False)
    if workers <= 1:
        _init_worker(scenarios, regions)
        done = map(_run_task, tasks)
        for s, i, res in done:
            results[s][i] = res
            bar.update()
    else:
        from coopsim.run.executor import worker_context

        ctx = worker_context(("coopsim.workflows.compare", "coopsim.run.warm_start"))
        chunk = max(1, min(8, len(tasks) // (4 * workers)))
        with ctx.Pool(workers, initializer=_init_worker, initargs=(scenarios, regions)) as pool:
            for s, i, res in pool.imap_unordered(_run_task, tasks, chunksize=chunk):
                results[s][i] = res
                bar.update()
    bar.close()
    return results  # type: ignore[return-value]


# --- statistics -----------------------------------------------------------------------------
def bootstrap_means(values: np.ndarray, rng: np.random.Generator, n_boot: int = BOOTSTRAP) -> np.ndarray:
    idx = rng.integers(0, len(values), (n_boot, len(values)))
    return values[idx].mean(axis=1)


def paired_interval(base: np.ndarray, policy: np.ndarray, rng: np.random.Generator,
                    n_boot: int = BOOTSTRAP) -> tuple[float, float, float, int]:
    """Mean paired difference (policy - base) and its 95% percentile bootstrap interval,
    resampling replications (pairs stay together). Pairs with a missing value are dropped."""
    ok = np.isfinite(base) & np.isfinite(policy)
    d = policy[ok] - base[ok]
    if len(d) < 2:
        return (float(d.mean()) if len(d) else float("nan")), float("nan"), float("nan"), len(d)
    lo, hi = np.percentile(bootstrap_means(d, rng, n_boot), [2.5, 97.5])
    return float(d.mean()), float(lo), float(hi), len(d)


def unpaired_interval(base: np.ndarray, policy: np.ndarray, rng: np.random.Generator,
                      n_boot: int = BOOTSTRAP) -> tuple[float, float, float]:
    """The same difference with the two arms resampled independently, as if the runs had
    not shared their random numbers (for comparison: what pairing buys)."""
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


def verdict(outcome: Outcome, diff: float, lo: float, hi: float, n: int, needed: float,
            identical: bool, base_mean: float = float("nan")) -> tuple[str, str]:
    """(code, plain words). Codes: gain, loss, higher, lower, same, unclear, too_few. Pairing
    detects even tiny real effects; one under 1% of the base mean is called tiny."""
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
    return "unclear", f"not distinguishable at N={n}; about {fmt_count(needed)} replications needed"


def fmt_count(x: float) -> str:
    if x >= 1e6:
        return "more than a million"
    return f"{int(x):,}"


def effects_table(outcomes: pd.DataFrame, labels: list[str], table: list[Outcome], seed: int) -> pd.DataFrame:
    """One row per (scenario other than the base, outcome): means, paired difference with its
    interval, the unpaired interval for comparison, verdict and replications needed."""
    base = labels[0]
    rows = []
    for s, label in enumerate(labels[1:], start=1):
        rng = np.random.default_rng([seed, s, 7919])
        b_frame = outcomes[outcomes["scenario"] == base].sort_values("replication")
        p_frame = outcomes[outcomes["scenario"] == label].sort_values("replication")
        for o in table:
            b, p = b_frame[o.key].to_numpy(float), p_frame[o.key].to_numpy(float)
            diff, lo, hi, n = paired_interval(b, p, rng)
            _, ulo, uhi = unpaired_interval(b, p, rng)
            ok = np.isfinite(b) & np.isfinite(p)
            d = p[ok] - b[ok]
            identical = len(d) > 0 and bool(np.all(d == 0))
            needed = replications_needed(d, n)
            base_mean = float(np.nanmean(b)) if np.isfinite(b).any() else np.nan
            code, words = verdict(o, diff, lo, hi, n, needed, identical, base_mean)
            rows.append({"scenario": label, "outcome": o.key, "label": o.label,
                         "base_mean": base_mean,
                         "scenario_mean": float(np.nanmean(p)) if np.isfinite(p).any() else np.nan,
                         "difference": diff, "low": lo, "high": hi, "pairs": n,
                         "unpaired_low": ulo, "unpaired_high": uhi,
                         "verdict_code": code, "verdict": words,
                         "replications_needed": needed if code == "unclear" else np.nan})
    return pd.DataFrame(rows)


def ranking_table(outcomes: pd.DataFrame, labels: list[str], rank_by: str, seed: int) -> pd.DataFrame:
    """Levers ranked by their effect on `rank_by`, with what they buy per unit of budget:
    extra benefits per extra unit of spending, and extra `rank_by` per 100 extra units, each
    with a paired bootstrap interval (only where the lever clearly raises spending)."""
    base = outcomes[outcomes["scenario"] == labels[0]].sort_values("replication")
    rows = []
    for s, label in enumerate(labels[1:], start=1):
        rng = np.random.default_rng([seed, s, 104729])
        pol = outcomes[outcomes["scenario"] == label].sort_values("replication")
        d = {k: pol[k].to_numpy(float) - base[k].to_numpy(float) for k in (rank_by, "benefits", "spending")}
        ok = np.isfinite(d[rank_by])
        row = {"scenario": label}
        for k in (rank_by, "benefits", "spending"):
            v = d[k][np.isfinite(d[k])]
            row[k] = float(v.mean()) if len(v) else np.nan
            lo, hi = (np.percentile(bootstrap_means(v, rng), [2.5, 97.5]) if len(v) >= 2
                      else (np.nan, np.nan))
            row[f"{k}_low"], row[f"{k}_high"] = float(lo), float(hi)
        costs = row["spending_low"] > 0
        row["costs_money"] = bool(costs)
        for k, per, name in (("benefits", 1.0, "benefits_per_budget_unit"),
                             (rank_by, 100.0, f"{rank_by}_per_100_budget_units")):
            if not costs:
                row[name] = row[f"{name}_low"] = row[f"{name}_high"] = np.nan
                continue
            keep = ok & np.isfinite(d[k])
            num, den = d[k][keep], d["spending"][keep]
            idx = rng.integers(0, len(num), (BOOTSTRAP, len(num)))
            cost = den[idx].mean(axis=1)
            ratios = per * num[idx].mean(axis=1)[cost > 0] / cost[cost > 0]
            row[name] = per * num.mean() / den.mean()
            row[f"{name}_low"], row[f"{name}_high"] = (np.percentile(ratios, [2.5, 97.5]) if len(ratios)
                                                       else (np.nan, np.nan))
        rows.append(row)
    frame = pd.DataFrame(rows).sort_values(rank_by, ascending=False, kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


# --- formatting -------------------------------------------------------------------------------
def fmt_value(x: float, share: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    if share:
        return f"{100 * x:.1f}%"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def fmt_diff(x: float, lo: float, hi: float, share: bool = False) -> str:
    if not np.isfinite(x):
        return "n/a"
    if share:
        body = f"{100 * x:+.1f} pp"
        return body + (f" [{100 * lo:+.1f}, {100 * hi:+.1f}]" if np.isfinite(lo) else "")
    def f(v):
        return f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.2f}" if abs(v) < 10 else f"{v:+.1f}"
    return f(x) + (f" [{f(lo)}, {f(hi)}]" if np.isfinite(lo) else "")


def fmt_ratio(x: float, lo: float, hi: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.3g} [{lo:.3g}, {hi:.3g}]"


def render_table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        esc = [[c.replace("|", "\\|") for c in r] for r in [header] + rows]
        lines = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in esc[1:]])
    widths = [max(len(r[j]) for r in [header] + rows) for j in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    return "\n".join(lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows])


def summary_text(effects: pd.DataFrame, ranking: pd.DataFrame, table: list[Outcome], labels: list[str],
                 head: list[str], rank_label: str, rank_by: str, markdown: bool, full: bool) -> str:
    """The comparison in words and tables: printed (full=False: main outcomes only) and
    written to summary.md (full=True: every outcome)."""
    by_key = {o.key: o for o in table}
    main = [o.key for o in table if not o.key.startswith("failures_") or o.key == "failures_total"]
    out = []
    if markdown:
        out += ["# Comparison of policy levers", ""] + [f"- {h}" for h in head] + [""]
    else:
        out += head + [""]
    for label in labels[1:]:
        sub = effects[effects["scenario"] == label].set_index("outcome")
        keys = [o.key for o in table] if full else main
        rows = []
        for k in keys:
            r, o = sub.loc[k], by_key[k]
            rows.append([o.label, fmt_value(r.base_mean, o.share), fmt_value(r.scenario_mean, o.share),
                         fmt_diff(r.difference, r.low, r.high, o.share), r.verdict])
        title = f"{label} against {labels[0]} (difference = {label} - {labels[0]}, 95% interval)"
        out += [f"## {title}" if markdown else title, ""]
        out += [render_table(["outcome", labels[0], label, "difference [95% interval]", "verdict"], rows,
                             markdown), ""]
        if not full:
            gains = [r.label for r in sub.itertuples() if r.verdict_code == "gain" and r.Index.startswith("failures_")
                     and r.Index != "failures_total"]
            losses = [r.label for r in sub.itertuples() if r.verdict_code == "loss" and r.Index.startswith("failures_")
                      and r.Index != "failures_total"]
            if gains:
                out.append(f"  fewer {', '.join(g.removeprefix('failures caused by ') for g in gains)} failures (clear)")
            if losses:
                out.append(f"  more {', '.join(g.removeprefix('failures caused by ') for g in losses)} failures (clear)")
            if gains or losses:
                out.append("")
    if len(ranking):
        o = by_key[rank_by]
        rows = []
        for r in ranking.itertuples():
            rd = r._asdict()
            per_unit = (fmt_ratio(rd["benefits_per_budget_unit"], rd["benefits_per_budget_unit_low"],
                                  rd["benefits_per_budget_unit_high"]) if rd["costs_money"]
                        else "no clear extra spending")
            per_100 = (fmt_diff(rd[f"{rank_by}_per_100_budget_units"], rd[f"{rank_by}_per_100_budget_units_low"],
                                rd[f"{rank_by}_per_100_budget_units_high"], o.share) if rd["costs_money"] else "-")
            rows.append([str(r.rank), r.scenario, fmt_diff(rd[rank_by], rd[f"{rank_by}_low"], rd[f"{rank_by}_high"], o.share),
                         fmt_diff(r.benefits, r.benefits_low, r.benefits_high),
                         fmt_diff(r.spending, r.spending_low, r.spending_high), per_unit, per_100])
        title = f"Ranking: which lever buys most ({rank_label}; effects against {labels[0]}, 95% intervals)"
        out += [f"## {title}" if markdown else title, ""]
        out += [render_table(["rank", "scenario", f"effect on {rank_by}", "effect on benefits",
                              "extra spending", "benefits per extra budget unit",
                              f"{rank_by} per 100 extra budget units"], rows, markdown), ""]
        out.append(f"{rank_by}: {rank_label}.")
        out.append("Spending counts what the model's regions spend on their partnerships' programmes; "
                   "the running cost of a lever itself (a committee's meetings, a bureau's staff) is "
                   "not in the model: weigh it yourself.")
    return "\n".join(out).rstrip() + "\n"


# --- figures ----------------------------------------------------------------------------------
FIGURE_OUTCOMES = ("active_5y", "active_10y", "active_end", "survival_10y", "signed", "benefits", "spending",
                   "failures_total")
VERDICT_COLOURS = {"gain": "#31a354", "loss": "#de2d26", "higher": "#3182bd", "lower": "#3182bd",
                   "unclear": "#969696", "same": "#969696", "too_few": "#969696"}


def make_figures(effects: pd.DataFrame, stages: pd.DataFrame, km: pd.DataFrame, labels: list[str],
                 table: list[Outcome], focus: str, out: Path, seed: int) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    from coopsim.reporting.figures import _save, stage_stock

    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    by_key = {o.key: o for o in table}
    paths = []

    # 1. survival curves, mean over replications, with a 95% bootstrap band of that mean
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    rng = np.random.default_rng([seed, 31337])
    reps = km["replication"].nunique()
    for s, label in enumerate(labels):
        curves = km[km["scenario"] == label].pivot(index="replication", columns="years", values="survival")
        curves = curves.dropna(how="all")
        if curves.empty:
            continue
        values = curves.to_numpy()
        idx = rng.integers(0, len(values), (500, len(values)))
        with warnings.catch_warnings():  # empty columns (nobody followed that long) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=0)
            lo, hi = np.nanpercentile(np.nanmean(values[idx], axis=1), [2.5, 97.5], axis=0)
        years = curves.columns.to_numpy(float)
        c = colours[s % len(colours)]
        ax.step(years, mean, where="post", color=c, linewidth=2 if s == 0 else 1.5,
                label=f"{label}" + (" [base]" if s == 0 else "") + f" ({len(values)} of {reps} runs signed any)")
        ax.fill_between(years, lo, hi, step="post", color=c, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years since the MoU was signed")
    ax.set_ylabel("share still active")
    ax.set_title(f"Survival of partnerships signed during the run ({focus})\n"
                 "mean over replications, band: 95% interval", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no partnership was signed during any run", ha="center", transform=ax.transAxes)
    paths.append(_save(fig, out / "survival.png"))

    # 2. effect bars with 95% intervals, one panel per main outcome
    keys = [k for k in FIGURE_OUTCOMES if k in by_key]
    policies = labels[1:]
    ncol = 2 if len(keys) > 1 else 1
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 1.0 + nrow * (0.45 * len(policies) + 1.2)), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        o = by_key[key]
        sub = effects[effects["outcome"] == key].set_index("scenario").loc[policies]
        scale = 100 if o.share else 1
        y = np.arange(len(policies))
        diff = sub["difference"].to_numpy(float) * scale
        lo, hi = sub["low"].to_numpy(float) * scale, sub["high"].to_numpy(float) * scale
        err = np.vstack([np.nan_to_num(diff - lo), np.nan_to_num(hi - diff)])
        ax.barh(y, np.nan_to_num(diff), color=[VERDICT_COLOURS[v] for v in sub["verdict_code"]], height=0.6)
        ax.errorbar(np.nan_to_num(diff), y, xerr=err, fmt="none", ecolor="k", capsize=4, linewidth=1)
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_yticks(y, policies, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(o.label + (" (pp)" if o.share else ""), fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color=VERDICT_COLOURS["gain"], label="clear gain"),
                        Patch(color=VERDICT_COLOURS["loss"], label="clear loss"),
                        Patch(color=VERDICT_COLOURS["higher"], label="clearly higher/lower (spending)"),
                        Patch(color=VERDICT_COLOURS["unclear"], label="not distinguishable")],
               loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(f"Effect of each lever against {labels[0]} ({focus}): paired difference, 95% interval",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    fig.savefig(out / "effects.png", dpi=110)
    plt.close(fig)
    paths.append(out / "effects.png")

    # 3. failures by cause: effect with interval
    fig, ax = plt.subplots(figsize=(8, 1.5 + len(CAUSES) * (0.2 + 0.18 * len(policies))))
    height = 0.8 / max(1, len(policies))
    y = np.arange(len(CAUSES))
    for j, label in enumerate(policies):
        sub = effects[(effects["scenario"] == label) & effects["outcome"].isin([f"failures_{c}" for c in CAUSES])]
        sub = sub.set_index("outcome").loc[[f"failures_{c}" for c in CAUSES]]
        diff = sub["difference"].to_numpy(float)
        err = np.vstack([np.nan_to_num(diff - sub["low"].to_numpy(float)),
                         np.nan_to_num(sub["high"].to_numpy(float) - diff)])
        pos = y - 0.4 + height * (j + 0.5)
        ax.barh(pos, np.nan_to_num(diff), height=height * 0.9, color=colours[(j + 1) % len(colours)], label=label)
        ax.errorbar(np.nan_to_num(diff), pos, xerr=err, fmt="none", ecolor="k", capsize=2, linewidth=0.8)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y, CAUSES)
    ax.invert_yaxis()
    ax.set_xlabel(f"change in failures per run (vs {labels[0]}; negative = fewer)")
    ax.set_title(f"Failures by binding cause ({focus}), 95% intervals", fontsize=10)
    ax.legend(fontsize=8)
    paths.append(_save(fig, out / "failure_causes.png"))

    # 4. stock of partnerships by stage over time, one panel per scenario
    ncol = min(3, len(labels))
    nrow = math.ceil(len(labels) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol, 3.6 * nrow), sharey=True, squeeze=False)
    for ax, label in zip(axes.flat, labels):
        stage_stock(ax, stages[stages["scenario"] == label])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(label + (" [base]" if label == labels[0] else ""), fontsize=10)
    for ax in list(axes.flat)[len(labels):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, ncol=2)
    fig.suptitle(f"Partnerships by stage ({focus}): mean over replications, band: 5-95% of runs", fontsize=10)
    paths.append(_save(fig, out / "stages.png"))
    return paths


# --- the command --------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml",
                        help="the base scenario first (the status quo), then one or more scenarios with a lever "
                             "(or several) switched on")
    parser.add_argument("--region", default=None, metavar="NAME",
                        help="focus on one regional government and its own partnerships (name or ISO code; "
                             "case and the Kota/Kabupaten/Provinsi prefix do not matter), e.g. 'DI Yogyakarta'")
    parser.add_argument("--reps", type=int, default=30,
                        help="replications per scenario (default 30; 100 for firmer intervals)")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--out", default=None, help="results folder (default results/compare_<names>)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty results folder")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default 1); results are identical for any number")
    parser.add_argument("--rank-by", default=None, metavar="OUTCOME",
                        help="outcome that orders the ranking (default active_10y, or active_end for runs "
                             "shorter than 10 years)")
    parser.add_argument("--no-report", action="store_true",
                        help="do not write report.html (the one-file HTML report; 'coopsim report DIR' makes it later)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _labels(scenarios: list[Scenario], files: list[str]) -> list[str]:
    labels = [s.name for s in scenarios]
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            labels[i] = Path(files[i]).stem
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            seen[label] += 1
            labels[i] = f"{label}_{seen[label]}"
        else:
            seen[label] = 1
    return labels


def _differs(a: Scenario, b: Scenario) -> list[str]:
    """Dotted paths whose values differ (name, description and extends ignored)."""
    da, db = a.model_dump(), b.model_dump()
    out = []
    for section in da:
        if section in ("name", "description", "extends"):
            continue
        if isinstance(da[section], dict):
            out += [f"{section}.{k}" for k in da[section] if da[section][k] != db[section].get(k)]
        elif da[section] != db[section]:
            out.append(section)
    return out


def resolve_region(scenarios: list[Scenario], files: list[str], query: str, seed: int) -> tuple[list[int], str]:
    """The region's index in each scenario's population, and its full name."""
    from coopsim.model.population import find_region

    indices, name = [], None
    for scenario, path in zip(scenarios, files):
        table = CoopModel(scenario, seed=replication_seed(seed, 0), agents=False).regions.table
        try:
            i = find_region(table, query if name is None else name)
        except UserError as exc:
            raise UserError(f"--region: {exc}" + (f" (in {path})" if name is not None else "")) from None
        indices.append(int(i))
        name = name or str(table["name"].iat[i])
    return indices, name


def main(args) -> int:
    from coopsim.reporting.folders import prepare_output
    from coopsim.reporting.manifest import write_manifest

    if len(args.scenarios) < 2:
        raise UserError("compare needs at least two scenario files: the base (status quo) first, then one "
                        "or more with a lever switched on, e.g. 'coopsim compare scenarios/baseline.toml "
                        "scenarios/joint_committee.toml'.")
    if args.reps < 2:
        raise UserError(f"--reps must be at least 2 to give an interval (got {args.reps}); 30 to 100 is usual.")
    if args.workers < 1:
        raise UserError(f"--workers must be at least 1 (got {args.workers}).")
    scenarios = [load_scenario(f) for f in args.scenarios]
    base = scenarios[0]
    for f, s in zip(args.scenarios[1:], scenarios[1:]):
        for key in ("years", "steps_per_year", "start_year"):
            if getattr(s.simulation, key) != getattr(base.simulation, key):
                raise UserError(f"{f}: simulation.{key} is {getattr(s.simulation, key)} but the base "
                                f"{args.scenarios[0]} has {getattr(base.simulation, key)}. Compared scenarios "
                                f"must share the horizon; change only the levers.")
    labels = _labels(scenarios, args.scenarios)
    table = outcome_table(base.simulation.years)
    keys = [o.key for o in table]
    rank_by = args.rank_by or ("active_10y" if "active_10y" in keys else "active_end")
    if rank_by not in keys:
        raise UserError(f"--rank-by {rank_by}: unknown outcome. Choose one of: {', '.join(keys)}.")
    region_index, region_name = (resolve_region(scenarios, args.scenarios, args.region, args.seed)
                                 if args.region else ([None] * len(scenarios), None))
    focus = region_name or "all regional governments"
    def clean(text: str) -> str:
        return "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in text.lower()).strip("-")

    slug = "_".join(clean(x) for x in labels[1:]) if len(labels) <= 4 else f"{len(labels) - 1}_scenarios"
    if region_name:
        slug += "_" + clean(region_name)
    out = prepare_output(args.out or Path("results") / f"compare_{clean(labels[0])}_vs_{slug}", force=args.force)

    head = [f"Comparing {len(labels) - 1} scenario(s) against the base '{labels[0]}': "
            f"{args.reps} replications each, seed {args.seed}, {base.simulation.years} years from "
            f"{base.simulation.start_year}.",
            "Common random numbers: replication i of every scenario runs with the same seed, and each "
            "mechanism draws from its own random stream, so each difference is measured on the same "
            "dice (paired) and comes from the lever, not from chance.",
            f"Focus: {focus}" + (f" (matched from '{args.region}'): only its own partnerships are counted."
                                 if region_name else ".")]
    for f, s, label in zip(args.scenarios[1:], scenarios[1:], labels[1:]):
        changed = _differs(base, s)
        head.append(f"{label} ({f}) changes: {', '.join(changed)}." if changed else
                    f"Warning: {label} ({f}) is identical to the base apart from its name: did you change a lever?")
    if args.reps < 10:
        head.append(f"Note: intervals from {args.reps} replications are rough; use 30 or more.")
    for line in head:
        print(line)
    print()

    t0 = time.perf_counter()
    results = run_all(scenarios, region_index, args.seed, args.reps, workers=args.workers,
                      progress=not args.no_progress and sys.stderr.isatty())
    elapsed = time.perf_counter() - t0

    spy = base.simulation.steps_per_year
    start = base.simulation.start_year
    outcomes = pd.DataFrame([{"scenario": label, "replication": i, "seed": replication_seed(args.seed, i),
                              **results[s][i]["outcomes"]}
                             for s, label in enumerate(labels) for i in range(args.reps)])
    steps = base.steps
    stage_frames, km_frames = [], []
    for s, label in enumerate(labels):
        for i in range(args.reps):
            f = pd.DataFrame(results[s][i]["stages"], columns=[f"n_{x}" for x in STAGES])
            f.insert(0, "year", start + (np.arange(steps) + 1) / spy)
            f.insert(0, "replication", i)
            f.insert(0, "scenario", label)
            stage_frames.append(f)
            km_frames.append(pd.DataFrame({"scenario": label, "replication": i,
                                           "years": np.arange(steps + 1) / spy,
                                           "survival": results[s][i]["km"]}))
    stages = pd.concat(stage_frames, ignore_index=True)
    km = pd.concat(km_frames, ignore_index=True)
    if region_name:
        ever = stages.groupby(["scenario", "replication"])[[f"n_{x}" for x in STAGES]].max().sum(axis=1)
        if (ever == 0).all():
            note = (f"Note: {region_name} has no partnership, at any stage, in any run of any scenario: "
                    f"there is nothing to compare. Choose a region with partnerships (see ledger.parquet "
                    f"of 'coopsim run').")
        else:
            last = stages[stages["year"] == stages["year"].max()]
            typical = last[[f"n_{x}" for x in STAGES if x != "ended"]].sum(axis=1).groupby(last["scenario"]).mean()
            note = (f"{region_name} holds few partnerships (at the end, in any stage but ended, on average: "
                    + ", ".join(f"{label} {typical.get(label, 0):.1f}" for label in labels)
                    + "): its results are noisier than national ones.")
        head.append(note)
        print(note + "\n")
    effects = effects_table(outcomes, labels, table, args.seed)
    ranking = ranking_table(outcomes, labels, rank_by, args.seed)
    rank_label = {o.key: o.label for o in table}[rank_by]

    outcomes.to_csv(out / "outcomes.csv", index=False)
    effects.to_csv(out / "effects.csv", index=False)
    ranking.to_csv(out / "ranking.csv", index=False)
    stages.to_parquet(out / "stages.parquet", index=False)
    km.to_parquet(out / "survival.parquet", index=False)
    (out / "summary.md").write_text(summary_text(effects, ranking, table, labels, head, rank_label, rank_by,
                                                 markdown=True, full=True))
    figures = make_figures(effects, stages, km, labels, table, focus, out, args.seed)
    repeat = ["coopsim", "compare", *args.scenarios, "--reps", str(args.reps), "--seed", str(args.seed)]
    if args.region:
        repeat += ["--region", args.region]
    if args.rank_by:
        repeat += ["--rank-by", args.rank_by]
    repeat += ["--out", str(out), "--force"]
    write_manifest(out, "compare", base=labels[0], scenarios=dict(zip(labels, args.scenarios)),
                   scenario_parameters={label: s.model_dump() for label, s in zip(labels, scenarios)},
                   seed=args.seed, reps=args.reps, region=region_name, region_query=args.region,
                   common_random_numbers=True, bootstrap_resamples=BOOTSTRAP, rank_by=rank_by,
                   replication_seeds=[replication_seed(args.seed, i) for i in range(args.reps)],
                   workers=args.workers, seconds=round(elapsed, 1),
                   outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"]
                   + ([] if args.no_report else ["report.html"]),
                   repeat=" ".join(shlex.quote(a) for a in repeat))

    print(summary_text(effects, ranking, table, labels, [], rank_label, rank_by, markdown=False, full=False))
    print(f"{len(labels) * args.reps} runs in {elapsed:.0f} s -> {out}/ "
          f"(summary.md, effects.csv, ranking.csv, {', '.join(p.name for p in figures)})")
    if args.no_report:
        print(f"One HTML file to read or e-mail: coopsim report {shlex.quote(str(out))}")
    else:
        from coopsim.reporting.html import write_report

        print(f"One HTML file to read or e-mail (tables, figures, the command to repeat): "
              f"{write_report(out)}")
    return 0
