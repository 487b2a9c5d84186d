"""Global sensitivity analysis: verification on Ishigami, experiment-file errors, and a tiny
end-to-end run of the real model (issue 4)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import small_scenario, ishigami_experiment
from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.config.experiment import load_experiment
from coopsim.workflows.sensitivity import Study

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT / "experiments"
BASELINE = ROOT / "scenarios" / "baseline.toml"

ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_ishigami_reproduces_analytical_sobol_indices(tmp_path):
    """The shipped verification experiment, through the whole machinery (sampling, executor,
    chunked Parquet, analysis), lands within 0.03 of the analytical indices."""
    study = Study(EXPERIMENTS / "ishigami.toml").run(tmp_path / "ish", workers=1)
    idx = study.indices
    sob = idx[idx["method"] == "sobol"].set_index(["index", "factor"])["value"]
    for name, expected in ISHIGAMI_S1.items():
        assert abs(sob[("S1", name)] - expected) < 0.03, (name, sob[("S1", name)])
    for name, expected in ISHIGAMI_ST.items():
        assert abs(sob[("ST", name)] - expected) < 0.03, (name, sob[("ST", name)])
    above = idx[(idx["method"] == "sobol")].set_index(["index", "factor"])["above_floor"]
    assert not above[("S1", "x3")]          # x3 acts only through its interaction with x1
    assert above[("ST", "x3")]
    assert not above[("ST", "dummy")]
    # nested convergence from the same runs: N/8 .. N, ranking stable at N/2
    conv = study.convergence
    sob_conv = conv[conv["method"] == "sobol"]
    assert sorted(sob_conv["n"]) == [512, 1024, 2048, 4096]
    assert bool(sob_conv[sob_conv["n"] == 2048]["ranking_stable"].iloc[0])
    out = tmp_path / "ish"
    for name in ("indices.csv", "convergence.csv", "convergence_summary.csv", "manifest.json",
                 "summary.md", "samples.parquet", "outputs.parquet", "figures/sobol_base_y.png",
                 "figures/convergence_sobol_base_y.png"):
        assert (out / name).exists(), name
    summary = (out / "summary.md").read_text()
    assert "1. x1" in summary and "noise floor" in summary
    assert not study.analysis.design_warnings              # N = 4096: the ranking holds, no warning


def test_noisy_ishigami_dummy_measures_the_noise(tmp_path):
    """With noise drawn from the run seed, the dummy's total effect is the noise share of the
    variance (here Var(noise) / Var(y) = 4 / (13.84 + 4) ~ 0.22) and S1 stay unbiased."""
    exp = _write(tmp_path, "noisy.toml", ishigami_experiment(n=2048, target="noise = 2.0"))
    study = Study(exp).run(tmp_path / "out")
    sob = study.indices[study.indices["method"] == "sobol"].set_index(["index", "factor"])["value"]
    assert abs(sob[("ST", "dummy")] - 4 / (13.8446 + 4)) < 0.04
    assert abs(sob[("S1", "x2")] - 0.4424 * 13.8446 / 17.8446) < 0.05


# -- experiment files: clear errors ---------------------------------------------------------------
ISHIGAMI_TOML = ishigami_experiment()

MODEL_TOML = f"""
name = "m"
scenario = "{BASELINE.as_posix()}"
outputs = ["share_failed"]
[method]
name = "sobol"
n = 16
[[inputs]]
path = "regions.hr_capacity"
bounds = [0.1, 0.9]
[[inputs]]
path = "regions.data_quality"
bounds = [0.1, 0.9]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("edit, expected", [
    (lambda t: "colour = 'red'\n" + t, ["unknown key 'colour'", "Allowed keys here", "inputs"]),
    (lambda t: t + "colour = 'red'\n", ["unknown key 'inputs[1] (regions.data_quality).colour'", "path, name"]),
    (lambda t: t.replace('name = "sobol"', 'name = "fast"'), ["method.name", "sobol", "morris"]),
    (lambda t: t.replace("n = 16", "n = 100"), ["method.n", "power of two", "64 or 128"]),
    (lambda t: t.replace("regions.hr_capacity", "regions.hr_capcity"),
     ["inputs[0] (regions.hr_capcity)", "regions.hr_capacity", "Parameters of 'regions'"]),
    (lambda t: t.replace("bounds = [0.1, 0.9]", "bounds = [0.1, 1.9]", 1),
     ["inputs[0] (regions.hr_capacity)", "1.9", "range"]),
    (lambda t: t.replace("bounds = [0.1, 0.9]", "bounds = [0.9, 0.1]", 1), ["inputs[0]", "low < high"]),
    (lambda t: t.replace("bounds = [0.1, 0.9]", 'dist = "triang"\nbounds = [0.1, 0.9]', 1),
     ["inputs[0]", "triang needs peak"]),
    (lambda t: t.replace('"share_failed"', '"happiness"'), ["outputs", "happiness", "share_failed"]),
    (lambda t: t.replace(BASELINE.as_posix(), "nowhere.toml"), ["scenario", "nowhere.toml", "does not exist"]),
    (lambda t: t + '\n[[policies]]\nname = "jc"\noverrides = {"regions.hr_capacity" = 0.5}\n',
     ["policy 'jc'", "regions.hr_capacity", "varied input"]),
    (lambda t: t + '\n[[policies]]\nname = "jc"\noverrides = {"levers.joint_comittee" = true}\n',
     ["policy 'jc'", "joint_comittee", "Allowed there"]),
    (lambda t: t + "\n[stochasticity]\nreplications = 0\n", ["stochasticity.replications", "greater than or equal to 1"]),
    (lambda t: t.replace("outputs = [", "outputs = [ ") .replace("[method]", "[method"), ["not valid TOML"]),
])
def test_bad_experiment_files_get_one_clear_paragraph(tmp_path, edit, expected):
    path = _write(tmp_path, "bad.toml", edit(MODEL_TOML))
    with pytest.raises(UserError) as err:
        load_experiment(path)
    message = str(err.value)
    assert str(path) in message
    assert "\n" not in message
    for part in expected:
        assert part in message, (part, message)


def test_cli_reports_errors_without_traceback(tmp_path, capsys):
    path = _write(tmp_path, "bad.toml", MODEL_TOML.replace("n = 16", "n = 12"))
    status = cli.main(["sensitivity", str(path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err and "power of two" in err and str(path) in err
    assert cli.main(["sensitivity", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such experiment file" in capsys.readouterr().err


def test_refuses_to_overwrite_results_without_resume_or_force(tmp_path):
    exp = _write(tmp_path, "i.toml", ISHIGAMI_TOML)
    Study(exp).run(tmp_path / "out")
    with pytest.raises(UserError, match="resume=True .* force=True"):   # the Python API's words
        Study(exp).run(tmp_path / "out")
    again = Study(exp).run(tmp_path / "out", resume=True)       # nothing left to run
    assert again.report.ran_points == 0
    Study(exp).run(tmp_path / "out", force=True)


def test_shipped_experiment_files_load():
    for name in ("ishigami", "obstacles_morris", "obstacles_sobol", "obstacles_sobol_by_policy"):
        exp = load_experiment(EXPERIMENTS / f"{name}.toml")
        assert exp.spec.outputs


# -- the real model, tiny -------------------------------------------------------------------------
def test_end_to_end_on_the_model_with_policies_and_morris(tmp_path):
    """A small scenario (synthetic regions, short horizon) through Sobol with two policies and
    through Morris; checks the outputs a researcher reads."""
    small_scenario(tmp_path)   # the experiment below names small.toml
    exp = _write(tmp_path, "e.toml", """
        name = "tiny"
        scenario = "small.toml"
        outputs = ["share_failed", "signed"]
        [method]
        name = "sobol"
        n = 8
        bootstrap = 100
        convergence = false
        also = ["pawn"]
        [[inputs]]
        path = "elections.adoption_probability"
        bounds = [0.05, 0.9]
        group = "leadership"
        [[inputs]]
        path = "elections.reelection_probability"
        bounds = [0.3, 0.8]
        group = "leadership"
        [[inputs]]
        path = "regions.budget_line_share"
        bounds = [0.05, 0.8]
        [[policies]]
        name = "status quo"
        [[policies]]
        name = "joint committee"
        overrides = {"levers.joint_committee" = true}
        """)
    out = tmp_path / "out"
    study = Study(exp).run(out, workers=2)
    idx = pd.read_csv(out / "indices.csv")
    assert set(idx["policy"]) == {"status quo", "joint committee"}
    assert set(idx[idx["method"] == "sobol"]["factor"]) == {"leadership", "budget_line_share", "dummy"}
    assert {"value", "conf", "lo", "hi", "floor", "above_floor"} <= set(idx.columns)
    outputs = pd.read_parquet(out / "outputs.parquet")
    assert len(outputs) == 2 * 8 * 5 and outputs["error"].eq("").all()
    # the policies are paired: the same points and seeds under both
    a, b = outputs[outputs["policy"] == "status quo"], outputs[outputs["policy"] == "joint committee"]
    assert (a["seed"].to_numpy() == b["seed"].to_numpy()).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resolved_scenarios"]["joint committee"]["levers"]["joint_committee"] is True
    assert manifest["seeds"]["experiment"] == study.experiment.spec.seed
    assert "SALib" in manifest["versions"]
    summary = (out / "summary.md").read_text()
    assert "## status quo" in summary and "## joint committee" in summary and "Policies compared" in summary
    loaded = Study.load(out)                                   # reopened: both policies, the same indices
    pd.testing.assert_frame_equal(loaded.indices, study.indices, check_exact=True)
    assert loaded.summary == summary

    morris = _write(tmp_path, "m.toml", (tmp_path / "e.toml").read_text()
                    .replace('name = "sobol"\nn = 8', 'name = "morris"\nn = 4')
                    .replace('also = ["pawn"]', "levels = 4").split("[[policies]]")[0])
    m = Study(morris).run(tmp_path / "m", workers=2)
    mi = m.indices
    assert {"mu_star", "sigma"} <= set(mi["index"])
    assert (tmp_path / "m/figures/morris_base_share_failed.png").exists()
    assert np.isfinite(mi[mi["index"] == "mu_star"]["value"]).all()


def test_seed_as_input_takes_the_noise_share(tmp_path):
    """With the seed as an input, its index is the noise share (1 / (13.84 + 1) for sd 1) and
    the dummy, now run with the same seed as its base point, has none."""
    exp = _write(tmp_path, "s.toml", ishigami_experiment(n=1024, target="noise = 1.0",
                                                         top="[stochasticity]\nseed_as_input = true"))
    study = Study(exp).run(tmp_path / "out")
    sob = study.indices[study.indices["method"] == "sobol"].set_index(["index", "factor"])["value"]
    assert abs(sob[("ST", "random_seed")] - 1 / 14.8446) < 0.03
    assert abs(sob[("ST", "dummy")]) < 1e-12


# -- the layers on their own ----------------------------------------------------------------------
def test_analysis_layer_returns_data_without_a_folder(tmp_path):
    """build_design and analyse need no results folder (computation returns data); the
    reporting layer turns the result into summary text, and the Study gives the same indices."""
    from coopsim.analysis.sensitivity import analyse, build_design
    from coopsim.reporting.sensitivity import summary_text
    from coopsim.run.targets import IshigamiTarget

    path = _write(tmp_path, "i.toml", ISHIGAMI_TOML)
    exp = load_experiment(path)
    design = build_design(exp)
    target = IshigamiTarget()
    y = [target(dict(zip(exp.factor_names, row)), int(seed))["y"] for row, seed in
         zip(design.points[exp.factor_names].to_numpy(), design.seeds)]
    results = pd.DataFrame({"error": [""] * len(y), "out:y": y})
    analysis = analyse(design, results)
    assert list(tmp_path.iterdir()) == [path]                  # nothing written
    assert "# Sensitivity analysis" in summary_text(analysis, exp, design)
    study = Study(path).run(tmp_path / "out")
    pd.testing.assert_frame_equal(analysis.indices, study.indices)
