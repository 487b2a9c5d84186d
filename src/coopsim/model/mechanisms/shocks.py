"""National shocks, relations between countries and regulatory instability (Actors: central
government; Hambatan: policy).

A crisis year cuts every region's cooperation budget for a while (1998: West Java - South
Australia stopped for eight years). Relations between Indonesia and a partner country follow
the scenario's `[[relations]]` episodes (sour at a start year, stay low, recover); the level
acts on partner search, follow-up, the Foreign Ministry's consideration, engagement and
renegotiation (`relations_effects`). In a year of disruptive rule changes (probability
1 - stability), approvals slow and regions whose rules contradict the centre's implement less.
"""

from functools import lru_cache

import numpy as np

__all__ = ["apply_shocks", "relations_levels", "normal_relations"]


def apply_shocks(model, rng: np.random.Generator) -> None:
    """This step's crisis, relations between countries and rule changes."""
    s, spy, t = model.params.shock, model.steps_per_year, model.t
    year = model.year
    regions = model.regions
    in_crisis = s.crisis_year is not None and s.crisis_year <= year < s.crisis_year + s.duration_years
    regions.budget = regions.budget_base * (1 - s.budget_cut) if in_crisis else regions.budget_base
    model.in_crisis = in_crisis
    partners = model.partners
    levels = relations_levels(model.params, partners.countries, year)
    # normal with every country (the common case): one shared array the mechanisms recognise
    partners.relations = normal_relations(partners.n) if (levels == 1).all() else levels[partners.country_code]
    if t % spy == 0:  # one draw per year, fixed size for common random numbers
        model.rule_change = rng.random() > model.params.central.regulatory_stability


@lru_cache
def normal_relations(n: int) -> np.ndarray:
    """Relations at their normal level (1) with each of `n` partners' countries (cached,
    read-only: a change makes a new array)."""
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


def relations_levels(scenario, countries: tuple, year: float) -> np.ndarray:
    """Relations of Indonesia with each country in `year`, in [0, 1] (1: normal).

    Args:
        scenario: its `[[relations]]` episodes and the `[shock] downturn_*` shorthand (an episode
            that never recovers).
        countries: country names, in the order of the result.
        year: calendar year (fractional).

    Returns:
        One level per country: the lowest any episode sets (1 - depth while it lasts, then a
        linear recovery over `recovery_years`).
    """
    level = np.ones(len(countries))
    episodes = [(ep.country, ep.start_year, ep.depth, ep.duration_years, ep.recovery_years)
                for ep in scenario.relations]
    s = scenario.shock
    if s.downturn_country and s.downturn_year is not None:
        episodes.append((s.downturn_country, s.downturn_year, s.downturn_engagement, np.inf, 0.0))
    started = [ep for ep in episodes if year >= ep[1]]
    index = {c: i for i, c in enumerate(countries)} if started else {}
    for country, start, depth, duration, recovery in started:
        i = index.get(country)
        if i is None:
            continue
        since = year - start - duration
        lost = depth if since <= 0 else depth * max(0.0, 1 - since / recovery) if recovery > 0 else 0.0
        level[i] = min(level[i], 1 - lost)
    return level
