"""What `coopsim validate` shows: one figure panel per pattern, the Markdown table and page.

The numbers come from `coopsim.analysis.validation`; this module only draws and formats them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coopsim.analysis.validation import (MECHANISMS, PatternRuns, case_active, hazard_since_election,
                                         mature_period, quiet_share, stage_counts, term_end_totals)
from coopsim.model.partnerships import ACTIVE, EXPLORATION, LOI
from coopsim.reporting.plotstyle import name_words, new_figure, save_figure, styled
from coopsim.reporting.style import STAGE_COLOURS

__all__ = ["SECTION_WORDS", "figure", "validation_figure", "format_table", "validation_markdown"]

# What runs on is drawn in the active stage's colour, what stalls in the stagnant one's.
GOOD, BAD, NEUTRAL = STAGE_COLOURS["active"], STAGE_COLOURS["stagnant"], STAGE_COLOURS["ended"]


def _band(ax, x, rows, colour, label) -> None:
    """Mean over replications with its 2.5-97.5% band."""
    rows = np.asarray(rows, dtype=float)
    ax.plot(x, np.nanmean(rows, axis=0), color=colour, label=label)
    lo, hi = np.nanpercentile(rows, [2.5, 97.5], axis=0)
    ax.fill_between(x, lo, hi, color=colour, alpha=0.2)


def _years(runs: PatternRuns, traces) -> np.ndarray:
    """Calendar year of each row of a trace (row 0: the start)."""
    sim = runs.scenario.simulation
    return sim.start_year + np.arange(traces[0].steps + 1) / sim.steps_per_year


def _quiet_panel(ax, runs: PatternRuns) -> None:
    x = _years(runs, runs.base)
    _band(ax, x, [quiet_share(tr) for tr in runs.base], BAD, "model")
    ax.axhspan(0.6, 0.8, color="grey", alpha=0.15, label="target 60-80%")
    ax.axvline(x[mature_period(runs.base[0]).start], color="k", lw=0.8, ls=":", label="mature period")
    ax.set(title="1. ever-signed partnerships not active", ylabel="share", ylim=(0, 1))


def _funnel_panel(ax, runs: PatternRuns) -> None:
    x = _years(runs, runs.base)
    for stage, key, label in ((EXPLORATION, "exploration", "exploration"), (LOI, "loi", "LoI"),
                              (ACTIVE, "active", "active (signed MoU)")):
        _band(ax, x, stage_counts(runs.base, stage), STAGE_COLOURS[key], label)
    ax.set(title="2. funnel (data 2010-13: 17 : 13 : 20)", ylabel="partnerships")


def _cases_panel(ax, runs: PatternRuns) -> None:
    x = _years(runs, runs.cases)
    for name, colour in (("Kyoto-like", GOOD), ("Ismailiya-like", BAD)):
        ax.plot(x, case_active(runs.cases, name), color=colour, label=name)
    ax.set(title="3. Yogyakarta cases: share of runs active", ylabel="share of replications", ylim=(-0.02, 1.02))


def _election_panel(ax, runs: PatternRuns) -> None:
    spy = runs.scenario.simulation.steps_per_year
    horizon = 5 * spy
    for inst, colour, label in ((False, BAD, "no committee or bureau"), (True, GOOD, "committee or bureau")):
        hazard = hazard_since_election(runs.base, inst, horizon)
        ax.plot(np.arange(horizon) / spy, hazard, "o-", ms=3, color=colour, label=label)
    ax.axvspan(0, 1 + 1 / spy, color="grey", alpha=0.15, label="year after the election")
    ax.set(title="4. stagnation hazard after an election", xlabel="years since the last election",
           ylabel="stagnations per active quarter")


def _crisis_panel(ax, runs: PatternRuns) -> None:
    x = _years(runs, runs.base)
    shock = runs.crisis_scenario.shock
    _band(ax, x, stage_counts(runs.control, ACTIVE), NEUTRAL, "no crisis")
    _band(ax, x, stage_counts(runs.crisis, ACTIVE), BAD, "crisis")
    ax.axvspan(shock.crisis_year, shock.crisis_year + shock.duration_years, color=BAD, alpha=0.1)
    ax.set(title=f"5. crisis in {shock.crisis_year} ({shock.budget_cut:.0%} budget cut)",
           ylabel="active partnerships")


def _terms_panel(ax, runs: PatternRuns) -> None:
    table = term_end_totals(runs.base)
    labels = [f"{t}-year term" for t in table]
    renewed, lapsed = [v[0] for v in table.values()], [v[1] for v in table.values()]
    ax.bar(labels, renewed, color=GOOD, label="renewed")
    ax.bar(labels, lapsed, bottom=renewed, color=NEUTRAL, label="lapsed")
    ax.set(title="6. term ends: renewed or lapsed", ylabel=f"term ends ({len(runs.base)} runs)")


@styled
def validation_figure(runs: PatternRuns) -> Figure:
    """One panel per pattern: what the checks measure, over time, with bands over replications.

    Args:
        runs: the traced runs behind the checks.

    Returns:
        The matplotlib Figure.
    """
    fig, axes = new_figure(14, 8.5, 2, 3)
    panels = (_quiet_panel, _funnel_panel, _cases_panel, _election_panel, _crisis_panel, _terms_panel)
    for ax, panel in zip(axes.flat, panels):
        panel(ax, runs)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=7)
    for ax in axes.flat[:3].tolist() + [axes[1, 1]]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    fig.suptitle(f"Validation patterns: {name_words(runs.scenario.name)} ({len(runs.base)} replications)")
    return fig


def figure(runs: PatternRuns, path: Path) -> Path:
    """Write `validation_figure` as PNG (200 dpi) and PDF.

    Args:
        runs: the traced runs behind the checks.
        path: the PNG file to write (the PDF takes its name).

    Returns:
        `path`.
    """
    return save_figure(validation_figure(runs), path)


def _result(r) -> str:
    """'pass', 'FAIL' or 'not measurable' for one row of the table."""
    if not getattr(r, "measurable", True):
        return "not measurable"
    return "pass" if r.passed else "FAIL"


def format_table(table: pd.DataFrame) -> str:
    """Markdown table: pattern, check, target, value [95% interval], result (and, for a check
    the runs cannot show, why).

    Args:
        table: one row per check (`Check.row`).

    Returns:
        The table's Markdown.
    """
    lines = ["| # | check | target | model value [95% interval] | result |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        value = (f"{r.value:.3g} [{r.low:.3g}, {r.high:.3g}]" if getattr(r, "measurable", True)
                 else f"({getattr(r, 'note', '')})")
        lines.append(f"| {r.pattern} | {r.check} | {r.target} | {value} | {_result(r)} |")
    return "\n".join(lines)


SECTION_WORDS = {
    "calibration": ("Calibration fit",
                    "The targets calibration may use (`src/coopsim/data/evidence_split.toml`, [[calibration]]): "
                    "a good fit here is expected, not evidence."),
    "held_out": ("Held-out fit",
                 "Evidence no calibration computes ([[held_out]]): named partnerships and regions. "
                 "This is the validation; what fails is reported as it is."),
}


def _section(table: pd.DataFrame, row) -> str:
    """One part's heading, counts and table."""
    title, words = SECTION_WORDS[row.part]
    counts = (f"Patterns {row.patterns or '-'}: {row.patterns_passed} of {row.patterns_measured} measured patterns "
              f"pass; {row.passed} of {row.measurable} measurable checks pass"
              f"{f', {row.checks - row.measurable} not measurable in these runs' if row.checks > row.measurable else ''}.")
    part = table[table["part"] == row.part]
    body = format_table(part) if len(part) else "(no check)"
    return f"## {title}\n\n{words} {counts}\n\n{body}\n"


def validation_markdown(table: pd.DataFrame, sections: pd.DataFrame, scenario_name: str, scenario_file: str,
                        reps: int, seed: int) -> str:
    """`validation.md`: the settings, the calibration fit and the held-out fit (each a table),
    the figure and the mechanisms behind each pattern.

    Args:
        table: one row per check, with its part.
        sections: per part its counts (`coopsim.analysis.validation.section_summary`).
        scenario_name, scenario_file: what was validated.
        reps, seed: replications per scenario and master seed.

    Returns:
        The page's Markdown.
    """
    header = (f"# Validation of '{scenario_name}' ({scenario_file})\n\n"
              f"{reps} replications per scenario, seed {seed}. Intervals: 95% percentile "
              f"bootstrap over replications.\n\n")
    body = "\n".join(_section(table, row) for row in sections.itertuples())
    mechanisms = "\n".join(f"- Pattern {k}: {v}" for k, v in MECHANISMS.items())
    return (header + body + "\n![patterns](validation.png)"
            + "\n\n## Mechanisms producing each pattern\n\n" + mechanisms + "\n")
