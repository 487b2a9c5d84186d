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
from coopsim.model.mechanisms.implementation import maturity, relations_factor

__all__ = ["stagnate_and_revive"]

# the step's keyed draws per partnership, by use
_DRAW = {name: i for i, name in enumerate(("revive", "resign", "weather"))}


def stagnate_and_revive(model, rng: np.random.Generator) -> None:
    """Long-inactive partnerships go dormant; dormant ones may revive, ended ones be re-signed."""
    e, b, t = model.partnerships, model.params.behaviour, model.t
    dice = edge_uniforms(model, step_key(rng), len(_DRAW))  # keyed by partnership: common random numbers
    rows = e.where(ACTIVE)
    stuck = rows[e.low_count[rows] >= b.stagnation_quarters]
    if len(stuck) and model.params.institutions.maturity_protection > 0:
        stuck = stuck[dice[_DRAW["weather"], stuck] >= maturity(model, stuck)]   # a mature one weathers the spell
    if len(stuck):
        e.move(stuck, STAGNANT, t)
        e.t_stagnant[stuck] = t
        np.add.at(model.tally.stagnated, e.cause[stuck], 1)
    if model.in_crisis:
        return   # in a crisis nothing is revived or re-signed
    dormant = e.where(STAGNANT)
    dormant = dormant[e.t_stage[dormant] < t]
    ended, load = _renegotiable(model)
    if len(dormant) or len(ended):
        u = dice.rows(np.concatenate((dormant, ended)), (_DRAW["revive"], _DRAW["resign"]))   # one pass
        _revive(model, dormant, u[0, :len(dormant)])
        _resign(model, ended, u[1, len(dormant):], load)


def _revive(model, dormant: np.ndarray, u: np.ndarray) -> None:
    """Dormant partnerships revive: more likely with a committed head, a joint committee, a
    diplomat, a budget line and good relations with the partner's country."""
    e, r, b, t, rv = model.partnerships, model.regions, model.params.behaviour, model.t, model.params.revival
    reg = e.region[dormant]
    p = b.revival_rate * (rv.commitment_offset + r.leader_commitment[reg]) \
        * (1 + rv.committee_factor * e.committee[dormant]) * (1 + r.diplomat[reg]) \
        * (rv.budget_offset + (r.budget[reg] > 0)) \
        * relations_factor(model, e.partner[dormant], model.params.relations_effects.renegotiation_sensitivity)
    back = dormant[u < p]
    if not len(back):
        return
    e.move(back, ACTIVE, t)
    e.low_count[back] = 0
    e.sponsor[back] = np.maximum(e.sponsor[back], r.leader_commitment[e.region[back]])
    e.engagement[back] = np.maximum(e.engagement[back],
                                    rv.engagement_restore * model.partners.interest[e.partner[back]])
    e.revivals[back] += 1
    model.tally.revived += len(back)


def _renegotiable(model) -> tuple[np.ndarray, np.ndarray]:
    """Ended agreements that could be re-negotiated (signed once, ended before this step, not
    concluded with their purpose achieved nor left with no programme, their partner with room
    in its portfolio), and every partner's portfolio load."""
    e, t, n = model.partnerships, model.t, model.partnerships.n
    ended = np.flatnonzero((e.stage[:n] == ENDED) & (e.t_mou[:n] > e.NEVER) & (e.t_end[:n] < t)
                           & (e.end_cause[:n] != COMPLETED) & (e.n_programs[:n] > 0))
    load = e.live_load(model.partners.n)
    return ended[(load < model.partners.limit)[e.partner[ended]]], load


def _resign(model, ended: np.ndarray, u: np.ndarray, load: np.ndarray) -> None:
    """Ended agreements re-negotiated from a letter of intent (West Java - South Australia), as
    far as the pair is free and the partner's portfolio has room."""
    e, r, b, t, rv = model.partnerships, model.regions, model.params.behaviour, model.t, model.params.revival
    reg = e.region[ended]
    p = rv.resign_share * b.revival_rate * (rv.commitment_offset + r.leader_commitment[reg]) \
        * (rv.budget_offset + (r.budget[reg] > 0)) \
        * relations_factor(model, e.partner[ended], model.params.relations_effects.renegotiation_sensitivity)
    again = ended[u < p]
    if not len(again):
        return
    free = [pair not in e.pairs for pair in zip(e.region[again].tolist(), e.partner[again].tolist())]
    again = again[np.array(free, dtype=bool)]
    again = again[e.within_portfolios(e.partner[again], model.partners.limit, load)]
    if not len(again):
        return
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
