"""`coopsim oat` on paper: the plain-words opening, the table of paired effects, the forest
plot of the differences with their intervals, and the folder's tables (oat.csv, effects.csv),
from the numbers of `coopsim.analysis.oat`.

Shares (survival) are shown in percent and their differences in percentage points; counts
with one decimal; the failure hazard with three.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from coopsim.analysis.oat import VERDICTS
from coopsim.config.oat import ACCEPTANCE, MIN_REPLICATIONS, OatExperiment
from coopsim.config.vocabulary import OUTCOMES
from coopsim.reporting.decision import render_table
from coopsim.reporting.folders import write_text
from coopsim.reporting.plotstyle import new_figure, output_words, save_figure, styled, wrap
from coopsim.reporting.style import VERDICT_COLOURS

__all__ = ["OUTCOME_WORDS", "VERDICT_COLOUR", "outcome_label", "opening", "effects_rows", "summary_text",
           "forest_figure", "write_oat_files"]

#: Words of the outcomes whose vocabulary words need the reader's context here.
OUTCOME_WORDS = {
    "cohort_survival_10y": "10-year cohort survival (partnerships active at the start)",
    "survival_10y": "10-year survival of new signings (selection affects it)",
}
#: Colour of each verdict (the comparison's colours: a gain, a loss, unclear).
VERDICT_COLOUR = {"paper": VERDICT_COLOURS["gain"], "opposite": VERDICT_COLOURS["loss"],
                  "unclear": VERDICT_COLOURS["unclear"]}


def outcome_label(key: str) -> str:
    """An outcome in words for the table and the figure.

    Args:
        key: an outcome key (`coopsim.config.oat.OUTCOMES`).

    Returns:
        Its words, with the unit where it has one.
    """
    return OUTCOME_WORDS.get(key, output_words(key))


def _value(key: str, x: float, difference: bool = False) -> str:
    """A mean (or a difference, signed) in the outcome's unit."""
    if not np.isfinite(x):
        return "n/a"
    sign = "+" if difference else ""
    if OUTCOMES[key].share:
        return f"{100 * x:{sign}.1f} pp" if difference else f"{100 * x:.1f}%"
    return f"{x:{sign}.3f}" if key == "failure_hazard" else f"{x:{sign}.1f}"


def _interval(key: str, low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "[n/a]"
    scale, digits = (100, 1) if OUTCOMES[key].share else (1, 3 if key == "failure_hazard" else 1)
    return f"[{scale * low:.{digits}f}, {scale * high:.{digits}f}]"


def effects_rows(effects: pd.DataFrame, labels: dict[str, str]) -> list[list[str]]:
    """The table's rows: obstacle, outcome, weak mean, strong mean, difference [95% CI], n, verdict.

    Args:
        effects: `coopsim.analysis.oat.oat_effects`.
        labels: obstacle name -> label.

    Returns:
        Rows of cell texts (the obstacle named on its first row only).
    """
    rows, last = [], None
    for r in effects.itertuples():
        rows.append([labels.get(r.obstacle, r.obstacle) if r.obstacle != last else "", outcome_label(r.outcome),
                     _value(r.outcome, r.weak_mean), _value(r.outcome, r.strong_mean),
                     f"{_value(r.outcome, r.difference, True)} {_interval(r.outcome, r.low, r.high)}",
                     str(r.n), r.verdict])
        last = r.obstacle
    return rows


def _failure_words(fails: dict[str, list[str]], effects: pd.DataFrame, labels: dict[str, str]) -> str:
    """'staff capacity (HR) (10-year cohort survival: not distinguishable from 0)' for each failure."""
    verdict = effects.set_index(["obstacle", "outcome"])["verdict"]
    return "; ".join(f"{labels.get(name, name)} ("
                     + ", ".join(f"{outcome_label(key)}: {verdict[(name, key)]}" for key in keys) + ")"
                     for name, keys in fails.items())


def opening(exp: OatExperiment, effects: pd.DataFrame, fails: dict[str, list[str]]) -> str:
    """The first paragraph in plain words: does every obstacle act in the paper's direction, and
    which fail.

    Args:
        exp: the experiment (its obstacles, replications and whether they are below the
            recommended number).
        effects: `oat_effects`; fails: `coopsim.analysis.oat.failing`.

    Returns:
        The paragraph (Markdown).
    """
    n, acceptance = len(exp.spec.obstacles), " and ".join(outcome_label(k) for k in ACCEPTANCE)
    if not fails:
        text = (f"All {n} obstacles act in the paper's direction: moving each one from weak to strong raises "
                f"{acceptance}, each with a 95% interval that excludes 0.")
    else:
        text = (f"{len(fails)} of {n} obstacles do not move {acceptance} in the paper's direction with a 95% "
                f"interval excluding 0: {_failure_words(fails, effects, exp.labels)}. The other {n - len(fails)} "
                f"do.")
    text += f" Each difference is paired over {exp.reps} replications (common random numbers)."
    if exp.below_recommended:
        text += (f" **{exp.reps} replications is below the recommended {MIN_REPLICATIONS} (set with --reps): "
                 f"a quick look, not a result.**")
    return text


def summary_text(exp: OatExperiment, effects: pd.DataFrame, fails: dict[str, list[str]], repeat: str = "",
                 markdown: bool = True) -> str:
    """summary.md (or the terminal's version): the opening, how to read the table, the table.

    Args:
        exp: the experiment; effects: `oat_effects`; fails: `failing`.
        repeat: the command that repeats the experiment.
        markdown: Markdown, or plain text with an aligned table.

    Returns:
        The text.
    """
    header = ["obstacle", "outcome", "weak", "strong", "difference [95% CI]", "n", "verdict"]
    table = render_table(header, effects_rows(effects, exp.labels), markdown)
    if not markdown:
        return opening(exp, effects, fails).replace("**", "") + "\n\n" + table
    base = exp.scenario_path or exp.scenario.name
    lines = [f"# One at a time: {exp.spec.name}", "", opening(exp, effects, fails), "",
             f"Each obstacle is moved from its weak to its strong setting with every other parameter at the "
             f"base scenario's value (`{base}`). Replication i of both settings runs with the same seed "
             f"(master seed {exp.spec.seed}), so the difference strong - weak is paired; its 95% interval is a "
             f"t-interval over the n pairs with a value. Verdicts: *{VERDICTS['paper']}*, *{VERDICTS['unclear']}*, "
             f"*{VERDICTS['opposite']}*. The paper's direction is more active partnerships, more survival, more "
             f"signings and a lower failure hazard. Survival of new signings depends on which partnerships "
             f"form (selection): it is reported, but the cohort survival is the one to read. Shares are in "
             f"percent, their differences in percentage points (pp).", "", table, "",
             "Files: oat.csv (every run), effects.csv (this table in numbers), forest.png / forest.pdf.", ""]
    if repeat:
        lines += [f"Repeat: `{repeat}`", ""]
    return "\n".join(lines)


def _forest_panel(ax, sub: pd.DataFrame, key: str, names: list[str], labels: dict[str, str]) -> None:
    """One outcome's differences, a point per obstacle coloured by its verdict, with its interval."""
    scale = 100 if OUTCOMES[key].share else 1
    y = np.arange(len(names))
    sub = sub.set_index("obstacle").loc[names]
    diff = sub["difference"].to_numpy(float) * scale
    lo, hi = sub["low"].to_numpy(float) * scale, sub["high"].to_numpy(float) * scale
    colours = [VERDICT_COLOUR[v] for v in sub["verdict_code"]]
    ax.hlines(y, np.where(np.isfinite(lo), lo, diff), np.where(np.isfinite(hi), hi, diff), colors=colours,
              linewidth=1.6)
    ax.scatter(diff, y, c=colours, s=22, zorder=3)
    ax.axvline(0, color="k", linewidth=0.8)
    if not np.isfinite(diff).any():
        ax.text(0.5, 0.5, "no run measured it", ha="center", transform=ax.transAxes)
    ax.set_yticks(y, [wrap(labels.get(n, n), 28) for n in names])
    ax.invert_yaxis()
    better = "higher" if OUTCOMES[key].good > 0 else "lower"
    unit = " (pp)" if OUTCOMES[key].share else ""
    ax.set_title(wrap(f"{outcome_label(key)}{unit}; paper: {better}", 42), fontsize=9)


@styled
def forest_figure(effects: pd.DataFrame, labels: dict[str, str], reps: int) -> Figure:
    """Forest plot: each obstacle's difference strong - weak with its 95% interval, one panel
    per outcome, coloured by verdict.

    Args:
        effects: `oat_effects`.
        labels: obstacle name -> label, in the order of the rows.
        reps: replications per setting (for the title).

    Returns:
        The matplotlib Figure.
    """
    keys = list(dict.fromkeys(effects["outcome"]))
    names = [n for n in labels if n in set(effects["obstacle"])]
    ncol = min(3, len(keys))
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = new_figure(3.6 * ncol, 1.0 + nrow * (0.32 * len(names) + 1.0), nrow, ncol, squeeze=False,
                           sharey=True)
    for ax, key in zip(axes.flat, keys):
        _forest_panel(ax, effects[effects["outcome"] == key], key, names, labels)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.legend(handles=[Patch(color=VERDICT_COLOUR[c], label=VERDICTS[c]) for c in VERDICTS],
               loc="outside lower center", ncols=3)
    fig.suptitle(f"Each obstacle from weak to strong: paired difference (strong - weak), 95% interval, "
                 f"{reps} replications")
    return fig


def write_oat_files(out: Path, exp: OatExperiment, runs: pd.DataFrame, effects: pd.DataFrame,
                    fails: dict[str, list[str]], repeat: str = "") -> list[Path]:
    """oat.csv, effects.csv, summary.md and the forest plot (PNG and PDF) in `out`.

    Args:
        out: the (staging) results folder.
        exp: the experiment; runs: `coopsim.analysis.oat.run_table`; effects: `oat_effects`;
            fails: `failing`.
        repeat: the command that repeats the experiment (in summary.md).

    Returns:
        The files written (the figure's PNG only; its PDF is beside it).
    """
    runs.to_csv(out / "oat.csv", index=False)
    effects.assign(label=effects["obstacle"].map(exp.labels)).to_csv(out / "effects.csv", index=False)
    summary = write_text(out / "summary.md", summary_text(exp, effects, fails, repeat))
    figure = save_figure(forest_figure(effects, exp.labels, exp.reps), out / "forest.png")
    return [out / "oat.csv", out / "effects.csv", summary, figure]
