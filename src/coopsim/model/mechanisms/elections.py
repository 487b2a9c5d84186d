"""Regional elections (Menakar Efektivitas: leadership turnover).

Heads serve five-year terms with at most one re-election (Law 23/2014 Art. 60). At a
turnover, each partnership of the region keeps its sponsor only if the new head adopts it
(probability `adoption_probability`); what is institutionalised (joint committee, bureau,
decree/Perda, mid-term plan) carries on regardless, through `implementation.leadership`.
Unelected heads (DIY's Sultan) never turn over.
"""

import numpy as np

from coopsim.model.partnerships import ENDED
from coopsim.model.population import beta_params

__all__ = ["schedule_elections", "hold_elections"]


def schedule_elections(model, rng: np.random.Generator) -> None:
    """First election step of every region: all at once, or spread over a term."""
    e, spy = model.params.elections, model.steps_per_year
    term = e.term_years * spy
    n = model.regions.n
    if e.timing == "simultaneous":
        first = np.full(n, (e.first_year - model.params.simulation.start_year) * spy)
        first = np.where(first < 0, first % term, first)
    else:
        first = rng.integers(0, term, n)
    model.regions.next_election = np.where(model.regions.unelected, np.iinfo(np.int64).max, first)


def hold_elections(model, rng: np.random.Generator) -> None:
    regions, e, t = model.regions, model.params.elections, model.t
    u = rng.random(regions.n)  # fixed size: common random numbers across scenarios
    voting = regions.next_election == t
    model.turnovers = np.zeros(regions.n, dtype=bool)
    if not voting.any():
        return
    eligible = regions.leader_terms < e.max_terms
    reelected = voting & eligible & (u < e.reelection_probability)
    turnover = voting & ~reelected
    regions.leader_terms[reelected] += 1
    regions.leader_terms[turnover] = 1
    regions.leader_commitment[turnover] = rng.beta(
        *beta_params(model.params.regions.leader_commitment), int(turnover.sum()))
    regions.next_election[voting] += e.term_years * model.steps_per_year
    model.turnovers = turnover
    model.last_election[voting] = t

    edges = model.partnerships
    live = np.flatnonzero((edges.stage[: edges.n] != ENDED) & turnover[edges.region[: edges.n]])
    adopt = rng.random(len(live)) < e.adoption_probability
    edges.sponsor[live] = np.where(adopt, regions.leader_commitment[edges.region[live]], 0.0)

