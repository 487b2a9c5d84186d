"""Model 2 (issue #12): money binds, every obstacle acts without floors, the partner side
decides, relations between countries act, natural decline ends even the best-run
partnerships, and the partner pool follows its documented country weights."""

import numpy as np
import pandas as pd
import pytest

from coopsim.config.scenario import Scenario
from coopsim.config.vocabulary import CAUSES
from coopsim.model.mechanisms import implementation as im
from coopsim.model.mechanisms.approval import funding_outlook
from coopsim.model.model import CoopModel
from coopsim.model.partnerships import ACTIVE, ENDED, PARTNER, RELATIONS
from coopsim.model.population import country_table, country_weights
from coopsim.run.seeds import replication_seed
from conftest import scenario_error

BEST = {"regions.hr_capacity": 0.9, "regions.data_quality": 0.9, "regions.bureaucracy_quality": 0.9,
        "regions.infrastructure": 0.9, "regions.community_participation": 0.9, "regions.leader_commitment": 0.9,
        "regions.budget_line_share": 0.9, "regions.budget_level": 1.2, "regions.dprd_support": 0.9,
        "levers.joint_committee": True, "levers.cooperation_bureau": True, "levers.legal_umbrella": "perda",
        "levers.mid_term_plan": True}


def _active_rows_and_factors(model):
    e = model.partnerships
    rows = e.where(ACTIVE)
    reg = e.region[rows]
    need = im.programme_need(model, rows, reg)
    lead = im.leadership(model, rows)
    own, theirs = im._funds(model, rows, reg, need, lead)
    return rows, im._factors(model, rows, reg, (own + theirs) / need, lead)


@pytest.mark.parametrize("path, factor", [("regions.data_quality", "data"),
                                          ("regions.bureaucracy_quality", "bureaucracy"),
                                          ("regions.hr_capacity", "hr"),
                                          ("regions.budget_line_share", "budget")])
def test_no_floor_the_worst_obstacle_takes_its_factor_near_zero(baseline, path, factor):
    """At the obstacle's worst level its delivery factor falls far below the activity
    threshold (no floor by construction); at its best it does not bind."""
    # (the data factor also reads the partner's openness: shut that too)
    extra = {"budget": {"funding.discretionary_programs": 0.0}, "data": {"partners.data_openness": 0.0}}
    worst = baseline.override({path: 0.0, **extra.get(factor, {})})
    best = baseline.override({path: 1.0} if factor != "budget" else {path: 1.0, "regions.budget_level": 1.5})
    k = CAUSES.index(factor)
    low = _active_rows_and_factors(CoopModel(worst, seed=1))[1][k]
    high = _active_rows_and_factors(CoopModel(best, seed=1))[1][k]
    assert np.median(low) < 0.5 * baseline.behaviour.activity_threshold
    assert np.median(high) > 2 * baseline.behaviour.activity_threshold


def test_infrastructure_limits_economic_programmes_only(baseline):
    """With no roads, trade, industry and agriculture programmes cost more and deliver less; a
    partnership without them is untouched."""
    model = CoopModel(baseline.override({"regions.infrastructure": 0.0}), seed=2)
    e = model.partnerships
    rows, factors = _active_rows_and_factors(model)
    economic = e.economic_share[rows]
    infra = factors[CAUSES.index("infrastructure")]
    assert np.allclose(infra[economic == 0], 1.0)
    assert (infra[economic > 0] < 1).mean() > 0.8
    need = im.programme_need(model, rows, e.region[rows])
    plain = e.n_programs[rows] * baseline.behaviour.program_cost / model.steps_per_year
    assert np.all(need[economic > 0] > plain[economic > 0])


def test_money_binds_the_dprd_approves_less_of_what_is_not_funded(baseline):
    """The DPRD's approval follows the money: the funding outlook of an MoU falls when the
    region has no budget line and its head no funds, and more partnerships share them."""
    rich = CoopModel(baseline.override({"regions.budget_line_share": 1.0, "regions.budget_level": 1.5}), seed=3)
    poor = CoopModel(baseline.override({"regions.budget_line_share": 0.0, "funding.discretionary_programs": 0.0}),
                     seed=3)
    rows = np.arange(rich.partnerships.n)
    assert funding_outlook(poor, rows).max() == 0
    assert funding_outlook(rich, rows).mean() > 0.3


def test_more_budget_means_more_activity_and_fewer_budget_failures(baseline):
    def run(budget_level):
        sc = baseline.override({"simulation.years": 8, "regions.budget_line_share": 0.6,
                                "regions.budget_level": budget_level})
        models = [CoopModel(sc, seed=replication_seed(5, i)).run() for i in range(4)]
        budget = np.mean([m.timeseries()["stagnated_budget"].sum() for m in models])
        active = np.mean([m.timeseries()["n_active"].iloc[-1] for m in models])
        return budget, active
    (few_b, few_a), (many_b, many_a) = run(0.1), run(1.4)
    assert many_b < few_b and many_a > few_a


@pytest.fixture(scope="module")
def best_runs():
    sc = Scenario().override({**BEST, "simulation.years": 60, "simulation.levels": ["province", "city"]})
    return [CoopModel(sc, seed=replication_seed(9, i)).run() for i in range(2)]


def test_under_the_best_conditions_partnerships_still_end_for_named_reasons(best_runs):
    for model in best_runs:
        ts = model.timeseries()
        ended = {c: ts[f"ended_{c}"].sum() for c in CAUSES}
        assert ended["completed"] > 0 and ended["priorities"] > 0 and ended["partner"] > 0
        e = model.partnerships
        assert (e.stage[: e.n] == ENDED).sum() > 0.2 * e.signed().sum()


def test_under_the_best_conditions_the_active_stock_levels_off(best_runs):
    """It grows early and then flattens (natural decline, partners' portfolios, money and staff):
    the last decade of sixty years adds far less than the first."""
    for model in best_runs:
        active = model.timeseries()["n_active"].to_numpy()
        spy = model.steps_per_year
        first = active[10 * spy] - active[0]
        last = active[-1] - active[-10 * spy]
        assert first > 0 and abs(last) < 0.5 * first


def test_no_partner_carries_more_than_its_portfolio_limit(baseline):
    model = CoopModel(baseline.override({"simulation.years": 12, "behaviour.exploration_rate": 0.3}), seed=4)
    worst = 0
    for _ in range(model.params.steps):
        model.step()
        load = model.partnerships.live_load(model.partners.n)
        worst = max(worst, int((load - model.partners.limit).max()))
    assert worst <= 0
    assert (model.partnerships.live_load(model.partners.n) == model.partners.limit).any()


def test_the_partner_pool_follows_the_documented_country_weights():
    """Synthetic partners are drawn by `country_weights` (known ties and a gravity weight, from
    countries.csv): observed shares within sampling error of the weights."""
    sc = Scenario().override({"partners.pool_size": 20000})
    model = CoopModel(sc, seed=1)
    known = model.partners.n - sc.partners.pool_size
    drawn = pd.Series(model.partners.country[known:]).value_counts(normalize=True)
    weights = country_weights(sc, country_table())
    share = drawn.reindex(weights.index, fill_value=0.0)
    se = np.sqrt(weights * (1 - weights) / sc.partners.pool_size)
    assert np.all(np.abs(share - weights) < 4 * se + 1e-9)
    # the weights use the evidence: China (most known ties) outweighs Bulgaria, Malaysia (near) Brazil
    assert weights["China"] > 3 * weights["Bulgaria"] and weights["Malaysia"] > weights["Brazil"]


def test_richer_countries_partners_have_more_resources():
    model = CoopModel(Scenario().override({"partners.pool_size": 5000}), seed=2)
    p = model.partners
    gdp = country_table()["gdp_per_capita_usd"].reindex(p.country).to_numpy()
    rich, poor = p.capacity[gdp > 40000].mean(), p.capacity[gdp < 5000].mean()
    assert rich > poor + 0.05


def _explorations_by_period(scenario, seeds=range(6)):
    rows = []
    for s in seeds:
        ledger = CoopModel(scenario, seed=replication_seed(3, s)).run().ledger()
        for period, (a, b) in {"before": (2025, 2030), "during": (2030, 2034), "after": (2036, 2043)}.items():
            new = ledger[(ledger["explored"] >= a) & (ledger["explored"] < b)]
            rows.append((period, (new["country"] == "China").sum() / (b - a), (new["country"] != "China").sum() / (b - a)))
    return pd.DataFrame(rows, columns=["period", "china", "others"]).groupby("period").mean()


def test_a_relations_downturn_cuts_formation_with_that_country_only_and_formation_recovers(baseline):
    base = baseline.override({"simulation.years": 18, "partners.pool_size": 400})
    data = base.model_dump()
    data["relations"] = [{"country": "China", "start_year": 2030, "depth": 0.9, "duration_years": 4,
                          "recovery_years": 1}]
    sour = Scenario.model_validate(data)
    calm, hit = _explorations_by_period(base), _explorations_by_period(sour)
    assert hit.loc["during", "china"] < 0.3 * calm.loc["during", "china"]
    assert hit.loc["during", "others"] >= 0.9 * calm.loc["during", "others"]
    assert hit.loc["after", "china"] > 0.7 * calm.loc["after", "china"]
    assert hit.loc["before", "china"] == calm.loc["before", "china"]


def test_soured_relations_end_partnerships_through_the_partner_with_their_own_cause(baseline):
    data = baseline.override({"simulation.years": 10}).model_dump()
    data["relations"] = [{"country": "China", "start_year": 2026, "depth": 1.0, "duration_years": 8}]
    model = CoopModel(Scenario.model_validate(data), seed=1).run()
    e = model.partnerships
    china = model.partners.country[e.partner[: e.n]] == "China"
    causes = e.end_cause[: e.n]
    assert (causes[china] == RELATIONS).sum() > 0
    assert (causes[~china] == RELATIONS).sum() == 0


def test_a_partner_that_loses_interest_leaves(baseline):
    """No interest and nothing delivered: partners end partnerships at their yearly review."""
    cold = baseline.override({"simulation.years": 6, "partners.interest": 0.02,
                              "partner_side.exit_engagement": 0.3})
    warm = baseline.override({"simulation.years": 6, "partners.interest": 0.9})
    def left(sc):
        return sum((CoopModel(sc, seed=s).run().partnerships.end_cause == PARTNER).sum() for s in range(3))
    assert left(cold) > 3 * max(left(warm), 1)


def test_keyed_draws_a_lever_in_one_region_leaves_the_others_dice_alone(baseline):
    """Common random numbers per partnership: the same seed with a lever scoped to one region
    gives every other region's partnerships the same history over the run."""
    short = baseline.override({"simulation.years": 8})
    lever = short.override({"levers.dedicated_budget": 1.0, "levers.scope": ["Provinsi Jawa Barat"]})
    a, b = CoopModel(short, seed=7).run().ledger(), CoopModel(lever, seed=7).run().ledger()
    other_a = a[a["region"] != "Provinsi Jawa Barat"].drop(columns="id").reset_index(drop=True)
    other_b = b[b["region"] != "Provinsi Jawa Barat"].drop(columns="id").reset_index(drop=True)
    pd.testing.assert_frame_equal(other_a, other_b)
    assert not a[a["region"] == "Provinsi Jawa Barat"].drop(columns="id").reset_index(drop=True).equals(
        b[b["region"] == "Provinsi Jawa Barat"].drop(columns="id").reset_index(drop=True))


def test_a_relations_episode_with_an_unknown_country_is_refused_with_a_suggestion(tmp_path):
    message = scenario_error(tmp_path, 'name = "r"\n[[relations]]\ncountry = "Chna"\nstart_year = 2030\n')
    assert "relations[0].country" in message and "Did you mean China" in message
