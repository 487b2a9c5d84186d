"""Yearly evaluation and follow-up (mechanism f) and renewal at term end (lifecycle).

Where a joint committee exists, the two sides meet once a year: programs become more
precise and the partner re-engages (a dormant partnership is noticed: see stagnation).
Growth-area meetings do a lighter version for member pairs. At the end of its term
(three or five years) an MoU whose programmes delivered what they were for is concluded
(purpose achieved); otherwise it is renewed if it is alive and the DPRD agrees, or it lapses.
Once a year a weakly led partnership may be dropped for competing priorities."""

import numpy as np

from coopsim.model.draws import edge_uniforms, serial_keys, step_key, uniforms

from coopsim.model.population import unit
from coopsim.config.vocabulary import SECTORS
from coopsim.model.partnerships import ACTIVE, COMPLETED, DATA, INFRASTRUCTURE, LEGAL, PRIORITIES, STAGNANT
from coopsim.model.population import ECONOMIC_SECTORS
from coopsim.model.mechanisms.implementation import leadership, maturity

__all__ = ["evaluate_yearly"]

# The step's keyed draws per partnership (coopsim.model.draws.EdgeDice streams), by name.
_DRAW = {name: i for i, name in enumerate(("meet", "drop", "conclude", "renew", "new_programmes"))}


def evaluate_yearly(model, rng: np.random.Generator) -> None:
    """Joint evaluations once a year, partnerships dropped for other priorities; conclusion,
    renewal or lapse of MoUs whose term ends."""
    e, r, t, spy = model.partnerships, model.regions, model.t, model.steps_per_year
    rn = model.params.renewal
    key = step_key(rng)
    u = edge_uniforms(model, key, len(_DRAW))  # keyed by partnership
    if t % spy == spy - 1:
        rows = e.where(ACTIVE, STAGNANT)
        reg = e.region[rows]
        same_ga = (r.growth_area[reg] & model.partners.growth_area[e.partner[rows]]) != 0
        meets = e.committee[rows] | (same_ga & model.params.growth_areas.meetings
                                     & (u[_DRAW["meet"], rows] < rn.meeting_probability))
        m = rows[meets]
        e.clarity[m] = np.minimum(1, e.clarity[m] + rn.clarity_gain * (rn.staff_offset + r.hr[e.region[m]]))
        e.engagement[m] = np.minimum(1, e.engagement[m] + rn.engagement_gain)
        model.tally.evaluations = len(m)
        _fail_programmes(model, key)
        _drop_for_priorities(model, u[_DRAW["drop"]])
    _renew(model, u)


def _fail_programmes(model, key: int) -> None:
    """Programmes that do not fit fail (Hambatan: Data; Infrastructure): each year a programme
    fails with `programme_failure` x how far it falls short: of clarity (vague programmes) or,
    for trade, industry and agriculture, of roads. A partnership left with no programme ends."""
    e, r, m = model.partnerships, model.regions, model.params.implementation
    rows = e.where(ACTIVE)
    vague = 1 - unit(e.clarity[rows] / m.data_sufficiency)
    no_roads = 1 - unit(r.infrastructure[e.region[rows]] / m.infrastructure_sufficiency)
    shortfall = np.maximum(vague[:, None], no_roads[:, None] * ECONOMIC_SECTORS[None, :])
    u = uniforms(key, e.key[rows, None] ^ serial_keys(len(SECTORS))[None, :], len(SECTORS))  # keyed by programme
    failed = e.programs[rows] & (u < m.programme_failure * shortfall)
    if not failed.any():
        return
    by_roads = (failed & ECONOMIC_SECTORS & (no_roads[:, None] > vague[:, None])).any(axis=1)
    e.programs[rows] &= ~failed
    left = e.programs[rows].sum(axis=1)
    e.n_programs[rows] = left
    e.economic_share[rows] = (e.programs[rows] & ECONOMIC_SECTORS).sum(axis=1) / np.maximum(left, 1)
    empty = left == 0
    cause = np.where(by_roads[empty], INFRASTRUCTURE, DATA)
    e.end(rows[empty], cause, model.t)
    model.tally.ended += np.bincount(cause, minlength=len(model.tally.ended))


def _drop_for_priorities(model, u: np.ndarray) -> None:
    """Competing priorities (natural decline): once a year an active partnership is dropped with
    probability `decline.priority_shift` x (1 - leadership) x (1 - its activity): the weakly led
    and the barely active go first."""
    e = model.partnerships
    rows = e.where(ACTIVE)
    p = model.params.decline.priority_shift * (1 - leadership(model, rows)) * (1 - e.activity[rows])
    if model.params.institutions.maturity_protection > 0:
        p *= 1 - maturity(model, rows)
    dropped = rows[u[rows] < p]
    e.end(dropped, PRIORITIES, model.t)
    model.tally.ended[PRIORITIES] += len(dropped)


def _renew(model, dice) -> None:
    """At term end: conclude what achieved its purpose (or, with a joint committee, set new
    programmes), renew what works, let the rest lapse. `dice`: the step's keyed uniforms."""
    e, t, d = model.partnerships, model.t, model.params.decline
    rows = e.where(ACTIVE, STAGNANT)
    due = rows[e.term_end[rows] <= t]
    if not len(due):
        return
    u_new, u_conclude, u = dice.rows(due, (_DRAW["new_programmes"], _DRAW["conclude"], _DRAW["renew"]))
    # purpose achieved: the programmes delivered enough to be complete; a joint committee mostly
    # sets new ones (continuity), otherwise the partnership may be concluded
    done = e.progress[due] / (e.n_programs[due] * model.params.behaviour.program_cost) >= d.completion_benefit
    done &= e.stage[due] == ACTIVE
    renewed = done & e.committee[due] & (u_new < d.committee_renews)
    e.progress[due[renewed]] = 0.0
    concluded = done & ~renewed & (u_conclude < d.completion_probability)
    if concluded.any():
        e.end(due[concluded], COMPLETED, t)
        model.tally.ended[COMPLETED] += int(concluded.sum())
        due, u = due[~concluded], u[~concluded]
    if len(due):
        _renew_or_lapse(model, due, u)


def _renew_or_lapse(model, due: np.ndarray, u: np.ndarray) -> None:
    """The DPRD renews what works and what a committee or a legal umbrella stands behind; the
    rest lapses: a dormant one for the reason it went dormant, a living one for lack of approval."""
    e, r, t, spy, rn = model.partnerships, model.regions, model.t, model.steps_per_year, model.params.renewal
    reg = e.region[due]
    recent = e.activity_sum[due] / np.maximum(e.active_quarters[due], 1)
    alive = e.stage[due] == ACTIVE
    p = unit(r.dprd[reg] + recent + rn.base + rn.committee_bonus * e.committee[due]
             + rn.obligation_bonus * e.obligation[due]
             + rn.leadership_bonus * (leadership(model, due) - rn.leadership_reference))
    if model.params.institutions.maturity_protection > 0:
        p += (1 - p) * maturity(model, due)   # a mature partnership's lapse is less likely
    renew = alive & (u < p)
    renewed = due[renew]
    e.renewals[renewed] += 1
    e.term_end[renewed] = t + e.term_years[renewed] * spy
    lapse = due[~renew]
    cause = np.where(e.stage[lapse] == STAGNANT, e.cause[lapse], LEGAL)
    cause = np.where(cause < 0, LEGAL, cause)
    e.end(lapse, cause, t)
    model.tally.renewed += len(renewed)
    model.tally.lapsed_active += int(alive.sum()) - len(renewed)
    model.tally.ended += np.bincount(cause, minlength=len(model.tally.ended))
