"""What a run produced, reduced to the numbers researchers and planners compare."""

from __future__ import annotations

import numpy as np

from coopsim.config.vocabulary import HORIZONS, MODEL_OUTPUTS
from coopsim.model.results import HISTORY
from coopsim.model.partnerships import ACTIVE, CAUSES, ENDED, LEGAL, STAGNANT

__all__ = ["OUTPUTS", "summarize", "survival_at", "failure_times"]

OUTPUTS = MODEL_OUTPUTS


def summarize(model) -> dict[str, float]:
    """Scalar outcomes of one run (`OUTPUTS`, in this order)."""
    e, n, spy = model.partnerships, model.partnerships.n, model.steps_per_year
    signed = e.signed()
    stage = e.stage[:n]
    n_signed = int(signed.sum())
    failed = signed & ((stage == STAGNANT) | (stage == ENDED))
    # failures of signed partnerships by binding cause: each stagnation, plus each active
    # partnership that lapsed at its term end without renewal (weak legal basis); a dormant
    # one that later lapses is not counted twice
    causes = np.bincount(model.history_causes("stagnated"), minlength=len(CAUSES)).astype(float)
    causes[LEGAL] += model.history[: model.t, HISTORY.index("lapsed_active")].sum()
    new = signed & (e.t_mou[:n] >= 0)
    out = {
        "share_failed": failed.sum() / n_signed if n_signed else np.nan,
        "mean_active_lifetime": e.active_quarters[:n][signed].mean() / spy if n_signed else np.nan,
        "benefits": float(e.benefits[:n].sum()),
        "signed": float(new.sum()),
        "active_end": float((stage == ACTIVE).sum()),
        **{f"survival_{k}y": survival_at(model, k) for k in HORIZONS},
        "spending": float(e.spending[:n].sum()),
        "junkets": float(e.junkets[:n].sum()),
        "misjudged_share": float(e.misjudged[:n].mean()) if n else np.nan,
        "clarity": float(e.clarity[:n][signed].mean()) if n_signed else np.nan,
    }
    for i, cause in enumerate(CAUSES):
        out[f"failures_{cause}"] = float(causes[i])
    return out


def failure_times(model) -> tuple[np.ndarray, np.ndarray]:
    """Signing step and step of the first failure (stagnation or ending) after it, of every
    partnership (inf if none). A partnership that stagnated, revived and stagnated again is
    dated by its latest stagnation: the model keeps one date per stage."""
    e, n = model.partnerships, model.partnerships.n
    t_sign = e.t_mou[:n]
    failed_at = np.minimum(np.where(e.t_stagnant[:n] >= t_sign, e.t_stagnant[:n], np.inf),
                           np.where(e.t_end[:n] >= t_sign, e.t_end[:n], np.inf))
    return t_sign, failed_at


def survival_at(model, years: float, counted: np.ndarray | None = None) -> float:
    """Share of partnerships signed during the run, at least `years` before its end, that
    were still active (not stagnant, not ended) `years` after signing; NaN when none is old
    enough. Dating by the latest stagnation slightly overstates survival (`failure_times`).

    Args:
        model: a finished (or running) model.
        years: years after signing.
        counted: a mask of the partnerships to count (e.g. one region's); all when None.
    """
    spy = model.steps_per_year
    t_sign, failed_at = failure_times(model)
    eligible = (t_sign >= 0) & (t_sign + years * spy <= model.t)
    if counted is not None:
        eligible &= counted
    if not eligible.any():
        return float("nan")
    alive = failed_at[eligible] > t_sign[eligible] + years * spy
    return float(alive.mean())
