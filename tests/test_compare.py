"""`coopsim compare`: paired comparisons of levers, verdicts, region focus, the command."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopsim import cli
from coopsim.analysis.comparison import compared_outcomes, effects_table, ranking_table
from coopsim.analysis.stats import paired_interval, replications_needed, unpaired_interval
from coopsim.analysis.survival import kaplan_meier, life_table_survival, survival_curve
from coopsim.config.errors import UserError
from coopsim.config.vocabulary import Outcome
from coopsim.model.outcomes import summarize
from coopsim.model.partnerships import STAGES
from coopsim.run.seeds import replication_seed
from coopsim.run.runner import simulate
from coopsim.run.tracking import run_replications, run_tracked
from coopsim.config.scenario import load_scenario
from coopsim.workflows.compare import resolve_region

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPS = 8
# small versions of the shipped scenarios: provinces only, ten years (a run is ~0.1 s)
SMALL = f'extends = "{SCENARIOS / "baseline.toml"}"\n[simulation]\nlevels = ["province"]\nyears = 10\n'
LEVERS = {
    "copy": "",                                                         # the base under another name
    "nothing": '[shock]\ndownturn_country = "Japan"\ndownturn_year = 2100\n',  # long after the horizon
    "joint_committee": "[levers]\njoint_committee = true\n",
    "dedicated_budget": "[levers]\ndedicated_budget = 1.0\n",
    "hr_training": "[levers]\nhr_training = 0.2\n",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "small.toml").write_text('name = "small"\n' + SMALL)
    paths = {"small": str(folder / "small.toml")}
    for name, body in LEVERS.items():
        (folder / f"{name}.toml").write_text(f'name = "{name}"\nextends = "small.toml"\n{body}')
        paths[name] = str(folder / f"{name}.toml")
    return paths


@pytest.fixture(scope="module")
def comparison(files, tmp_path_factory):
    """Every small scenario, REPS paired replications, the effects table against 'small'."""
    labels = list(files)
    scenarios = [load_scenario(files[k]) for k in labels]
    results = run_replications(scenarios, [None] * len(labels), seed=1, reps=REPS,
                               folder=tmp_path_factory.mktemp("runs"), workers=1)
    outcomes = pd.DataFrame([{"scenario": label, "replication": i, **results[s][i].outcomes}
                             for s, label in enumerate(labels) for i in range(REPS)])
    table = compared_outcomes(10)
    effects = effects_table(outcomes, labels, table, seed=1).set_index(["scenario", "outcome"])
    return {"labels": labels, "scenarios": scenarios, "results": results, "outcomes": outcomes,
            "effects": effects, "table": table}


@pytest.mark.parametrize("name", ["dedicated_budget", "joint_committee"])
def test_counting_all_partnerships_equals_the_models_own_summary(files, name):
    scenario, seed = load_scenario(files[name]), replication_seed(1, 2)
    tracked = run_tracked(scenario, seed)
    model = simulate(scenario, seed)
    reference = summarize(model)
    shared = [key for key in tracked.outcomes if key in reference]
    assert len(shared) >= 13
    for key in shared:
        assert tracked.outcomes[key] == pytest.approx(reference[key], nan_ok=True), key
    ts = model.timeseries()
    assert np.array_equal(tracked.stages, ts[[f"n_{s}" for s in STAGES]].to_numpy())


def test_region_outcomes_come_from_the_regions_own_partnerships(files):
    scenario, seed = load_scenario(files["small"]), replication_seed(1, 0)
    model = simulate(scenario, seed)
    ledger = model.ledger()
    table = model.regions.table
    for name in (ledger["region"].value_counts().index[0], "Provinsi Daerah Istimewa Yogyakarta"):
        index = int(np.flatnonzero(table["name"] == name)[0])
        own = ledger[ledger["region"] == name]
        out = run_tracked(scenario, seed, region=index).outcomes
        assert out["active_end"] == (own["stage"] == "active").sum()
        assert out["signed"] == (own["mou"] >= scenario.simulation.start_year).sum()
        assert out["benefits"] == pytest.approx(own["benefits"].sum())
        assert out["spending"] == pytest.approx(own["spending"].sum())
        assert out["active_end"] < (ledger["stage"] == "active").sum()  # not the national figure


def test_a_lever_that_changes_nothing_is_not_distinguishable(comparison):
    for label in ("copy", "nothing"):  # "nothing": a downturn that comes after the horizon
        sub = comparison["effects"].loc[label]
        assert (sub["verdict_code"] == "same").all(), sub["verdict_code"].value_counts()
        assert sub["verdict"].str.startswith("not distinguishable").all()
        assert (sub["difference"] == 0).all()


def test_noise_without_an_effect_is_not_distinguishable_and_says_what_n_is_needed():
    rng = np.random.default_rng(5)
    base = rng.normal(100, 10, 20)
    noise = rng.normal(0, 3, 20)
    noise += 0.2 - noise.mean()  # a true effect of 0.2 buried in noise of sd 3
    outcomes = pd.DataFrame({"scenario": ["base"] * 20 + ["lever"] * 20, "replication": list(range(20)) * 2,
                             "x": np.concatenate([base, base + noise])})
    effects = effects_table(outcomes, ["base", "lever"], [Outcome("x", "x", "", +1)], seed=1)
    row = effects.iloc[0]
    assert row["low"] < 0 < row["high"]
    assert row["verdict_code"] == "unclear"
    assert row["verdict"].startswith("not distinguishable at N=20; about ")
    assert row["difference"] == pytest.approx(0.2)
    assert 20 < row["replications_needed"] == pytest.approx((2.8 * noise.std(ddof=1) / 0.2) ** 2, rel=0.01)


def test_a_strong_lever_gets_a_clear_verdict(comparison):
    sub = comparison["effects"].loc["joint_committee"]
    for key in ("active_5y", "active_end", "survival_5y", "cohort_survival_10y", "benefits"):
        assert sub.loc[key, "verdict_code"] == "gain", (key, sub.loc[key, "verdict"])
        assert sub.loc[key, "verdict"].startswith("clear gain")
    # fewer failures by the causes a committee addresses; more partnerships kept alive can later
    # fail for lack of budget (the model's own accounting), so the total is not asserted
    for key in ("failures_legal", "failures_leadership", "failures_partner"):
        assert sub.loc[key, "verdict_code"] == "gain", (key, sub.loc[key, "verdict"])
    assert sub.loc["spending", "verdict_code"] in ("higher", "lower")  # spending is neither good nor bad
    assert comparison["effects"].loc[("dedicated_budget", "spending"), "verdict"].startswith("clearly higher")


def test_common_random_numbers_make_the_paired_interval_narrower(comparison):
    """Pairing removes the variation the runs share; what is left is how the effect itself
    varies between populations, so at this size it narrows most intervals, and on the whole."""
    eff = comparison["effects"]
    widths = []
    for label in ("joint_committee", "dedicated_budget", "hr_training"):
        for key in ("active_5y", "active_end", "benefits", "failures_total"):
            paired = eff.loc[(label, key), "high"] - eff.loc[(label, key), "low"]
            unpaired = eff.loc[(label, key), "unpaired_high"] - eff.loc[(label, key), "unpaired_low"]
            widths.append(paired / unpaired)
    assert np.mean(np.array(widths) < 1) >= 0.75 and np.mean(widths) < 0.9, widths


def test_independent_runs_give_a_wider_interval_than_paired_ones(comparison, tmp_path):
    """Without common random numbers (the lever run on other seeds) the same effect is far
    less certain: the honest unpaired interval is wider than the paired one."""
    labels, outcomes = comparison["labels"], comparison["outcomes"]
    s = labels.index("dedicated_budget")
    independent = run_replications([comparison["scenarios"][s]], [None], seed=2, reps=REPS, folder=tmp_path)[0]
    base = outcomes[outcomes["scenario"] == "small"].sort_values("replication")
    paired = outcomes[outcomes["scenario"] == "dedicated_budget"].sort_values("replication")
    ratios = []
    for key in ("active_5y", "active_end", "benefits"):
        other = np.array([r.outcomes[key] for r in independent])
        _, lo, hi, _ = paired_interval(base[key].to_numpy(float), paired[key].to_numpy(float),
                                       np.random.default_rng(0))
        _, ulo, uhi = unpaired_interval(base[key].to_numpy(float), other, np.random.default_rng(0))
        ratios.append((hi - lo) / (uhi - ulo))
    assert np.mean(ratios) < 1, ratios


def test_paired_interval_covers_a_known_difference():
    rng = np.random.default_rng(0)
    base = rng.normal(50, 20, 400)
    policy = base + 2 + rng.normal(0, 1, 400)
    diff, lo, hi, n = paired_interval(base, policy, np.random.default_rng(1))
    assert n == 400 and lo < 2 < hi and hi - lo < 0.5
    _, ulo, uhi = unpaired_interval(base, policy, np.random.default_rng(1))
    assert uhi - ulo > 5 * (hi - lo)
    assert replications_needed(policy - base, 400) == 401  # already clear: at least one more


def test_ranking_orders_levers_and_prices_the_ones_that_cost_money(comparison):
    ranking = ranking_table(comparison["outcomes"], comparison["labels"], "active_10y", seed=1)
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1))
    assert ranking["active_10y"].is_monotonic_decreasing
    assert ranking.iloc[0]["scenario"] == "joint_committee"
    budget = ranking.set_index("scenario").loc["dedicated_budget"]
    assert budget["costs_money"] and budget["benefits_per_budget_unit"] > 0
    assert budget["benefits_per_budget_unit_low"] <= budget["benefits_per_budget_unit"] \
        <= budget["benefits_per_budget_unit_high"]
    assert not ranking.set_index("scenario").loc["copy", "costs_money"]


def test_results_do_not_depend_on_the_number_of_workers(comparison, tmp_path):
    scenarios = comparison["scenarios"][:3]
    parallel = run_replications(scenarios, [None] * 3, seed=1, reps=3, folder=tmp_path, workers=2)
    for s in range(3):
        for i in range(3):
            serial = comparison["results"][s][i]
            assert parallel[s][i].outcomes == pytest.approx(serial.outcomes, nan_ok=True)
            for part in ("stages", "failed", "censored"):
                assert np.array_equal(getattr(parallel[s][i], part), getattr(serial, part)), part


def test_runs_read_back_from_the_executor_are_the_runs_themselves(files, comparison):
    """Stage counts and life tables travel through the chunk files as flat numbers: nothing lost."""
    s = comparison["labels"].index("joint_committee")
    direct = run_tracked(comparison["scenarios"][s], replication_seed(1, 1))
    stored = comparison["results"][s][1]
    assert list(stored.outcomes) == list(direct.outcomes)
    np.testing.assert_array_equal(np.array(list(stored.outcomes.values())), np.array(list(direct.outcomes.values())))
    for part in ("stages", "failed", "censored"):
        assert getattr(stored, part).dtype == np.int64
        assert np.array_equal(getattr(stored, part), getattr(direct, part)), part


def test_kaplan_meier_on_a_small_known_case():
    # four partnerships: fail at 1 and 3 steps, two censored at 2 and 4
    s = kaplan_meier(np.array([1, 2, 3, 4]), np.array([True, False, True, False]), times=np.arange(6))
    assert s.tolist() == pytest.approx([1, 0.75, 0.75, 0.375, 0.375, 0.375])
    assert np.isnan(kaplan_meier(np.array([]), np.array([], dtype=bool), np.arange(4))).all()
    # the same four as a life table (failed / censored per step since signing)
    table = life_table_survival(np.array([0, 1, 0, 1, 0, 0]), np.array([0, 0, 1, 0, 1, 0]))
    assert table.tolist() == s.tolist()
    # and from a ledger, in years (a quarter per step), between the quarters
    ledger = pd.DataFrame({"signed": True, "mou": 2025.0, "stagnated": [2025.25, np.nan, 2025.75, np.nan],
                           "ended": [np.nan, np.nan, np.nan, np.nan]})
    ledger.loc[1, "mou"], ledger.loc[3, "mou"] = 2025.75, 2025.25   # followed 2 and 4 quarters to 2026.25
    curve = survival_curve(ledger, 1.25, 2025.0, 2026.25)
    assert curve["survival"].tolist() == s.tolist() and (curve["n"] == 4).all()


def test_region_names_are_forgiving_and_a_misspelling_gets_a_suggestion(files):
    scenarios = [load_scenario(files["small"]), load_scenario(files["joint_committee"])]
    paths = [files["small"], files["joint_committee"]]
    for query in ("DI Yogyakarta", "di yogyakarta", "Provinsi Daerah Istimewa Yogyakarta", "ID-YO"):
        _, name = resolve_region(scenarios, paths, query, seed=1)
        assert name == "Provinsi Daerah Istimewa Yogyakarta"
    with pytest.raises(UserError) as err:
        resolve_region(scenarios, paths, "DI Yogyakrta", seed=1)
    assert "Did you mean: Provinsi Daerah Istimewa Yogyakarta" in str(err.value)


def test_cli_misspelled_region_is_one_clear_error(files, tmp_path, capsys):
    rc = cli.main(["compare", files["small"], files["joint_committee"], "--region", "DI Yogyakrta",
                   "--reps", "2", "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "unknown region 'DI Yogyakrta'" in err and "Provinsi Daerah Istimewa Yogyakarta" in err
    assert "Traceback" not in err


def test_cli_refuses_bad_input(files, tmp_path, capsys):
    assert cli.main(["compare", files["small"], "--out", str(tmp_path / "a")]) == 2
    assert "at least two scenario files" in capsys.readouterr().err
    other = tmp_path / "longer.toml"
    other.write_text(f'name = "longer"\nextends = "{files["small"]}"\n[simulation]\nyears = 12\n')
    assert cli.main(["compare", files["small"], str(other), "--out", str(tmp_path / "b")]) == 2
    assert "simulation.years" in capsys.readouterr().err
    assert cli.main(["compare", files["small"], files["copy"], "--reps", "1", "--out", str(tmp_path / "c")]) == 2


def test_cli_end_to_end(files, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", files["small"], files["joint_committee"], files["copy"], "--reps", "3",
            "--region", "di yogyakarta", "--out", str(out), "--no-progress"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "Common random numbers" in text
    assert "Focus: Provinsi Daerah Istimewa Yogyakarta (matched from 'di yogyakarta')" in text
    assert "identical to the base apart from its name" in text  # the copy is flagged
    assert "Ranking" in text and f"{out / 'report.html'}" in text
    for name in ("summary.md", "effects.csv", "ranking.csv", "outcomes.csv", "stages.parquet",
                 "survival.parquet", "survival.png", "effects.png", "stages.png", "failure_causes.png",
                 "manifest.json", "report.html"):
        assert (out / name).stat().st_size > 0, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["common_random_numbers"] is True
    assert manifest["region"] == "Provinsi Daerah Istimewa Yogyakarta" and manifest["reps"] == 3
    assert "--region 'di yogyakarta'" in manifest["repeat"]
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["scenario"]) == {"joint_committee", "copy"}
    assert {"difference", "low", "high", "verdict", "unpaired_low", "replications_needed"} <= set(effects.columns)
    stages = pd.read_parquet(out / "stages.parquet")
    assert len(stages) == 3 * 3 * 40  # scenarios x replications x quarters
    # the same command again: same numbers (refuses the folder without --force)
    assert cli.main(argv) == 2
    capsys.readouterr()
    assert cli.main(argv + ["--force"]) == 0
    assert pd.read_csv(out / "effects.csv").equals(effects)


def test_a_failed_run_is_one_clear_error(files, tmp_path, monkeypatch):
    import coopsim.run.tracking as tracking

    def broken(scenario, seed, region=None):
        raise ValueError("no such thing")

    monkeypatch.setattr(tracking, "run_tracked", broken)
    with pytest.raises(UserError) as err:
        run_replications([load_scenario(files["small"])], [None], seed=1, reps=2, folder=tmp_path)
    assert "2 of 2 runs failed" in str(err.value) and "ValueError: no such thing" in str(err.value)


def test_cli_misspelled_region_reads_in_indonesian(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COOPSIM_LANG", "id")
    rc = cli.main(["compare", files["small"], files["joint_committee"], "--region", "DI Yogyakrta",
                   "--reps", "2", "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert "--region: daerah 'DI Yogyakrta' tidak dikenal. Mungkin maksud Anda: " in err, err
    assert "Provinsi Daerah Istimewa Yogyakarta" in err and "kode ISO (ID-YO)" in err
    assert "unknown region" not in err and "Did you mean" not in err
