"""`coopsim compare` in pictures and opening lines, in the reader's language: the lines that say
what is compared (printed before the runs, and at the top of summary.md), the note on a focus
region's few partnerships, and the figures (survival, effects, failures by cause, stages), from
the tables of `coopsim.analysis.comparison`. The written comparison itself (conclusion, tables,
glossary) is `coopsim.reporting.decision`.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from coopsim.analysis.robust_levers import INTERVAL, RobustFindings
from coopsim.analysis.survival import mean_survival
from coopsim.config.vocabulary import FAILURE_CAUSES, STAGES, Outcome
from coopsim.reporting.decision import (Numbers, Setting, change_words, focus_words, name_of, outcome_words,
                                       render_table, source_words)
from coopsim.reporting.figures import stage_stock
from coopsim.reporting.i18n import Messages
from coopsim.reporting.plotstyle import DPI, new_figure, save_figure, stage_words, styled, wrap
from coopsim.reporting.style import PALETTE, VERDICT_COLOURS

__all__ = ["render_table", "introduction", "region_note", "FIGURE_OUTCOMES", "survival_figure", "effects_figure",
           "failure_causes_figure", "stages_figure", "robust_figure", "comparison_figures", "figure_png",
           "make_figures"]


# --- the opening lines -----------------------------------------------------------------------------
def introduction(s: Setting, lang: str) -> list[str]:
    """What is compared, how, and what each scenario changes (the summary's first lines).

    Args:
        s: what is compared (`coopsim.reporting.decision.Setting`).
        lang: 'id' or 'en'.

    Returns:
        One line per statement (Markdown inline marks: `code`).
    """
    t = Messages(lang)
    head = [t("compare.intro", n=len(s.labels) - 1, base=s.labels[0], reps=s.reps, seed=s.seed, years=s.years,
              start=s.start_year),
            t("compare.paired"),
            t("compare.focus_region", region=s.region, query=s.region_query) if s.region else t("compare.focus_all")]
    for f, label, changed in zip(s.files[1:], s.labels[1:], s.changes):
        head.append(t("compare.changes", label=label, file=f, changes=", ".join(change_words(c, t) for c in changed))
                    if changed else t("compare.identical", label=label, file=f))
    if s.uncertain:
        head.append(t("compare.uncertain", draws=s.uncertain["draws"], reps=s.uncertain["reps"],
                      source=source_words(s.uncertain, t), obstacles=f"`{s.uncertain['source']['obstacles']}`"))
    if s.reps < 10:
        head.append(t("compare.rough", reps=s.reps))
    return head


def region_note(region: str, holdings: pd.Series | None, labels: list[str], lang: str) -> str:
    """How many partnerships the focus region holds (`coopsim.analysis.comparison.end_holdings`).

    Args:
        region: the focus region's name.
        holdings: mean partnerships held at the end per scenario label, or None when none ever.
        labels: scenario labels.
        lang: 'id' or 'en'.

    Returns:
        The note.
    """
    t = Messages(lang)
    if holdings is None:
        return t("compare.no_partnership", region=region)
    return t("compare.few", region=region, holdings=", ".join(
        f"{label} {Numbers(lang).number(holdings.get(label, 0), 1)}" for label in labels))


# --- figures -------------------------------------------------------------------------------------
#: Outcomes with a panel in effects.png (those the run's horizon reaches).
FIGURE_OUTCOMES = ("active_5y", "active_10y", "active_end", "survival_10y", "signed", "benefits", "spending",
                   "failures_total")


@styled
def survival_figure(km: pd.DataFrame, labels: list[str], focus: str, seed: int, lang: str = "en") -> Figure:
    """Survival curves of partnerships signed during the runs, mean over replications with a
    95% bootstrap band of that mean, one curve per scenario.

    Args:
        km: the survival table of the runs (`survival.parquet`).
        labels: scenario labels, the base first.
        focus: the region's name or 'all regional governments'.
        seed: master seed (the band's resampling).
        lang: the language of titles and legends.

    Returns:
        The matplotlib Figure.
    """
    t = Messages(lang)
    fig, ax = new_figure(7.5, 4.2)
    rng = np.random.default_rng([seed, 31337])
    reps = km["replication"].nunique()
    for s, label in enumerate(labels):
        curve = mean_survival(km[km["scenario"] == label], rng)
        if curve is None:
            continue
        c = PALETTE[s % len(PALETTE)]
        name = name_of(label) + (" " + t("figure.base_mark") if s == 0 else "")
        ax.step(curve.years, curve.mean, where="post", color=c, linewidth=2 if s == 0 else 1.5,
                label=wrap(t("figure.survival.legend", name=name, runs=curve.runs, reps=reps), 34))
        ax.fill_between(curve.years, curve.low, curve.high, step="post", color=c, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(t("figure.survival.x"))
    ax.set_ylabel(t("figure.survival.y"))
    ax.set_title(wrap(t("figure.survival.title", focus=focus), 70))
    if ax.get_legend_handles_labels()[0]:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    else:
        ax.text(0.5, 0.5, t("figure.survival.none"), ha="center", transform=ax.transAxes)
    return fig


def _effect_bars(ax, sub: pd.DataFrame, o: Outcome, policies: list[str], t: Messages, years: int) -> None:
    """One outcome's effects, a bar per lever coloured by its verdict, with 95% intervals."""
    scale = 100 if o.share else 1
    y = np.arange(len(policies))
    diff = sub["difference"].to_numpy(float) * scale
    lo, hi = sub["low"].to_numpy(float) * scale, sub["high"].to_numpy(float) * scale
    err = np.vstack([np.nan_to_num(diff - lo), np.nan_to_num(hi - diff)])
    ax.barh(y, np.nan_to_num(diff), color=[VERDICT_COLOURS[v] for v in sub["verdict_code"]], height=0.6)
    ax.errorbar(np.nan_to_num(diff), y, xerr=err, fmt="none", ecolor="k", capsize=4, linewidth=1)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y, [wrap(name_of(p), 24) for p in policies])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_title(wrap(outcome_words(o.key, t, years) + (" " + t("figure.effects.points") if o.share else ""), 45),
                 fontsize=9)


@styled
def effects_figure(effects: pd.DataFrame, labels: list[str], table: list[Outcome], focus: str,
                   lang: str = "en", years: int | None = None) -> Figure:
    """Effect of each lever on each main outcome (`FIGURE_OUTCOMES`), one panel per outcome.

    Args:
        effects: `coopsim.analysis.comparison.effects_table`.
        labels: scenario labels, the base first.
        table: the outcomes compared.
        focus: the region's name or 'all regional governments'.
        lang: the language of titles and legends.
        years: the runs' horizon (names the last year's panel).

    Returns:
        The matplotlib Figure.
    """
    t = Messages(lang)
    by_key = {o.key: o for o in table}
    keys = [k for k in FIGURE_OUTCOMES if k in by_key]
    policies = labels[1:]
    ncol = 2 if len(keys) > 1 else 1
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = new_figure(10, 1.2 + nrow * (0.45 * len(policies) + 1.3), nrow, ncol, squeeze=False)
    for ax, key in zip(axes.flat, keys):
        _effect_bars(ax, effects[effects["outcome"] == key].set_index("scenario").loc[policies], by_key[key],
                     policies, t, years)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.legend(handles=[Patch(color=VERDICT_COLOURS[code], label=t(f"figure.effects.{code}"))
                        for code in ("gain", "loss", "higher", "unclear")], loc="outside lower center", ncols=4)
    fig.suptitle(t("figure.effects.title", base=name_of(labels[0]), focus=focus))
    return fig


@styled
def failure_causes_figure(effects: pd.DataFrame, labels: list[str], focus: str, lang: str = "en") -> Figure:
    """Effect of each lever on the failures of each binding cause, with 95% intervals.

    Args:
        effects: the effects table; labels: scenario labels, the base first; focus: for the
        title; lang: the language of titles and legends.

    Returns:
        The matplotlib Figure.
    """
    t = Messages(lang)
    policies = labels[1:]
    keys = [f"failures_{c}" for c in FAILURE_CAUSES]
    fig, ax = new_figure(7.5, 1.5 + len(FAILURE_CAUSES) * (0.2 + 0.18 * len(policies)))
    height = 0.8 / max(1, len(policies))
    y = np.arange(len(FAILURE_CAUSES))
    for j, label in enumerate(policies):
        sub = effects[(effects["scenario"] == label) & effects["outcome"].isin(keys)].set_index("outcome").loc[keys]
        diff = sub["difference"].to_numpy(float)
        err = np.vstack([np.nan_to_num(diff - sub["low"].to_numpy(float)),
                         np.nan_to_num(sub["high"].to_numpy(float) - diff)])
        pos = y - 0.4 + height * (j + 0.5)
        ax.barh(pos, np.nan_to_num(diff), height=height * 0.9, color=PALETTE[(j + 1) % len(PALETTE)],
                label=name_of(label))
        ax.errorbar(np.nan_to_num(diff), pos, xerr=err, fmt="none", ecolor="k", capsize=2, linewidth=0.8)
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y, [t(f"cause.{c}") for c in FAILURE_CAUSES])
    ax.invert_yaxis()
    ax.set_xlabel(t("figure.causes.x", base=name_of(labels[0])))
    ax.set_title(t("figure.causes.title", focus=focus))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    return fig


@styled
def stages_figure(stages: pd.DataFrame, labels: list[str], focus: str, lang: str = "en") -> Figure:
    """Stock of partnerships by stage over time, one panel per scenario.

    Args:
        stages: the stage table of the runs; labels: scenario labels, the base first; focus: for
        the title; lang: the language of titles and legends.

    Returns:
        The matplotlib Figure.
    """
    t = Messages(lang)
    words = {stage_words(x): t(f"stage.{x}") for x in STAGES}
    ncol = min(3, len(labels))
    nrow = math.ceil(len(labels) / ncol)
    fig, axes = new_figure(4.2 * ncol + 1.8, 3.3 * nrow, nrow, ncol, sharey=True, squeeze=False)
    for ax, label in zip(axes.flat, labels):
        stage_stock(ax, stages[stages["scenario"] == label])
        for line in ax.get_lines():
            line.set_label(words.get(line.get_label(), line.get_label()))
        ax.set_xlabel(t("figure.stages.x"))
        ax.set_ylabel(t("figure.stages.y"))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_title(name_of(label) + (" " + t("figure.base_mark") if label == labels[0] else ""))
    for ax in list(axes.flat)[len(labels):]:
        ax.axis("off")
    for ax in axes[:, 1:].flat:
        ax.set_ylabel("")
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside right upper")
    fig.suptitle(t("figure.stages.title", focus=focus))
    return fig


def _robust_panel(ax, robust: RobustFindings, key: str, s: Setting, t: Messages) -> None:
    """One outcome across the draws: each draw a dot, the median a diamond, 5-95% of draws a line."""
    o = s.outcome(key)
    scale = 100.0 if o.share else 1.0
    table = robust.lever_table(key)
    effects = robust.effects[robust.effects["outcome"] == key]
    jitter = np.random.default_rng([s.seed, 2718]).uniform(-0.18, 0.18, len(robust.draws))
    for y, r in enumerate(table.to_dict("records")):
        e = scale * effects[effects["scenario"] == r["scenario"]].sort_values("draw")["effect"].to_numpy(float)
        ax.hlines(y, scale * r["low"], scale * r["high"], color="0.25", linewidth=2, zorder=1)
        ax.scatter(e, y + jitter[:len(e)], s=12, color=PALETTE[3], alpha=0.6, linewidths=0, zorder=2)
        ax.scatter([scale * r["median"]], [y], marker="D", s=40, color=PALETTE[0], zorder=3)
    ax.axvline(0, color="k", linewidth=0.8, linestyle=":")
    ax.set_yticks(np.arange(len(table)), [wrap(name_of(x), 24) for x in table["scenario"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_xlabel(wrap(t("figure.robust.x", base=name_of(s.labels[0]))
                       + (" " + t("figure.effects.points") if o.share else ""), 50))
    ax.set_title(wrap(outcome_words(key, t, s.years), 45), fontsize=9)


@styled
def robust_figure(robust: RobustFindings, s: Setting, lang: str = "en") -> Figure:
    """Each lever's effect in every draw of the uncertain inputs, one panel per robust outcome,
    levers in the order of least regret.

    Args:
        robust: what the draws found (`coopsim.analysis.robust_levers.RobustFindings`).
        s: what was compared (labels, outcomes, region, seed, draws).
        lang: the language of titles and legends.

    Returns:
        The matplotlib Figure.
    """
    t = Messages(lang)
    keys = robust.outcomes
    fig, axes = new_figure(5.2 * len(keys) + 1, 1.6 + 0.45 * (len(s.labels) - 1), 1, len(keys), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        _robust_panel(ax, robust, key, s, t)
    fig.suptitle(wrap(t("figure.robust.title", draws=len(robust.draws), low=f"{INTERVAL[0]:g}",
                        high=f"{INTERVAL[1]:g}", focus=focus_words(s.region, t)), 110))
    return fig


def comparison_figures(effects: pd.DataFrame, stages: pd.DataFrame, km: pd.DataFrame, s: Setting,
                       lang: str, robust: RobustFindings | None = None) -> dict[str, Figure]:
    """Every figure of a comparison, in one language.

    Args:
        effects: the effects table; stages, km: the stage and survival tables of the runs.
        s: what was compared (labels, outcomes, region, seed, horizon).
        lang: 'id' or 'en'.
        robust: with `--uncertain`, what the draws found (adds robust_effects.png).

    Returns:
        File name -> Figure: effects, the effects across the draws (with `robust`), survival,
        failure causes, stages (in the order a reader needs them).
    """
    focus = focus_words(s.region, Messages(lang))
    out = {"effects.png": effects_figure(effects, s.labels, s.table, focus, lang, s.years)}
    if robust is not None:
        out["robust_effects.png"] = robust_figure(robust, s, lang)
    return out | {"survival.png": survival_figure(km, s.labels, focus, s.seed, lang),
                  "failure_causes.png": failure_causes_figure(effects, s.labels, focus, lang),
                  "stages.png": stages_figure(stages, s.labels, focus, lang)}


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (to embed in a page), cropped like the written files.

    Args:
        fig: the figure.
        dpi: resolution (a report needs less than the files' DPI).

    Returns:
        The PNG data.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=min(dpi, DPI), bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def make_figures(effects: pd.DataFrame, stages: pd.DataFrame, km: pd.DataFrame, s: Setting, out: Path,
                 lang: str, robust: RobustFindings | None = None) -> list[Path]:
    """Every figure of a comparison, written to `out` as PNG (200 dpi) and PDF.

    Args:
        effects: the effects table; stages, km: the stage and survival tables of the runs.
        s: what was compared.
        out: the results folder.
        lang: the language of titles and legends.
        robust: with `--uncertain`, what the draws found.

    Returns:
        The PNG files' paths (each has a PDF of the same name).
    """
    return [save_figure(fig, out / name)
            for name, fig in comparison_figures(effects, stages, km, s, lang, robust).items()]
