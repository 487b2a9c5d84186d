"""Approval gates (mechanism b): a drafted MoU needs the Foreign Ministry's consideration
(a delay, longer where regional rules contradict the centre's or in a year of rule changes,
shorter with a diplomat on site) and the DPRD's approval of the MoU and its funding. On
signing the partnership gets its term (three or five years), its legalisation (obligation
from a decree or Perda, precision from the draft, delegation to a committee or bureau) and
its programs start."""

import numpy as np

from coopsim.model.population import unit
from coopsim.model.partnerships import ACTIVE, LEGAL, MOU

__all__ = ["approve"]


def approve(model, rng: np.random.Generator) -> None:
    """Drafted MoUs wait for the Foreign Ministry, then the DPRD approves (signed) or rejects them."""
    e, r, t, spy = model.partnerships, model.regions, model.t, model.steps_per_year
    a = model.params.approval
    u = rng.random((2, e.capacity))  # fixed size per step
    rows = e.where(MOU)
    if not len(rows):
        return
    reg = e.region[rows]
    waiting = np.isinf(e.approval_due[rows])
    if waiting.any():
        w, wr = rows[waiting], reg[waiting]
        mean = model.params.central.approval_delay_quarters * (a.alignment_offset - r.alignment[wr]) \
            * (a.rule_change_delay if model.rule_change else 1.0) / (1 + r.diplomat[wr])
        # geometric delay with that mean, drawn from the fixed-size uniforms
        delay = np.ceil(np.log1p(-u[0, w]) / np.log1p(-1 / (1 + mean)))
        e.approval_due[w] = t + delay
    due = rows[e.approval_due[rows] <= t]
    if not len(due):
        return
    dr = e.region[due]
    backing = a.sponsor_floor + (1 - a.sponsor_floor) * np.maximum(e.sponsor[due], r.institutionalisation[dr])
    p_dprd = unit(a.dprd_floor + a.dprd_weight * r.dprd[dr] * backing + a.legal_bonus * r.legal[dr])
    ok = u[1, due] < p_dprd
    rejected = due[~ok]
    e.end(rejected, LEGAL, t)
    model.tally.abandoned += len(rejected)
    signed = due[ok]
    sr = e.region[signed]
    e.move(signed, ACTIVE, t)
    e.t_mou[signed] = t
    e.term_years[signed] = np.where(r.legal[sr] > 0, a.long_term_years,
                                    np.where(u[0, signed] < a.short_term_share, a.short_term_years,
                                             a.long_term_years))
    e.term_end[signed] = t + e.term_years[signed] * spy
    e.obligation[signed] = r.legal[sr] / 2   # legal level 0, 1, 2 as an obligation in [0, 1]
    e.low_count[signed] = 0
    model.tally.signed += len(signed)
