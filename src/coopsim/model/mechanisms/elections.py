"""Regional elections (Menakar Efektivitas: leadership turnover).

Heads serve five-year terms with at most one re-election (Law 23/2014 Art. 60). At a
turnover, the new head keeps, weakens or drops each of the predecessor's partnerships
(`turnover`): the base chance `adoption_probability` rises with the partnership's visibility,
what it delivered, its people-to-people ties and its institutions; what is institutionalised
(joint committee, bureau, decree/Perda, mid-term plan) or rooted in the community carries on
regardless, through `implementation.leadership`.
Unelected heads (DIY's Sultan) never turn over.
"""

import numpy as np

from coopsim.model.draws import betas, edge_uniforms, serial_keys, step_key, uniforms

from coopsim.config.vocabulary import SECTORS
from coopsim.model.partnerships import ENDED
from coopsim.model.population import beta_params, unit
from coopsim.model.mechanisms.implementation import community_ties, institutional_support

__all__ = ["schedule_elections", "hold_elections"]


def schedule_elections(model, rng: np.random.Generator) -> None:
    """First election step of every region from now (`model.t`, negative in a hindcast): all at
    once (every term before or after `first_year`), or spread over a term."""
    e, spy, now = model.params.elections, model.steps_per_year, model.t
    term = e.term_years * spy
    n = model.regions.n
    if e.timing == "simultaneous":
        first = (e.first_year - model.params.simulation.start_year) * spy
        first = np.full(n, now + (first - now) % term)
    else:
        first = now + rng.integers(0, term, n)
    model.regions.next_election = np.where(model.regions.unelected, np.iinfo(np.int64).max, first)


def hold_elections(model, rng: np.random.Generator) -> None:
    regions, e, t = model.regions, model.params.elections, model.t
    key = step_key(rng)  # taken every step, used only when someone votes
    voting = regions.next_election == t
    model.turnovers = np.zeros(regions.n, dtype=bool)
    if not voting.any():
        return
    who = serial_keys(regions.n)
    u = uniforms(key, who, 0)  # keyed by region: common random numbers
    eligible = regions.leader_terms < e.max_terms
    reelected = voting & eligible & (u < e.reelection_probability)
    turnover = voting & ~reelected
    regions.leader_terms[reelected] += 1
    regions.leader_terms[turnover] = 1
    commitment = beta_params(model.params.regions.leader_commitment, model.params.traits.concentration)
    regions.leader_commitment[turnover] = betas(*commitment, key, who[turnover], 1)
    regions.next_election[voting] += e.term_years * model.steps_per_year
    model.turnovers = turnover
    model.last_election[voting] = t

    edges = model.partnerships
    live = np.flatnonzero((edges.stage[: edges.n] != ENDED) & turnover[edges.region[: edges.n]])
    _inherit(model, live, edge_uniforms(model, key, 1)[0, live])


def _inherit(model, live: np.ndarray, u: np.ndarray) -> None:
    """A new head keeps, weakens or drops each of the predecessor's partnerships: the more
    visible, beneficial, rooted in the community and institutionalised, the likelier kept."""
    e, r, w = model.partnerships, model.regions, model.params.turnover
    mean_activity = e.activity_sum[live] / np.maximum(e.active_quarters[live], 1)
    keep = unit(model.params.elections.adoption_probability
                + w.visibility_weight * e.n_programs[live] / len(SECTORS)
                + w.benefit_weight * mean_activity
                + w.community_weight * community_ties(model, live)
                + w.institution_weight * institutional_support(model, live))
    weaken = keep + w.weaken_share * (1 - keep)
    commitment = r.leader_commitment[e.region[live]]
    e.sponsor[live] = np.where(u < keep, commitment, np.where(u < weaken, w.weaken_factor * commitment, 0.0))

