"""Approval gates (mechanism b): a drafted MoU needs the Foreign Ministry's consideration
(a delay, longer where regional rules contradict the centre's, in a year of rule changes or
when relations with the partner's country have soured, shorter with a diplomat on site) and
the DPRD's approval of the MoU and its funding (less likely with no money identified). On
signing the partnership gets its term (three or five years), its legalisation (obligation
from a decree or Perda, precision from the draft, delegation to a committee or bureau) and
its programs start."""

import numpy as np

from coopsim.model.draws import edge_uniforms, step_key

from coopsim.model.population import unit
from coopsim.model.partnerships import ACTIVE, LEGAL, MOU

__all__ = ["approve", "funding_outlook"]


def funding_outlook(model, rows: np.ndarray) -> np.ndarray:
    """Share of these drafted MoUs' yearly cost the region's own money would cover, with its
    other partnerships: budget line and the head's discretionary funds shared over all of
    them, plus a dedicated budget. In [0, 1]."""
    e, r, s = model.partnerships, model.regions, model.params
    live = e.where(ACTIVE)
    cost = s.behaviour.program_cost
    committed = np.bincount(e.region[live], weights=e.n_programs[live] * cost, minlength=r.n)
    reg = e.region[rows]
    pool = r.budget[reg] + s.funding.discretionary_programs * cost * r.leader_commitment[reg] * (not model.in_crisis)
    own = e.n_programs[rows] * cost
    return unit(pool / np.maximum(committed[reg] + own, 1e-12) + e.dedicated[rows])


def approve(model, rng: np.random.Generator) -> None:
    """Drafted MoUs wait for the Foreign Ministry, then the DPRD approves (signed) or rejects them."""
    e, r, t, spy = model.partnerships, model.regions, model.t, model.steps_per_year
    a = model.params.approval
    u = edge_uniforms(model, step_key(rng), 2)  # keyed by partnership: common random numbers
    rows = e.where(MOU)
    if not len(rows):
        return
    reg = e.region[rows]
    waiting = np.isinf(e.approval_due[rows])
    if waiting.any():
        w, wr = rows[waiting], reg[waiting]
        soured = 1 - model.partners.relations[e.partner[w]]
        mean = model.params.central.approval_delay_quarters * (a.alignment_offset - r.alignment[wr]) \
            * (a.rule_change_delay if model.rule_change else 1.0) / (1 + r.diplomat[wr]) \
            * (1 + model.params.relations_effects.approval_sensitivity * soured)
        # a geometric delay of at least one quarter (mean 1 + that), from the keyed uniforms
        delay = np.ceil(np.log1p(-u[0, w]) / np.log1p(-1 / (1 + mean)))
        e.approval_due[w] = t + delay
    due = rows[e.approval_due[rows] <= t]
    if not len(due):
        return
    dr = e.region[due]
    backing = a.sponsor_floor + (1 - a.sponsor_floor) * np.maximum(e.sponsor[due], r.institutionalisation[dr])
    # the DPRD approves an MoU together with its funding: the less of its cost the region's
    # money covers (budget line and the head's funds over all its partnerships, dedicated
    # budget), the less likely it passes
    p_dprd = unit(a.dprd_floor + a.dprd_weight * r.dprd[dr] * backing + a.legal_bonus * r.legal[dr]) \
        * (a.unfunded_approval + (1 - a.unfunded_approval) * funding_outlook(model, due))
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
