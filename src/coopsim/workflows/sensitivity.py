"""`coopsim sensitivity`: global sensitivity analysis of an experiment file.

    coopsim sensitivity EXPERIMENT --out DIR [--workers N] [--scheduler ADDRESS] [--resume] [--force]

Pipeline: read the experiment (coopsim.config.experiment) -> sample with SALib's ProblemSpec
(`sample_sobol`, `sample_morris`, or a scrambled Sobol' sequence for PAWN/delta) -> run every
point through the model with coopsim.run.executor (serial, local worker processes or Dask; chunks
stream to Parquet; --resume) -> analyse (Sobol S1/ST/[S2], Morris mu*/sigma, PAWN, delta) with
bootstrap intervals from a fixed seed -> nested convergence N/8, N/4, N/2, N from the same runs
-> indices.csv, convergence.csv, figures, manifest.json and a plain-words summary.md.

In a notebook:

    from coopsim.workflows.sensitivity import Study
    study = Study("experiments/obstacles_morris.toml").run("results/morris", workers=2)
    study.indices            # a DataFrame (one row per index, with its interval)
    print(study.summary)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.run.targets import IshigamiTarget, ScenarioTarget
from coopsim.run.seeds import derive_seed
from coopsim.reporting.folders import prepare_sweep_folder, write_samples
from coopsim.cli.common import add_sweep_arguments, check_workers
from coopsim.run.executor import read_results, run_sweep, warm_up
from coopsim.config.experiment import (DUMMY, POLICY_COLUMN, SEED_INPUT, Experiment, load_experiment, slug)

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "pawn": "median", "delta": "delta"}
OUTPUT_WORDS = {
    "share_failed": "share of signed partnerships stagnant or ended at the horizon",
    "mean_active_lifetime": "mean active lifetime of a partnership (years)",
    "benefits": "benefits delivered",
    "signed": "partnerships signed",
    "active_end": "partnerships active at the horizon",
}
OWNED = ("runs", "figures", "samples.parquet", "outputs.parquet", "indices.csv", "convergence.csv",
         "convergence_summary.csv", "failures.csv", "manifest.json", "summary.md")


# == design ===================================================================================
@dataclass
class Design:
    exp: Experiment
    X: np.ndarray                 # one policy's sample, columns = exp.factor_names
    block: int                    # rows per base sample (sobol), per trajectory (morris), 1 otherwise
    n_base: int                   # N, trajectories, or sample size
    points: pd.DataFrame          # every policy's points, in run order
    seeds: np.ndarray

    @property
    def rows_per_policy(self) -> int:
        return len(self.X)


def _problem_spec(problem: dict, outputs: list[str] | None = None):
    from SALib import ProblemSpec

    spec = {k: problem[k] for k in ("names", "bounds", "dists", "groups") if k in problem}
    spec["outputs"] = list(outputs or ["y"])
    return ProblemSpec(spec)


def _n_factors(problem: dict) -> int:
    groups = problem.get("groups") or problem["names"]
    return len(dict.fromkeys(groups))


def build_design(exp: Experiment) -> Design:
    """Sample once; every policy runs the same points with the same seeds (paired)."""
    problem = exp.problem()
    m = exp.spec.method
    seed = exp.spec.seed
    sp = _problem_spec(problem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if m.name == "sobol":
            sp.sample_sobol(m.n, calc_second_order=m.calc_second_order, seed=seed)
            g = _n_factors(problem)
            block = 2 * g + 2 if m.calc_second_order else g + 2
        elif m.name == "morris":
            sp.sample_morris(m.n, num_levels=m.levels, seed=seed)
            block = _n_factors(problem) + 1
        else:  # pawn, delta: scrambled Sobol' points, prefixes of 2^k stay balanced
            from scipy.stats import qmc
            from SALib.util import scale_samples

            base = qmc.Sobol(d=len(problem["names"]), scramble=True, seed=seed).random(m.n)
            sp.set_samples(scale_samples(base, {k: problem[k] for k in ("names", "bounds", "dists")}))
            block = 1
    X = np.asarray(sp.samples, dtype=float)
    names = exp.factor_names
    n = len(X)
    if exp.spec.stochasticity.seed_as_input:
        u = X[:, names.index(SEED_INPUT)]
        seeds = np.array([derive_seed(seed, int(v * 2**31)) for v in u], dtype=np.int64)
    else:
        seeds = np.array([derive_seed(seed, i) for i in range(n)], dtype=np.int64)
    frames = []
    for k, _ in enumerate(exp.policies):
        frame = pd.DataFrame(X, columns=names)
        if len(exp.policies) > 1:
            frame[POLICY_COLUMN] = k
        frames.append(frame)
    points = pd.concat(frames, ignore_index=True)
    all_seeds = np.tile(seeds, len(exp.policies))
    return Design(exp=exp, X=X, block=block, n_base=m.n, points=points, seeds=all_seeds)


def make_target(exp: Experiment):
    t = exp.spec.target
    if t.kind == "ishigami":
        return IshigamiTarget(a=t.a, b=t.b, noise=t.noise)
    bases = [exp.resolved_scenario(p) for p in exp.policies]
    paths = {i.short: i.path for i in exp.inputs}
    return ScenarioTarget(bases, paths, reps=exp.spec.stochasticity.replications,
                          source_file=str(exp.scenario_path))


# == analysis =================================================================================
def _valid_rows(Y: np.ndarray, errors: np.ndarray, block: int) -> np.ndarray:
    """Rows kept: whole blocks (base samples / trajectories) whose runs all succeeded."""
    ok = np.isfinite(Y) & (errors == "")
    blocks = ok.reshape(-1, block).all(axis=1)
    return np.repeat(blocks, block)


def _rows(d: dict, names: list[str], method: str, keys: list[tuple[str, str | None]], **meta) -> list[dict]:
    out = []
    for key, conf_key in keys:
        if key not in d:
            continue
        values = np.asarray(d[key], dtype=float)
        confs = np.asarray(d[conf_key], dtype=float) if conf_key and conf_key in d else np.full(len(values), np.nan)
        for name, v, c in zip(names, values, confs):
            out.append({**meta, "method": method, "index": key, "factor": name, "value": float(v),
                        "conf": float(c), "lo": float(v - c) if np.isfinite(c) else np.nan,
                        "hi": float(v + c) if np.isfinite(c) else np.nan})
    return out


def analyse_one(method: str, problem: dict, X: np.ndarray, y: np.ndarray, exp: Experiment, *,
                sobol_X_ab: bool = False) -> list[dict]:
    """Indices of one output from one (sub)design, as rows (without policy/output/n)."""
    m = exp.spec.method
    seed = exp.spec.seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            sp = _problem_spec(problem)
            sp.set_samples(X)
            sp.set_results(y)
            sp.analyze_sobol(calc_second_order=m.calc_second_order, num_resamples=m.bootstrap,
                             conf_level=m.conf_level, seed=seed)
            res = sp.analysis
            names = list(dict.fromkeys(problem.get("groups") or problem["names"]))
            rows = _rows(res, names, "sobol", [("S1", "S1_conf"), ("ST", "ST_conf")])
            if m.calc_second_order and "S2" in res:
                for a in range(len(names)):
                    for b in range(a + 1, len(names)):
                        v, c = float(res["S2"][a, b]), float(res["S2_conf"][a, b])
                        rows.append({"method": "sobol", "index": "S2", "factor": f"{names[a]} x {names[b]}",
                                     "value": v, "conf": c, "lo": v - c, "hi": v + c})
            return rows
        if method == "morris":
            sp = _problem_spec(problem)
            sp.set_samples(X)
            sp.set_results(y)
            sp.analyze_morris(num_resamples=m.bootstrap, conf_level=m.conf_level, num_levels=m.levels, seed=seed)
            res = sp.analysis
            names = [str(n) for n in res["names"]]
            return _rows(res, names, "morris", [("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None)])
        flat = {k: problem[k] for k in ("names", "bounds", "dists")}
        sp = _problem_spec(flat)
        sp.set_samples(X)
        sp.set_results(y)
        if method == "pawn":
            sp.analyze_pawn(S=m.pawn_slices, seed=seed)
            return _rows(sp.analysis, flat["names"], "pawn", [("median", None), ("maximum", None), ("CV", None)])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):  # bias notices
            sp.analyze_delta(num_resamples=min(m.bootstrap, 100), conf_level=m.conf_level, seed=seed,
                             method="delta")
        res = sp.analysis
        # our samples follow the input distributions, so the plain ('raw') estimator is
        # Borgonovo's delta; 'balanced' resamples equally across bins of each input
        named = {"delta": res["delta_raw"], "delta_conf": res["delta_raw_conf"],
                 "delta_balanced": res["delta_balanced"], "delta_balanced_conf": res["delta_balanced_conf"]}
        return _rows(named, flat["names"], "delta", [("delta", "delta_conf"),
                                                     ("delta_balanced", "delta_balanced_conf")])


def _nested_sizes(n_base: int, convergence: bool) -> list[int]:
    if not convergence:
        return [n_base]
    sizes = [n_base // 8, n_base // 4, n_base // 2, n_base]
    return [s for s in sizes if s >= 2] or [n_base]


def _noise_floor(rows: pd.DataFrame, has_dummy: bool) -> pd.DataFrame:
    """Mark each index: is its interval above the dummy's (the noise floor)?"""
    rows = rows.copy()
    rows["floor"] = 0.0
    rows["above_floor"] = pd.NA
    keys = ["policy", "output", "method", "index", "n"]
    for _, g in rows.groupby(keys, sort=False):
        idx = g.index
        if has_dummy and (g["factor"] == DUMMY).any():
            d = g[g["factor"] == DUMMY].iloc[0]
            floor = d["hi"] if np.isfinite(d["hi"]) else d["value"]
            floor = max(float(floor), 0.0)
        else:
            floor = 0.0
        rows.loc[idx, "floor"] = floor
        lower = g["lo"].where(np.isfinite(g["lo"]), g["value"])
        above = (lower > floor) & (g["factor"] != DUMMY)
        rows.loc[idx, "above_floor"] = above.values
    rows["above_floor"] = rows["above_floor"].astype(bool)
    return rows


@dataclass
class Analysis:
    indices: pd.DataFrame            # every index at full N (with interval and noise floor)
    convergence: pd.DataFrame        # the same at N/8 .. N
    convergence_summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    used: dict = field(default_factory=dict)   # (policy, output) -> base samples used


def analyse(design: Design, results: pd.DataFrame) -> Analysis:
    exp = design.exp
    m = exp.spec.method
    problem = exp.problem()
    n_rows = design.rows_per_policy
    notes: list[str] = []
    all_rows: list[dict] = []
    used = {}
    errors_all = results["error"].to_numpy(dtype=object) if "error" in results else np.full(len(results), "")
    for k, policy in enumerate(exp.policies):
        part = slice(k * n_rows, (k + 1) * n_rows)
        errors = errors_all[part]
        for output in exp.spec.outputs:
            col = f"out:{output}"
            y_all = results[col].to_numpy(dtype=float)[part] if col in results else np.full(n_rows, np.nan)
            keep = _valid_rows(y_all, errors, design.block)
            dropped = int((~keep).sum() // design.block)
            if dropped:
                unit = {"sobol": "base sample(s)", "morris": "trajectory(ies)"}.get(m.name, "point(s)")
                notes.append(f"{policy.name} / {output}: {dropped} {unit} dropped because a run failed or "
                             f"returned no value.")
            for n_sub in _nested_sizes(design.n_base, m.convergence):
                rows_sub = np.zeros(n_rows, dtype=bool)
                rows_sub[: n_sub * design.block] = True
                sel = keep & rows_sub
                X, y = design.X[sel], y_all[sel]
                meta = {"policy": policy.name, "output": output, "n": n_sub}
                if len(y) < 2 * design.block or np.nanstd(y) == 0:
                    if n_sub == design.n_base:
                        notes.append(f"{policy.name} / {output}: no variation across the sample "
                                     f"(constant {y[0] if len(y) else 'n/a'}), so no indices.")
                    continue
                used[(policy.name, output)] = int(sel.sum() // design.block)
                for r in analyse_one(m.name, problem, X, y, exp):
                    all_rows.append({**meta, **r})
                if m.name == "sobol" and m.also:
                    # moment-independent indices on the A and B matrices of the same design
                    blocks = np.flatnonzero(sel.reshape(-1, design.block).all(axis=1))
                    ab = np.concatenate([blocks * design.block, blocks * design.block + design.block - 1])
                    for method in m.also:
                        for r in analyse_one(method, problem, design.X[ab], y_all[ab], exp):
                            all_rows.append({**meta, **r})
    cols = ["policy", "output", "n", "method", "index", "factor", "value", "conf", "lo", "hi"]
    table = pd.DataFrame(all_rows, columns=cols)
    if len(table):
        table = _noise_floor(table, exp.spec.dummy)
    full = table[table["n"] == design.n_base].drop(columns=["n"]).reset_index(drop=True) if len(table) else table
    return Analysis(indices=full, convergence=table, convergence_summary=_convergence_summary(table, design),
                    notes=notes, used=used)


def _convergence_summary(table: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Per policy, output, method and nested size: ranking agreement with N and widest interval."""
    from scipy.stats import spearmanr

    if not len(table):
        return pd.DataFrame()
    out = []
    for (policy, output, method), g in table.groupby(["policy", "output", "method"], sort=False):
        key = MAIN_INDEX[method]
        g = g[g["index"] == key]
        full = g[g["n"] == design.n_base].set_index("factor")
        if full.empty:
            continue
        above = full[full["above_floor"]].sort_values("value", ascending=False)
        order_full = list(above.index)
        for n_sub, h in g.groupby("n"):
            h = h.set_index("factor").reindex(full.index)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rho = spearmanr(h["value"], full["value"]).statistic if len(full) > 2 else np.nan
            sub_order = [f for f in h.sort_values("value", ascending=False).index if f in order_full]
            swaps = []
            for i, a in enumerate(order_full):
                for b in order_full[i + 1:]:
                    if sub_order.index(a) > sub_order.index(b):
                        swaps.append((a, b))
            # a swap is tolerated when the two intervals at N overlap (the order is not resolved)
            unresolved = [(a, b) for a, b in swaps
                          if not (np.isfinite(full.loc[a, "lo"]) and full.loc[a, "lo"] <= full.loc[b, "hi"])]
            width = float((h["hi"] - h["lo"]).max()) if h["hi"].notna().any() else np.nan
            out.append({"policy": policy, "output": output, "method": method, "index": key, "n": int(n_sub),
                        "spearman_vs_N": float(rho), "top": sub_order[0] if sub_order else "",
                        "swaps_vs_N": len(swaps), "unexplained_swaps": len(unresolved),
                        "ranking_stable": bool(not unresolved and (not sub_order or sub_order[0] == (order_full[0] if order_full else ""))),
                        "widest_interval": width})
    return pd.DataFrame(out)


# == figures ==================================================================================
def _figures(analysis: Analysis, exp: Experiment, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    labels = exp.labels
    made = []
    idx = analysis.indices
    for (policy, output, method), g in idx.groupby(["policy", "output", "method"], sort=False):
        name = f"{slug(policy)}_{slug(output)}"
        if method == "sobol":
            s1 = g[g["index"] == "S1"].set_index("factor")
            st = g[g["index"] == "ST"].set_index("factor").sort_values("value", ascending=True)
            order = list(st.index)
            s1 = s1.reindex(order)
            fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.6))
            pos = np.arange(len(order))
            ax.barh(pos + 0.2, st["value"], height=0.4, xerr=st["conf"], label="total effect ST", color="#4c72b0", capsize=2)
            ax.barh(pos - 0.2, s1["value"], height=0.4, xerr=s1["conf"], label="first order S1", color="#dd8452", capsize=2)
            floor = float(st["floor"].iloc[0]) if len(st) else 0.0
            if exp.spec.dummy:
                ax.axvline(floor, color="k", ls="--", lw=1, label=f"noise floor (dummy ST upper) {floor:.3f}")
            ax.set_yticks(pos, [labels.get(f, f) for f in order])
            ax.set_xlabel("Sobol index (bars: 95% bootstrap interval)" if exp.spec.method.conf_level == 0.95 else "Sobol index")
            ax.set_title(f"{output} — {policy}", fontsize=10)
            ax.legend(fontsize=7, loc="lower right")
            fig.tight_layout()
            path = folder / f"sobol_{name}.png"
        elif method == "morris":
            mu = g[g["index"] == "mu_star"].set_index("factor")
            sg = g[g["index"] == "sigma"].set_index("factor").reindex(mu.index)
            fig, ax = plt.subplots(figsize=(6.5, 5))
            ax.errorbar(mu["value"], sg["value"], xerr=mu["conf"], fmt="o", ms=4, capsize=2, color="#4c72b0")
            for f in mu.index:
                ax.annotate(labels.get(f, f), (mu.loc[f, "value"], sg.loc[f, "value"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points", color="red" if f == DUMMY else "k")
            if exp.spec.dummy and DUMMY in mu.index:
                ax.axvline(float(mu["floor"].iloc[0]), color="k", ls="--", lw=1, label="noise floor (dummy mu* upper)")
                ax.legend(fontsize=7)
            ax.set_xlabel("mu* (mean absolute elementary effect)")
            ax.set_ylabel("sigma (non-linearity / interactions)")
            ax.set_title(f"Morris screening: {output} — {policy}", fontsize=10)
            fig.tight_layout()
            path = folder / f"morris_{name}.png"
        else:
            if method in exp.spec.method.also and output != exp.spec.outputs[0]:
                continue
            key = MAIN_INDEX[method]
            h = g[g["index"] == key].set_index("factor").sort_values("value")
            fig, ax = plt.subplots(figsize=(6.5, 0.4 * len(h) + 1.6))
            err = h["conf"].where(np.isfinite(h["conf"]), 0)
            ax.barh(np.arange(len(h)), h["value"], xerr=err, color="#55a868", capsize=2)
            ax.set_yticks(np.arange(len(h)), [labels.get(f, f) for f in h.index])
            if exp.spec.dummy and DUMMY in h.index:
                ax.axvline(float(h["floor"].iloc[0]), color="k", ls="--", lw=1, label="noise floor (dummy)")
                ax.legend(fontsize=7)
            ax.set_xlabel(f"{method} {key}")
            ax.set_title(f"{method.upper()}: {output} — {policy}", fontsize=10)
            fig.tight_layout()
            path = folder / f"{method}_{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path.name)
    conv = analysis.convergence
    if len(conv) and conv["n"].nunique() > 1:
        headline = exp.spec.outputs[0]
        for (policy, output, method), g in conv.groupby(["policy", "output", "method"], sort=False):
            if output != headline:  # convergence figures for the headline output only
                continue
            key = MAIN_INDEX[method]
            g = g[g["index"] == key]
            fig, ax = plt.subplots(figsize=(6.5, 4.2))
            for f, h in g.groupby("factor", sort=False):
                h = h.sort_values("n")
                line, = ax.plot(h["n"], h["value"], marker="o", ms=3, lw=1.2 if f != DUMMY else 2,
                                ls="-" if f != DUMMY else "--", label=labels.get(f, f))
                if h["conf"].notna().any():
                    ax.fill_between(h["n"], h["lo"], h["hi"], alpha=0.12, color=line.get_color())
            ax.set_xscale("log", base=2)
            ax.set_xlabel("base samples used (nested designs)")
            ax.set_ylabel(f"{key}")
            ax.set_title(f"Convergence of {key}: {output} — {policy}", fontsize=10)
            ax.legend(fontsize=6, ncol=2)
            fig.tight_layout()
            path = Path(folder) / f"convergence_{method}_{slug(policy)}_{slug(output)}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            made.append(path.name)
    return made


# == summary ==================================================================================
def _fmt(v: float) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.3f}"


def summary_text(analysis: Analysis, exp: Experiment, design: Design, report=None) -> str:
    m = exp.spec.method
    labels = exp.labels
    idx = analysis.indices
    key = MAIN_INDEX[m.name]
    lines = [f"# Sensitivity analysis: {exp.spec.name}", ""]
    if exp.spec.description:
        lines += [exp.spec.description.strip(), ""]
    per_point = exp.spec.stochasticity.replications
    what = {"sobol": f"Sobol' indices from N = {m.n} base samples ({design.rows_per_policy} points",
            "morris": f"Morris elementary effects from {m.n} trajectories ({design.rows_per_policy} points",
            "pawn": f"PAWN indices from {m.n} points ({design.rows_per_policy} points",
            "delta": f"delta indices from {m.n} points ({design.rows_per_policy} points"}[m.name]
    lines.append(f"Method: {what} per policy, each the mean of {per_point} model replication(s)"
                 + (", random seed as an extra input" if exp.spec.stochasticity.seed_as_input else "")
                 + f"). Intervals: {int(m.conf_level * 100)}% bootstrap ({m.bootstrap} resamples, seed {exp.spec.seed}).")
    if exp.spec.dummy:
        lines.append("The **noise floor** is the upper end of the interval of a dummy input that the model never "
                     "reads: an index whose interval does not rise above it cannot be told apart from replication "
                     "noise and estimation error.")
    lines.append("")
    if report is not None and report.n_failed:
        lines += [f"**{report.n_failed} run(s) failed** (see failures.csv); the base samples or trajectories "
                  f"they belong to were left out of the indices.", ""]
    explain = {"ST": "total effect (share of output variance it causes, alone and with others)",
               "mu_star": "mu* (mean absolute effect of moving it across its range)",
               "median": "PAWN median (distance between conditional and unconditional output distributions)",
               "delta": "delta (moment-independent: shift of the whole output distribution)"}[key]
    for policy in exp.policies:
        lines += [f"## {policy.name}" if len(exp.policies) > 1 else "## Results", ""]
        if policy.overrides:
            lines += ["Policy: " + ", ".join(f"`{k} = {v}`" for k, v in policy.overrides.items()), ""]
        for j, output in enumerate(exp.spec.outputs):
            g = idx[(idx["policy"] == policy.name) & (idx["output"] == output) & (idx["method"] == m.name)]
            main = g[g["index"] == key].sort_values("value", ascending=False)
            words = OUTPUT_WORDS.get(output, output.replace("failures_", "failures from ").replace("_", " "))
            if main.empty:
                lines += [f"- **{output}** ({words}): no indices (see notes).", ""]
                continue
            above = main[main["above_floor"] & (main["factor"] != DUMMY)]
            below = main[~main["above_floor"] & (main["factor"] != DUMMY)]
            floor = float(main["floor"].iloc[0])
            if j == 0:
                lines.append(f"**{output}** ({words}), ranked by {explain}:")
                lines.append("")
                s1 = g[g["index"] == "S1"].set_index("factor")
                sig = g[g["index"] == "sigma"].set_index("factor")
                for r, (_, row) in enumerate(above.iterrows(), start=1):
                    extra = ""
                    if row["factor"] in s1.index:
                        s = s1.loc[row["factor"]]
                        extra = f"; first order {_fmt(s['value'])} ({_fmt(s['lo'])} to {_fmt(s['hi'])})"
                    elif row["factor"] in sig.index:
                        extra = f"; sigma {_fmt(sig.loc[row['factor'], 'value'])}"
                    ci = f" ({_fmt(row['lo'])} to {_fmt(row['hi'])})" if np.isfinite(row["lo"]) else ""
                    lines.append(f"{r}. {labels.get(row['factor'], row['factor'])}: {key} {_fmt(row['value'])}{ci}{extra}")
                if above.empty:
                    lines.append("No input rises above the noise floor.")
                lines.append("")
                if len(below):
                    lines.append("Indistinguishable from the noise floor "
                                 f"({key} interval not above {_fmt(floor)}): "
                                 + ", ".join(labels.get(f, f) for f in below["factor"]) + ".")
                if m.name == "sobol" and exp.spec.dummy:
                    d = main[main["factor"] == DUMMY]
                    s1sum = g[(g["index"] == "S1") & (g["factor"] != DUMMY)]["value"].clip(lower=0).sum()
                    if len(d):
                        noise = "replication noise plus estimation error" if exp.spec.target.kind == "model" \
                            or exp.spec.target.noise else "estimation error"
                        rest = (f"the remaining {_fmt(1 - s1sum)} of the variance comes from interactions"
                                f"{' and noise' if 'noise' in noise else ''}") if s1sum < 1 else \
                            ("they exceed 1 through estimation error, so interactions cannot be told apart "
                             "at this sample size")
                        lines.append(f"Noise floor: the dummy's total effect is {_fmt(float(d['value'].iloc[0]))} "
                                     f"({noise}). First-order effects add up to {_fmt(s1sum)}; {rest}.")
                conv = analysis.convergence_summary
                if len(conv):
                    c = conv[(conv["policy"] == policy.name) & (conv["output"] == output) & (conv["method"] == m.name)]
                    half = c[c["n"] == design.n_base // 2]
                    full = c[c["n"] == design.n_base]
                    if len(half) and len(full):
                        stable = bool(half["ranking_stable"].iloc[0])
                        unit = {"sobol": "base samples", "morris": "trajectories"}.get(m.name, "points")
                        lines.append(f"Convergence: from {design.n_base // 2} to {design.n_base} {unit} the ranking "
                                     f"{'is stable' if stable else 'still changes'} (Spearman {_fmt(float(half['spearman_vs_N'].iloc[0]))}"
                                     f", {int(half['unexplained_swaps'].iloc[0])} swap(s) not covered by overlapping intervals); "
                                     f"widest interval at {design.n_base}: {_fmt(float(full['widest_interval'].iloc[0]))}.")
                lines.append("")
            else:
                top = ", ".join(f"{labels.get(f, f)} {_fmt(v)}" for f, v in zip(above["factor"][:4], above["value"][:4]))
                lines.append(f"- **{output}** ({words}): " + (top if top else "nothing above the noise floor")
                             + (f"; {len(below)} input(s) at the noise floor" if len(below) else "") + ".")
        lines.append("")
        for method in (m.also if m.name == "sobol" else []):
            o = exp.spec.outputs[0]
            mk = MAIN_INDEX[method]
            h = idx[(idx["policy"] == policy.name) & (idx["output"] == o) & (idx["method"] == method) & (idx["index"] == mk)]
            h = h[h["above_floor"]].sort_values("value", ascending=False)
            if len(h):
                lines.append(f"Moment-independent check ({method.upper()} {mk} on the same runs, {o}): "
                             + ", ".join(f"{labels.get(f, f)} {_fmt(v)}" for f, v in zip(h["factor"], h["value"])) + ".")
                lines.append("")
    if len(exp.policies) > 1:
        o = exp.spec.outputs[0]
        lines += ["## Policies compared", ""]
        ranks = {}
        for policy in exp.policies:
            g = idx[(idx["policy"] == policy.name) & (idx["output"] == o) & (idx["method"] == m.name)
                    & (idx["index"] == key) & idx["above_floor"]].sort_values("value", ascending=False)
            ranks[policy.name] = list(g["factor"])
            lines.append(f"- {policy.name}: " + (" > ".join(labels.get(f, f) for f in ranks[policy.name]) or "nothing above the noise floor"))
        lines.append("")
    if analysis.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in analysis.notes] + [""]
    lines += ["Files: indices.csv (every index with its interval and noise-floor flag), convergence.csv and "
              "convergence_summary.csv (nested designs), figures/, outputs.parquet, samples.parquet, "
              "manifest.json (how to repeat this).", ""]
    return "\n".join(lines)


# == orchestration ============================================================================
def _versions(backend: str) -> dict:
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("coopsim", "SALib", "numpy", "pandas", "scipy", "mesa", "pyarrow", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    if backend == "dask":
        for pkg in ("dask", "distributed"):
            try:
                out[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                pass
    return out


@dataclass
class Study:
    """Fluent API: Study(path).run(out, workers=2) then .indices, .summary, .convergence."""
    experiment: Experiment | str | Path
    design: Design | None = None
    analysis: Analysis | None = None
    report: object = None
    out: Path | None = None
    summary: str = ""

    def __post_init__(self):
        if not isinstance(self.experiment, Experiment):
            self.experiment = load_experiment(self.experiment)

    def sample(self) -> "Study":
        self.design = build_design(self.experiment)
        return self

    def run(self, out: str | Path, *, workers: int = 1, backend: str | None = None,
            scheduler: str | None = None, resume: bool = False, force: bool = False,
            progress: bool = False, chunk_size: int | None = None, command: str | None = None,
            target=None) -> "Study":
        run_experiment(self, Path(out), workers=workers, backend=backend, scheduler=scheduler,
                       resume=resume, force=force, progress=progress, chunk_size=chunk_size, command=command,
                       target=target)
        return self

    @property
    def indices(self) -> pd.DataFrame:
        return self.analysis.indices

    @property
    def convergence(self) -> pd.DataFrame:
        return self.analysis.convergence_summary

    def table(self, output: str | None = None, policy: str | None = None) -> pd.DataFrame:
        """Wide view: one row per factor, main indices as columns."""
        idx = self.indices
        output = output or self.experiment.spec.outputs[0]
        policy = policy or self.experiment.policies[0].name
        g = idx[(idx["output"] == output) & (idx["policy"] == policy)]
        return g.pivot_table(index="factor", columns=["method", "index"], values="value", sort=False)


def run_experiment(study: Study, out: Path, *, workers: int = 1, backend: str | None = None,
                   scheduler: str | None = None, resume: bool = False, force: bool = False,
                   progress: bool = True, chunk_size: int | None = None, command: str | None = None,
                   target=None) -> Study:
    exp = study.experiment
    backend = prepare_sweep_folder(out, OWNED, what="sensitivity run", workers=workers, backend=backend,
                                   scheduler=scheduler, resume=resume, force=force)
    t0 = time.perf_counter()
    target = target or make_target(exp)
    if backend == "process":
        warm_up(getattr(target, "preload", ()))   # the workers' forkserver starts while we sample
    design = study.design or build_design(exp)
    study.design = design
    write_samples(design.points, design.seeds, out / "samples.parquet")
    key = exp.digest()
    report = run_sweep(target, design.points, design.seeds, out / "runs", backend=backend, workers=workers,
                       scheduler=scheduler, chunk_size=chunk_size or exp.spec.execution.chunk_size,
                       resume=resume, key=key, progress=progress, desc=exp.spec.name)
    study.report = report
    cols = ["index", "seed", "error", *(f"out:{o}" for o in exp.spec.outputs)]
    results = read_results(out / "runs", columns=cols)
    if len(results) != len(design.points):
        raise UserError(f"{out}: only {len(results)} of {len(design.points)} runs are on disk; rerun with --resume.")
    runs_seconds = report.seconds
    outputs = results.rename(columns=lambda c: c.removeprefix("out:"))
    if len(exp.policies) > 1:
        outputs.insert(1, "policy", np.repeat([p.name for p in exp.policies], design.rows_per_policy))
    outputs.to_parquet(out / "outputs.parquet", index=False)
    failures = report.failures
    if len(failures):
        failures.to_csv(out / "failures.csv", index=False)
    analysis = analyse(design, results)
    study.analysis = analysis
    analysis.indices.to_csv(out / "indices.csv", index=False, float_format="%.6g")
    analysis.convergence.to_csv(out / "convergence.csv", index=False, float_format="%.6g")
    analysis.convergence_summary.to_csv(out / "convergence_summary.csv", index=False, float_format="%.6g")
    figures = _figures(analysis, exp, out / "figures") if len(analysis.indices) else []
    study.summary = summary_text(analysis, exp, design, report)
    (out / "summary.md").write_text(study.summary, encoding="utf-8")
    manifest = {
        "experiment": str(exp.path), "experiment_text": exp.text, "design_key": key,
        "scenario": str(exp.scenario_path) if exp.scenario_path else None,
        "resolved_scenarios": {p.name: exp.resolved_scenario(p) for p in exp.policies} if exp.scenario is not None else None,
        "problem": {k: (list(v) if not isinstance(v, (str, int)) else v) for k, v in exp.problem().items()},
        "seeds": {"experiment": exp.spec.seed, "sample": exp.spec.seed, "bootstrap": exp.spec.seed,
                  "runs": "derive_seed(experiment seed, point index) via numpy SeedSequence; the same for every "
                          "policy" + (" (seed input: derive_seed(seed, int(u * 2**31)))" if exp.spec.stochasticity.seed_as_input else "")},
        "design": {"method": exp.spec.method.model_dump(), "points_per_policy": design.rows_per_policy,
                   "policies": [p.model_dump() for p in exp.policies], "total_runs": len(design.points),
                   "replications_per_point": exp.spec.stochasticity.replications},
        "execution": {"backend": backend, "workers": workers, "scheduler": scheduler,
                      "chunks": report.n_chunks, "chunks_reused": report.skipped_chunks,
                      "runs_this_session": report.ran_points, "run_seconds_this_session": round(runs_seconds, 3),
                      "failed_runs": report.n_failed, "total_seconds": round(time.perf_counter() - t0, 3)},
        "command": command or "(Python API: coopsim.workflows.sensitivity.Study)",
        "cwd": os.getcwd(), "versions": _versions(backend), "figures": figures,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
    study.out = out
    return study


# == command line =============================================================================
def add_arguments(parser) -> None:
    parser.add_argument("experiment", help="experiment file (TOML), e.g. experiments/obstacles_sobol.toml")
    add_sweep_arguments(parser)


def main(args) -> int:
    check_workers(args.workers)
    study = Study(args.experiment)
    command = " ".join(["coopsim", "sensitivity", *sys.argv[2:]]) if len(sys.argv) > 1 else None
    run_experiment(study, Path(args.out), workers=args.workers, backend=args.backend,
                   scheduler=args.scheduler, resume=args.resume, force=args.force,
                   progress=not args.no_progress, chunk_size=args.chunk_size, command=command)
    rep = study.report
    print(f"{study.experiment.spec.name}: {rep.headline()}. Results in {args.out}/ (summary.md, indices.csv).")
    return rep.tell_failures(args.out)
