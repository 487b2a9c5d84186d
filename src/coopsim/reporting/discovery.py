"""Scenario discovery on paper: the figures (PRIM trade-off, box limits, feature scores) and
summary.md, from what `coopsim.analysis.discovery` returns."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coopsim.analysis.discovery import CartResult, ChosenBox
from coopsim.config.discovery import DiscoverySettings, PrimSettings
from coopsim.config.errors import UserError
from coopsim.config.experiment import DUMMY, SEED_INPUT
from coopsim.config.vocabulary import short_number
from coopsim.reporting.plotstyle import name_words, new_figure, output_words, save_figure, styled, wrap
from coopsim.reporting.style import PALETTE
from coopsim.run.executor import SweepReport

__all__ = ["DISCOVERY_FIGURES", "discovery_figures", "plot_discovery", "summary_text"]


# == figures ==================================================================================
#: The figures of a discovery: kind -> file name in figures/.
DISCOVERY_FIGURES = {"tradeoff": "prim_tradeoff.png", "limits": "prim_box_limits.png", "scores": "feature_scores.png"}


def _tradeoff_panel(fig, ax, b: ChosenBox, min_density: float) -> None:
    """One box's peeling trajectory: coverage against density, coloured by restricted inputs."""
    t = b.trajectory
    sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, zorder=2)
    ax.plot(t["coverage"], t["density"], color="0.75", lw=0.8, zorder=1)
    ch = t.loc[b.chosen_id]
    ax.scatter([ch["coverage"]], [ch["density"]], marker="*", s=220, facecolor="none", edgecolor=PALETTE[3],
               lw=1.5, zorder=3, label=f"chosen box (id {b.chosen_id})")
    if b.final_id != b.chosen_id:
        ax.scatter([b.stats["coverage"]], [b.stats["density"]], marker="D", s=60, color=PALETTE[3], zorder=3,
                   label="after dropping insignificant limits")
    ax.axhline(min_density, color=PALETTE[3], ls=":", lw=1, label=f"wanted density {min_density:g}")
    ax.set_xlabel("coverage (share of all cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(f"PRIM box {b.number}: peeling trajectory")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left")
    cb = fig.colorbar(sc, ax=ax, label="restricted inputs")
    cb.set_ticks(sorted(set(int(v) for v in t["res_dim"])))


def _tradeoff_figure(boxes: Sequence[ChosenBox], min_density: float, case_words: str) -> Figure:
    fig, axes = new_figure(5.4 * len(boxes), 4.6, 1, len(boxes), squeeze=False)
    for ax, b in zip(axes[0], boxes):
        _tradeoff_panel(fig, ax, b, min_density)
    fig.suptitle(wrap(f"Case of interest: {case_words}", 50 * len(boxes)))
    return fig


def _limit_bar(ax, y: int, number: int, r) -> None:
    """One restriction as a coloured bar within the input's range, with its values and quasi-p."""
    span = (r.full_max - r.full_min) or 1.0
    lo, hi = (r.min - r.full_min) / span, (r.max - r.full_min) / span
    if r.kind == "bool":
        lo, hi = (0.5, 1.0) if r.min > r.full_min else (0.0, 0.5)
    ax.plot([0, 1], [y, y], color="0.85", lw=6, solid_capstyle="butt")
    ax.plot([lo, hi], [y, y], color=PALETTE[(number - 1) % len(PALETTE)], lw=6, solid_capstyle="butt")
    if r.kind == "bool":
        text = "yes" if r.min > r.full_min else "no"
    else:
        n = short_number
        text = f"{n(r.min)} .. {n(r.max)}  (range {n(r.full_min)} .. {n(r.full_max)})"
    q = np.nanmax([r.qp_lower, r.qp_upper]) if np.isfinite([r.qp_lower, r.qp_upper]).any() else np.nan
    ax.text(1.03, y, text + (f"   quasi-p {q:.1g}" if np.isfinite(q) else ""), va="center", fontsize=7)


def _box_limits_figure(rows: list[tuple[int, object]], labels: dict[str, str]) -> Figure:
    """Every box's restrictions, normalised to each input's range."""
    fig, ax = new_figure(8.5, 0.42 * len(rows) + 1.3)
    names = []
    for y, (number, r) in enumerate(reversed(rows)):
        _limit_bar(ax, y, number, r)
        names.append(f"box {number}: {wrap(labels.get(r.input, name_words(r.input)), 40)}")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)), names)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 1], ["input's minimum", "maximum"])
    ax.set_title("PRIM box limits (coloured) within each input's range (grey)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig


def _score_cells(ax, vals: np.ndarray) -> None:
    """Each cell's score written in it, dark on light cells and light on dark ones."""
    top = np.nanmax(vals) if np.isfinite(vals).any() else 1
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6, color="black" if v > 0.6 * top else "white")


def _scores_figure(fs: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Heat map of the feature scores, inputs x outputs, the dummy marked as the noise floor."""
    fig, ax = new_figure(0.62 * fs.shape[1] + 4.5, 0.3 * fs.shape[0] + 3.2)
    vals = fs.to_numpy(dtype=float)
    im = ax.imshow(vals, cmap="viridis", aspect="auto", vmin=0)
    ax.set_xticks(range(fs.shape[1]), [wrap(output_words(c), 22) for c in fs.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(fs.shape[0]), [labels.get(i, "dummy (noise floor)" if i == DUMMY else name_words(i)) for i in fs.index],
                  fontsize=7)
    _score_cells(ax, vals)
    fig.colorbar(im, ax=ax, label="extra-trees feature score (column sums to 1)")
    ax.set_title("Which inputs matter for each output")
    return fig


@styled
def plot_discovery(boxes: Sequence[ChosenBox], scores: pd.DataFrame | None, kind: str = "tradeoff", *,
                   min_density: float = 0.5, case_words: str = "", labels: dict[str, str] | None = None) -> Figure:
    """One figure of a discovery, for a notebook (`Discovery.plot`) or the results folder.

    Args:
        boxes: the PRIM boxes; scores: the feature scores (inputs x outputs) or None.
        kind: "tradeoff" (each box's peeling trajectory), "limits" (the boxes' restrictions
            within each input's range) or "scores" (the feature scores' heat map).
        min_density: the wanted density (a line on the trade-off); case_words: the case of interest.
        labels: input name -> words (`Experiment.labels`); the names themselves when missing.

    Returns:
        The matplotlib Figure.

    Raises:
        UserError: an unknown kind, or one with nothing to draw (no box, no scores).
    """
    labels = labels or {}
    rows = [(b.number, r) for b in boxes for r in b.limits.itertuples()]
    draw = {"tradeoff": (bool(boxes), lambda: _tradeoff_figure(boxes, min_density, case_words)),
            "limits": (bool(rows), lambda: _box_limits_figure(rows, labels)),
            "scores": (scores is not None and scores.size > 0, lambda: _scores_figure(scores, labels))}
    if kind not in draw:
        raise UserError(f"discovery figure kind '{kind}' is not known; choose one of {', '.join(draw)}.")
    if not draw[kind][0]:
        raise UserError(f"nothing to draw for '{kind}': " + ("no feature scores." if kind == "scores"
                                                             else "PRIM found no box with restrictions."))
    return draw[kind][1]()


def discovery_figures(boxes: Sequence[ChosenBox], scores: pd.DataFrame | None, *, min_density: float,
                      case_words: str, folder: Path, labels: dict[str, str] | None = None) -> list[str]:
    """Draw the discovery's figures into `folder` (created if needed), each as PNG (200 dpi)
    and PDF.

    Args:
        boxes: the PRIM boxes; scores: the feature scores (inputs x outputs) or None.
        min_density: the wanted density (a line on the trade-off); case_words: the case of interest.
        folder: where the files go (the results folder's figures/).
        labels: input name -> words (`Experiment.labels`) for the axes.

    Returns:
        The figures made, as 'figures/NAME.png' (each has a PDF of the same name): prim_tradeoff
        and prim_box_limits when PRIM found a box, feature_scores when there are scores.
    """
    folder.mkdir(parents=True, exist_ok=True)
    drawable = {"tradeoff": bool(boxes), "limits": any(len(b.limits) for b in boxes),
                "scores": scores is not None and scores.size > 0}
    made = []
    for kind, name in DISCOVERY_FIGURES.items():
        if drawable[kind]:
            fig = plot_discovery(boxes, scores, kind, min_density=min_density, case_words=case_words, labels=labels)
            made.append(f"figures/{save_figure(fig, folder / name).name}")
    return made


# == summary.md ===============================================================================
def _design_lines(settings: DiscoverySettings, n_ok: int, n_case: int) -> list[str]:
    """Title, description, the case of interest and the design."""
    s, exp = settings.spec, settings.experiment
    lines = [f"# Scenario discovery: {exp.spec.name}", ""]
    if exp.spec.description:
        lines += [exp.spec.description, ""]
    return lines + [
        f"Case of interest: **{settings.case_words}** ({s.output} {s.direction} {short_number(s.threshold)}). "
        f"{n_case:,} of {n_ok:,} runs ({n_case / max(n_ok, 1):.0%}) are cases of interest.", "",
        f"Design: Latin hypercube of {s.points:,} points over {len(exp.inputs)} inputs "
        f"(policy '{settings.policy.name}'), {exp.spec.stochasticity.replications} replication(s) per "
        f"point, experiment seed {exp.spec.seed}; yes/no switches drawn as 0/1."
        + (f" {s.points - n_ok} run(s) failed or gave no value and are left out." if n_ok < s.points else ""),
        ""]


def _limits_rows(b: ChosenBox, declared: dict[str, tuple]) -> list[str]:
    """A box's restrictions as a Markdown table (from, to, the input's declared range, quasi-p)."""
    lines = ["| input | from | to | input's range | quasi-p |", "|---|---|---|---|---|"]
    for r in b.limits.itertuples():
        qs = [q for q in (r.qp_lower, r.qp_upper) if np.isfinite(q)]
        q = f"{max(qs):.2g}" if qs else ""
        if r.kind == "bool":
            lines.append(f"| {r.input} | {'yes' if r.min > r.full_min else 'no'} | | yes/no | {q} |")
        else:
            lo, hi = declared.get(r.input, (r.full_min, r.full_max))
            n = short_number
            lines.append(f"| {r.input} | {n(r.min) if r.min > r.full_min else ''} | "
                         f"{n(r.max) if r.max < r.full_max else ''} | {n(lo)} .. {n(hi)} | {q} |")
    return lines + [""]


def _box_lines(b: ChosenBox, p: PrimSettings, declared: dict[str, tuple]) -> list[str]:
    """One PRIM box: words, statistics, why it was chosen, its limits."""
    st = b.stats
    lines = [f"**Box {b.number}**: {b.words}.", "",
             f"- coverage {st['coverage']:.0%} (holds {st['k']:,} of the {st['cases_total']:,} cases of "
             f"interest), density {st['density']:.0%} (of its {st['n']:,} runs), mass {st['mass']:.1%} of "
             f"the runs" + (" (after box 1's runs are set aside)" if b.number > 1 else "") + "."]
    if not b.reached_density:
        lines.append(f"- No box on the trajectory reached the wanted density {p.min_density:.0%} with at most "
                     f"{p.max_dims} restricted inputs; this is the best balance of coverage and density.")
    if b.dropped:
        lines.append(f"- Chosen from box {b.chosen_id} of the peeling trajectory; limits dropped as not significant "
                     f"(quasi-p above {p.significance:g}): {'; '.join(b.dropped)}.")
    return lines + [""] + _limits_rows(b, declared)


def _prim_lines(settings: DiscoverySettings, boxes: Sequence[ChosenBox]) -> list[str]:
    """The PRIM section: every box, and why there is no further one."""
    p = settings.spec.prim
    declared = {i.short: tuple(i.bounds) for i in settings.experiment.inputs if i.bounds}
    lines = ["## PRIM boxes", ""]
    if not boxes:
        lines += ["PRIM found no box.", ""]
    for b in boxes:
        lines += _box_lines(b, p, declared)
    if boxes and boxes[-1].reached_density and len(boxes) < p.boxes:
        lines += [f"No further box: among the runs outside box {len(boxes)}, none reached density "
                  f"{p.min_density:.0%} with coverage of at least {p.min_coverage:.0%}.", ""]
    return lines


def _cart_lines(cart: CartResult | None, min_density: float) -> list[str]:
    """The CART section: the dense leaves, or the densest one."""
    if cart is None or not len(cart.boxes):
        return []
    cb = cart.boxes
    good = cb[cb["density"] >= min_density].sort_values("coverage", ascending=False)
    lines = ["## CART", ""]
    if len(good):
        lines += [f"Leaves of the classification tree where at least {min_density:.0%} of runs are "
                  f"cases of interest:", ""]
        for r in good.itertuples():
            lines.append(f"- {r.rule} (coverage {r.coverage:.0%}, density {r.density:.0%}, mass {r.mass:.1%})")
    else:
        best = cb.sort_values("density", ascending=False).iloc[0]
        lines.append(f"No leaf reaches density {min_density:.0%}; the densest: {best['rule']} "
                     f"(coverage {best['coverage']:.0%}, density {best['density']:.0%}).")
    return lines + ["", "The whole tree is in cart_tree.txt, every leaf in cart_boxes.csv.", ""]


def _score_lines(scores: pd.DataFrame | None) -> list[str]:
    """The feature-score section: per output, the inputs scoring above the dummy (noise floor)."""
    if scores is None or not scores.size:
        return []
    lines = ["## Feature scores (extra trees)", ""]
    floor = scores.loc[DUMMY] if DUMMY in scores.index else None
    for col in scores.columns:
        col_scores = scores[col].drop(labels=[DUMMY, SEED_INPUT], errors="ignore").sort_values(ascending=False)
        fl = float(floor[col]) if floor is not None and np.isfinite(floor[col]) else 0.0
        above = col_scores[col_scores > fl]
        top = ", ".join(f"{k} {v:.2f}" for k, v in above.head(4).items())
        lines.append(f"- **{col}**: " + (top or "nothing above the noise floor")
                     + (f" (dummy, the noise floor: {fl:.2f})" if floor is not None else "") + ".")
    return lines + [""]


def _closing_lines(report: SweepReport | None, notes: Sequence[str]) -> list[str]:
    """How the runs went, the notes and what the files hold."""
    lines = []
    if report is not None:
        lines += [f"Runs: {report.n_points:,} ({report.ran_points:,} this session, {report.skipped_chunks} of "
                  f"{report.n_chunks} chunks reused) in {report.seconds:.0f} s on {report.backend} "
                  f"x{report.workers}.", ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return lines + [
        "Files: prim_boxes.csv (limits and quasi-p of every chosen box), prim_trajectory.csv (every box "
        "on the peeling trajectories), cart_boxes.csv and cart_tree.txt, feature_scores.csv, figures/, "
        "outputs.parquet (inputs, outputs and case of interest per run), samples.parquet, manifest.json "
        "(how to repeat this).", ""]


def summary_text(settings: DiscoverySettings, *, valid: np.ndarray, case: np.ndarray,
                 boxes: Sequence[ChosenBox], cart: CartResult | None, scores: pd.DataFrame | None,
                 report: SweepReport | None = None, notes: Sequence[str] = ()) -> str:
    """summary.md of a discovery: the case of interest, the design, PRIM boxes, CART leaves,
    feature scores, how the runs went and notes.

    Args:
        settings: the discovery file and its experiment.
        valid: which runs count (succeeded and gave a value); case: which are cases of interest.
        boxes, cart, scores: what `coopsim.analysis.discovery` found.
        report: the sweep's report (None leaves out the line on the runs); notes: caveats.

    Returns:
        The Markdown text.
    """
    n_ok = int(valid.sum())
    n_case = int(case[valid].sum())
    lines = (_design_lines(settings, n_ok, n_case) + _prim_lines(settings, boxes)
             + _cart_lines(cart, settings.spec.prim.min_density) + _score_lines(scores)
             + _closing_lines(report, notes))
    return "\n".join(lines)
