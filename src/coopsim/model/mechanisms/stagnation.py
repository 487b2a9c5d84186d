"""Stagnation, silent death and revival (mechanism g).

An active partnership whose activity stays below the threshold for `stagnation_quarters`
quarters goes dormant ('stagnansi'), with the binding cause of its last low quarter. A
dormant one lapses at its term end (evaluation). It can be revived: more likely with a
committed head, a joint committee or a diplomat (Ismailiya's revival pledged in 2023). An
ended agreement can be re-negotiated from a letter of intent (West Java - South Australia,
re-signed around 2015), if its partner has room for it and relations between the countries
allow; one concluded with its purpose achieved, or left with no programme, is not re-negotiated."""

import numpy as np

from coopsim.model.draws import edge_uniforms, step_key

from coopsim.model.partnerships import ACTIVE, COMPLETED, ENDED, LOI, STAGNANT
from coopsim.model.mechanisms.implementation import relations_factor

__all__ = ["stagnate_and_revive"]


def stagnate_and_revive(model, rng: np.random.Generator) -> None:
    """Long-inactive partnerships go dormant; dormant ones may revive, ended ones be re-signed."""
    e, r, b, t = model.partnerships, model.regions, model.params.behaviour, model.t
    rv = model.params.revival
    u = edge_uniforms(model, step_key(rng), 2)  # keyed by partnership: common random numbers
    rows = e.where(ACTIVE)
    stuck = rows[e.low_count[rows] >= b.stagnation_quarters]
    e.move(stuck, STAGNANT, t)
    e.t_stagnant[stuck] = t
    np.add.at(model.tally.stagnated, e.cause[stuck], 1)

    budget_ok = r.budget > 0
    sensitivity = model.params.relations_effects.renegotiation_sensitivity
    dormant = e.where(STAGNANT)
    dormant = dormant[e.t_stage[dormant] < t]
    if len(dormant):
        reg = e.region[dormant]
        p = b.revival_rate * (rv.commitment_offset + r.leader_commitment[reg]) \
            * (1 + rv.committee_factor * e.committee[dormant]) * (1 + r.diplomat[reg]) \
            * (rv.budget_offset + budget_ok[reg]) * (0 if model.in_crisis else 1) \
            * relations_factor(model, e.partner[dormant], sensitivity)
        back = dormant[u[0, dormant] < p]
        e.move(back, ACTIVE, t)
        e.low_count[back] = 0
        e.sponsor[back] = np.maximum(e.sponsor[back], r.leader_commitment[e.region[back]])
        e.engagement[back] = np.maximum(e.engagement[back],
                                        rv.engagement_restore * model.partners.interest[e.partner[back]])
        e.revivals[back] += 1
        model.tally.revived += len(back)

    ended = e.where(ENDED)
    ended = ended[(e.t_mou[ended] > e.NEVER) & (e.t_end[ended] < t)]
    if len(ended):
        reg = e.region[ended]
        load = e.live_load(model.partners.n)
        room = load < model.partners.limit
        p = rv.resign_share * b.revival_rate * (rv.commitment_offset + r.leader_commitment[reg]) \
            * (rv.budget_offset + budget_ok[reg]) * (0 if model.in_crisis else 1) \
            * relations_factor(model, e.partner[ended], sensitivity) \
            * room[e.partner[ended]] * (e.end_cause[ended] != COMPLETED) * (e.n_programs[ended] > 0)
        again = ended[u[1, ended] < p]
        free = [pair not in e.pairs for pair in zip(e.region[again].tolist(), e.partner[again].tolist())]
        again = again[np.array(free, dtype=bool)] if len(again) else again
        again = again[e.within_portfolios(e.partner[again], model.partners.limit, load)]
        pairs = set(zip(e.region[again].tolist(), e.partner[again].tolist()))
        e.move(again, LOI, t)
        e.t_loi[again] = t
        e.t_end[again] = e.NEVER
        e.end_cause[again] = -1
        e.sponsor[again] = r.leader_commitment[e.region[again]]
        e.engagement[again] = model.partners.interest[e.partner[again]]
        e.revivals[again] += 1
        e.pairs.update(pairs)
        model.tally.revived += len(again)
