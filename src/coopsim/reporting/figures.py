"""Figures for results folders (PNG, publication size): those of `coopsim run`, and the
pieces other commands' figures share (`stage_stock`, `mark_elections`, `save_figure`)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from coopsim.analysis.survival import survival_curve  # noqa: E402
from coopsim.config.vocabulary import CAUSES  # noqa: E402
from coopsim.reporting.style import STAGE_COLOURS  # noqa: E402

__all__ = ["stage_stock", "mark_elections", "run_figures", "save_figure"]


def stage_stock(ax, timeseries: pd.DataFrame, stages=("exploration", "loi", "mou", "active", "stagnant"),
                label_suffix: str = "", linestyle: str = "-") -> None:
    """Mean count of partnerships in each stage over time, with a 5-95% band over replications."""
    for stage in stages:
        col = f"n_{stage}"
        g = timeseries.groupby("year")[col]
        mean, lo, hi = g.mean(), g.quantile(0.05), g.quantile(0.95)
        ax.plot(mean.index, mean.values, linestyle, color=STAGE_COLOURS[stage], label=stage + label_suffix)
        ax.fill_between(mean.index, lo.values, hi.values, color=STAGE_COLOURS[stage], alpha=0.15)
    ax.set_xlabel("year")
    ax.set_ylabel("partnerships")


def mark_elections(ax, timeseries: pd.DataFrame) -> None:
    """A dotted vertical line at each step in which some region's head changed."""
    years = timeseries.loc[timeseries["turnovers"] > 0, "year"].unique()
    for i, y in enumerate(years):
        ax.axvline(y, color="k", alpha=0.25, linestyle=":", label="election" if i == 0 else None)


def run_figures(tables: dict[str, pd.DataFrame], scenario, out: Path) -> list[Path]:
    """The figures of `coopsim run`: stages over time, survival (institutionalised or not) and
    binding causes of failure.

    Args:
        tables: the replicated run's tables (`coopsim.run.runner.replicate`).
        scenario: the scenario run.
        out: the results folder.

    Returns:
        The figures' paths.
    """
    ts, ledger = tables["timeseries"], tables["ledger"]
    end_year = scenario.simulation.start_year + scenario.simulation.years
    paths = []

    fig, ax = plt.subplots(figsize=(8, 4.5))
    stage_stock(ax, ts)
    mark_elections(ax, ts)
    ax.set_title(f"Partnerships by stage ({scenario.name}, {ts['replication'].nunique()} replications)")
    ax.legend(ncol=3, fontsize=8)
    paths.append(save_figure(fig, out / "stages.png"))

    fig, ax = plt.subplots(figsize=(6, 4.5))
    institutional = ledger["joint_committee"] | (ledger["eff_institutionalisation"] >= 0.3)
    group = institutional.map({True: "institutionalised", False: "not institutionalised"})
    curves = survival_curve(ledger, scenario.simulation.years, scenario.simulation.start_year,
                            end_year, group=group)
    for name, g in curves.groupby("group"):
        ax.step(g["years"], g["survival"], where="post", label=f"{name} (n={int(g['n'].iloc[0])})")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years since MoU (or since start)")
    ax.set_ylabel("share still active")
    ax.set_title("Survival of signed partnerships")
    ax.legend(fontsize=8)
    paths.append(save_figure(fig, out / "survival.png"))

    fig, ax = plt.subplots(figsize=(7, 4.5))
    reps = ts["replication"].nunique()
    stag = np.array([ts[f"stagnated_{c}"].sum() for c in CAUSES]) / reps
    ended = np.array([ts[f"ended_{c}"].sum() for c in CAUSES]) / reps
    y = np.arange(len(CAUSES))
    ax.barh(y - 0.2, stag, height=0.4, label="stagnations", color=STAGE_COLOURS["stagnant"])
    ax.barh(y + 0.2, ended, height=0.4, label="endings (signed)", color=STAGE_COLOURS["ended"])
    ax.set_yticks(y, CAUSES)
    ax.invert_yaxis()
    ax.set_xlabel("per run (mean over replications)")
    ax.set_title("Binding cause of stagnation and ending")
    ax.legend(fontsize=8)
    paths.append(save_figure(fig, out / "failure_causes.png"))
    return paths


def save_figure(fig, path: Path, dpi: int = 120, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay the figure out (within `rect` of the canvas, if given), write it and close it.

    Args:
        fig: the matplotlib figure.
        path: the PNG file.
        dpi: resolution.
        rect: (left, bottom, right, top) share of the canvas the axes may use (room for a
            legend or title outside them).

    Returns:
        `path`.
    """
    fig.tight_layout(**({"rect": rect} if rect else {}))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path

