"""Pattern-oriented validation (issue 3, docs/TRACE.md): the six patterns at a CI size, the
statistics behind them, negative controls showing the checks can fail, the CLI with its two
sections (calibration fit, held-out fit), and the calibration's sweep target. The held-out
measures are tests/test_heldout.py, the split tests/test_evidence_split.py."""

import argparse

import numpy as np
import pandas as pd
import pytest

from coopsim.analysis import validation as V
from coopsim.analysis.stats import mean_interval, ratio_interval
from coopsim.cli import validate as cli
from coopsim.config.errors import UserError
from coopsim.model.partnerships import ACTIVE, ENDED, STAGNANT
from coopsim.run.runner import simulate
from coopsim.run.tracing import Trace, trace, traces
from coopsim.workflows.validation import run_checks
from conftest import SCENARIOS

REPS = 10
SEED = 3


@pytest.fixture(scope="module")
def checks(baseline):
    return run_checks(baseline, seed=SEED, reps=REPS)


def by_pattern(checks, k):
    return [c for c in checks if c.pattern == k]


@pytest.mark.parametrize("pattern", [1, 2, 3, 4, 5, 6])
def test_baseline_meets_pattern(checks, pattern):
    failed = [f"{c.check}: {c.value:.3f} [{c.low:.3f}, {c.high:.3f}], target {c.target}"
              for c in by_pattern(checks, pattern) if not c.passed]
    assert not failed, failed


def test_every_pattern_names_its_mechanism(checks):
    assert {c.pattern for c in checks} == set(V.MECHANISMS) == set(V.MEASURES) == set(range(1, 9))
    assert all(c.mechanism == V.MECHANISMS[c.pattern] for c in checks)
    assert {c.part for c in checks} == {"calibration", "held_out"} and all(c.key for c in checks)


# --- the trace is the model's own state -----------------------------------------------------------
def test_trace_matches_the_model(baseline):
    scenario = baseline.override({"simulation.years": 6, "simulation.levels": ["province"]})
    tr = trace(scenario, 5)
    model = simulate(scenario, 5)
    e = model.partnerships
    assert tr.steps == scenario.steps
    assert np.array_equal(tr.stage[-1], e.stage[:e.n])
    counts = np.array([(tr.stage[1:] == s).sum(axis=1) for s in range(6)]).T
    ts = model.timeseries()
    assert np.array_equal(counts, ts[[f"n_{s}" for s in ("exploration", "loi", "mou", "active",
                                                          "stagnant", "ended")]].to_numpy())
    # rows created later are -1 before they exist, never afterwards
    born = np.argmax(tr.stage >= 0, axis=0)
    for j in range(0, tr.stage.shape[1], 7):
        assert (tr.stage[:born[j], j] == -1).all() and (tr.stage[born[j]:, j] >= 0).all()


# --- statistics ------------------------------------------------------------------------------------
def test_intervals_cover_and_tighten():
    rng = np.random.default_rng(0)
    small = mean_interval(rng.normal(1.0, 1.0, 10))
    large = mean_interval(rng.normal(1.0, 1.0, 400))
    assert small[1] < small[0] < small[2] and large[1] < 1.0 < large[2]
    assert large[2] - large[1] < small[2] - small[1]
    value, lo, hi = ratio_interval([(2, 10, 1, 10)] * 5)
    assert value == pytest.approx(2.0) and lo == hi == pytest.approx(2.0)
    assert np.isnan(ratio_interval([(1, 0)] * 3)[0])


def test_check_bounds_and_miss():
    inside = V._check(1, "x", "", (0.7, 0.65, 0.75), (0.6, 0.8), (0.6, 0.8))
    wide = V._check(1, "x", "", (0.7, 0.55, 0.85), (0.6, 0.8), (0.6, 0.8))
    outside = V._check(1, "x", "", (0.9, 0.85, 0.95), (0.6, 0.8))
    assert inside.passed and not wide.passed and not outside.passed
    assert inside.miss() == wide.miss() == 0 and outside.miss() == pytest.approx(0.5)


def _toy_trace(stage, last_election, institutionalised, region=None, term_end=None, renewals=None):
    stage = np.asarray(stage, dtype=np.int8)
    rows = stage.shape[1]
    return Trace(stage=stage,
                   term_end=np.zeros(stage.shape) if term_end is None else np.asarray(term_end, float),
                   renewals=np.zeros(stage.shape, np.int32) if renewals is None else np.asarray(renewals),
                   last_election=np.asarray(last_election), region=np.zeros(rows, int) if region is None else region,
                   institutionalised=np.asarray(institutionalised), term_years=np.full(rows, 5),
                   case=np.full(rows, -1), case_names=[], steps_per_year=1)


def test_election_hazards_count_by_hand():
    # one region, one step per year, elections at step 6: burn-in is min(5, steps // 2) = 5
    A, S = ACTIVE, STAGNANT
    stage = np.array([[A, A, A]] * 7 + [[S, A, A], [S, A, S], [S, A, S], [S, S, S]])
    elections = [[-10**9]] * 7 + [[6]] * 4  # row k + 1 is the state after step k
    tr = _toy_trace(stage, elections, np.array([False, False, True]))
    # steps 5..9: step 6 (since 0) and 7 (since 1) are "after"; 5, 8, 9 between (9 is since 3)
    a, b, c, d = V.election_hazards(tr, institutionalised=False)
    assert (a, b) == (1, 2 + 1)       # row 0 stagnates at step 6; at risk: rows 0, 1 at 6, row 1 at 7
    assert (c, d) == (1, 2 + 1 + 1)   # row 1 stagnates at step 9; at risk: 0, 1 at 5; 1 at 8, 9
    a, b, c, d = V.election_hazards(tr, institutionalised=True)
    assert (a, b, c, d) == (1, 2, 0, 1)


def test_term_ends_renewed_or_lapsed():
    A, E = ACTIVE, ENDED
    stage = [[A, A]] * 4 + [[A, E]] + [[A, E]]
    term_end = [[3, 3]] * 4 + [[8, 3]] * 2
    renewals = [[0, 0]] * 4 + [[1, 0]] * 2
    tr = _toy_trace(stage, [[0]] * 6, np.array([False, False]), term_end=term_end, renewals=renewals)
    renewed, due = V._term_ends(tr, 0)
    assert renewed.tolist() == [1, 0] and due.tolist() == [1, 1]


# --- negative controls: the checks can fail ----------------------------------------------------------
def test_no_turnover_effect_fails_pattern_4(baseline):
    """If new heads adopt every partnership and commit fully, elections cannot hurt: pattern 4's
    first check must then fail (its hazard ratio falls to about 1)."""
    calm = baseline.override({"elections.adoption_probability": 1.0, "regions.leader_commitment": 0.99})
    check = V.pattern_4_elections(traces(calm, SEED, 6))[0]
    assert not check.passed and check.value < 1.5


def test_kyoto_without_its_institutions_fails_pattern_3(baseline):
    """Strip the Kyoto-like case of budget, committee, data and partner: it no longer runs on."""
    scenario = V.case_scenario(baseline)
    cases = [c.model_dump() for c in scenario.cases]
    cases[0].update(dedicated_budget=0.0, joint_committee=False, data=0.1, partner_capacity=0.3,
                    partner_interest=0.3, partner_budget=False, region_budget=False)
    checks = V.pattern_3_cases(traces(scenario.override({"cases": cases}), SEED, 6))
    assert not checks[0].passed


def test_derived_scenarios_keep_the_base(baseline):
    other = baseline.override({"regions.hr_capacity": 0.7})
    cases = V.case_scenario(other)
    assert cases.regions.hr_capacity == 0.7 and len(cases.cases) == 2
    assert "ID-YO" in cases.elections.unelected_heads and "ID-YO" in cases.central.diplomat_regions
    control, crisis = V.crisis_scenarios(other)
    assert control.shock.crisis_year is None and crisis.shock.crisis_year is not None
    assert crisis.regions.hr_capacity == 0.7
    own = other.override({"shock.crisis_year": 2033})
    assert V.crisis_scenarios(own)[1].shock.crisis_year == 2033


# --- `coopsim validate` ---------------------------------------------------------------------------
def _args(**kw):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    argv = [kw.pop("scenario")] + sum(([f"--{k}", str(v)] for k, v in kw.items() if v is not True), []) \
        + [f"--{k}" for k, v in kw.items() if v is True]
    return parser.parse_args(argv)


def test_cli_writes_table_and_manifest(tmp_path, capsys):
    small = tmp_path / "small.toml"
    small.write_text(f'name = "small"\nextends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
                     '[simulation]\nyears = 10\nlevels = ["province", "city"]\n')
    out = tmp_path / "out"
    status = cli.main(_args(scenario=str(small), reps=2, out=out))
    assert status in (0, 1)
    table = pd.read_csv(out / "validation.csv")
    assert set(table["pattern"]) == set(range(1, 9))
    assert {"value", "low", "high", "passed", "mechanism", "key", "part", "measurable"} <= set(table.columns)
    page = (out / "validation.md").read_text()
    assert page.count("\n| ") == len(table) + 2          # two tables, each with its header
    assert page.index("## Calibration fit") < page.index("## Held-out fit")
    assert (out / "manifest.json").exists()
    printed = capsys.readouterr().out
    assert "Calibration fit" in printed and "Held-out fit" in printed and "patterns passed" in printed
    with pytest.raises(UserError, match="not empty"):
        cli.main(_args(scenario=str(small), reps=2, out=out))


def test_cli_rejects_bad_input(tmp_path):
    synthetic = tmp_path / "synthetic.toml"
    synthetic.write_text('name = "s"\n[simulation]\npopulation = "synthetic"\n')
    with pytest.raises(UserError, match="indonesia"):
        cli.main(_args(scenario=str(synthetic), reps=3, out=tmp_path / "c"))
    with pytest.raises(UserError, match="at least 2"):
        cli.main(_args(scenario=str(SCENARIOS / "baseline.toml"), reps=1, out=tmp_path / "a"))
    with pytest.raises(UserError, match="no such scenario"):
        cli.main(_args(scenario=str(tmp_path / "missing.toml"), reps=3, out=tmp_path / "b"))


# --- calibration (docs/TRACE.md, section 7): the target; ABC-SMC is tests/test_calibration.py ------------
def test_calibration_target_runs_the_point(baseline):
    import pickle

    from coopsim.run.calibration import CalibrationTarget
    from coopsim.workflows.calibration import score_point

    target = CalibrationTarget(baseline.model_dump(), 2, score_point, ["behaviour.follow_up"])
    assert pickle.loads(pickle.dumps(target)).score is score_point
    seen = {}

    def spy(scenario, seed, reps):
        seen.update(follow_up=scenario.behaviour.follow_up, seed=seed, reps=reps)
        return {"distance": 0.0}

    CalibrationTarget(baseline.model_dump(), 2, spy, ["behaviour.follow_up"])(
        {"behaviour.follow_up": 0.3, "other": 1.0}, 5)
    assert seen == {"follow_up": 0.3, "seed": 5, "reps": 2}
