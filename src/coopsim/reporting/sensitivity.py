"""A sensitivity analysis for readers: its figures (one per policy, output and method, and the
convergence of the headline output) and its plain-words summary.md.

Takes what `coopsim.analysis.sensitivity` computed; writes only the figures it is asked to.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from coopsim.analysis.sensitivity import MAIN_INDEX, Analysis, Design
from coopsim.config.experiment import DUMMY, Experiment, slug
from coopsim.config.vocabulary import OUTCOMES, words
from coopsim.reporting.figures import save_figure
from coopsim.reporting.style import PALETTE

__all__ = ["figures", "summary_text", "fmt"]

DPI = 110
# What the main index of each method measures, for the sentence that introduces a ranking.
_EXPLAIN = {"ST": "total effect (share of output variance it causes, alone and with others)",
            "mu_star": "mu* (mean absolute effect of moving it across its range)",
            "median": "PAWN median (distance between conditional and unconditional output distributions)",
            "delta": "delta (moment-independent: shift of the whole output distribution)"}
_UNITS = {"sobol": "base samples", "morris": "trajectories"}
_FILES = ("Files: indices.csv (every index with its interval and noise-floor flag), convergence.csv and "
          "convergence_summary.csv (nested designs), figures/, outputs.parquet, samples.parquet, "
          "manifest.json (how to repeat this).")


def fmt(v: float | None) -> str:
    """An index for reading: three decimals, "n/a" when missing or not finite.

    Args:
        v: the value.

    Returns:
        The text.
    """
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.3f}"


def _output_words(output: str) -> str:
    """A declared outcome's words with its unit; any other output's key made readable."""
    return OUTCOMES[output].label if output in OUTCOMES else words(output)


# == figures ==================================================================================
def _sobol_figure(g: pd.DataFrame, exp: Experiment, title: str, path: Path) -> str:
    """Total effect and first order of every input, with the dummy's noise floor."""
    labels = exp.labels
    st = g[g["index"] == "ST"].set_index("factor").sort_values("value", ascending=True)
    order = list(st.index)
    s1 = g[g["index"] == "S1"].set_index("factor").reindex(order)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.6))
    pos = np.arange(len(order))
    ax.barh(pos + 0.2, st["value"], height=0.4, xerr=st["conf"], label="total effect ST", color=PALETTE[0],
            capsize=2)
    ax.barh(pos - 0.2, s1["value"], height=0.4, xerr=s1["conf"], label="first order S1", color=PALETTE[1],
            capsize=2)
    floor = float(st["floor"].iloc[0]) if len(st) else 0.0
    if exp.spec.dummy:
        ax.axvline(floor, color="k", ls="--", lw=1, label=f"noise floor (dummy ST upper) {floor:.3f}")
    ax.set_yticks(pos, [labels.get(f, f) for f in order])
    ax.set_xlabel("Sobol index (bars: 95% bootstrap interval)" if exp.spec.method.conf_level == 0.95
                  else "Sobol index")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return save_figure(fig, path, dpi=DPI).name


def _morris_figure(g: pd.DataFrame, exp: Experiment, title: str, path: Path) -> str:
    """mu* against sigma: far right = strong effect, high = non-linear or interacting."""
    labels = exp.labels
    mu = g[g["index"] == "mu_star"].set_index("factor")
    sg = g[g["index"] == "sigma"].set_index("factor").reindex(mu.index)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    ax.errorbar(mu["value"], sg["value"], xerr=mu["conf"], fmt="o", ms=4, capsize=2, color=PALETTE[0])
    for f in mu.index:
        ax.annotate(labels.get(f, f), (mu.loc[f, "value"], sg.loc[f, "value"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points", color=PALETTE[3] if f == DUMMY else "k")
    if exp.spec.dummy and DUMMY in mu.index:
        ax.axvline(float(mu["floor"].iloc[0]), color="k", ls="--", lw=1, label="noise floor (dummy mu* upper)")
        ax.legend(fontsize=7)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (non-linearity / interactions)")
    ax.set_title(f"Morris screening: {title}", fontsize=10)
    return save_figure(fig, path, dpi=DPI).name


def _distribution_figure(g: pd.DataFrame, exp: Experiment, title: str, path: Path, method: str) -> str:
    """PAWN or delta: one bar per input, with the dummy's noise floor."""
    labels = exp.labels
    key = MAIN_INDEX[method]
    h = g[g["index"] == key].set_index("factor").sort_values("value")
    fig, ax = plt.subplots(figsize=(6.5, 0.4 * len(h) + 1.6))
    err = h["conf"].where(np.isfinite(h["conf"]), 0)
    ax.barh(np.arange(len(h)), h["value"], xerr=err, color=PALETTE[2], capsize=2)
    ax.set_yticks(np.arange(len(h)), [labels.get(f, f) for f in h.index])
    if exp.spec.dummy and DUMMY in h.index:
        ax.axvline(float(h["floor"].iloc[0]), color="k", ls="--", lw=1, label="noise floor (dummy)")
        ax.legend(fontsize=7)
    ax.set_xlabel(f"{method} {key}")
    ax.set_title(f"{method.upper()}: {title}", fontsize=10)
    return save_figure(fig, path, dpi=DPI).name


def _convergence_figure(g: pd.DataFrame, exp: Experiment, key: str, title: str, path: Path) -> str:
    """The main index of every input against the nested design size."""
    labels = exp.labels
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
    ax.set_title(f"Convergence of {key}: {title}", fontsize=10)
    ax.legend(fontsize=6, ncol=2)
    return save_figure(fig, path, dpi=DPI).name


def _index_figures(indices: pd.DataFrame, exp: Experiment, folder: Path) -> list[str]:
    made = []
    for (policy, output, method), g in indices.groupby(["policy", "output", "method"], sort=False):
        # the `also` checks of a Sobol' design are drawn for the headline output only
        if method not in ("sobol", "morris") and method in exp.spec.method.also \
                and output != exp.spec.outputs[0]:
            continue
        title, path = f"{output} — {policy}", folder / f"{method}_{slug(policy)}_{slug(output)}.png"
        if method == "sobol":
            made.append(_sobol_figure(g, exp, title, path))
        elif method == "morris":
            made.append(_morris_figure(g, exp, title, path))
        else:
            made.append(_distribution_figure(g, exp, title, path, method))
    return made


def _convergence_figures(convergence: pd.DataFrame, exp: Experiment, folder: Path) -> list[str]:
    if not len(convergence) or convergence["n"].nunique() <= 1:
        return []
    made = []
    for (policy, output, method), g in convergence.groupby(["policy", "output", "method"], sort=False):
        if output != exp.spec.outputs[0]:  # convergence figures for the headline output only
            continue
        key = MAIN_INDEX[method]
        path = folder / f"convergence_{method}_{slug(policy)}_{slug(output)}.png"
        made.append(_convergence_figure(g[g["index"] == key], exp, key, f"{output} — {policy}", path))
    return made


def figures(analysis: Analysis, exp: Experiment, folder: Path) -> list[str]:
    """Draw every figure of a sensitivity analysis as PNG.

    Args:
        analysis: the indices and their convergence.
        exp: the experiment (labels, dummy, headline output).
        folder: where to write them (created).

    Returns:
        The file names written, in order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    return _index_figures(analysis.indices, exp, folder) + _convergence_figures(analysis.convergence, exp,
                                                                                folder)


# == summary ==================================================================================
def _method_lines(exp: Experiment, design: Design, report) -> list[str]:
    """The design, the intervals, the noise floor and failed runs, in words."""
    m = exp.spec.method
    rows = design.rows_per_policy
    what = {"sobol": f"Sobol' indices from N = {m.n} base samples ({rows} points",
            "morris": f"Morris elementary effects from {m.n} trajectories ({rows} points",
            "pawn": f"PAWN indices from {m.n} points ({rows} points",
            "delta": f"delta indices from {m.n} points ({rows} points"}[m.name]
    lines = [f"Method: {what} per policy, each the mean of {exp.spec.stochasticity.replications} model "
             "replication(s)" + (", random seed as an extra input" if exp.spec.stochasticity.seed_as_input else "")
             + f"). Intervals: {int(m.conf_level * 100)}% bootstrap ({m.bootstrap} resamples, seed "
             f"{exp.spec.seed})."]
    if exp.spec.dummy:
        lines.append("The **noise floor** is the upper end of the interval of a dummy input that the model never "
                     "reads: an index whose interval does not rise above it cannot be told apart from replication "
                     "noise and estimation error.")
    lines.append("")
    if report is not None and report.n_failed:
        lines += [f"**{report.n_failed} run(s) failed** (see failures.csv); the base samples or trajectories "
                  f"they belong to were left out of the indices.", ""]
    return lines


def _split(idx: pd.DataFrame, policy: str, output: str, method: str):
    """One policy's output under the main method: all its indices, the ranking index sorted,
    and the inputs above and below the noise floor."""
    g = idx[(idx["policy"] == policy) & (idx["output"] == output) & (idx["method"] == method)]
    main = g[g["index"] == MAIN_INDEX[method]].sort_values("value", ascending=False)
    above = main[main["above_floor"] & (main["factor"] != DUMMY)]
    below = main[~main["above_floor"] & (main["factor"] != DUMMY)]
    return g, main, above, below


def _ranking_lines(g: pd.DataFrame, above: pd.DataFrame, key: str, labels: dict) -> list[str]:
    """The inputs above the noise floor, strongest first, with first order or sigma."""
    s1 = g[g["index"] == "S1"].set_index("factor")
    sig = g[g["index"] == "sigma"].set_index("factor")
    lines = []
    for r, (_, row) in enumerate(above.iterrows(), start=1):
        extra = ""
        if row["factor"] in s1.index:
            s = s1.loc[row["factor"]]
            extra = f"; first order {fmt(s['value'])} ({fmt(s['lo'])} to {fmt(s['hi'])})"
        elif row["factor"] in sig.index:
            extra = f"; sigma {fmt(sig.loc[row['factor'], 'value'])}"
        ci = f" ({fmt(row['lo'])} to {fmt(row['hi'])})" if np.isfinite(row["lo"]) else ""
        lines.append(f"{r}. {labels.get(row['factor'], row['factor'])}: {key} {fmt(row['value'])}{ci}{extra}")
    if above.empty:
        lines.append("No input rises above the noise floor.")
    return lines


def _noise_share_lines(g: pd.DataFrame, main: pd.DataFrame, exp: Experiment) -> list[str]:
    """Sobol' with a dummy: what the dummy measures and what first order leaves to interactions."""
    d = main[main["factor"] == DUMMY]
    if exp.spec.method.name != "sobol" or not exp.spec.dummy or not len(d):
        return []
    s1sum = g[(g["index"] == "S1") & (g["factor"] != DUMMY)]["value"].clip(lower=0).sum()
    noisy = exp.spec.target.kind == "model" or exp.spec.target.noise
    noise = "replication noise plus estimation error" if noisy else "estimation error"
    if s1sum < 1:
        rest = (f"the remaining {fmt(1 - s1sum)} of the variance comes from interactions"
                f"{' and noise' if noisy else ''}")
    else:
        rest = "they exceed 1 through estimation error, so interactions cannot be told apart at this sample size"
    return [f"Noise floor: the dummy's total effect is {fmt(float(d['value'].iloc[0]))} ({noise}). "
            f"First-order effects add up to {fmt(s1sum)}; {rest}."]


def _convergence_lines(conv: pd.DataFrame, design: Design, policy: str, output: str) -> list[str]:
    """Does the ranking hold from N/2 to N?"""
    method = design.exp.spec.method.name
    if not len(conv):
        return []
    c = conv[(conv["policy"] == policy) & (conv["output"] == output) & (conv["method"] == method)]
    n = design.n_base
    half, full = c[c["n"] == n // 2], c[c["n"] == n]
    if not (len(half) and len(full)):
        return []
    stable = bool(half["ranking_stable"].iloc[0])
    return [f"Convergence: from {n // 2} to {n} {_UNITS.get(method, 'points')} the ranking "
            f"{'is stable' if stable else 'still changes'} (Spearman {fmt(float(half['spearman_vs_N'].iloc[0]))}"
            f", {int(half['unexplained_swaps'].iloc[0])} swap(s) not covered by overlapping intervals); "
            f"widest interval at {n}: {fmt(float(full['widest_interval'].iloc[0]))}."]


def _headline_lines(analysis: Analysis, design: Design, policy: str, output: str) -> list[str]:
    """The headline output in full: ranking, noise floor, convergence."""
    exp = design.exp
    key = MAIN_INDEX[exp.spec.method.name]
    g, main, above, below = _split(analysis.indices, policy, output, exp.spec.method.name)
    lines = [f"**{output}** ({_output_words(output)}), ranked by {_EXPLAIN[key]}:", ""]
    lines += _ranking_lines(g, above, key, exp.labels)
    lines.append("")
    if len(below):
        lines.append("Indistinguishable from the noise floor "
                     f"({key} interval not above {fmt(float(main['floor'].iloc[0]))}): "
                     + ", ".join(exp.labels.get(f, f) for f in below["factor"]) + ".")
    lines += _noise_share_lines(g, main, exp)
    lines += _convergence_lines(analysis.convergence_summary, design, policy, output)
    return lines + [""]


def _brief_line(idx: pd.DataFrame, exp: Experiment, policy: str, output: str) -> str:
    """Another output in one line: its four strongest inputs."""
    labels = exp.labels
    _, _, above, below = _split(idx, policy, output, exp.spec.method.name)
    top = ", ".join(f"{labels.get(f, f)} {fmt(v)}" for f, v in zip(above["factor"][:4], above["value"][:4]))
    return (f"- **{output}** ({_output_words(output)}): " + (top if top else "nothing above the noise floor")
            + (f"; {len(below)} input(s) at the noise floor" if len(below) else "") + ".")


def _also_lines(idx: pd.DataFrame, exp: Experiment, policy: str) -> list[str]:
    """The moment-independent checks of a Sobol' design, headline output."""
    m = exp.spec.method
    lines = []
    for method in (m.also if m.name == "sobol" else []):
        o = exp.spec.outputs[0]
        mk = MAIN_INDEX[method]
        h = idx[(idx["policy"] == policy) & (idx["output"] == o) & (idx["method"] == method) & (idx["index"] == mk)]
        h = h[h["above_floor"]].sort_values("value", ascending=False)
        if len(h):
            lines.append(f"Moment-independent check ({method.upper()} {mk} on the same runs, {o}): "
                         + ", ".join(f"{exp.labels.get(f, f)} {fmt(v)}" for f, v in zip(h["factor"], h["value"]))
                         + ".")
            lines.append("")
    return lines


def _policy_lines(analysis: Analysis, design: Design, policy) -> list[str]:
    """One policy's section: every output, then the moment-independent checks."""
    exp = design.exp
    idx = analysis.indices
    lines = [f"## {policy.name}" if len(exp.policies) > 1 else "## Results", ""]
    if policy.overrides:
        lines += ["Policy: " + ", ".join(f"`{k} = {v}`" for k, v in policy.overrides.items()), ""]
    for j, output in enumerate(exp.spec.outputs):
        if _split(idx, policy.name, output, exp.spec.method.name)[1].empty:
            lines += [f"- **{output}** ({_output_words(output)}): no indices (see notes).", ""]
        elif j == 0:
            lines += _headline_lines(analysis, design, policy.name, output)
        else:
            lines.append(_brief_line(idx, exp, policy.name, output))
    lines.append("")
    return lines + _also_lines(idx, exp, policy.name)


def _policies_compared(idx: pd.DataFrame, exp: Experiment) -> list[str]:
    """Each policy's ranking of the headline output, side by side."""
    o = exp.spec.outputs[0]
    method = exp.spec.method.name
    lines = ["## Policies compared", ""]
    for policy in exp.policies:
        g = idx[(idx["policy"] == policy.name) & (idx["output"] == o) & (idx["method"] == method)
                & (idx["index"] == MAIN_INDEX[method]) & idx["above_floor"]].sort_values("value", ascending=False)
        ranked = " > ".join(exp.labels.get(f, f) for f in g["factor"])
        lines.append(f"- {policy.name}: " + (ranked or "nothing above the noise floor"))
    return lines + [""]


def summary_text(analysis: Analysis, exp: Experiment, design: Design, report=None) -> str:
    """summary.md: the method, then per policy the ranked inputs, the noise floor and the
    convergence, in plain words.

    Args:
        analysis: the indices and their convergence.
        exp: the experiment.
        design: the design that was run.
        report: the sweep report (`coopsim.run.executor.SweepReport`), for failed runs; optional.

    Returns:
        The Markdown text.
    """
    lines = [f"# Sensitivity analysis: {exp.spec.name}", ""]
    if exp.spec.description:
        lines += [exp.spec.description.strip(), ""]
    lines += _method_lines(exp, design, report)
    for policy in exp.policies:
        lines += _policy_lines(analysis, design, policy)
    if len(exp.policies) > 1:
        lines += _policies_compared(analysis.indices, exp)
    if analysis.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in analysis.notes] + [""]
    lines += [_FILES, ""]
    return "\n".join(lines)
