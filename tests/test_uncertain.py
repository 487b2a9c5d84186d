"""`coopsim compare --uncertain N` (issue 13, item 4): every lever against the status quo across N
draws of what the model does not know (the behavioural rates' posterior or priors, the obstacles'
ranges), with common random numbers within each draw; per lever the share of draws where it
helps, its median effect with the 5-95% range of the draws, and its regret against the best
lever of each draw, in summary.md, report.html (both languages), robust_levers.csv,
robust_effects.csv and a figure."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopsim import cli
from coopsim.analysis.robust_levers import (UncertainInputs, draw_effects, draw_inputs, regret_frame,
                                            robust_table)
from coopsim.config.scenario import load_scenario
from coopsim.reporting.i18n import LANGUAGES, Messages
from coopsim.run.seeds import replication_seed
from coopsim.run.uncertain import DrawTarget
from coopsim.workflows import robust_levers
from test_decision import _catalogue_words, _visible, _words

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DRAWS, SEED = 4, 11
LEVERS = {
    "committee": "[levers]\njoint_committee = true\n",
    "nothing": '[shock]\ndownturn_country = "Japan"\ndownturn_year = 2100\n',   # long after the horizon
    "untrained": "[levers]\nhr_training = 0.0\n",                              # the default: no change
    "skilled": "[regions]\nhr_capacity = 0.9\n",                               # sets a drawn parameter itself
}
PARTICLES = pd.DataFrame({"behaviour.follow_up": [0.2, 0.3, 0.45], "behaviour.drafting": [0.5, 0.6, 0.8],
                          "weight": [0.0, 0.5, 0.5]})


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A tiny comparison under uncertainty: the 38 provinces, ten years, a small partner pool, four
    draws of one run, a posterior of three particles (the first with weight 0); the report in
    English, then again in Indonesian from the same folder."""
    root = tmp_path_factory.mktemp("uncertain")
    (root / "small.toml").write_text(f'name = "small"\nextends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
                                     '[simulation]\nlevels = ["province"]\nyears = 10\n[partners]\npool_size = 60\n')
    for name, body in LEVERS.items():
        (root / f"{name}.toml").write_text(f'name = "{name}"\nextends = "small.toml"\n{body}')
    (root / "calibration").mkdir()
    PARTICLES.to_csv(root / "calibration" / "posterior.csv", index=False)
    out, printed = root / "results", io.StringIO()
    files = [str(root / f"{x}.toml") for x in ["small", *LEVERS]]
    with contextlib.redirect_stdout(printed):
        assert cli.main(["compare", *files, "--uncertain", str(DRAWS), "--reps", "1", "--seed", str(SEED),
                         "--posterior", str(root / "calibration"), "--lang", "en", "--out", str(out),
                         "--no-progress"]) == 0
        assert cli.main(["report", str(out), "--lang", "id", "--out", str(root / "id" / "report.html")]) == 0
    return {"out": out, "files": files, "printed": printed.getvalue(), "root": root,
            "en": (out / "report.html").read_text(encoding="utf-8"),
            "id": (root / "id" / "report.html").read_text(encoding="utf-8")}


# --- the command's files --------------------------------------------------------------------------
def test_the_command_writes_the_section_the_tables_and_the_figure(folder):
    out, t = folder["out"], Messages("en")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"## {t('report.robust.title')}" in summary and t("report.robust.title") in folder["printed"]
    assert "least regret" in summary.split("## The results")[0]          # the conclusion says it too
    table = pd.read_csv(out / "robust_levers.csv")
    assert sorted(table["outcome"].unique()) == ["active_10y", "cohort_survival_10y"]
    assert len(table) == 2 * len(LEVERS) and set(table["scenario"]) == set(LEVERS)
    assert (table["draws"] + table["missing"] == DRAWS).all()
    for column in ("help_share", "median", "low", "high", "regret_median", "regret_p90"):
        assert column in table
    effects = pd.read_csv(out / "robust_effects.csv")
    assert len(effects[effects["outcome"] == "active_10y"]) == DRAWS * len(LEVERS)
    assert (out / "robust_effects.png").stat().st_size > 10_000 and (out / "robust_effects.pdf").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    u = manifest["uncertain"]
    assert u["draws"] == DRAWS and u["reps_per_draw"] == 1 and manifest["reps"] == DRAWS
    assert u["source"]["kind"] == "posterior" and u["source"]["particles"] == 3
    assert u["kept"] == {"skilled": ["regions.hr_capacity"]}
    assert "--uncertain 4" in manifest["repeat"] and "--posterior" in manifest["repeat"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_has_the_section_in_each_language_in_its_own_words(folder, lang):
    page, t = folder[lang], Messages(lang)
    section = re.search(r'<section id="robust">(.*?)</section>', page, flags=re.S)
    assert section is not None and t("report.robust.title") in section.group(1)
    assert section.group(1).count('<table class="robust">') == 2
    assert page.count('src="data:image/png;base64,') == 5                   # robust_effects.png too
    names = _words(" ".join(["small", *LEVERS, "coopsim"]))
    allowed = _catalogue_words(lang) | names
    foreign = sorted({w for text in _visible(page) for w in _words(text) if w not in allowed})
    assert foreign == []
    glossary = re.search(r'<section id="glossary">(.*?)</section>', page, flags=re.S).group(1)
    assert t("glossary.regret.term") in glossary


def test_both_languages_show_the_same_numbers(folder):
    def shown(page: str, lang: str) -> list[float]:
        body = re.search(r'<section id="robust">(.*?)</section>', page, flags=re.S).group(1)
        cells = re.findall(r'<td class="num diff">([^<]*)', body)
        return [float(re.sub(r"[^\d.+-]", "", c.replace(",", ".") if lang == "id" else c.replace(",", "")))
                for c in cells]

    assert shown(folder["en"], "en") == shown(folder["id"], "id") and len(shown(folder["en"], "en")) == 8


# --- common random numbers and the draws --------------------------------------------------------------
def test_the_base_and_every_lever_of_a_draw_share_their_seeds(folder):
    outcomes = pd.read_csv(folder["out"] / "outcomes.csv")
    seeds = outcomes.groupby(["draw", "scenario"])["seed"].apply(tuple).unstack()
    assert (seeds.nunique(axis=1) == 1).all()                       # the same seeds for every scenario
    assert seeds["small"].nunique() == DRAWS                        # and new seeds in every draw
    assert list(seeds["small"]) == [(replication_seed(SEED, d),) for d in range(DRAWS)]
    manifest = json.loads((folder["out"] / "manifest.json").read_text())
    assert manifest["uncertain"]["draw_seeds"] == [list(x) for x in seeds["small"]]
    effects = pd.read_csv(folder["out"] / "robust_effects.csv")
    assert all(effects["seeds"].astype(str) == effects["draw"].map(lambda d: str(seeds["small"][d][0])))


def test_the_draws_are_reproducible_from_the_seed_and_come_from_the_files(folder):
    drawn = pd.read_csv(folder["out"] / "draws.csv")
    inputs, source = robust_levers.uncertain_inputs(folder["root"] / "calibration")
    again = draw_inputs(inputs, DRAWS, SEED)
    pd.testing.assert_frame_equal(drawn, again, check_dtype=False)
    assert not np.allclose(draw_inputs(inputs, DRAWS, SEED + 1)["regions.hr_capacity"], again["regions.hr_capacity"])
    assert set(drawn["particle"]) <= {1, 2}                          # never the particle of weight 0
    picked = PARTICLES["behaviour.follow_up"].to_numpy()[drawn["particle"]]
    assert (drawn["behaviour.follow_up"].to_numpy() == picked).all()
    assert source["obstacles"].endswith("obstacles_sobol.toml")
    ranges = inputs.ranges
    assert "regions.hr_capacity" in ranges and not any(p.startswith("elections.") for p in ranges)
    for path, (low, high) in ranges.items():           # a Latin hypercube: one draw in each of N strata
        strata = np.floor((drawn[path] - low) / (high - low) * DRAWS).astype(int)
        assert sorted(strata) == list(range(DRAWS)), path


def test_by_default_the_shipped_posterior_is_drawn_not_a_local_calibration(tmp_path, monkeypatch):
    """A results/calibration left by an earlier model is read only when asked for (--posterior)."""
    stale = tmp_path / "calibration"
    stale.mkdir()
    (stale / "posterior.csv").write_text("behaviour.follow_up,weight\n0.3,1\n")
    monkeypatch.setattr(robust_levers, "POSTERIOR_DIR", stale)
    inputs, source = robust_levers.uncertain_inputs()
    assert source["kind"] == "posterior" and source["path"].endswith("posterior")
    assert inputs.posterior is not None and len(inputs.posterior) == 200


def test_without_a_posterior_the_priors_are_drawn_and_the_words_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(robust_levers, "POSTERIOR_DIR", tmp_path / "no_calibration")
    priors = tmp_path / "calibration.toml"     # a priors file with no shipped posterior beside it
    priors.write_text(robust_levers._experiment_file(robust_levers.PRIORS_FILE).read_text().replace(
        'scenario = "../scenarios/baseline.toml"', f'scenario = "{(Path.cwd() / "scenarios" / "baseline.toml").as_posix()}"'))
    inputs, source = robust_levers.uncertain_inputs(priors=priors)
    assert source["kind"] == "priors" and source["path"].endswith("calibration.toml")
    assert inputs.posterior is None and "behaviour.follow_up" in inputs.ranges
    assert {"behaviour.follow_up", "regions.budget_level"} <= set(draw_inputs(inputs, 3, 1).columns)
    from coopsim.reporting.decision import source_words

    words = source_words({"source": source}, Messages("en"))
    assert "prior" in words and "no calibration posterior was found" in words


def test_a_lever_that_sets_a_drawn_parameter_keeps_its_own_value():
    base = load_scenario(SCENARIOS / "baseline.toml")
    own = base.override({"regions.hr_capacity": 0.9})
    target = DrawTarget([base, own], [None, None], [{"regions.hr_capacity": 0.2, "behaviour.follow_up": 0.3}] * 2,
                        reps=2, kept=[[], ["regions.hr_capacity"]])
    for s, expected in ((0, 0.2), (1, 0.9)):
        scenario = target.scenario({"scenario": s, "replication": 3})
        assert scenario.regions.hr_capacity == expected and scenario.behaviour.follow_up == 0.3


# --- the numbers, by hand -----------------------------------------------------------------------------
def _synthetic(key: str, rng: np.random.Generator) -> pd.DataFrame:
    effects = rng.normal(0, 1, (9, 3)).round(1)
    effects[:, 2] = 0.0                                   # a lever that changes nothing
    return pd.DataFrame([{"outcome": key, "draw": d, "scenario": name, "effect": effects[d, j]}
                         for d in range(9) for j, name in enumerate(["a", "b", "zero"])])


@pytest.mark.parametrize("key, good", [("active_10y", 1), ("failures_total", -1)])
def test_help_share_median_and_regret_equal_a_hand_computation(key, good):
    frame = _synthetic(key, np.random.default_rng(5))
    table = robust_table(frame, ["base", "a", "b", "zero"], key).set_index("scenario")
    wide = frame.pivot(index="draw", columns="scenario", values="effect")
    regret = regret_frame(frame, key, ["a", "b", "zero"])
    for lever in ("a", "b", "zero"):
        e = wide[lever].to_numpy()
        best = (good * wide).max(axis=1).to_numpy()
        by_hand = best - good * e
        assert table.loc[lever, "help_share"] == pytest.approx(np.mean(good * e > 0))
        assert table.loc[lever, "harm_share"] == pytest.approx(np.mean(good * e < 0))
        assert table.loc[lever, "median"] == pytest.approx(np.median(e))
        assert (table.loc[lever, "low"], table.loc[lever, "high"]) == pytest.approx(tuple(np.percentile(e, [5, 95])))
        assert regret[lever].to_numpy() == pytest.approx(by_hand)
        assert table.loc[lever, "regret_median"] == pytest.approx(np.median(by_hand))
        assert table.loc[lever, "regret_p90"] == pytest.approx(np.percentile(by_hand, 90))
        assert table.loc[lever, "best_share"] == pytest.approx(np.mean(by_hand == 0))
    assert (regret.to_numpy() >= 0).all() and (regret.min(axis=1) == 0).all()   # 0 for the best of each draw
    assert list(table["rank"]) == [1, 2, 3] and table["regret_median"].is_monotonic_increasing
    assert table.loc["zero", "help_share"] == 0 and table.loc["zero", "median"] == 0


def test_per_draw_effects_are_paired_means_over_the_draws_runs():
    outcomes = pd.DataFrame({"scenario": ["base"] * 4 + ["lever"] * 4, "replication": [0, 1, 2, 3] * 2,
                             "seed": [7, 8, 9, 10] * 2, "x": [1.0, 3.0, np.nan, 5.0, 2.0, 6.0, 4.0, 5.0]})
    effects = draw_effects(outcomes, ["base", "lever"], ["x"], reps=2).set_index("draw")
    assert effects.loc[0, "effect"] == pytest.approx(2.0) and effects.loc[0, "runs"] == 2
    assert effects.loc[1, "effect"] == pytest.approx(0.0) and effects.loc[1, "runs"] == 1   # one pair has a value
    assert effects.loc[1, "seeds"] == "9 10"


def test_a_lever_that_changes_nothing_neither_helps_nor_hurts(folder):
    table = pd.read_csv(folder["out"] / "robust_levers.csv").set_index(["outcome", "scenario"])
    effects = pd.read_csv(folder["out"] / "robust_effects.csv")
    for lever in ("nothing", "untrained"):
        assert (effects.loc[effects["scenario"] == lever, "effect"].dropna() == 0).all()
        for key in ("active_10y", "cohort_survival_10y"):
            row = table.loc[(key, lever)]
            assert row["help_share"] == 0 and row["harm_share"] == 0 and row["median"] == 0
            assert row["regret_median"] >= 0 and row["regret_p90"] >= row["regret_median"]
    assert (table["regret_median"] >= 0).all()


# --- refusals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, words", [(["--uncertain", "1"], "at least 2 draws"),
                                         (["--posterior", "x"], "only with --uncertain"),
                                         (["--uncertain", "3", "--posterior", "no_such_folder"], "no posterior")])
def test_mistakes_are_refused_in_one_line(folder, tmp_path, capsys, extra, words):
    assert cli.main(["compare", *folder["files"][:2], *extra, "--out", str(tmp_path / "x"), "--no-progress"]) == 2
    assert words in capsys.readouterr().err
