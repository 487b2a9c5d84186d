"""A ranking that survives uncertainty (issue 13, item 3): top-k probabilities of a Sobol'
ranking with their intervals on analytical cases, the second-stage analysis that finds the
input flipping a ranking, the plain-words verdict, and the shipped robust experiment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib import ProblemSpec

from coopsim.analysis.calibration import weighted_quantiles
from coopsim.analysis.robust_ranking import ALL_FORMS, SobolRuns, rank_robustness, sobol_runs, total_effects
from coopsim.analysis.sensitivity import build_design, design_size
from coopsim.config.calibration import load_posterior
from coopsim.config.errors import UserError
from coopsim.config.experiment import SEED_INPUT, load_experiment
from coopsim.workflows.sensitivity import Study

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT / "experiments"
BASELINE = ROOT / "scenarios" / "baseline.toml"
OBSTACLES = ["budget", "human_resources", "data", "leadership_turnover", "bureaucracy", "infrastructure",
             "legal_basis", "community_participation"]


def _sample(names: list[str], bounds: list[list[float]], n: int, seed: int = 1) -> np.ndarray:
    """A Saltelli sample (no second order) through SALib's public ProblemSpec."""
    sp = ProblemSpec({"names": names, "bounds": bounds})
    sp.sample_sobol(n, calc_second_order=False, seed=seed)
    return np.asarray(sp.samples)


def _ishigami(X: np.ndarray) -> np.ndarray:
    return np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])


def _probabilities(found: dict, policy: str = ALL_FORMS) -> pd.DataFrame:
    p = found["probabilities"]
    return p[p["policy"] == policy].set_index("factor")


# -- (a) the estimate: analytical cases ------------------------------------------------------------
def test_ishigami_ranking_is_robust_with_narrow_intervals():
    """ST of Ishigami: x1 0.558 > x2 0.442 > x3 0.244. With N = 1024 the order is clear: x1 tops
    it, x1 and x2 are the top two and x3 never is, each interval narrow and around its value."""
    X = _sample(["x1", "x2", "x3"], [[-np.pi, np.pi]] * 3, 1024)
    runs = sobol_runs({"base": _ishigami(X)}, ["x1", "x2", "x3"])
    st = total_effects(runs.A[0], runs.AB[0], runs.B[0])
    sp = ProblemSpec({"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3})
    sp.set_samples(X)
    sp.set_results(_ishigami(X))
    sp.analyze_sobol(calc_second_order=False, num_resamples=10, seed=1)
    assert np.allclose(st, sp.analysis["ST"])                  # SALib's own estimator
    assert np.allclose(st, [0.5576, 0.4424, 0.2437], atol=0.04)

    top1 = _probabilities(rank_robustness(runs, ["x1", "x2", "x3"], 1, splits=20, outer=100))
    assert top1.loc["x1", "p_top"] >= 0.9 and top1.loc["x3", "p_top"] == 0
    top2 = _probabilities(rank_robustness(runs, ["x1", "x2", "x3"], 2, splits=20, outer=100))
    assert top2.loc["x1", "p_top"] >= 0.99 and top2.loc["x2", "p_top"] >= 0.99
    assert top2.loc["x3", "hi"] <= 0.05 and top2.loc["x1", "lo"] >= 0.95       # narrow intervals
    assert (top2["lo"] <= top2["p_top"]).all() and (top2["p_top"] <= top2["hi"]).all()
    assert list(top2["verdict"]) == ["in", "in", "out"]
    assert np.isclose(top2["p_top"].sum(), 2)                  # exactly two in the top two in every resample


def test_an_exact_tie_gives_one_half():
    """Two groups whose runs are identical tie in every resample: the tie is broken at random,
    so each is on top in about half of them (and a constant output gives every group k/m)."""
    rng = np.random.default_rng(3)
    n = 256
    A, B = rng.random(n), rng.random(n)
    twin = A + rng.random(n)
    AB = np.stack([twin, twin, A + 0.1 * rng.random(n)], axis=1)
    runs = SobolRuns(["base"], ["x1", "x2", "x3"], A[None], B[None], AB[None], pd.DataFrame(index=range(n)))
    p = _probabilities(rank_robustness(runs, ["x1", "x2", "x3"], 1, splits=20))
    assert abs(p.loc["x1", "p_top"] - 0.5) < 0.06 and abs(p.loc["x2", "p_top"] - 0.5) < 0.06
    assert p.loc["x3", "p_top"] == 0
    flat = SobolRuns(["base"], ["x1", "x2", "x3"], np.ones((1, n)), np.ones((1, n)), np.ones((1, n, 3)))
    p = _probabilities(rank_robustness(flat, ["x1", "x2", "x3"], 1, splits=20))
    assert np.allclose(p["p_top"], 1 / 3, atol=0.06)


def test_a_statistical_tie_is_near_one_half_with_a_wide_interval():
    """y = x1 + x2 + 0.5 x3: x1 and x2 have the same true ST. Over independent designs the
    probability that x1 ranks first averages about one half, and each design's interval is wide
    and holds one half (unlike the clear Ishigami order above)."""
    probs, holds, widths = [], [], []
    for seed in range(1, 7):
        X = _sample(["x1", "x2", "x3"], [[0, 1]] * 3, 256, seed=seed)
        y = X[:, 0] + X[:, 1] + 0.5 * X[:, 2]
        p = _probabilities(rank_robustness(sobol_runs({"base": y}, ["x1", "x2", "x3"]), ["x1", "x2", "x3"], 1,
                                           splits=20, seed=seed, outer=100)).loc["x1"]
        probs.append(p["p_top"])
        holds.append(p["lo"] <= 0.5 <= p["hi"])
        widths.append(p["hi"] - p["lo"])
    assert 0.3 <= np.mean(probs) <= 0.7, probs
    assert sum(holds) >= 5, (probs, holds)
    assert np.mean(widths) > 0.5, widths


# -- (b) and (c): model forms and the second stage --------------------------------------------------
def _flipping_runs(n: int = 512) -> SobolRuns:
    """Ranked x1, x2, x3; uncertain u decides whether x1 or x2 leads (form "a"; in form "b" x1
    always leads), uncertain v only shifts the output."""
    names = ["x1", "x2", "x3", "u", "v"]
    X = _sample(names, [[0, 1]] * 5, n)
    x1, x2, x3, u, v = X.T
    lead = np.where(u > 0.5, 2 * x1 + x2, x1 + 2 * x2) + 0.5 * x3 + 0.3 * v
    steady = 2 * x1 + x2 + 0.5 * x3 + 0.3 * v
    inputs = pd.DataFrame({"u": u[:: len(names) + 2], "v": v[:: len(names) + 2]})
    return sobol_runs({"a": lead, "b": steady}, names, inputs)


def test_the_second_stage_finds_the_input_that_flips_the_ranking():
    found = rank_robustness(_flipping_runs(), ["x1", "x2", "x3"], 1, splits=100)
    flips = found["flips"].set_index("input")
    assert flips.loc["u", "flip"] > 0.8 and flips.loc["u", "beyond_chance"]
    assert flips.loc["u", "flip"] > flips.loc["u", "chance_level"]
    assert not flips.loc["v", "beyond_chance"] and flips.loc["v", "flip"] < flips.loc["u", "flip"] / 2
    assert list(found["flips"]["input"])[0] == "u"                      # the largest flip first
    u = flips.loc["u"]
    assert u["policy"] == "a" and u["factor"] in ("x1", "x2")
    x1 = found["parts"][(found["parts"]["input"] == "u") & (found["parts"]["policy"] == "a")
                        & (found["parts"]["factor"] == "x1")].set_index("part")["p_top"]
    assert x1[1] <= 0.1 and x1[2] >= 0.9                                # x2 leads below 0.5, x1 above
    every = _probabilities(found)
    assert every.loc["x1", "verdict"] == "unsure" and every.loc["x3", "verdict"] == "out"
    forms = found["probabilities"].set_index(["policy", "factor"])["p_top"]
    assert forms[("b", "x1")] >= 0.99                                   # (b): the steady form
    assert np.isclose(every.loc["x1", "p_top"], (forms[("a", "x1")] + forms[("b", "x1")]) / 2)


def _flip_study(tmp_path: Path) -> Study:
    """A study over scenario parameters whose outputs are computed here (no model runs): the
    obstacles hr, data, infrastructure are ranked; behaviour.follow_up flips hr and data in the
    liebig form; the multiplicative form puts infrastructure first."""
    data = {"name": "flip", "scenario": str(BASELINE), "seed": 5, "dummy": False, "outputs": ["share_failed"],
            "method": {"name": "sobol", "n": 256, "bootstrap": 200},
            "robust": {"uncertain": ["behaviour"], "top": 1, "splits": 60},
            "policies": [{"name": "liebig", "overrides": {"implementation.binding": "liebig"}},
                         {"name": "multiplicative", "overrides": {"implementation.binding": "multiplicative"}}],
            "inputs": [{"path": "regions.hr_capacity", "bounds": [0, 1], "group": "hr"},
                       {"path": "regions.data_quality", "bounds": [0, 1], "group": "data"},
                       {"path": "regions.infrastructure", "bounds": [0, 1], "group": "infra"},
                       {"path": "behaviour.follow_up", "bounds": [0.1, 0.6], "group": "behaviour"}]}
    study = Study.from_dict(data, folder=tmp_path).sample()
    s = study.samples
    hr, dq, inf, fu = (s[c].to_numpy() for c in ("hr_capacity", "data_quality", "infrastructure", "follow_up"))
    liebig = np.where(fu > 0.35, 2 * hr + dq, hr + 2 * dq) + 0.5 * inf
    multiplicative = hr + dq + 3 * inf
    return study.analyze(Y=np.where(s["_policy"].to_numpy() == 0, liebig, multiplicative))


def test_the_summary_says_in_plain_words_when_the_ranking_is_not_robust(tmp_path):
    study = _flip_study(tmp_path)
    text = study.summary
    assert "**The ranking is not robust** for share_failed" in text.replace("share of signed", "share_failed") \
        or "**The ranking is not robust**" in text
    assert "The model forms disagree" in text
    assert "behaviour.follow_up moves" in text                       # the parameter that changes it
    assert "P(top 1) [interval]" in text and "How to read it" in text
    robust = study.robust
    assert not robust.robust("share_failed")
    assert robust.flips.iloc[0]["input"] == "follow_up" and robust.flips.iloc[0]["beyond_chance"]


def test_a_robust_ranking_is_called_robust(tmp_path):
    """The Ishigami verification target through the whole study: x1 robustly first of x1, x2."""
    text = (f'name = "ish"\nseed = 3\noutputs = ["y"]\n[target]\nkind = "ishigami"\n'
            f'[robust]\nuncertain = ["x3"]\ntop = 1\nsplits = 40\n[method]\nname = "sobol"\nn = 512\n'
            f'bootstrap = 200\n' + "".join(f'[[inputs]]\npath = "{x}"\nbounds = [-3.14159, 3.14159]\n'
                                          for x in ("x1", "x2", "x3")))
    study = Study.from_dict(tomllib.loads(text), folder=tmp_path).run(tmp_path / "out")
    assert "**The top 1 is robust** for y: x1 is in it" in study.summary
    assert (tmp_path / "out" / "robust_probabilities.csv").exists()
    assert (tmp_path / "out" / "figures" / "robust_y.png").exists()
    assert Study.load(tmp_path / "out").robust.probabilities.equals(study.robust.probabilities)


# -- the experiment file ----------------------------------------------------------------------------
def test_the_shipped_robust_experiment_loads_with_its_groups_and_forms():
    exp = load_experiment(EXPERIMENTS / "obstacles_sobol_robust.toml")
    plain = load_experiment(EXPERIMENTS / "obstacles_sobol.toml")
    assert exp.ranked_factors == OBSTACLES
    same = {(i.path, tuple(i.bounds), i.group) for i in plain.inputs}
    assert {(i.path, tuple(i.bounds), i.group) for i in exp.inputs if i.group in OBSTACLES} == same
    uncertain = exp.spec.robust.uncertain
    assert {"behaviour_formation", "behaviour_activity", "funding", "implementation_thresholds",
            "implementation_losses", "institutions", "turnover", "partner_side", "decline", "traits"} <= set(uncertain)
    sections = {i.path.split(".")[0] for i in exp.inputs if i.group in uncertain}
    assert {"behaviour", "funding", "implementation", "institutions", "turnover", "partner_side", "decline",
            "traits"} <= sections
    posterior = load_posterior(EXPERIMENTS / "posterior")          # the behaviour rates: its 5%-95% range
    for path in posterior.values.columns:
        lo, hi = weighted_quantiles(posterior.values[path], posterior.weights, [0.05, 0.95])
        bounds = next(i.bounds for i in exp.inputs if i.path == path)
        assert lo - 0.001 <= bounds[0] <= lo and hi <= bounds[1] <= hi + 0.001, (path, bounds, lo, hi)
    assert [p.name for p in exp.policies] == ["liebig", "multiplicative"]
    assert [p.overrides for p in exp.policies] == [{"implementation.binding": "liebig"},
                                                   {"implementation.binding": "multiplicative"}]
    assert exp.spec.outputs == ["cohort_survival_10y", "failure_hazard", "share_failed", "active_end"]
    assert exp.scenario.simulation.years == 10 and exp.spec.stochasticity.seed_as_input and not exp.spec.dummy
    groups = list(dict.fromkeys(exp.problem()["groups"]))
    assert len(groups) == 8 + len(uncertain) + 1 and groups[-1] == SEED_INPUT
    assert design_size(exp) == exp.spec.method.n * (len(groups) + 2) * 2


def test_the_runs_of_a_base_sample_share_its_seed_except_the_seed_column():
    """Common random numbers: within a base sample every run but the seed's own (and B) has A's seed."""
    exp = load_experiment(EXPERIMENTS / "obstacles_sobol_robust.toml")
    design = build_design(exp)
    block = design.block
    seeds = design.seeds[: design.rows_per_policy].reshape(-1, block)
    assert (seeds[:, 1:block - 2] == seeds[:, :1]).all()             # A and AB of every other group
    assert (seeds[:, block - 2] != seeds[:, 0]).mean() > 0.99        # AB of the seed: B's seed
    assert (design.seeds[design.rows_per_policy:] == design.seeds[: design.rows_per_policy]).all()


@pytest.mark.parametrize("robust, method, message", [
    ('uncertain = ["nope"]', "sobol", "robust.uncertain names nope"),
    ('uncertain = ["x3"]\ntop = 2', "sobol", "every one is in the top 2"),
    ('uncertain = ["x3"]\ntop = 1', "morris", "needs method.name"),
])
def test_robust_table_errors_name_the_key(tmp_path, robust, method, message):
    text = (f'name = "e"\noutputs = ["y"]\n[target]\nkind = "ishigami"\n[robust]\n{robust}\n[method]\n'
            f'name = "{method}"\nn = 16\n' + "".join(f'[[inputs]]\npath = "{x}"\nbounds = [-3.0, 3.0]\n'
                                                  for x in ("x1", "x2", "x3")))
    path = tmp_path / "e.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_experiment(path)


def test_overrides_set_the_base_scenario_and_may_not_clash(tmp_path):
    head = (f'name = "o"\nscenario = "{BASELINE.as_posix()}"\noutputs = ["share_failed"]\n[method]\nname = "sobol"\n'
            f'n = 16\n[[inputs]]\npath = "regions.hr_capacity"\nbounds = [0.1, 0.9]\n')
    path = tmp_path / "o.toml"
    path.write_text(head + '[overrides]\n"simulation.years" = 7\n')
    assert load_experiment(path).scenario.simulation.years == 7
    path.write_text(head + '[overrides]\n"regions.hr_capacity" = 0.5\n')
    with pytest.raises(UserError, match="also a varied input"):
        load_experiment(path)
    path.write_text(head + '[overrides]\n"simulation.years" = 0\n')
    with pytest.raises(UserError, match="overrides"):
        load_experiment(path)
