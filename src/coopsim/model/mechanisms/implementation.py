"""Implementation of programs (mechanisms c, d, h).

Each quarter an active partnership's activity is set by its scarcest input (Liebig's law),
and that input is recorded as the binding cause:
  budget        region's budget line share + dedicated funds + the head's ad-hoc money + the
                partner's contribution, against the programs' cost;
  hr            staff capacity spread over the region's active partnerships;
  data          precision of programs (vague when data on the partner was poor);
  leadership    the sponsor's support, or the institutions that replace it;
  bureaucracy   professionalism; contradicting rules hurt in a year of rule changes;
  infrastructure for trade, industry and agriculture programs;
  partner       the foreign side's engagement;
  legal         binding force of the agreement (decree/Perda, joint committee).
Junkets: where bureaucracy is weak and the community absent, part of the spending goes to
officials' trips and delivers nothing. Feedback: delivered benefits raise the partner's
engagement, community participation and DPRD support; an unbalanced partnership (the
partner pays for everything) lowers the partner's engagement.
"""

import numpy as np

from coopsim.model.population import unit
from coopsim.model.partnerships import ACTIVE, CAUSES

__all__ = ["institutional_support", "leadership", "implement"]


def institutional_support(model, rows: np.ndarray) -> np.ndarray:
    """What keeps a partnership going without its sponsor: the region's institutions and a
    joint committee (Conditions: continuity)."""
    e, r = model.partnerships, model.regions
    weight = model.params.institutions.committee_weight
    return 1 - (1 - r.institutionalisation[e.region[rows]]) * (1 - weight * e.committee[rows])


def leadership(model, rows: np.ndarray) -> np.ndarray:
    """Who carries a partnership: its sponsor, or the institutions that replace a lost one."""
    e = model.partnerships
    return np.maximum(e.sponsor[rows], model.params.institutions.sponsor_replacement
                      * institutional_support(model, rows))


def implement(model, rng: np.random.Generator) -> None:
    """One quarter of every active partnership: activity, spending, benefits, binding cause,
    junkets and feedback."""
    e, r, s, spy = model.partnerships, model.regions, model.params, model.steps_per_year
    b, m = s.behaviour, s.implementation
    noise = rng.lognormal(0, b.activity_noise, e.capacity)  # fixed size per step
    rows = e.where(ACTIVE)
    if not len(rows):
        return
    reg = e.region[rows]
    need = e.n_programs[rows] * b.program_cost / spy
    lead = leadership(model, rows)
    own, theirs = _funds(model, rows, reg, need, lead)
    funding = np.minimum(1.0, (own + theirs) / need)
    n_active = np.bincount(reg, minlength=r.n)[reg]
    staff = unit(m.staff_spread * r.hr[reg] / np.sqrt(n_active))
    precision = unit(m.precision_floor + (1 - m.precision_floor) * e.clarity[rows])
    bureaucracy = unit(m.bureaucracy_floor + m.bureaucracy_weight * r.bureaucracy[reg]
                       - m.rule_change_penalty * model.rule_change * (1 - r.alignment[reg]))
    infrastructure = 1 - e.economic_share[rows] * (1 - r.infrastructure[reg])
    engagement = unit(e.engagement[rows] + model.partners.engagement_shift[e.partner[rows]])
    legal = unit(m.legal_floor + m.legal_obligation_weight * e.obligation[rows]
                 + m.legal_committee_weight * e.committee[rows])
    factors = np.stack([funding, staff, precision, lead, bureaucracy, infrastructure,
                        engagement, legal])  # order of CAUSES
    binding = factors.argmin(axis=0)
    activity = unit(_combine(factors, binding, m.binding) * noise[rows])

    junket = b.junket_propensity * (1 - r.bureaucracy[reg]) * (1 - r.community[reg]) \
        * (1 - m.junket_committee_damping * e.committee[rows])
    spent = np.minimum(own, need)
    delivered = activity * e.comp[rows] * (1 - junket) * need
    e.activity[rows] = activity
    e.activity_sum[rows] += activity
    e.active_quarters[rows] += 1
    e.spending[rows] += spent
    e.partner_spending[rows] += np.minimum(theirs, need)
    e.junkets[rows] += spent * junket
    e.benefits[rows] += delivered
    low = activity < b.activity_threshold
    e.low_count[rows] = np.where(low, e.low_count[rows] + 1, 0)
    e.cause[rows] = np.where(low, binding, e.cause[rows])
    model.tally.benefits = float(delivered.sum())
    model.tally.spending = float(spent.sum())
    _feedback(model, rows, reg, need, own, theirs, activity, delivered)


def _funds(model, rows, reg, need, lead) -> tuple[np.ndarray, np.ndarray]:
    """This quarter's money of each partnership: the region's (budget line, dedicated budget,
    the head's ad-hoc money) and the partner's."""
    e, r, f, spy = model.partnerships, model.regions, model.params.funding, model.steps_per_year
    # the region's budget line is shared by its active partnerships in proportion to need
    region_need = np.bincount(reg, weights=need * e.region_budget[rows], minlength=r.n)
    line = r.budget[reg] / spy * need * e.region_budget[rows] / np.maximum(region_need[reg], 1e-12)
    # the head's ad-hoc money follows whoever carries the partnership: its sponsor, or the
    # institutions that replace a lost one (bureau, decree/Perda, RPJMD, joint committee)
    own = (np.minimum(line, need) + e.dedicated[rows] * need
           + f.adhoc_money_share * lead * need * (not model.in_crisis))
    theirs = f.partner_money_share * model.partners.capacity[e.partner[rows]] * e.engagement[rows] * need \
        * e.partner_budget[rows]
    return own, theirs


def _feedback(model, rows, reg, need, own, theirs, activity, delivered) -> None:
    """Feedback (h): success breeds engagement and support; imbalance erodes the partner's."""
    e, r, m = model.partnerships, model.regions, model.params.implementation
    k = model.params.behaviour.feedback
    imbalance = unit((theirs - own) / need)
    e.engagement[rows] = unit(e.engagement[rows] + k * (activity - m.engagement_reference)
                              - m.imbalance_penalty * k * imbalance)
    gain = np.bincount(reg, weights=k * (delivered / need - m.benefit_reference), minlength=r.n)
    r.community = unit(r.community + m.support_feedback * gain)
    r.dprd = unit(r.dprd + m.support_feedback * gain)


def _combine(factors: np.ndarray, binding: np.ndarray, form: str) -> np.ndarray:
    """A quarter's activity before noise: the scarcest input (Liebig's law), or all inputs
    multiplied (`implementation.binding`). Either way the scarcest is the binding cause."""
    if form == "multiplicative":
        return factors.prod(axis=0)
    return factors[binding, np.arange(factors.shape[1])]


# The factors above are stacked in this order, so the index of the binding one is its cause code.
_FACTOR_ORDER = ("budget", "hr", "data", "leadership", "bureaucracy", "infrastructure", "partner", "legal")
if _FACTOR_ORDER != CAUSES:
    raise ImportError(f"implementation stacks its factors as {_FACTOR_ORDER} but CAUSES is {CAUSES}")
