"""The foreign side decides (Actors: foreign local governments).

A partner's head changes on its country's term; a new head keeps its predecessor's
engagement in a partnership only with `partner_side.adoption_probability`. Once a year, in its
own budget cycle, a partner reviews its partnerships and ends those it is no longer engaged in
(a binding agreement holds it longer); the cause is soured relations where its country's
relations with Indonesia are down, the partner otherwise. Interest in a dormant partnership
fades toward what it is worth with nothing delivered.
"""

import numpy as np

from coopsim.model.draws import edge_uniforms, step_key

from coopsim.model.partnerships import ACTIVE, PARTNER, RELATIONS, STAGNANT
from coopsim.model.population import unit
from coopsim.model.mechanisms.implementation import binding_force, maturity, relations_factor

__all__ = ["partners_decide"]


def partners_decide(model, rng: np.random.Generator) -> None:
    """Partner heads' turnover, dormant partnerships' fading interest, yearly budget reviews."""
    p, e, t, ps = model.partners, model.partnerships, model.t, model.params.partner_side
    u = edge_uniforms(model, step_key(rng), 1)[0]  # keyed by partnership: common random numbers
    # a partner's new head keeps or cools each of its partnerships
    changed = p.next_turnover <= t
    p.next_turnover[changed] += p.term_steps[changed]
    rows = e.where(ACTIVE, STAGNANT)
    if not len(rows):
        return
    partner = e.partner[rows]
    inherited = rows[changed[partner]]   # dice only for these (keyed by row: the same numbers)
    cooled = inherited[u[inherited] >= ps.adoption_probability]
    e.engagement[cooled] *= 1 - ps.turnover_loss
    # nothing delivered: interest in a dormant partnership fades toward its bare worth
    is_dormant = e.stage[rows] == STAGNANT
    dormant, dormant_partner = rows[is_dormant], partner[is_dormant]
    worth = unit(p.interest[dormant_partner] - ps.benefit_weight * ps.benefit_reference) \
        * relations_factor(model, dormant_partner, model.params.relations_effects.engagement_sensitivity)
    e.engagement[dormant] += ps.engagement_rate * (worth - e.engagement[dormant])
    # the yearly budget review: a partner leaves what it is no longer engaged in
    reviewing = p.review_step[partner] == t % model.steps_per_year
    threshold = ps.exit_engagement * (1 - ps.legal_hold * binding_force(model, rows))
    if model.params.institutions.maturity_protection > 0:
        threshold *= 1 - maturity(model, rows)   # a mature partnership is left later
    leave = rows[reviewing & (e.engagement[rows] < threshold)]
    if len(leave):
        soured = p.relations[e.partner[leave]] < 1
        cause = np.where(soured, RELATIONS, PARTNER)
        e.end(leave, cause, t)
        model.tally.ended += np.bincount(cause, minlength=len(model.tally.ended))
