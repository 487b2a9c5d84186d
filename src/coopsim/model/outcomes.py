"""What a run produced, reduced to the numbers researchers and planners compare."""

from __future__ import annotations

import numpy as np

from coopsim.config.vocabulary import FAILURE_CAUSES, HORIZONS, MODEL_OUTPUTS
from coopsim.model.results import HISTORY
from coopsim.model.partnerships import ACTIVE, CAUSES, COMPLETED, ENDED, STAGNANT

__all__ = ["OUTPUTS", "summarize", "failure_hazard", "survival_at", "cohort_survival_at", "failure_times"]

OUTPUTS = MODEL_OUTPUTS


def summarize(model) -> dict[str, float]:
    """Scalar outcomes of one run (`OUTPUTS`, in this order)."""
    e, n, spy = model.partnerships, model.partnerships.n, model.steps_per_year
    signed = e.signed()
    stage = e.stage[:n]
    n_signed = int(signed.sum())
    # a partnership concluded because its purpose was achieved has not failed
    failed = signed & ((stage == STAGNANT) | ((stage == ENDED) & (e.end_cause[:n] != COMPLETED)))
    # failures by cause: each stagnation, plus each active partnership that ended (lapsed
    # unrenewed, left by its partner, dropped for other priorities); a dormant one that later
    # ends is not counted twice, and a completed one is no failure
    causes = np.bincount(model.history_causes("stagnated"), minlength=len(CAUSES)).astype(float)
    k = HISTORY.index(f"quit_{CAUSES[0]}")
    causes += model.history[: model.t, k:k + len(CAUSES)].sum(axis=0)
    causes_completed = causes[COMPLETED]
    new = signed & (e.t_mou[:n] >= 0)
    out = {
        "share_failed": failed.sum() / n_signed if n_signed else np.nan,
        "mean_active_lifetime": e.active_quarters[:n][signed].mean() / spy if n_signed else np.nan,
        "benefits": float(e.benefits[:n].sum()),
        "signed": float(new.sum()),
        "active_end": float((stage == ACTIVE).sum()),
        **{f"survival_{k}y": survival_at(model, k) for k in HORIZONS},
        **{f"cohort_survival_{k}y": cohort_survival_at(model, k) for k in HORIZONS},
        "spending": float(e.spending[:n].sum()),
        "junkets": float(e.junkets[:n].sum()),
        "misjudged_share": float(e.misjudged[:n].mean()) if n else np.nan,
        "clarity": float(e.clarity[:n][signed].mean()) if n_signed else np.nan,
        "completed": float(causes_completed),
    }
    for i, cause in enumerate(CAUSES):
        if cause in FAILURE_CAUSES:
            out[f"failures_{cause}"] = float(causes[i])
    out["failure_hazard"] = failure_hazard(sum(out[f"failures_{c}"] for c in FAILURE_CAUSES),
                                           e.active_quarters[:n], spy)
    return out


def failure_hazard(failures: float, active_quarters: np.ndarray, steps_per_year: int) -> float:
    """Failures per active partnership-year: the failures of a run (all causes) over the years
    its partnerships spent active in it, their exposure (NaN when nothing was ever active).

    Args:
        failures: failures during the run (stagnations and ends that were not a purpose achieved).
        active_quarters: per partnership, steps it was active during the run.
        steps_per_year: steps in a year.

    Returns:
        The hazard (failures per partnership-year).
    """
    exposure = float(np.sum(active_quarters)) / steps_per_year
    return float(failures) / exposure if exposure > 0 else float("nan")


def failure_times(model) -> tuple[np.ndarray, np.ndarray]:
    """Signing step (its latest signing) and step of the first failure (stagnation, or an
    ending that was not a purpose achieved) after it, of every partnership (inf if none), read
    from the event log: a partnership that stagnated, revived and stagnated again is dated by
    its first stagnation."""
    e, n = model.partnerships, model.partnerships.n
    t_sign = e.t_mou[:n]
    return t_sign, _failed_after(e, np.maximum(t_sign, 0))


def _failed_after(e, since: np.ndarray) -> np.ndarray:
    """Step of each partnership's first stagnation or ending at or after `since` (inf if none)."""
    ev = e.events()
    failure = (ev["stage"] == STAGNANT) | ((ev["stage"] == ENDED) & (ev["cause"] != COMPLETED))
    failure &= ev["t"] >= since[ev["row"]]
    out = np.full(e.n, np.inf)
    np.minimum.at(out, ev["row"][failure], ev["t"][failure])
    return out


def cohort_survival_at(model, years: int, counted: np.ndarray | None = None) -> float:
    """Share of the partnerships active at the start of the run (the cohort signed before it)
    that are active `years` later (its stage recorded then: `CoopModel.cohort_stage`; one that
    stalled and was revived counts as active); NaN when the run is shorter, `years` is not one
    of `HORIZONS`, or none was active. Its members are fixed at the start, so a lever that
    changes how many partnerships form does not change who is counted (unlike `survival_at`).

    Args:
        model: a finished (or running) model.
        years: years after the start (one of `HORIZONS`).
        counted: a mask of the partnerships to count (e.g. one region's); all when None.
    """
    stage = model.cohort_stage.get(years)
    if stage is None:
        return float("nan")
    keep = np.ones(len(stage), dtype=bool) if counted is None else counted[model.start_active]
    return float((stage[keep] == ACTIVE).mean()) if keep.any() else float("nan")


def survival_at(model, years: float, counted: np.ndarray | None = None) -> float:
    """Share of partnerships signed during the run, at least `years` before its end, that
    were still active (not stagnant, not ended) `years` after signing; NaN when none is old
    enough (first failure after signing: `failure_times`).

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
