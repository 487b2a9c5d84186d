"""A sensitivity analysis for readers: its figures (one per policy, output and method, and the
convergence of the headline output) and its plain-words summary.md.

Takes what `coopsim.analysis.sensitivity` computed; writes only the figures it is asked to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.analysis.sensitivity import MAIN_INDEX, Analysis, Design
from matplotlib.figure import Figure

from coopsim.config.errors import UserError
from coopsim.config.experiment import DUMMY, Experiment, slug
from coopsim.reporting.robust_ranking import robust_lines
from coopsim.reporting.plotstyle import label_points, name_words, new_figure, output_words, save_figure, styled, wrap
from coopsim.reporting.style import PALETTE

__all__ = ["figures", "index_figure", "convergence_figure", "plot_sensitivity", "summary_text", "fmt",
           "INDEX_WORDS", "DESIGN_WORDS"]

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


# == figures ==================================================================================
#: The indices in words (axis names, legends).
INDEX_WORDS = {"ST": "total effect ST", "S1": "first order S1", "mu_star": "mu* (mean absolute elementary effect)",
               "sigma": "sigma (non-linearity or interactions)", "median": "PAWN index (median)",
               "delta": "delta (moment-independent)"}
#: What the nested designs of the convergence check count, per method (the x axis).
DESIGN_WORDS = {"sobol": "base samples N", "morris": "trajectories"}
_COLOURED = 7          # the convergence figure colours the strongest inputs (palette less black), greys the rest
_FLOOR_STYLE = {"color": "k", "ls": "--", "lw": 1}


def _title(what: str, output: str, policy: str, exp: Experiment) -> str:
    """'What: output in words', and the policy when the experiment has several."""
    several = len(exp.policies) > 1
    return wrap(f"{what}: {output_words(output)}" + (f" (policy: {name_words(policy)})" if several else ""), 70)


def _interval_words(exp: Experiment) -> str:
    return f"bars: {int(round(exp.spec.method.conf_level * 100))}% bootstrap interval"


def _sobol_axes(ax, g: pd.DataFrame, exp: Experiment) -> None:
    """Total effect and first order of every input (bars with intervals), the noise floor."""
    st = g[g["index"] == "ST"].set_index("factor").sort_values("value", ascending=True)
    s1 = g[g["index"] == "S1"].set_index("factor").reindex(st.index)
    pos = np.arange(len(st))
    for rows, shift, key, colour in ((st, 0.2, "ST", PALETTE[0]), (s1, -0.2, "S1", PALETTE[1])):
        ax.barh(pos + shift, rows["value"], height=0.4, xerr=rows["conf"].where(np.isfinite(rows["conf"]), 0),
                label=INDEX_WORDS[key], color=colour, capsize=2, error_kw={"lw": 0.8})
    if exp.spec.dummy and len(st):
        floor = float(st["floor"].iloc[0])
        ax.axvline(floor, **_FLOOR_STYLE, label=f"noise floor (dummy's upper ST) {fmt(floor)}")
    ax.set_yticks(pos, [wrap(exp.labels.get(f, f), 40) for f in st.index])
    ax.set_xlabel(f"Sobol' index ({_interval_words(exp)})")


def _morris_groups(mu: pd.DataFrame, exp: Experiment) -> tuple[pd.Series, list]:
    """Which inputs rise above the noise floor, and the three groups drawn (mask, colour, label)."""
    above = mu["above_floor"].astype(bool) if exp.spec.dummy else pd.Series(True, index=mu.index)
    real = mu.index != DUMMY
    return above, [(above & real, PALETTE[0], "above the noise floor"),
                   (~above & real, "0.55", "not above the noise floor"),
                   (~real, PALETTE[3], "dummy input (never read by the model)")]


def _morris_axes(ax, g: pd.DataFrame, exp: Experiment) -> None:
    """mu* against sigma; inputs above the noise floor in colour, the others grey."""
    mu = g[g["index"] == "mu_star"].set_index("factor")
    sg = g[g["index"] == "sigma"].set_index("factor").reindex(mu.index)
    for mask, colour, label in _morris_groups(mu, exp)[1]:
        if mask.any():
            err = mu["conf"][mask].where(np.isfinite(mu["conf"][mask]), 0)
            ax.errorbar(mu["value"][mask], sg["value"][mask], xerr=err, fmt="o", ms=4, capsize=2, lw=0.8,
                        color=colour, label=label)
    if exp.spec.dummy and DUMMY in mu.index:
        ax.axvline(float(mu["floor"].iloc[0]), **_FLOOR_STYLE, label="noise floor (dummy's upper mu*)")
    ax.set_xlabel(f"{INDEX_WORDS['mu_star']} ({_interval_words(exp)})")
    ax.set_ylabel(INDEX_WORDS["sigma"])


def _name_morris_points(ax, g: pd.DataFrame, exp: Experiment) -> None:
    """Each input's name beside its point, moved apart with leader lines (after the layout)."""
    mu = g[g["index"] == "mu_star"].set_index("factor")
    sg = g[g["index"] == "sigma"].set_index("factor").reindex(mu.index)
    above = _morris_groups(mu, exp)[0]
    colours = [PALETTE[3] if f == DUMMY else (PALETTE[0] if above[f] else "0.35") for f in mu.index]
    label_points(ax, mu["value"], sg["value"], [exp.labels.get(f, f) for f in mu.index], colours)


def _distribution_axes(ax, g: pd.DataFrame, exp: Experiment, method: str) -> None:
    """PAWN or delta: one bar per input with its interval, the noise floor."""
    key = MAIN_INDEX[method]
    h = g[g["index"] == key].set_index("factor").sort_values("value")
    err = h["conf"].where(np.isfinite(h["conf"]), 0)
    ax.barh(np.arange(len(h)), h["value"], xerr=err, color=PALETTE[2], capsize=2, error_kw={"lw": 0.8},
            label=INDEX_WORDS[key])
    ax.set_yticks(np.arange(len(h)), [wrap(exp.labels.get(f, f), 40) for f in h.index])
    if exp.spec.dummy and DUMMY in h.index:
        ax.axvline(float(h["floor"].iloc[0]), **_FLOOR_STYLE, label="noise floor (dummy)")
    ax.set_xlabel(f"{INDEX_WORDS[key]} ({_interval_words(exp)})")


_TITLES = {"sobol": "Sobol' indices", "morris": "Morris screening", "pawn": "PAWN indices", "delta": "delta indices"}
_CONVERGENCE_TITLES = {"sobol": "Convergence of the Sobol' total effects", "morris": "Convergence of Morris mu*",
                       "pawn": "Convergence of the PAWN indices", "delta": "Convergence of the delta indices"}


def _select(table: pd.DataFrame, exp: Experiment, output: str | None, policy: str | None,
            method: str | None) -> tuple[pd.DataFrame, str, str, str]:
    """The rows of one output, policy and method (defaults: the headline output, the first
    policy, the experiment's method), or a UserError naming what exists."""
    output = output or exp.spec.outputs[0]
    policy = policy or exp.policies[0].name
    method = method or exp.spec.method.name
    for what, value, known in (("output", output, exp.spec.outputs), ("policy", policy, [p.name for p in exp.policies]),
                               ("method", method, sorted(set(table["method"])))):
        if value not in known:
            raise UserError(f"{exp.spec.name}: no {what} '{value}' in this analysis; choose one of "
                            f"{', '.join(map(str, known))}.")
    g = table[(table["output"] == output) & (table["policy"] == policy) & (table["method"] == method)]
    return g, output, policy, method


@styled
def index_figure(indices: pd.DataFrame, exp: Experiment, *, output: str | None = None, policy: str | None = None,
                 method: str | None = None) -> Figure:
    """The indices of one output as a figure: Sobol' S1/ST bars, the Morris mu*-sigma plane, or
    PAWN/delta bars; the noise floor marked; inputs named in words.

    Args:
        indices: `Analysis.indices` (or indices.csv read back).
        exp: the experiment (labels, dummy, method).
        output, policy, method: which (default: headline output, first policy, the method).

    Returns:
        The matplotlib Figure.
    """
    g, output, policy, method = _select(indices, exp, output, policy, method)
    n = g["factor"].nunique()
    if method == "morris":
        fig, ax = new_figure(7.5, max(5.4, 0.16 * n + 2.5))
        _morris_axes(ax, g, exp)
    else:
        fig, ax = new_figure(7, (0.5 if method == "sobol" else 0.3) * n + 1.9)
        (_sobol_axes(ax, g, exp) if method == "sobol" else _distribution_axes(ax, g, exp, method))
    ax.set_title(_title(_TITLES[method], output, policy, exp))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    if method == "morris":
        _name_morris_points(ax, g, exp)
    return fig


def _convergence_curves(ax, g: pd.DataFrame, exp: Experiment) -> list:
    """One line per input over the nested designs: the strongest in colour with their band,
    the dummy dashed, the others thin and grey under one legend entry."""
    final = g[g["n"] == g["n"].max()].set_index("factor")["value"].drop(DUMMY, errors="ignore")
    strongest = list(final.sort_values(ascending=False).index[:_COLOURED])
    rest = len(final) - len(strongest)
    handles, others = [], None
    for f, h in g.groupby("factor", sort=False):
        h = h.sort_values("n")
        if f in strongest or f == DUMMY:
            colour = "k" if f == DUMMY else PALETTE[strongest.index(f) % len(PALETTE)]
            line, = ax.plot(h["n"], h["value"], marker="o", ms=3, ls="--" if f == DUMMY else "-", color=colour,
                            label=wrap(exp.labels.get(f, f), 32), zorder=3)
            if f == DUMMY or strongest.index(f) < 3:     # bands for the three strongest and the floor
                ax.fill_between(h["n"], h["lo"], h["hi"], alpha=0.1, color=colour, lw=0)
            handles.append((strongest.index(f) if f != DUMMY else len(strongest), line))
        else:
            others, = ax.plot(h["n"], h["value"], color="0.75", lw=0.8, zorder=2,
                              label=f"the other {rest} input{'s' if rest > 1 else ''}")
    return [line for _, line in sorted(handles, key=lambda t: t[0])] + ([others] if others is not None else [])


def _value_limits(ax, g: pd.DataFrame) -> None:
    """A y axis spanning every index and the full design's intervals: the much wider bands of
    the smallest designs run off it instead of flattening the lines."""
    full = g[g["n"] == g["n"].max()]
    ends = np.concatenate([g["value"].to_numpy(float), full["lo"].to_numpy(float), full["hi"].to_numpy(float)])
    ends = ends[np.isfinite(ends)]
    if len(ends):
        pad = 0.08 * ((ends.max() - ends.min()) or 1.0)
        ax.set_ylim(ends.min() - pad, ends.max() + pad)


@styled
def convergence_figure(convergence: pd.DataFrame, exp: Experiment, *, output: str | None = None,
                       policy: str | None = None, method: str | None = None) -> Figure:
    """The main index of every input on the nested designs (N/8 .. N of the same runs): does
    the ranking settle? The legend sits outside the data, strongest input first.

    Args:
        convergence: `Analysis.convergence` (or convergence.csv read back).
        exp: the experiment.
        output, policy, method: which (default: headline output, first policy, the method).

    Returns:
        The matplotlib Figure.

    Raises:
        UserError: the analysis has no nested designs (method.convergence = false).
    """
    g, output, policy, method = _select(convergence, exp, output, policy, method)
    key = MAIN_INDEX[method]
    g = g[g["index"] == key]
    if g["n"].nunique() <= 1:
        raise UserError(f"{exp.spec.name}: no convergence check to draw (one design size only); set "
                        f"convergence = true in [method] (Sobol' needs n >= 16).")
    fig, ax = new_figure(8, 4.4)
    handles = _convergence_curves(ax, g, exp)
    sizes = sorted(set(int(n) for n in g["n"]))
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel(f"{DESIGN_WORDS.get(method, 'points')} (nested designs from the same runs)")
    ax.set_ylabel(INDEX_WORDS[key])
    _value_limits(ax, g)
    ax.set_title(_title(_CONVERGENCE_TITLES[method], output, policy, exp))
    fig.legend(handles=handles, loc="outside right upper", title="strongest at full size")
    return fig


def plot_sensitivity(analysis: Analysis, exp: Experiment, kind: str = "indices", *, output: str | None = None,
                     policy: str | None = None, method: str | None = None) -> Figure:
    """A figure of a finished analysis, for a notebook (`Study.plot`).

    Args:
        analysis: the indices and their convergence.
        exp: the experiment.
        kind: "indices" (`index_figure`) or "convergence" (`convergence_figure`).
        output, policy, method: which (default: headline output, first policy, the method).

    Returns:
        The matplotlib Figure.
    """
    draw = {"indices": lambda: index_figure(analysis.indices, exp, output=output, policy=policy, method=method),
            "convergence": lambda: convergence_figure(analysis.convergence, exp, output=output, policy=policy,
                                                      method=method)}
    if kind not in draw:
        raise UserError(f"plot kind '{kind}' is not known; choose one of {', '.join(draw)}.")
    return draw[kind]()


def _index_figures(indices: pd.DataFrame, exp: Experiment, folder: Path) -> list[str]:
    made = []
    for (policy, output, method), g in indices.groupby(["policy", "output", "method"], sort=False):
        # the `also` checks of a Sobol' design are drawn for the headline output only
        if method not in ("sobol", "morris") and method in exp.spec.method.also \
                and output != exp.spec.outputs[0]:
            continue
        fig = index_figure(g, exp, output=output, policy=policy, method=method)
        made.append(save_figure(fig, folder / f"{method}_{slug(policy)}_{slug(output)}.png").name)
    return made


def _convergence_figures(convergence: pd.DataFrame, exp: Experiment, folder: Path) -> list[str]:
    if not len(convergence) or convergence["n"].nunique() <= 1:
        return []
    made = []
    for (policy, output, method), g in convergence.groupby(["policy", "output", "method"], sort=False):
        if output != exp.spec.outputs[0]:  # convergence figures for the headline output only
            continue
        fig = convergence_figure(g, exp, output=output, policy=policy, method=method)
        made.append(save_figure(fig, folder / f"convergence_{method}_{slug(policy)}_{slug(output)}.png").name)
    return made


def figures(analysis: Analysis, exp: Experiment, folder: Path) -> list[str]:
    """Draw every figure of a sensitivity analysis, each as PNG (200 dpi) and PDF.

    Args:
        analysis: the indices and their convergence.
        exp: the experiment (labels, dummy, headline output).
        folder: where to write them (created).

    Returns:
        The PNG file names written, in order (each has a PDF of the same name).
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
    lines = [f"**{output}** ({output_words(output)}), ranked by {_EXPLAIN[key]}:", ""]
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
    return (f"- **{output}** ({output_words(output)}): " + (top if top else "nothing above the noise floor")
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
            lines += [f"- **{output}** ({output_words(output)}): no indices (see notes).", ""]
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
    if analysis.robust is not None:
        lines += robust_lines(analysis.robust, exp)
    for policy in exp.policies:
        lines += _policy_lines(analysis, design, policy)
    if len(exp.policies) > 1:
        lines += _policies_compared(analysis.indices, exp)
    if analysis.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in analysis.notes] + [""]
    lines += [_FILES, ""]
    return "\n".join(lines)
