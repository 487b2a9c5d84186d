"""The robust ranking for readers: summary.md's section (does the ranking of the obstacles
survive what we do not know? top-k probabilities with intervals, per model form, and the
uncertain parameters that change it most, in plain words) and one figure per output.

Takes what `coopsim.analysis.robust_ranking` computed; writes only the figures it is asked to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coopsim.analysis.robust_ranking import ALL_FORMS, PART_MAJORITY, ROBUST_IN, ROBUST_OUT, RobustRanking
from coopsim.config.experiment import Experiment, slug
from coopsim.config.vocabulary import words
from coopsim.reporting.decision import render_table
from coopsim.reporting.plotstyle import new_figure, output_words, save_figure, styled, wrap
from coopsim.reporting.style import PALETTE

__all__ = ["robust_lines", "robust_figure", "robust_figures", "VERDICT_WORDS"]

#: A ranked group's verdict in words.
VERDICT_WORDS = {"in": "in the top {k}", "out": "not in the top {k}", "unsure": "uncertain"}
# Uncertain parameters listed per output in summary.md (largest flip first).
_FLIPS_SHOWN = 5
_MARKERS = ("s", "^", "D", "v", "P")


def _p(v: float) -> str:
    """A probability for reading: two decimals."""
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.2f}"


def _names(items, exp: Experiment) -> str:
    """'a', 'a and b', 'a, b and c' in words."""
    words = [exp.labels.get(i, i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else "none"


def _input_path(exp: Experiment, short: str) -> str:
    """An uncertain input by its dotted path (what the experiment file and docs/ODD.md call it)."""
    return next((i.path for i in exp.inputs if i.short == short), short)


def _table(robust: RobustRanking, output: str) -> pd.DataFrame:
    return robust.probabilities[robust.probabilities["output"] == output]


def _part_word(exp: Experiment) -> str:
    """What one part of an uncertain parameter's range is called: a half, or a quantile part."""
    return "half" if exp.spec.robust.parts == 2 else "quantile part"


def _reading(robust: RobustRanking, exp: Experiment) -> list[str]:
    """How to read the probabilities: what they count and what chance would give."""
    k, m = robust.top, len(robust.ranked)
    forms = ", ".join(robust.forms)
    level = int(round(exp.spec.method.conf_level * 100))
    part = _part_word(exp)
    return [f"*How to read it.* P(top {k}) is the share of {exp.spec.method.bootstrap} bootstrap resamples of the "
            f"Sobol' estimate in which an obstacle's total effect is among the {k} largest of the {m} obstacles, "
            f"averaged over the model forms ({forms}); the uncertain parameters vary inside every run, so it is "
            f"already an average over their ranges. 1 means always in the top {k}, 0 never; {_p(k / m)} is what "
            f"drawing {k} of the {m} at random would give. The {level}% interval is a double bootstrap: how far the "
            f"probability would move with another design of the same size. *In a {part}* gives the lowest and "
            f"highest probability within one {part} of one uncertain parameter's range, under either model form: "
            f"how far the answer could depend on where in its range that parameter really lies. With a {part} of "
            f"the runs an obstacle near the boundary of the top {k} moves a lot by chance alone, so this range is "
            f"wide for every such obstacle; which parameters move it more than chance is what the flip table "
            f"tests.", ""]


def _verdict_lines(robust: RobustRanking, exp: Experiment, output: str) -> list[str]:
    """The plain-words verdict for one output: robust or not, and what unsettles it."""
    k = robust.top
    t = _table(robust, output)
    every = t[t["policy"] == ALL_FORMS].sort_values("p_top", ascending=False)
    inside = list(every.loc[every["verdict"] == "in", "factor"])
    unsure = every[every["verdict"] == "unsure"]
    words = output_words(output)
    if robust.robust(output):
        verb = "is" if len(inside) == 1 else "are"
        return [" ".join([f"**The top {k} is robust** for {words}: {_names(inside, exp)} {verb} in it with "
                          f"probability at least {ROBUST_IN} under every model form and at least {PART_MAJORITY} in "
                          f"every part of the uncertain parameters that change the ranking beyond chance.",
                          *_strength_sentence(robust, exp, output)]), ""]
    held = f"only {_names(inside, exp)} stay{'s' if len(inside) == 1 else ''} in the top {k} whatever we assume" \
        if inside else f"no obstacle stays in the top {k} whatever we assume"
    shaky = ", ".join(f"{exp.labels.get(r.factor, r.factor)} ({_p(r.p_top)}, {_p(r.part_min)} to {_p(r.part_max)} "
                      f"in a {_part_word(exp)})" for r in unsure.itertuples())
    lines = [f"**The ranking is not robust** for {words}: {held}; "
             + (f"these may or may not be in it: {shaky}." if shaky else "the rest is robustly out of it.")]
    lines += _form_sentence(robust, exp, t) + _driver_sentence(robust, exp, output)
    return [" ".join(lines + _strength_sentence(robust, exp, output)), ""]


def _form_sentence(robust: RobustRanking, exp: Experiment, t: pd.DataFrame) -> list[str]:
    """Each model form's most likely top k, when the forms disagree."""
    tops = {}
    for form in robust.forms:
        h = t[t["policy"] == form].sort_values("p_top", ascending=False)
        tops[form] = list(h["factor"][: robust.top])
    if len({frozenset(v) for v in tops.values()}) <= 1:
        return []
    return ["The model forms disagree: " + "; ".join(f"{form}: {_names(v, exp)}" for form, v in tops.items()) + "."]


def _driver_sentence(robust: RobustRanking, exp: Experiment, output: str) -> list[str]:
    """The uncertain parameters that change the ranking beyond chance, or that none does."""
    f = robust.flips[robust.flips["output"] == output] if len(robust.flips) else robust.flips
    if not len(f):
        return []
    moving = f[f["beyond_chance"]]
    if not len(moving):
        top = f.iloc[0]
        return [f"No uncertain parameter changes the top {robust.top} beyond what random splits of the runs do "
                f"(largest: {_input_path(exp, top['input'])}, flip {_p(top['flip'])}, p = {top['p_value']:.3f} "
                f"against the {0.05 / len(f):.2g} needed for {len(f)} parameters)."]
    return [f"The uncertain parameters that change it beyond chance: "
            + "; ".join(_moves(r, exp) for r in moving.head(_FLIPS_SHOWN).itertuples()) + "."]


def _moves(r, exp: Experiment, named: bool = True) -> str:
    """What one uncertain parameter moves: the obstacle and its probability in the first and last part."""
    return ((f"{_input_path(exp, r.input)} moves " if named else "")
            + f"{exp.labels.get(r.factor, r.factor)} from {_p(r.p_first)} ({r.first_low:.3g} to {r.first_high:.3g}) "
              f"to {_p(r.p_last)} ({r.last_low:.3g} to {r.last_high:.3g}) under {r.policy}")


def _strength_sentence(robust: RobustRanking, exp: Experiment, output: str) -> list[str]:
    """The uncertain groups (and the seed) whose total effect beats the k-th strongest obstacle's."""
    e = robust.effects
    if not len(e):
        return []
    e = e[(e["output"] == output) & (e["policy"] == ALL_FORMS)].sort_values("st", ascending=False)
    obstacles = e[e["ranked"]]
    if len(obstacles) < robust.top:
        return []
    kth = obstacles.iloc[robust.top - 1]
    strong = e[~e["ranked"] & (e["st"] >= kth["st"])]
    if not len(strong):
        return []
    named = [f"{exp.labels.get(r.factor, r.factor)} (ST {r.st:.2f})" for r in strong.itertuples()]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return [f"What we do not know weighs as much as the obstacles: {listed} "
            f"{'has' if len(strong) == 1 else 'have'} a total effect at least that of the obstacle ranked "
            f"{robust.top} ({exp.labels.get(kth['factor'], kth['factor'])}, ST {kth['st']:.2f}; means of the "
            f"model forms)."]


def _probability_table(robust: RobustRanking, exp: Experiment, output: str) -> list[str]:
    """Per obstacle: P(top k) with its interval, per form, the range over parts, rank, ST, verdict."""
    k = robust.top
    t = _table(robust, output)
    every = t[t["policy"] == ALL_FORMS].sort_values("p_top", ascending=False)
    by_form = {form: t[t["policy"] == form].set_index("factor") for form in robust.forms}
    header = ["obstacle", f"P(top {k}) [interval]", *robust.forms, f"in a {_part_word(exp)} (lowest to highest)",
              "median rank", "ST (mean of forms)", "verdict"]
    rows = []
    for r in every.itertuples():
        rows.append([exp.labels.get(r.factor, r.factor), f"{_p(r.p_top)} [{_p(r.lo)}, {_p(r.hi)}]",
                     *(_p(by_form[form].loc[r.factor, "p_top"]) for form in robust.forms),
                     f"{_p(r.part_min)} to {_p(r.part_max)}", f"{r.median_rank:.1f}", f"{r.st:.3f}",
                     VERDICT_WORDS[r.verdict].format(k=k)])
    return [render_table(header, rows, markdown=True), ""]


def _flip_table(robust: RobustRanking, exp: Experiment, output: str, explain: bool = True) -> list[str]:
    """The uncertain parameters that change the top k most (largest flip first)."""
    f = robust.flips[robust.flips["output"] == output].head(_FLIPS_SHOWN) if len(robust.flips) else robust.flips
    if not len(f):
        return []
    splits, n = exp.spec.robust.splits, int((robust.flips["output"] == output).sum())
    lines = [f"Uncertain parameters that change the top {robust.top} most. The *flip* is the share of the top "
             f"{robust.top} that changes between the {'halves' if exp.spec.robust.parts == 2 else 'parts'} of the "
             f"parameter's range (0: the same "
             f"obstacles, 1: others entirely), the larger of the model forms; the p-value compares it with {splits} "
             f"random splits of the same runs into parts of the same sizes, and *beyond chance* means p x {n} (the "
             f"uncertain parameters) <= 0.05. *What moves most*: the obstacle whose probability changes most, in "
             f"the lowest and the highest {_part_word(exp)} (the parameter's values in brackets).", ""] \
        if explain else [f"Uncertain parameters that change the top {robust.top} most:", ""]
    rows = [[_input_path(exp, r.input), _p(r.flip), f"{r.p_value:.3f}", "yes" if r.beyond_chance else "no",
             _moves(r, exp, named=False)] for r in f.itertuples()]
    return lines + [render_table(["uncertain parameter", "flip", "p-value", "beyond chance", "what moves most"],
                                 rows, markdown=True), ""]


def _other_outputs(robust: RobustRanking, exp: Experiment) -> list[str]:
    """P(top k) of every obstacle for every output (all forms), and whether each output's top k is robust."""
    outputs = list(dict.fromkeys(robust.probabilities["output"]))
    if len(outputs) < 2:
        return []
    every = robust.probabilities[robust.probabilities["policy"] == ALL_FORMS]
    header = ["obstacle", *outputs]
    rows = []
    for g in robust.ranked:
        cells = [every[(every["output"] == o) & (every["factor"] == g)].iloc[0] for o in outputs]
        rows.append([exp.labels.get(g, g), *(f"{_p(c.p_top)} [{_p(c.lo)}, {_p(c.hi)}]" for c in cells)])
    rows.append([f"top {robust.top} robust?", *("yes" if robust.robust(o) else "no" for o in outputs)])
    return [f"P(top {robust.top}) [interval] for every output (all model forms):", "",
            render_table(header, rows, markdown=True), ""]


def robust_lines(robust: RobustRanking, exp: Experiment) -> list[str]:
    """summary.md's section on the robust ranking: the verdict in plain words, how to read the
    probabilities, the headline output's table and flips, and every output side by side.

    Args:
        robust: what `coopsim.analysis.robust_ranking.robust_ranking` found.
        exp: the experiment (labels, outputs, settings).

    Returns:
        Markdown lines.
    """
    outputs = list(dict.fromkeys(robust.probabilities["output"])) if len(robust.probabilities) else []
    lines = [f"## Does the ranking survive what we do not know? (top {robust.top})", ""]
    if not outputs:
        return lines + ["No robust ranking could be computed (see the notes)."] + [f"- {n}" for n in robust.notes] \
            + [""]
    for output in outputs:
        lines += _verdict_lines(robust, exp, output)
    lines += _reading(robust, exp)
    headline = outputs[0]
    lines += [f"### {headline}: {words(headline)}", ""]
    lines += _probability_table(robust, exp, headline) + _flip_table(robust, exp, headline)
    lines += _other_outputs(robust, exp)
    for output in outputs[1:]:
        lines += [f"### {output}: {words(output)}", ""] + _flip_table(robust, exp, output, explain=False)
    lines += [f"- {n}" for n in robust.notes] + ([""] if robust.notes else [])
    lines += [f"Verdicts: *in the top {robust.top}*: probability at least {ROBUST_IN} under every model form and at "
              f"least {PART_MAJORITY} in every part of the uncertain parameters that change the ranking beyond "
              f"chance; *not in the top {robust.top}*: at most {ROBUST_OUT} and at most {PART_MAJORITY} there; "
              f"*uncertain* otherwise. Files: robust_probabilities.csv, robust_parts.csv, robust_flips.csv, "
              f"robust_effects.csv (the total effect of every group, uncertain ones included), figures/robust_*.png.",
              ""]
    return lines


@styled
def robust_figure(robust: RobustRanking, exp: Experiment, output: str) -> Figure:
    """P(top k) of every obstacle for one output: over every model form with its interval, each
    form's own probability, and the range over the parts of the uncertain parameters.

    Args:
        robust: the robust ranking.
        exp: the experiment (labels).
        output: which output.

    Returns:
        The matplotlib Figure.
    """
    t = _table(robust, output)
    every = t[t["policy"] == ALL_FORMS].sort_values("p_top")
    pos = np.arange(len(every))
    fig, ax = new_figure(7, 0.45 * len(every) + 2.2)
    ax.hlines(pos, every["part_min"], every["part_max"], color="0.8", lw=6,
              label=f"lowest to highest in a {_part_word(exp)} of an uncertain parameter's range (chance included)")
    ax.errorbar(every["p_top"], pos, xerr=[every["p_top"] - every["lo"], every["hi"] - every["p_top"]], fmt="o",
                color=PALETTE[0], capsize=3, label=f"all model forms ({int(exp.spec.method.conf_level * 100)}% "
                                                    f"interval)", zorder=3)
    for j, form in enumerate(robust.forms):
        h = t[t["policy"] == form].set_index("factor").reindex(every["factor"])
        ax.plot(h["p_top"], pos, _MARKERS[j % len(_MARKERS)], ms=4, color=PALETTE[(j + 1) % len(PALETTE)],
                label=f"model form: {form}", zorder=4)
    ax.axvline(robust.top / len(robust.ranked), color="k", ls="--", lw=1, label="chance")
    ax.set_yticks(pos, [wrap(exp.labels.get(f, f), 40) for f in every["factor"]])
    ax.set_xlim(-0.03, 1.03)
    ax.set_xlabel(f"probability of ranking in the top {robust.top} by total effect ST")
    ax.set_title(wrap(f"Robust ranking of the obstacles: {output_words(output)}", 70))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def robust_figures(robust: RobustRanking, exp: Experiment, folder: Path) -> list[str]:
    """Draw the robust ranking of every output, each as PNG (200 dpi) and PDF.

    Args:
        robust: the robust ranking.
        exp: the experiment.
        folder: where to write them (created).

    Returns:
        The PNG file names written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    outputs = list(dict.fromkeys(robust.probabilities["output"])) if len(robust.probabilities) else []
    return [save_figure(robust_figure(robust, exp, o), folder / f"robust_{slug(o)}.png").name for o in outputs]
