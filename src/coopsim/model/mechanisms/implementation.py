"""Implementation of programs (mechanisms c, d, h).

Each quarter an active partnership's activity is set by its scarcest input (Liebig's law, or
all inputs multiplied: `implementation.binding`), and that input is recorded as the cause:
  budget        the money actually there: the region's budget line share, a dedicated budget,
                the head's discretionary funds (shared by need x leadership: what a sponsor,
                institutions or people-to-people ties carry) and
                the partner's contribution, which matches the region's own (balance);
  hr            staff capacity spread over the region's active partnerships;
  data          precision of programs (vague when data on the partner was poor; no floor);
  leadership    the sponsor's support (fading over time), or what replaces a lost one:
                institutions, or people-to-people ties built by community participation;
  bureaucracy   professionalism; contradicting rules hurt in a year of rule changes;
  infrastructure delivery of trade, industry and agriculture programs;
  partner       the foreign side's engagement (its own decisions: `partner_side`);
  legal         binding force of the agreement (decree/Perda, joint committee).
Junkets: where bureaucracy is weak and the community absent, part of the spending goes to
officials' trips and delivers nothing. What is delivered reaches people through community
participation, and economic programmes deliver only as far as infrastructure allows. Feedback: the partner's engagement moves toward what the partnership is worth
to it (its interest, the benefits delivered, relations between the countries); benefits raise
community participation and DPRD support.
"""

import numpy as np

from coopsim.model.draws import normals, step_key

from coopsim.model.population import unit
from coopsim.config.vocabulary import STAGNATION_CAUSES
from coopsim.model.partnerships import ACTIVE, INFRASTRUCTURE

__all__ = ["institutional_support", "community_ties", "leadership", "binding_force", "relations_factor",
           "programme_need", "implement"]


def institutional_support(model, rows: np.ndarray) -> np.ndarray:
    """What keeps a partnership going without its sponsor: the region's institutions and a
    joint committee (Conditions: continuity)."""
    e, r = model.partnerships, model.regions
    weight = model.params.institutions.committee_weight
    return 1 - (1 - r.institutionalisation[e.region[rows]]) * (1 - weight * e.committee[rows])


def community_ties(model, rows: np.ndarray) -> np.ndarray:
    """People-to-people ties of a partnership: the region's community participation, built up
    over its first active quarters (a 'Jalan Kyoto' takes time)."""
    e, w = model.partnerships, model.params.institutions
    return model.regions.community[e.region[rows]] * np.minimum(1.0, e.active_quarters[rows] / w.tie_quarters)


def leadership(model, rows: np.ndarray) -> np.ndarray:
    """Who carries a partnership: its sponsor, or the institutions or people-to-people ties that
    replace a lost one."""
    e, w = model.partnerships, model.params.institutions
    return np.maximum(e.sponsor[rows], np.maximum(w.sponsor_replacement * institutional_support(model, rows),
                                                  w.community_carry * community_ties(model, rows)))


def binding_force(model, rows: np.ndarray) -> np.ndarray:
    """Binding force of an agreement in [0, 1] (Menakar (1)): a decree or Perda, a joint committee."""
    e, m = model.partnerships, model.params.implementation
    return unit(m.legal_obligation_weight * e.obligation[rows] + m.legal_committee_weight * e.committee[rows])


def relations_factor(model, partner: np.ndarray, sensitivity: float) -> np.ndarray:
    """1 - sensitivity x (1 - relations of the partner's country): how soured relations act."""
    return 1 - sensitivity * (1 - model.partners.relations[partner])


def programme_need(model, rows: np.ndarray, reg: np.ndarray) -> np.ndarray:
    """This quarter's cost of a partnership's programmes: poor roads make trade, industry and
    agriculture programmes dearer (transport cost)."""
    e, s = model.partnerships, model.params
    m = s.implementation
    roads = unit(model.regions.infrastructure[reg] / m.infrastructure_sufficiency)
    return e.n_programs[rows] * s.behaviour.program_cost / model.steps_per_year \
        * (1 + m.transport_cost * e.economic_share[rows] * (1 - roads))


def implement(model, rng: np.random.Generator) -> None:
    """One quarter of every active partnership: activity, spending, benefits, binding cause,
    junkets and feedback."""
    e, r, s, spy = model.partnerships, model.regions, model.params, model.steps_per_year
    b, m = s.behaviour, s.implementation
    key = step_key(rng)  # keyed by partnership: common random numbers
    rows = e.where(ACTIVE)
    if not len(rows):
        return
    noise = np.exp(b.activity_noise * normals(key, e.key[rows]))
    reg = e.region[rows]
    need = programme_need(model, rows, reg)
    e.sponsor[rows] *= 1 - s.decline.sponsor_fade          # champions fade
    lead = leadership(model, rows)
    own, theirs = _funds(model, rows, reg, need, lead)
    factors = _factors(model, rows, reg, (own + theirs) / need, lead)
    binding = factors.argmin(axis=0)
    activity = unit(_combine(factors, binding, m.binding) * noise)

    junket = b.junket_propensity * (1 - r.bureaucracy[reg]) * (1 - r.community[reg]) \
        * (1 - m.junket_committee_damping * e.committee[rows])
    spent = np.minimum(own, need)
    reach = 1 - s.institutions.community_reach * (1 - r.community[reg])
    # poor roads cut what trade, industry and agriculture programmes deliver, whatever binds
    delivered = activity * e.comp[rows] * (1 - junket) * reach * factors[INFRASTRUCTURE] * need
    e.activity[rows] = activity
    e.activity_sum[rows] += activity
    e.active_quarters[rows] += 1
    e.spending[rows] += spent
    e.partner_spending[rows] += np.minimum(theirs, need)
    e.junkets[rows] += spent * junket
    e.benefits[rows] += delivered
    e.progress[rows] += delivered          # toward the current programmes' purpose
    e.delivery[rows] = delivered / need
    low = activity < b.activity_threshold
    e.low_count[rows] = np.where(low, e.low_count[rows] + 1, 0)
    e.cause[rows] = np.where(low, binding, e.cause[rows])
    model.tally.benefits = float(delivered.sum())
    model.tally.spending = float(spent.sum())
    _feedback(model, rows, reg, need, delivered)


def _factors(model, rows, reg, funded, lead) -> np.ndarray:
    """Each input of a quarter's activity in [0, 1], stacked in the order of CAUSES."""
    e, r, m = model.partnerships, model.regions, model.params.implementation
    n_active = np.bincount(reg, minlength=r.n)[reg]
    staff = unit(m.staff_spread * r.hr[reg] / np.sqrt(n_active))
    bureaucracy = unit(r.bureaucracy[reg] / m.bureaucracy_sufficiency
                       - m.rule_change_penalty * model.rule_change * (1 - r.alignment[reg]))
    roads = unit(r.infrastructure[reg] / m.infrastructure_sufficiency)
    infrastructure = 1 - e.economic_share[rows] * (1 - roads)
    legal = 1 - m.legal_loss * (1 - binding_force(model, rows))
    return np.stack([np.minimum(1.0, funded), staff, unit(e.clarity[rows] / m.data_sufficiency), lead,
                     bureaucracy, infrastructure, unit(e.engagement[rows] / m.engagement_sufficiency), legal])


def _funds(model, rows, reg, need, lead) -> tuple[np.ndarray, np.ndarray]:
    """This quarter's money of each partnership: the region's own (budget line, dedicated
    budget, the head's discretionary funds) and the partner's matching contribution."""
    e, r, s, spy = model.partnerships, model.regions, model.params, model.steps_per_year
    f = s.funding
    # the region's budget line is shared by its active partnerships in proportion to need
    region_need = np.bincount(reg, weights=need * e.region_budget[rows], minlength=r.n)
    line = r.budget[reg] / spy * need * e.region_budget[rows] / np.maximum(region_need[reg], 1e-12)
    # the head's discretionary funds go to the partnerships someone carries, by need x
    # leadership: its sponsor, or the institutions or ties that replace a lost one
    claim = need * lead
    claims = np.bincount(reg, weights=claim, minlength=r.n)
    pool = f.discretionary_programs * s.behaviour.program_cost / spy * r.leader_commitment[reg] \
        * (not model.in_crisis)
    discretionary = pool * claim / np.maximum(claims[reg], 1e-12)
    own = np.minimum(line, need) + e.dedicated[rows] * need + np.minimum(discretionary, need)
    offer = f.partner_money_share * model.partners.capacity[e.partner[rows]] * e.engagement[rows] * need \
        * e.partner_budget[rows]
    return own, np.minimum(offer, f.partner_match_ratio * own)


def _feedback(model, rows, reg, need, delivered) -> None:
    """Feedback (h): the partner's engagement moves toward what the partnership is worth to it;
    benefits raise community participation and DPRD support."""
    e, r, s = model.partnerships, model.regions, model.params
    ps, m = s.partner_side, s.implementation
    partner = e.partner[rows]
    worth = unit(model.partners.interest[partner] + ps.benefit_weight * (delivered / need - ps.benefit_reference))
    target = worth * relations_factor(model, partner, s.relations_effects.engagement_sensitivity)
    e.engagement[rows] += ps.engagement_rate * (target - e.engagement[rows])
    gain = np.bincount(reg, weights=s.behaviour.feedback * (delivered / need - m.benefit_reference), minlength=r.n)
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
if _FACTOR_ORDER != STAGNATION_CAUSES:
    raise ImportError(f"implementation stacks its factors as {_FACTOR_ORDER} but the causes are {STAGNATION_CAUSES}")
