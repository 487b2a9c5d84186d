"""Tables of a run (no file I/O): the partnership ledger with the paper's seven effectiveness
indicators, and the per-region table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.model.mechanisms.implementation import institutional_support
from coopsim.model.partnerships import ACTIVE, CAUSES, ENDED, STAGES, STAGNANT
from coopsim.model.population import SECTORS

__all__ = ["ledger", "region_table"]

# "culture;tourism"-style labels of every combination of sectors, indexed by bit mask
_SECTOR_LABELS = np.array([";".join(s for i, s in enumerate(SECTORS) if mask >> i & 1)
                           for mask in range(1 << len(SECTORS))], dtype=object)


def ledger(model) -> pd.DataFrame:
    """One row per partnership: parties, sectors, dates of each stage, end, cause and the
    paper's seven effectiveness indicators (Menakar Efektivitas)."""
    e, r, p, n = model.partnerships, model.regions, model.partners, model.partnerships.n
    start, spy = model.params.simulation.start_year, model.steps_per_year
    reg, par = e.region[:n], e.partner[:n]

    def year(col):
        t = getattr(e, col)[:n]
        return np.where(t > e.NEVER, start + t / spy, np.nan)

    mean_activity = e.activity_sum[:n] / np.maximum(e.active_quarters[:n], 1)
    total = e.spending[:n] + e.partner_spending[:n]
    own_share = np.divide(e.spending[:n], total, out=np.full(n, 0.5), where=total > 0)
    indicators = {
        "legalisation": (e.obligation[:n] + e.clarity[:n] + np.maximum(e.committee[:n], r.bureau[reg])
                         + r.diplomat[reg]) / 4,
        "programs": mean_activity,
        "system": np.clip(np.divide(e.benefits[:n], total, out=np.zeros(n), where=total > 0), 0, 1),
        "institutionalisation": institutional_support(model, np.arange(n)),
        "potential_map": e.data[:n] * (1 - 0.5 * e.misjudged[:n]),
        "community_benefit": (1 - np.divide(e.junkets[:n], e.spending[:n], out=np.zeros(n),
                                            where=e.spending[:n] > 0)) * r.community[reg],
        "balance": 1 - 2 * np.abs(own_share - 0.5),
    }
    frame = pd.DataFrame({
        "id": np.arange(n),
        "region": r.table["name"].to_numpy()[reg], "level": r.table["level"].to_numpy()[reg],
        "province": r.table["province"].to_numpy()[reg],
        "partner": p.name[par], "country": p.country[par],
        "case": np.array(model.case_names + [""], dtype=object)[e.case[:n]],
        "known": e.known[:n], "foreign_initiative": e.foreign_initiative[:n],
        "stage": np.array(STAGES)[e.stage[:n]], "signed": e.signed(),
        "explored": year("t_explore"), "loi": year("t_loi"), "mou": year("t_mou"),
        "stagnated": year("t_stagnant"), "ended": year("t_end"),
        "stage_since": year("t_stage"),
        "end_cause": np.where(e.end_cause[:n] >= 0, np.array(CAUSES)[e.end_cause[:n]], ""),
        "cause": np.where(e.cause[:n] >= 0, np.array(CAUSES)[e.cause[:n]], ""),
        "sectors": _SECTOR_LABELS[e.programs[:n] @ (1 << np.arange(len(SECTORS)))],
        "n_programs": e.n_programs[:n],
        "program_level": np.array(["low", "medium", "high"])[np.digitize(mean_activity, [0.4, 0.7])],
        "clarity": e.clarity[:n], "misjudged": e.misjudged[:n], "complementarity": e.comp[:n],
        "joint_committee": e.committee[:n], "dedicated_budget": e.dedicated[:n],
        "term_years": e.term_years[:n], "renewals": e.renewals[:n], "revivals": e.revivals[:n],
        "active_years": e.active_quarters[:n] / spy, "mean_activity": mean_activity,
        "benefits": e.benefits[:n], "spending": e.spending[:n], "junkets": e.junkets[:n],
        "partner_spending": e.partner_spending[:n],
    })
    for name, value in indicators.items():
        frame[f"eff_{name}"] = value
    frame["effectiveness"] = np.mean(list(indicators.values()), axis=0)
    return frame

def region_table(model) -> pd.DataFrame:
    """One row per regional government: its traits and its partnerships by stage, signed, benefits."""
    r, e, n = model.regions, model.partnerships, model.partnerships.n
    frame = r.table[["name", "level", "province", "island_group", "population", "hdi"]].copy()
    for trait in ("budget", "hr", "data", "bureaucracy", "alignment", "infrastructure", "dprd",
                  "community", "leader_commitment"):
        frame[trait] = getattr(r, trait)
    for trait in ("bureau", "legal", "mid_term_plan", "diplomat", "unelected", "growth_area"):
        frame[trait] = getattr(r, trait)
    for stage, label in ((ACTIVE, "active"), (STAGNANT, "stagnant"), (ENDED, "ended")):
        frame[f"n_{label}"] = np.bincount(e.region[:n][e.stage[:n] == stage], minlength=r.n)
    frame["n_signed"] = np.bincount(e.region[:n][e.signed()], minlength=r.n)
    frame["benefits"] = np.bincount(e.region[:n], weights=e.benefits[:n], minlength=r.n)
    return frame
