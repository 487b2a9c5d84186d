"""National shocks and regulatory instability (Actors: central government; Hambatan: policy).

A crisis year cuts every region's cooperation budget for a while (1998: West Java - South
Australia stopped for eight years); a downturn in relations with one country lowers its
partners' engagement; in a year of disruptive rule changes (probability 1 - stability),
approvals slow and regions whose rules contradict the centre's implement less.
"""

import numpy as np

__all__ = ["apply_shocks"]


def apply_shocks(model, rng: np.random.Generator) -> None:
    s, spy, t = model.params.shock, model.steps_per_year, model.t
    year = model.year
    regions = model.regions
    in_crisis = s.crisis_year is not None and s.crisis_year <= year < s.crisis_year + s.duration_years
    regions.budget = regions.budget_base * (1 - s.budget_cut) if in_crisis else regions.budget_base
    model.in_crisis = in_crisis
    if s.downturn_country and s.downturn_year is not None and year >= s.downturn_year:
        hit = model.partners.country == s.downturn_country
        model.partners.engagement_shift[hit] = -s.downturn_engagement
    if t % spy == 0:  # one draw per year, fixed size for common random numbers
        model.rule_change = rng.random() > model.params.central.regulatory_stability
