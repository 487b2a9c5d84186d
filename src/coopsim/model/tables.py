"""Tables of a run (no file I/O): the partnership ledger with the paper's seven effectiveness
indicators, and the per-region table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.model.mechanisms.implementation import institutional_support
from coopsim.model.partnerships import ACTIVE, CAUSES, ENDED, STAGES, STAGNANT
from coopsim.model.population import SECTORS

__all__ = ["ledger", "region_table", "events"]

# "culture;tourism"-style labels of every combination of sectors, indexed by bit mask
_SECTOR_LABELS = np.array([";".join(s for i, s in enumerate(SECTORS) if mask >> i & 1)
                           for mask in range(1 << len(SECTORS))], dtype=object)
_STAGE_LABELS = np.array(STAGES, dtype=object)
_CAUSE_LABELS = np.array(CAUSES + ("",), dtype=object)   # code -1 (no cause) is the last: ""
_LEVEL_LABELS = np.array(["low", "medium", "high"], dtype=object)


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
    indicators = _indicators(model, mean_activity)
    return pd.DataFrame({
        "id": np.arange(n),
        "region": _labels(r.table["name"], reg), "level": _labels(r.table["level"], reg),
        "province": _labels(r.table["province"], reg),
        "partner": _labels(p.name, par), "country": _labels(p.country, par),
        "case": _labels(np.array(model.case_names + [""], dtype=object), e.case[:n]),
        "known": e.known[:n], "foreign_initiative": e.foreign_initiative[:n],
        "stage": _labels(_STAGE_LABELS, e.stage[:n]), "signed": e.signed(),
        "explored": year("t_explore"), "loi": year("t_loi"), "mou": year("t_mou"),
        "stagnated": year("t_stagnant"), "ended": year("t_end"),
        "stage_since": year("t_stage"),
        "end_cause": _labels(_CAUSE_LABELS, e.end_cause[:n]),   # no cause (-1): ""
        "cause": _labels(_CAUSE_LABELS, e.cause[:n]),
        "sectors": _labels(_SECTOR_LABELS, e.programs[:n] @ (1 << np.arange(len(SECTORS)))),
        "n_programs": e.n_programs[:n],
        "program_level": _labels(_LEVEL_LABELS, np.digitize(mean_activity, [0.4, 0.7])),
        "clarity": e.clarity[:n], "misjudged": e.misjudged[:n], "complementarity": e.comp[:n],
        "joint_committee": e.committee[:n], "dedicated_budget": e.dedicated[:n],
        "term_years": e.term_years[:n], "renewals": e.renewals[:n], "revivals": e.revivals[:n],
        "active_years": e.active_quarters[:n] / spy, "mean_activity": mean_activity,
        "benefits": e.benefits[:n], "spending": e.spending[:n], "junkets": e.junkets[:n],
        "partner_spending": e.partner_spending[:n],
        **{f"eff_{name}": value for name, value in indicators.items()},
        "effectiveness": np.mean(list(indicators.values()), axis=0),
    })   # built at once: adding columns one by one costs more than the whole table


def _indicators(model, mean_activity: np.ndarray) -> dict[str, np.ndarray]:
    """The paper's seven effectiveness indicators of every partnership, in [0, 1]."""
    e, r, n = model.partnerships, model.regions, model.partnerships.n
    reg = e.region[:n]
    total = e.spending[:n] + e.partner_spending[:n]
    own_share = np.divide(e.spending[:n], total, out=np.full(n, 0.5), where=total > 0)
    return {
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


def _labels(values, codes: np.ndarray):
    """`values[codes]` as a column. Labels that are all strings are taken as the string column
    pandas would infer from them anyway, converting the few labels rather than every row."""
    if isinstance(values, pd.Series):
        values = values.array if values.dtype == "str" else values.to_numpy()
    elif pd.api.types.infer_dtype(values, skipna=False) == "string":
        values = pd.array(values, dtype="str")
    return values.take(codes) if isinstance(values, pd.api.extensions.ExtensionArray) else values[codes]


def events(model) -> pd.DataFrame:
    """The partnerships' event log: one row per stage a partnership entered, in the order it
    happened (its past included, when the run started from one): `id` (its ledger row), the
    parties, `year`, `stage` and `cause` (of a stagnation or an ending; "" otherwise). A
    re-signed partnership keeps its earlier life here while its ledger row shows the latest."""
    ev, e, r, p = model.partnerships.events(), model.partnerships, model.regions, model.partners
    reg, par = e.region[ev["row"]], e.partner[ev["row"]]
    return pd.DataFrame({
        "id": ev["row"], "region": _labels(r.table["name"], reg), "partner": _labels(p.name, par),
        "country": _labels(p.country, par),
        "year": model.params.simulation.start_year + ev["t"] / model.steps_per_year,
        "stage": _labels(_STAGE_LABELS, ev["stage"]),
        "cause": _labels(_CAUSE_LABELS, ev["cause"]),   # no cause (-1): ""
    })


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
