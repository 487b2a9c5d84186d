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
from coopsim.model.mechanisms.shocks import normal_relations

__all__ = ["institutional_support", "community_ties", "maturity", "leadership", "binding_force", "relations_factor",
           "relations_normal", "programme_need", "road_quality", "implement"]


def institutional_support(model, rows: np.ndarray, reg: np.ndarray | None = None) -> np.ndarray:
    """What keeps a partnership going without its sponsor: the region's institutions and a
    joint committee (Conditions: continuity). `reg`: the rows' regions, if at hand."""
    e, r = model.partnerships, model.regions
    weight = model.params.institutions.committee_weight
    reg = e.region[rows] if reg is None else reg
    return 1 - (1 - r.institutionalisation[reg]) * (1 - weight * e.committee[rows])


def community_ties(model, rows: np.ndarray, reg: np.ndarray | None = None) -> np.ndarray:
    """People-to-people ties of a partnership: the region's community participation, built up
    over its first active quarters (a 'Jalan Kyoto' takes time). `reg`: the rows' regions."""
    e, w = model.partnerships, model.params.institutions
    reg = e.region[rows] if reg is None else reg
    return model.regions.community[reg] * np.minimum(1.0, e.active_quarters[rows] / w.tie_quarters)


def maturity(model, rows: np.ndarray) -> np.ndarray:
    """Share by which each ending hazard of these partnerships is lowered by what their active
    years built (routines, ties, habits; the liability of newness): 0 for a new one, toward
    `institutions.maturity_protection` for one active for many `maturity_years`."""
    w = model.params.institutions
    years = model.partnerships.active_quarters[rows] / model.steps_per_year
    return w.maturity_protection * -np.expm1(-years / w.maturity_years)


def leadership(model, rows: np.ndarray, reg: np.ndarray | None = None) -> np.ndarray:
    """Who carries a partnership: its sponsor, or the institutions or people-to-people ties that
    replace a lost one. `reg`: the rows' regions, if at hand."""
    e, w = model.partnerships, model.params.institutions
    reg = e.region[rows] if reg is None else reg
    return np.maximum(e.sponsor[rows], np.maximum(w.sponsor_replacement * institutional_support(model, rows, reg),
                                                  w.community_carry * community_ties(model, rows, reg)))


def binding_force(model, rows: np.ndarray) -> np.ndarray:
    """Binding force of an agreement in [0, 1] (Menakar (1)): a decree or Perda, a joint committee."""
    e, m = model.partnerships, model.params.implementation
    return unit(m.legal_obligation_weight * e.obligation[rows] + m.legal_committee_weight * e.committee[rows])


def relations_factor(model, partner: np.ndarray, sensitivity: float) -> np.ndarray | float:
    """1 - sensitivity x (1 - relations of the partner's country): how soured relations act
    (exactly 1, as a number, while relations are normal with every country)."""
    if relations_normal(model):
        return 1.0
    return 1 - sensitivity * (1 - model.partners.relations[partner])


def relations_normal(model) -> bool:
    """Whether relations with every partner's country are at their normal level this step
    (`shocks.apply_shocks` then shares one read-only array of ones)."""
    relations = model.partners.relations
    return relations is normal_relations(len(relations))


def programme_need(model, rows: np.ndarray, reg: np.ndarray, roads: np.ndarray | None = None) -> np.ndarray:
    """This quarter's cost of a partnership's programmes: poor roads make trade, industry and
    agriculture programmes dearer (transport cost). `roads`: the regions' roads (`road_quality`)."""
    e, s = model.partnerships, model.params
    m = s.implementation
    roads = road_quality(model, reg) if roads is None else roads
    return e.n_programs[rows] * s.behaviour.program_cost / model.steps_per_year \
        * (1 + m.transport_cost * e.economic_share[rows] * (1 - roads))


def road_quality(model, reg: np.ndarray) -> np.ndarray:
    """How far these regions' roads suffice, in [0, 1]."""
    return unit(model.regions.infrastructure[reg] / model.params.implementation.infrastructure_sufficiency)


def implement(model, rng: np.random.Generator) -> None:
    """One quarter of every active partnership: activity, spending, benefits, binding cause,
    junkets and feedback."""
    e, r, s = model.partnerships, model.regions, model.params
    b, m = s.behaviour, s.implementation
    key = step_key(rng)  # keyed by partnership: common random numbers
    rows = e.where(ACTIVE)
    if not len(rows):
        return
    noise = np.exp(b.activity_noise * normals(key, e.key[rows]))
    reg = e.region[rows]
    roads = road_quality(model, reg)
    need = programme_need(model, rows, reg, roads)
    e.sponsor[rows] *= 1 - s.decline.sponsor_fade          # champions fade
    lead = leadership(model, rows, reg)
    own, theirs = _funds(model, rows, reg, need, lead)
    factors = _factors(model, rows, reg, (own + theirs) / need, lead, roads)
    binding = factors.argmin(axis=0)
    activity = unit(_combine(factors, binding, m.binding) * noise)

    community = r.community[reg]
    junket = b.junket_propensity * (1 - r.bureaucracy[reg]) * (1 - community) \
        * (1 - m.junket_committee_damping * e.committee[rows])
    spent = np.minimum(own, need)
    reach = 1 - s.institutions.community_reach * (1 - community)
    # poor roads cut what trade, industry and agriculture programmes deliver, whatever binds
    delivered = activity * e.comp[rows] * (1 - junket) * reach * factors[INFRASTRUCTURE] * need
    delivery = delivered / need
    e.activity[rows] = activity
    e.activity_sum[rows] += activity
    e.active_quarters[rows] += 1
    e.spending[rows] += spent
    e.partner_spending[rows] += np.minimum(theirs, need)
    e.junkets[rows] += spent * junket
    e.benefits[rows] += delivered
    e.progress[rows] += delivered          # toward the current programmes' purpose
    e.delivery[rows] = delivery
    low = activity < b.activity_threshold
    e.low_count[rows] = np.where(low, e.low_count[rows] + 1, 0)
    e.cause[rows] = np.where(low, binding, e.cause[rows])
    model.tally.benefits = float(delivered.sum())
    model.tally.spending = float(spent.sum())
    _feedback(model, rows, reg, delivery)


def _factors(model, rows, reg, funded, lead, roads=None) -> np.ndarray:
    """Each input of a quarter's activity in [0, 1], stacked in the order of CAUSES. `roads`:
    the rows' `road_quality`, if at hand."""
    e, r, m = model.partnerships, model.regions, model.params.implementation
    roads = road_quality(model, reg) if roads is None else roads
    n_active = np.bincount(reg, minlength=r.n)[reg]
    staff = unit(m.staff_spread * r.hr[reg] / np.sqrt(n_active))
    bureaucracy = unit(r.bureaucracy[reg] / m.bureaucracy_sufficiency
                       - m.rule_change_penalty * model.rule_change * (1 - r.alignment[reg]))
    infrastructure = 1 - e.economic_share[rows] * (1 - roads)
    legal = 1 - m.legal_loss * (1 - binding_force(model, rows))
    return np.array((np.minimum(1.0, funded), staff, unit(e.clarity[rows] / m.data_sufficiency), lead,
                     bureaucracy, infrastructure, unit(e.engagement[rows] / m.engagement_sufficiency), legal))


def _funds(model, rows, reg, need, lead) -> tuple[np.ndarray, np.ndarray]:
    """This quarter's money of each partnership: the region's own (budget line, dedicated
    budget, the head's discretionary funds) and the partner's matching contribution."""
    e, r, s, spy = model.partnerships, model.regions, model.params, model.steps_per_year
    f = s.funding
    # the region's budget line is shared by its active partnerships in proportion to need
    from_line = e.region_budget[rows]   # funded from the budget line
    region_need = np.bincount(reg, weights=need * from_line, minlength=r.n)
    line = r.budget[reg] / spy * need * from_line / np.maximum(region_need[reg], 1e-12)
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


def _feedback(model, rows, reg, delivery) -> None:
    """Feedback (h): the partner's engagement moves toward what the partnership is worth to it;
    benefits raise community participation and DPRD support. `delivery`: delivered / need."""
    e, r, s = model.partnerships, model.regions, model.params
    ps, m = s.partner_side, s.implementation
    partner = e.partner[rows]
    worth = unit(model.partners.interest[partner] + ps.benefit_weight * (delivery - ps.benefit_reference))
    target = worth * relations_factor(model, partner, s.relations_effects.engagement_sensitivity)
    e.engagement[rows] += ps.engagement_rate * (target - e.engagement[rows])
    gain = np.bincount(reg, weights=s.behaviour.feedback * (delivery - m.benefit_reference), minlength=r.n)
    support = m.support_feedback * gain
    r.community = unit(r.community + support)
    r.dprd = unit(r.dprd + support)


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
