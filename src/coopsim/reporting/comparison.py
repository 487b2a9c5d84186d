"""`coopsim compare` in words and pictures: the summary (printed and summary.md) and the
figures (survival, effects, failures by cause, stages), from the tables of
`coopsim.analysis.comparison`."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from coopsim.analysis.survival import mean_survival
from coopsim.config.vocabulary import CAUSES, Outcome
from coopsim.reporting.figures import stage_stock
from coopsim.reporting.plotstyle import cause_words, name_words, new_figure, save_figure, styled, wrap
from coopsim.reporting.style import PALETTE, VERDICT_COLOURS

__all__ = ["fmt_value", "fmt_diff", "fmt_ratio", "render_table", "introduction", "region_note", "summary_text",
           "FIGURE_OUTCOMES", "survival_figure", "effects_figure", "failure_causes_figure", "stages_figure",
           "make_figures"]


# --- numbers and tables in text -----------------------------------------------------------------
def fmt_value(x: float, share: bool = False) -> str:
    """A mean for a table: a share in %, else with as many decimals as its size deserves."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if share:
        return f"{100 * x:.1f}%"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def _signed(v: float) -> str:
    return f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.2f}" if abs(v) < 10 else f"{v:+.1f}"


def fmt_diff(x: float, lo: float, hi: float, share: bool = False) -> str:
    """A difference with its interval, '+1.20 [+0.50, +2.00]' (shares in percentage points)."""
    if not np.isfinite(x):
        return "n/a"
    if share:
        body = f"{100 * x:+.1f} pp"
        return body + (f" [{100 * lo:+.1f}, {100 * hi:+.1f}]" if np.isfinite(lo) else "")
    return _signed(x) + (f" [{_signed(lo)}, {_signed(hi)}]" if np.isfinite(lo) else "")


def fmt_ratio(x: float, lo: float, hi: float) -> str:
    """A ratio with its interval, three significant digits."""
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.3g} [{lo:.3g}, {hi:.3g}]"


def render_table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    """A table as Markdown (pipe table) or as aligned plain text for the terminal."""
    if markdown:
        esc = [[c.replace("|", "\\|") for c in r] for r in [header] + rows]
        lines = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in esc[1:]])
    widths = [max(len(r[j]) for r in [header] + rows) for j in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    return "\n".join(lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows])


# --- the summary ---------------------------------------------------------------------------------
def introduction(labels: list[str], files: list[str], changes: list[list[str]], reps: int, seed: int,
                 years: int, start_year: int, region: str | None, region_query: str | None) -> list[str]:
    """What is compared, how, and what each scenario changes (the summary's first lines).

    Args:
        labels: scenario labels, the base first.
        files: their scenario files.
        changes: per scenario other than the base, the settings that differ from the base.
        reps, seed: replications and master seed.
        years, start_year: the horizon.
        region: the focus region's full name, or None for all regional governments.
        region_query: the name the user typed for it.

    Returns:
        One line per statement.
    """
    head = [f"Comparing {len(labels) - 1} scenario(s) against the base '{labels[0]}': "
            f"{reps} replications each, seed {seed}, {years} years from {start_year}.",
            "Common random numbers: replication i of every scenario runs with the same seed, and each "
            "mechanism draws from its own random stream, so each difference is measured on the same "
            "dice (paired) and comes from the lever, not from chance.",
            f"Focus: {region or 'all regional governments'}"
            + (f" (matched from '{region_query}'): only its own partnerships are counted." if region else ".")]
    for f, label, changed in zip(files[1:], labels[1:], changes):
        head.append(f"{label} ({f}) changes: {', '.join(changed)}." if changed else
                    f"Warning: {label} ({f}) is identical to the base apart from its name: did you change a lever?")
    if reps < 10:
        head.append(f"Note: intervals from {reps} replications are rough; use 30 or more.")
    return head


def region_note(region: str, holdings: pd.Series | None, labels: list[str]) -> str:
    """How many partnerships the focus region holds (`coopsim.analysis.comparison.end_holdings`)."""
    if holdings is None:
        return (f"Note: {region} has no partnership, at any stage, in any run of any scenario: "
                f"there is nothing to compare. Choose a region with partnerships (see ledger.parquet "
                f"of 'coopsim run').")
    return (f"{region} holds few partnerships (at the end, in any stage but ended, on average: "
            + ", ".join(f"{label} {holdings.get(label, 0):.1f}" for label in labels)
            + "): its results are noisier than national ones.")


def _heading(title: str, markdown: bool) -> list[str]:
    return [f"## {title}" if markdown else title, ""]


def _cause_lines(sub: pd.DataFrame) -> list[str]:
    """Causes whose failures a lever clearly changes (for the short, printed summary)."""
    def causes(code: str) -> list[str]:
        return [r.label.removeprefix("failures caused by ") for r in sub.itertuples()
                if r.verdict_code == code and r.Index.startswith("failures_") and r.Index != "failures_total"]

    out = [f"  {word} {', '.join(found)} failures (clear)"
           for word, found in (("fewer", causes("gain")), ("more", causes("loss"))) if found]
    return out + [""] if out else out


def _effects_section(effects: pd.DataFrame, table: list[Outcome], labels: list[str], label: str,
                     markdown: bool, full: bool) -> list[str]:
    """One scenario against the base: every outcome (full) or the main ones."""
    sub = effects[effects["scenario"] == label].set_index("outcome")
    shown = [o for o in table if full or not o.key.startswith("failures_") or o.key == "failures_total"]
    rows = [[o.label, fmt_value(r.base_mean, o.share), fmt_value(r.scenario_mean, o.share),
             fmt_diff(r.difference, r.low, r.high, o.share), r.verdict]
            for o, r in ((o, sub.loc[o.key]) for o in shown)]
    out = _heading(f"{label} against {labels[0]} (difference = {label} - {labels[0]}, 95% interval)", markdown)
    out += [render_table(["outcome", labels[0], label, "difference [95% interval]", "verdict"], rows, markdown), ""]
    return out if full else out + _cause_lines(sub)


def _ranking_section(ranking: pd.DataFrame, rank: Outcome, base: str, markdown: bool) -> list[str]:
    """Levers ranked, with what they buy per extra unit of budget."""
    k = rank.key
    rows = []
    for r in ranking.to_dict("records"):
        priced = r["costs_money"]
        per_unit = (fmt_ratio(r["benefits_per_budget_unit"], r["benefits_per_budget_unit_low"],
                              r["benefits_per_budget_unit_high"]) if priced else "no clear extra spending")
        per_100 = (fmt_diff(r[f"{k}_per_100_budget_units"], r[f"{k}_per_100_budget_units_low"],
                            r[f"{k}_per_100_budget_units_high"], rank.share) if priced else "-")
        rows.append([str(r["rank"]), r["scenario"], fmt_diff(r[k], r[f"{k}_low"], r[f"{k}_high"], rank.share),
                     fmt_diff(r["benefits"], r["benefits_low"], r["benefits_high"]),
                     fmt_diff(r["spending"], r["spending_low"], r["spending_high"]), per_unit, per_100])
    out = _heading(f"Ranking: which lever buys most ({rank.label}; effects against {base}, 95% intervals)",
                   markdown)
    out += [render_table(["rank", "scenario", f"effect on {k}", "effect on benefits", "extra spending",
                          "benefits per extra budget unit", f"{k} per 100 extra budget units"], rows, markdown), ""]
    return out + [f"{k}: {rank.label}.",
                  "Spending counts what the model's regions spend on their partnerships' programmes; "
                  "the running cost of a lever itself (a committee's meetings, a bureau's staff) is "
                  "not in the model: weigh it yourself."]


def summary_text(effects: pd.DataFrame, ranking: pd.DataFrame, table: list[Outcome], labels: list[str],
                 head: list[str], rank_by: str, markdown: bool, full: bool) -> str:
    """The comparison in words and tables.

    Args:
        effects: `coopsim.analysis.comparison.effects_table`.
        ranking: `coopsim.analysis.comparison.ranking_table`.
        table: the outcomes compared.
        labels: scenario labels, the base first.
        head: opening lines (`introduction`, and the region note).
        rank_by: the outcome that orders the ranking.
        markdown: Markdown (summary.md) or plain text (the terminal).
        full: every outcome (summary.md) or the main ones and the clear changes by cause (printed).

    Returns:
        The text, ending with a newline.
    """
    out = (["# Comparison of policy levers", ""] + [f"- {h}" for h in head] if markdown else list(head)) + [""]
    for label in labels[1:]:
        out += _effects_section(effects, table, labels, label, markdown, full)
    if len(ranking):
        out += _ranking_section(ranking, next(o for o in table if o.key == rank_by), labels[0], markdown)
    return "\n".join(out).rstrip() + "\n"


# --- figures -------------------------------------------------------------------------------------
#: Outcomes with a panel in effects.png (those the run's horizon reaches).
FIGURE_OUTCOMES = ("active_5y", "active_10y", "active_end", "survival_10y", "signed", "benefits", "spending",
                   "failures_total")


@styled
def survival_figure(km: pd.DataFrame, labels: list[str], focus: str, seed: int) -> Figure:
    """Survival curves of partnerships signed during the runs, mean over replications with a
    95% bootstrap band of that mean, one curve per scenario.

    Args:
        km: the survival table of the runs (`survival.parquet`).
        labels: scenario labels, the base first.
        focus: the region's name or 'all regional governments'.
        seed: master seed (the band's resampling).

    Returns:
        The matplotlib Figure.
    """
    fig, ax = new_figure(7.5, 4.2)
    rng = np.random.default_rng([seed, 31337])
    reps = km["replication"].nunique()
    for s, label in enumerate(labels):
        curve = mean_survival(km[km["scenario"] == label], rng)
        if curve is None:
            continue
        c = PALETTE[s % len(PALETTE)]
        ax.step(curve.years, curve.mean, where="post", color=c, linewidth=2 if s == 0 else 1.5,
                label=wrap(name_words(label) + (" (base)" if s == 0 else "") + f": {curve.runs} of {reps} runs "
                           "signed any", 34))
        ax.fill_between(curve.years, curve.low, curve.high, step="post", color=c, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years since the MoU was signed")
    ax.set_ylabel("share still active")
    ax.set_title(wrap(f"Survival of partnerships signed during the run ({focus}): mean over replications, "
                      "band: 95% interval", 70))
    if ax.get_legend_handles_labels()[0]:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    else:
        ax.text(0.5, 0.5, "no partnership was signed during any run", ha="center", transform=ax.transAxes)
    return fig


def _effect_bars(ax, sub: pd.DataFrame, o: Outcome, policies: list[str]) -> None:
    """One outcome's effects, a bar per lever coloured by its verdict, with 95% intervals."""
    scale = 100 if o.share else 1
    y = np.arange(len(policies))
    diff = sub["difference"].to_numpy(float) * scale
    lo, hi = sub["low"].to_numpy(float) * scale, sub["high"].to_numpy(float) * scale
    err = np.vstack([np.nan_to_num(diff - lo), np.nan_to_num(hi - diff)])
    ax.barh(y, np.nan_to_num(diff), color=[VERDICT_COLOURS[v] for v in sub["verdict_code"]], height=0.6)
    ax.errorbar(np.nan_to_num(diff), y, xerr=err, fmt="none", ecolor="k", capsize=4, linewidth=1)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y, [wrap(name_words(p), 24) for p in policies])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_title(wrap(o.label + (" (percentage points)" if o.share else ""), 45), fontsize=9)


@styled
def effects_figure(effects: pd.DataFrame, labels: list[str], table: list[Outcome], focus: str) -> Figure:
    """Effect of each lever on each main outcome (`FIGURE_OUTCOMES`), one panel per outcome.

    Args:
        effects: `coopsim.analysis.comparison.effects_table`.
        labels: scenario labels, the base first.
        table: the outcomes compared.
        focus: the region's name or 'all regional governments'.

    Returns:
        The matplotlib Figure.
    """
    by_key = {o.key: o for o in table}
    keys = [k for k in FIGURE_OUTCOMES if k in by_key]
    policies = labels[1:]
    ncol = 2 if len(keys) > 1 else 1
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = new_figure(10, 1.2 + nrow * (0.45 * len(policies) + 1.3), nrow, ncol, squeeze=False)
    for ax, key in zip(axes.flat, keys):
        _effect_bars(ax, effects[effects["outcome"] == key].set_index("scenario").loc[policies], by_key[key],
                     policies)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.legend(handles=[Patch(color=VERDICT_COLOURS["gain"], label="clear gain"),
                        Patch(color=VERDICT_COLOURS["loss"], label="clear loss"),
                        Patch(color=VERDICT_COLOURS["higher"], label="clearly higher/lower (spending)"),
                        Patch(color=VERDICT_COLOURS["unclear"], label="not distinguishable")],
               loc="outside lower center", ncols=4)
    fig.suptitle(f"Effect of each lever against {name_words(labels[0])} ({focus}): paired difference, "
                 "95% interval")
    return fig


@styled
def failure_causes_figure(effects: pd.DataFrame, labels: list[str], focus: str) -> Figure:
    """Effect of each lever on the failures of each binding cause, with 95% intervals.

    Args:
        effects: the effects table; labels: scenario labels, the base first; focus: for the title.

    Returns:
        The matplotlib Figure.
    """
    policies = labels[1:]
    keys = [f"failures_{c}" for c in CAUSES]
    fig, ax = new_figure(7.5, 1.5 + len(CAUSES) * (0.2 + 0.18 * len(policies)))
    height = 0.8 / max(1, len(policies))
    y = np.arange(len(CAUSES))
    for j, label in enumerate(policies):
        sub = effects[(effects["scenario"] == label) & effects["outcome"].isin(keys)].set_index("outcome").loc[keys]
        diff = sub["difference"].to_numpy(float)
        err = np.vstack([np.nan_to_num(diff - sub["low"].to_numpy(float)),
                         np.nan_to_num(sub["high"].to_numpy(float) - diff)])
        pos = y - 0.4 + height * (j + 0.5)
        ax.barh(pos, np.nan_to_num(diff), height=height * 0.9, color=PALETTE[(j + 1) % len(PALETTE)],
                label=name_words(label))
        ax.errorbar(np.nan_to_num(diff), pos, xerr=err, fmt="none", ecolor="k", capsize=2, linewidth=0.8)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y, [cause_words(c) for c in CAUSES])
    ax.invert_yaxis()
    ax.set_xlabel(f"change in failures per run (against {name_words(labels[0])}; negative = fewer)")
    ax.set_title(f"Failures by binding cause ({focus}), 95% intervals")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    return fig


@styled
def stages_figure(stages: pd.DataFrame, labels: list[str], focus: str) -> Figure:
    """Stock of partnerships by stage over time, one panel per scenario.

    Args:
        stages: the stage table of the runs; labels: scenario labels, the base first; focus: for the title.

    Returns:
        The matplotlib Figure.
    """
    ncol = min(3, len(labels))
    nrow = math.ceil(len(labels) / ncol)
    fig, axes = new_figure(4.2 * ncol + 1.8, 3.3 * nrow, nrow, ncol, sharey=True, squeeze=False)
    for ax, label in zip(axes.flat, labels):
        stage_stock(ax, stages[stages["scenario"] == label])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_title(name_words(label) + (" (base)" if label == labels[0] else ""))
    for ax in list(axes.flat)[len(labels):]:
        ax.axis("off")
    for ax in axes[:, 1:].flat:
        ax.set_ylabel("")
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside right upper")
    fig.suptitle(f"Partnerships by stage ({focus}): mean over replications, band: 5-95% of runs")
    return fig


def make_figures(effects: pd.DataFrame, stages: pd.DataFrame, km: pd.DataFrame, labels: list[str],
                 table: list[Outcome], focus: str, out: Path, seed: int) -> list[Path]:
    """Every figure of a comparison, written to `out` as PNG (200 dpi) and PDF.

    Args:
        effects: the effects table; stages, km: the stage and survival tables of the runs.
        labels: scenario labels, the base first.
        table: the outcomes compared.
        focus: the region's name or 'all regional governments' (for titles).
        out: the results folder.
        seed: master seed (the survival band's resampling).

    Returns:
        The PNG files' paths (each has a PDF of the same name): survival, effects, failure
        causes, stages.
    """
    return [save_figure(survival_figure(km, labels, focus, seed), out / "survival.png"),
            save_figure(effects_figure(effects, labels, table, focus), out / "effects.png"),
            save_figure(failure_causes_figure(effects, labels, focus), out / "failure_causes.png"),
            save_figure(stages_figure(stages, labels, focus), out / "stages.png")]
