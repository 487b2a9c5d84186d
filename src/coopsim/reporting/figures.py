"""Figures of a replicated run (`coopsim run`, the lecturer's notebook) and the pieces other
commands' figures share (`stage_stock`, `mark_elections`).

`run_figure` returns one figure (a notebook shows it); `run_figures` writes all three, each as
PNG (200 dpi) and PDF (`coopsim.reporting.plotstyle.save_figure`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coopsim.analysis.survival import survival_curve
from coopsim.config.errors import UserError
from coopsim.config.vocabulary import CAUSES
from coopsim.reporting.plotstyle import cause_words, name_words, new_figure, save_figure, stage_words, styled
from coopsim.reporting.style import STAGE_COLOURS

__all__ = ["stage_stock", "mark_elections", "run_figure", "run_figures", "RUN_FIGURES"]

#: The figures of a run: kind -> file name.
RUN_FIGURES = {"stages": "stages.png", "survival": "survival.png", "causes": "failure_causes.png"}


def stage_stock(ax, timeseries: pd.DataFrame, stages=("exploration", "loi", "mou", "active", "stagnant"),
                label_suffix: str = "", linestyle: str = "-") -> None:
    """Mean count of partnerships in each stage over time, with a 5-95% band over replications.

    Args:
        ax: the axes to draw on.
        timeseries: per-step counts (`CoopModel.timeseries()`, or stacked replications).
        stages: which stages.
        label_suffix: appended to each stage's name in the legend.
        linestyle: the lines' style.
    """
    for stage in stages:
        g = timeseries.groupby("year")[f"n_{stage}"]
        mean, lo, hi = g.mean(), g.quantile(0.05), g.quantile(0.95)
        ax.plot(mean.index, mean.values, linestyle, color=STAGE_COLOURS[stage], label=stage_words(stage) + label_suffix)
        ax.fill_between(mean.index, lo.values, hi.values, color=STAGE_COLOURS[stage], alpha=0.15, lw=0)
    ax.set_xlabel("year")
    ax.set_ylabel("partnerships")


def mark_elections(ax, timeseries: pd.DataFrame) -> None:
    """A dotted vertical line at each step in which some region's head changed."""
    years = timeseries.loc[timeseries["turnovers"] > 0, "year"].unique()
    for i, y in enumerate(years):
        ax.axvline(y, color="k", alpha=0.25, linestyle=":", label="election" if i == 0 else None)


def _replications(table: pd.DataFrame) -> int:
    """How many replications a table stacks (one when it has no `replication` column)."""
    return int(table["replication"].nunique()) if "replication" in table else 1


def _stages(tables: dict[str, pd.DataFrame], scenario) -> Figure:
    ts = tables["timeseries"]
    fig, ax = new_figure(7.5, 4.2)
    stage_stock(ax, ts)
    mark_elections(ax, ts)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Partnerships by stage: {name_words(scenario.name)} ({_replications(ts)} replication(s); "
                 "band: 5-95% of runs)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    return fig


def _survival(tables: dict[str, pd.DataFrame], scenario) -> Figure:
    ledger, sim = tables["ledger"], scenario.simulation
    fig, ax = new_figure(6.5, 4.2)
    institutional = ledger["joint_committee"] | (ledger["eff_institutionalisation"] >= 0.3)
    group = institutional.map({True: "institutionalised", False: "not institutionalised"})
    curves = survival_curve(ledger, sim.years, sim.start_year, sim.start_year + sim.years, group=group)
    for name, g in curves.groupby("group"):
        ax.step(g["years"], g["survival"], where="post", label=f"{name} (n = {int(g['n'].iloc[0])})")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years since the MoU (or since the start)")
    ax.set_ylabel("share still active")
    ax.set_title(f"Survival of signed partnerships: {name_words(scenario.name)}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def _causes(tables: dict[str, pd.DataFrame], scenario) -> Figure:
    ts = tables["timeseries"]
    reps = _replications(ts)
    stag = np.array([ts[f"stagnated_{c}"].sum() for c in CAUSES]) / reps
    ended = np.array([ts[f"ended_{c}"].sum() for c in CAUSES]) / reps
    fig, ax = new_figure(7, 4.2)
    y = np.arange(len(CAUSES))
    ax.barh(y - 0.2, stag, height=0.4, label="stagnations", color=STAGE_COLOURS["stagnant"])
    ax.barh(y + 0.2, ended, height=0.4, label="endings (signed partnerships)", color=STAGE_COLOURS["ended"])
    ax.set_yticks(y, [cause_words(c) for c in CAUSES])
    ax.invert_yaxis()
    ax.set_xlabel("per run (mean over replications)")
    ax.set_title(f"Binding cause of stagnation and ending: {name_words(scenario.name)}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


@styled
def run_figure(tables: dict[str, pd.DataFrame], scenario, kind: str = "stages") -> Figure:
    """One figure of a run: partnerships by stage over time (elections dotted), survival of
    signed partnerships (institutionalised or not), or the binding causes of failure.

    Args:
        tables: {"timeseries", "ledger"} of a run (`coopsim.replicate`, or one model's
            `timeseries()` and `ledger()`).
        scenario: the scenario run.
        kind: "stages", "survival" or "causes".

    Returns:
        The matplotlib Figure.
    """
    draw = {"stages": _stages, "survival": _survival, "causes": _causes}
    if kind not in draw:
        raise UserError(f"figure kind '{kind}' is not known; choose one of {', '.join(draw)}.")
    return draw[kind](tables, scenario)


def run_figures(tables: dict[str, pd.DataFrame], scenario, out: Path) -> list[Path]:
    """The figures of `coopsim run` (every kind of `run_figure`), each as PNG and PDF.

    Args:
        tables: the replicated run's tables (`coopsim.run.runner.replicate`).
        scenario: the scenario run.
        out: the results folder.

    Returns:
        The PNG files' paths (each has a PDF of the same name).
    """
    return [save_figure(run_figure(tables, scenario, kind), out / name) for kind, name in RUN_FIGURES.items()]
