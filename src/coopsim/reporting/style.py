"""Colours of every figure, chart and page, declared once (figures, reports, the class app).

A new stage or cause gets its colour here; a test checks that every stage, cause and verdict
has one.
"""

from __future__ import annotations

from coopsim.config.vocabulary import CAUSES, STAGES

__all__ = ["STAGE_COLOURS", "CAUSE_COLOURS", "VERDICT_COLOURS", "PALETTE", "INK", "MUTED", "PARTNER", "check_palettes"]

#: Stages of a partnership: cool while forming, green when active, warm when it stalls.
STAGE_COLOURS = {"exploration": "#9ecae1", "loi": "#6baed6", "mou": "#fdae6b", "active": "#31a354",
                 "stagnant": "#e6550d", "ended": "#636363"}
#: Binding causes of stagnation (Tableau 10: distinguishable, colour-blind tolerant).
CAUSE_COLOURS = dict(zip(CAUSES, ("#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
                                  "#bab0ac", "#59a14f", "#4e79a7", "#8cd17d", "#f28e2b")))
#: Verdicts of a paired comparison (coopsim.analysis.comparison.verdict codes).
VERDICT_COLOURS = {"gain": "#31a354", "loss": "#de2d26", "higher": "#3182bd", "lower": "#3182bd",
                   "unclear": "#969696", "same": "#969696", "too_few": "#969696"}
#: Series without a meaning of their own (policies, methods): Okabe-Ito, colour-blind safe.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: Regions with an active partnership, without one, and foreign partners (network and map views).
INK, MUTED, PARTNER = "#1f4e79", "#8aa9c9", "#b8860b"


def check_palettes() -> None:
    """Raise if a stage or cause has no colour (a real check, not an `assert` that -O strips)."""
    for name, palette, keys in (("STAGE_COLOURS", STAGE_COLOURS, STAGES), ("CAUSE_COLOURS", CAUSE_COLOURS, CAUSES)):
        missing = sorted(set(keys) - set(palette))
        if missing:
            raise RuntimeError(f"coopsim.reporting.style.{name} has no colour for {', '.join(missing)}")


check_palettes()
