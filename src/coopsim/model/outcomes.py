"""What a run produced, reduced to the numbers researchers and planners compare."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.config.vocabulary import MODEL_OUTPUTS
from coopsim.model.results import HISTORY
from coopsim.model.partnerships import ACTIVE, CAUSES, ENDED, LEGAL, STAGNANT

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
        "survival_5y": survival_at(model, 5),
        "survival_10y": survival_at(model, 10),
        "spending": float(e.spending[:n].sum()),
        "junkets": float(e.junkets[:n].sum()),
        "misjudged_share": float(e.misjudged[:n].mean()) if n else np.nan,
        "clarity": float(e.clarity[:n][signed].mean()) if n_signed else np.nan,
    }
    for i, cause in enumerate(CAUSES):
        out[f"failures_{cause}"] = float(causes[i])
    return out


def survival_at(model, years: float) -> float:
    """Share of partnerships signed during the run, at least `years` before its end, that
    were still active (not stagnant, not ended) `years` after signing. A partnership that
    stagnated, revived and stagnated again is dated by its latest stagnation (the model keeps
    one date per stage), so this slightly overstates survival; NaN when none is old enough."""
    e, n, spy = model.partnerships, model.partnerships.n, model.steps_per_year
    t_sign = e.t_mou[:n]
    eligible = (t_sign >= 0) & (t_sign + years * spy <= model.t)
    if not eligible.any():
        return float("nan")
    failed_at = np.minimum(np.where(e.t_stagnant[:n] >= t_sign, e.t_stagnant[:n], np.inf),
                           np.where(e.t_end[:n] >= t_sign, e.t_end[:n], np.inf))
    alive = failed_at[eligible] > t_sign[eligible] + years * spy
    return float(alive.mean())


def survival_curve(ledger: pd.DataFrame, horizon_years: float, start_year: float, end_year: float,
                   group: pd.Series | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival of signed partnerships: time from MoU (or from the run's start
    for those signed before it) to the latest stagnation or the ending, censored at the end
    of the run; optionally per group."""
    signed = ledger[ledger["signed"]].copy()
    clock = np.maximum(signed["mou"], start_year)
    fails = signed[["stagnated", "ended"]]
    first_fail = fails.where(fails.ge(clock, axis=0)).min(axis=1)  # not an older life's failure
    signed["event"] = first_fail.notna()
    signed["duration"] = np.where(signed["event"], first_fail - clock, end_year - clock)
    groups = signed.groupby(group.loc[signed.index]) if group is not None else [("all", signed)]
    grid = np.linspace(0, horizon_years, int(horizon_years * 4) + 1)
    rows = []
    for name, g in groups:
        surv = 1.0
        times = np.sort(g.loc[g["event"], "duration"].unique())
        km = {}
        for t in times:
            at_risk = (g["duration"] >= t).sum()
            events = ((g["duration"] == t) & g["event"]).sum()
            surv *= 1 - events / at_risk if at_risk else 1
            km[t] = surv
        keys = np.array(list(km))
        vals = np.array(list(km.values()))
        for t in grid:
            idx = np.searchsorted(keys, t, side="right") - 1
            rows.append({"group": name, "years": t, "survival": vals[idx] if idx >= 0 else 1.0,
                         "n": len(g)})
    return pd.DataFrame(rows)
