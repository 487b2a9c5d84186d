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
from coopsim.model.mechanisms.implementation import relations_normal

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
    dice = edge_uniforms(model, step_key(rng), 2)  # keyed by partnership: common random numbers
    rows = e.where(MOU)
    if not len(rows):
        return
    u = dice.rows(rows, (0, 1))   # both draws of every drafted MoU, in one pass
    waiting = np.isinf(e.approval_due[rows])
    if waiting.any():
        _consider(model, rows[waiting], u[0][waiting])
    now = e.approval_due[rows] <= t
    if not now.any():
        return
    due, (u_term, u_dprd) = rows[now], u[:, now]
    ok = u_dprd < _p_dprd(model, due)
    rejected = due[~ok]
    e.end(rejected, LEGAL, t)
    model.tally.abandoned += len(rejected)
    signed = due[ok]
    sr = e.region[signed]
    e.move(signed, ACTIVE, t)
    e.t_mou[signed] = t
    term = np.where(r.legal[sr] > 0, a.long_term_years,
                    np.where(u_term[ok] < a.short_term_share, a.short_term_years, a.long_term_years))
    e.term_years[signed] = term
    e.term_end[signed] = t + term * spy
    e.obligation[signed] = r.legal[sr] / 2   # legal level 0, 1, 2 as an obligation in [0, 1]
    e.low_count[signed] = 0
    model.tally.signed += len(signed)


def _consider(model, w: np.ndarray, u: np.ndarray) -> None:
    """The Foreign Ministry's consideration of newly drafted MoUs: when each is due, a geometric
    delay of at least one quarter from the keyed uniforms `u`."""
    e, r, a = model.partnerships, model.regions, model.params.approval
    wr = e.region[w]
    mean = model.params.central.approval_delay_quarters * (a.alignment_offset - r.alignment[wr]) \
        * (a.rule_change_delay if model.rule_change else 1.0) / (1 + r.diplomat[wr])
    if not relations_normal(model):   # soured relations slow it (a factor of exactly 1 otherwise)
        soured = 1 - model.partners.relations[e.partner[w]]
        mean = mean * (1 + model.params.relations_effects.approval_sensitivity * soured)
    delay = np.ceil(np.log1p(-u) / np.log1p(-1 / (1 + mean)))   # mean 1 + that
    e.approval_due[w] = model.t + delay


def _p_dprd(model, due: np.ndarray) -> np.ndarray:
    """The DPRD approves an MoU together with its funding: backed by a sponsor or institutions,
    and the less of its cost the region's money covers (budget line and the head's funds over
    all its partnerships, dedicated budget), the less likely it passes."""
    e, r, a = model.partnerships, model.regions, model.params.approval
    dr = e.region[due]
    backing = a.sponsor_floor + (1 - a.sponsor_floor) * np.maximum(e.sponsor[due], r.institutionalisation[dr])
    return unit(a.dprd_floor + a.dprd_weight * r.dprd[dr] * backing + a.legal_bonus * r.legal[dr]) \
        * (a.unfunded_approval + (1 - a.unfunded_approval) * funding_outlook(model, due))
