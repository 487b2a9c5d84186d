"""Yearly evaluation and follow-up (mechanism f) and renewal at term end (lifecycle).

Where a joint committee exists, the two sides meet once a year: programs become more
precise and the partner re-engages (a dormant partnership is noticed: see stagnation).
Growth-area meetings do a lighter version for member pairs. At the end of its term
(three or five years) an MoU is renewed if it is alive and the DPRD agrees; otherwise it
lapses."""

import numpy as np

from coopsim.model.population import unit
from coopsim.model.partnerships import ACTIVE, LEGAL, STAGNANT
from coopsim.model.mechanisms.implementation import leadership

__all__ = ["evaluate_yearly"]


def evaluate_yearly(model, rng: np.random.Generator) -> None:
    """Joint evaluations once a year; renewal or lapse of MoUs whose term ends."""
    e, r, t, spy = model.partnerships, model.regions, model.t, model.steps_per_year
    rn = model.params.renewal
    u = rng.random((2, e.capacity))  # fixed size per step
    if t % spy == spy - 1:
        rows = e.where(ACTIVE, STAGNANT)
        reg = e.region[rows]
        same_ga = (r.growth_area[reg] & model.partners.growth_area[e.partner[rows]]) != 0
        meets = e.committee[rows] | (same_ga & model.params.growth_areas.meetings
                                     & (u[0, rows] < rn.meeting_probability))
        m = rows[meets]
        e.clarity[m] = np.minimum(1, e.clarity[m] + rn.clarity_gain * (rn.staff_offset + r.hr[e.region[m]]))
        e.engagement[m] = np.minimum(1, e.engagement[m] + rn.engagement_gain)
        model.tally.evaluations = len(m)

    # renewal at term end
    rows = e.where(ACTIVE, STAGNANT)
    due = rows[e.term_end[rows] <= t]
    if not len(due):
        return
    reg = e.region[due]
    recent = e.activity_sum[due] / np.maximum(e.active_quarters[due], 1)
    alive = e.stage[due] == ACTIVE
    # DPRD renews what works and what a committee or a legal umbrella stands behind
    p = unit(r.dprd[reg] + recent + rn.base + rn.committee_bonus * e.committee[due]
             + rn.obligation_bonus * e.obligation[due]
             + rn.leadership_bonus * (leadership(model, due) - rn.leadership_reference))
    renew = alive & (u[1, due] < p)
    e.renewals[due[renew]] += 1
    e.term_end[due[renew]] = t + e.term_years[due[renew]] * spy
    lapse = due[~renew]
    # a dormant one lapses for the reason it went dormant; a living one for lack of approval
    cause = np.where(e.stage[lapse] == STAGNANT, e.cause[lapse], LEGAL)
    e.end(lapse, np.where(cause < 0, LEGAL, cause), t)
    model.tally.renewed += int(renew.sum())
    model.tally.lapsed_active += int(alive.sum() - renew.sum())
    np.add.at(model.tally.ended, np.where(cause < 0, LEGAL, cause), 1)

