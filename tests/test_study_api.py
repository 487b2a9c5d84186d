"""The Python API of a sensitivity analysis, in the steps of SALib's ProblemSpec (issue 16):
Study.from_dict, sample/evaluate/analyze, Study.load, analyze(Y=...), clear errors, index
tables for papers, the warning on designs too small for a stable ranking, a sweep where every
run fails, and replicated runs with intervals."""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import small_scenario, ishigami_experiment
from targets import FailingIshigami
from coopsim import cli
from coopsim.analysis.replications import summarize_replications
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario
from coopsim.run.runner import evaluate
from coopsim.run.seeds import replication_seed
from coopsim.workflows import sensitivity as workflow
from coopsim.workflows.sensitivity import Study

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
# What tests/identity/fingerprint.py counts as a number in summary.md
NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?%?")


def _ishigami_dict(n: int = 64, **method) -> dict:
    """The Ishigami verification experiment as a dict (the keys of an experiment file)."""
    return {"name": "ishigami_dict", "seed": 7, "outputs": ["y"], "target": {"kind": "ishigami"},
            "method": {"name": "sobol", "n": n, "bootstrap": 100, **method},
            "inputs": [{"path": x, "bounds": [-math.pi, math.pi]} for x in ("x1", "x2", "x3")]}


def _ishigami(X: pd.DataFrame, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function, by hand, on the sample's columns."""
    x1, x2, x3 = (X[c].to_numpy() for c in ("x1", "x2", "x3"))
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)


def _small_scenario(folder: Path) -> Path:
    return small_scenario(folder)


def _model_dict(scenario) -> dict:
    """A tiny Morris screening of the model (16 points) as a dict."""
    return {"name": "tiny_morris", "seed": 5, "scenario": scenario, "outputs": ["share_failed", "signed"],
            "method": {"name": "morris", "n": 4, "levels": 4, "bootstrap": 100},
            "inputs": [{"path": "regions.hr_capacity", "bounds": [0.1, 0.9]},
                       {"path": "regions.budget_line_share", "bounds": [0.05, 0.8]}]}


_MODEL_TOML = """
name = "tiny_morris"
seed = 5
scenario = "small.toml"
outputs = ["share_failed", "signed"]
[method]
name = "morris"
n = 4
levels = 4
bootstrap = 100
[[inputs]]
path = "regions.hr_capacity"
bounds = [0.1, 0.9]
[[inputs]]
path = "regions.budget_line_share"
bounds = [0.05, 0.8]
"""


# -- the steps equal run(), from a dict or a file --------------------------------------------------
def test_from_dict_steps_equal_run_from_the_file(tmp_path):
    """The same experiment as a file (Study(path).run) and as a dict (sample, evaluate, analyze,
    chained), its scenario given as a path or as a Scenario, gives the same runs and indices."""
    small = _small_scenario(tmp_path)
    (tmp_path / "e.toml").write_text(_MODEL_TOML)
    with pytest.warns(UserWarning, match="fewer than ten trajectories"):
        whole = Study(tmp_path / "e.toml").run(tmp_path / "whole")
    with pytest.warns(UserWarning):
        steps = Study.from_dict(_model_dict("small.toml"), folder=tmp_path).sample()
        assert len(steps.samples) == 4 * 4 and steps.analysis is None
        steps.evaluate(out=tmp_path / "steps").analyze()
    pd.testing.assert_frame_equal(whole.indices, steps.indices, check_exact=True)
    for name in ("outputs.parquet", "samples.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "whole" / name),
                                      pd.read_parquet(tmp_path / "steps" / name), check_exact=True)
    assert (tmp_path / "steps" / "summary.md").read_text() == (tmp_path / "whole" / "summary.md").read_text()
    with pytest.warns(UserWarning):   # a Scenario object, runs in a temporary folder, nothing kept
        in_memory = Study(_model_dict(load_scenario(small))).sample().evaluate(workers=1).analyze()
    assert in_memory.out is None
    pd.testing.assert_frame_equal(whole.indices, in_memory.indices, check_exact=True)


def test_load_reopens_a_finished_folder_with_the_same_indices(tmp_path):
    with pytest.warns(UserWarning):
        study = Study.from_dict(_ishigami_dict(n=64)).run(tmp_path / "out")
    loaded = Study.load(tmp_path / "out")
    pd.testing.assert_frame_equal(study.indices, loaded.indices, check_exact=True)
    pd.testing.assert_frame_equal(study.convergence, loaded.convergence, check_exact=True)
    assert loaded.summary == (tmp_path / "out" / "summary.md").read_text()
    assert loaded.experiment.spec == study.experiment.spec
    files = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    loaded.table()
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == files   # nothing written


# -- outputs computed elsewhere ---------------------------------------------------------------------
def test_analyze_outputs_computed_by_hand_gives_the_analytical_ishigami_indices():
    """SALib habit: sample, compute Y yourself, analyse. Within 0.03 of the analytical values."""
    study = Study.from_dict(_ishigami_dict(n=4096)).sample()
    y = _ishigami(study.samples)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # a big design: no warning
        study.analyze(Y=y)
    sob = study.indices[study.indices["method"] == "sobol"].set_index(["index", "factor"])["value"]
    for name, expected in ISHIGAMI_S1.items():
        assert abs(sob[("S1", name)] - expected) < 0.03, (name, sob[("S1", name)])
    for name, expected in ISHIGAMI_ST.items():
        assert abs(sob[("ST", name)] - expected) < 0.03, (name, sob[("ST", name)])
    # a dict or a DataFrame names the output; the numbers are the same
    by_name = Study.from_dict(_ishigami_dict(n=4096)).analyze(Y={"ishigami": y})
    assert set(by_name.indices["output"]) == {"ishigami"}
    np.testing.assert_array_equal(by_name.indices["value"], study.indices["value"])
    frame = Study.from_dict(_ishigami_dict(n=4096)).analyze(Y=pd.DataFrame({"y": y, "y2": 2 * y}))
    assert set(frame.indices["output"]) == {"y", "y2"}


def test_analyze_refuses_outputs_that_do_not_match_the_sample():
    study = Study.from_dict(_ishigami_dict(n=16)).sample()
    with pytest.raises(UserError, match=r"sample has 96 points .* 95 values for y"):
        study.analyze(Y=np.zeros(95))
    with pytest.raises(UserError, match="one column per output"):
        study.analyze(Y=np.zeros((96, 3)))


# -- clear errors -----------------------------------------------------------------------------------
def test_reading_results_too_early_says_what_to_call():
    study = Study(_ishigami_dict(n=16))
    for attribute in ("indices", "summary", "convergence"):
        with pytest.raises(UserError, match=r"call run\(\) or load\(\) first"):
            getattr(study, attribute)
    with pytest.raises(UserError, match=r"call sample\(\) first"):
        study.samples
    with pytest.raises(UserError, match=r"call evaluate\(\) first .* analyze\(Y=\.\.\.\)"):
        study.analyze()


def test_python_errors_name_python_arguments_and_the_command_line_its_flags(tmp_path, capsys):
    exp = tmp_path / "i.toml"
    exp.write_text(ishigami_experiment(n=16))
    with pytest.warns(UserWarning):
        Study(exp).run(tmp_path / "out")
    with pytest.raises(UserError) as err:
        Study(exp).run(tmp_path / "out")
    assert "resume=True" in str(err.value) and "force=True" in str(err.value) and "--" not in str(err.value)
    with pytest.raises(UserError, match=r"resume=True and force=True contradict"):
        Study(exp).run(tmp_path / "out", resume=True, force=True)
    with pytest.raises(UserError, match=r"backend='threads' is unknown"):
        Study(exp).evaluate(backend="threads")
    assert cli.main(["sensitivity", str(exp), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert "Use --resume" in capsys.readouterr().err


def test_bad_dicts_and_folders_get_clear_messages(tmp_path):
    bad = _ishigami_dict()
    bad["method"]["n"] = 100
    with pytest.raises(UserError, match=r"experiment dict.*method\.n.*power of two"):
        Study.from_dict(bad)
    with pytest.raises(UserError, match="needs a dict"):
        Study.from_dict([("name", "x")])
    with pytest.raises(UserError, match="'scenario' names 'nowhere.toml'"):
        Study.from_dict(_model_dict("nowhere.toml"), folder=tmp_path)
    with pytest.raises(UserError, match="no manifest.json"):
        Study.load(tmp_path)


# -- tables for a paper -----------------------------------------------------------------------------
def test_index_tables_as_markdown_and_latex():
    study = Study.from_dict(_ishigami_dict(n=1024)).sample()
    study.analyze(Y=_ishigami(study.samples))
    md = study.to_markdown().splitlines()
    assert md[0] == "| input | S1 [95% interval] | ST [95% interval] | above noise floor |"
    assert [line.split(" | ")[0] for line in md[2:]] == ["| x1", "| x2", "| x3", "| dummy (noise floor)"]
    st_x1 = study.indices.query("index == 'ST' and factor == 'x1'").iloc[0]
    assert f"{st_x1['value']:.3f} [{st_x1['lo']:.3f}, {st_x1['hi']:.3f}]" in md[2]
    latex = study.to_latex()
    assert latex.startswith(r"\begin{tabular}{lrrr}") and r"\toprule" in latex and r"\bottomrule" in latex
    assert r"$S_T$ [95\% interval]" in latex and "dummy (noise floor)" in latex
    assert latex.count(r" \\") == 5                          # header and four inputs


# -- designs too small, every run failing --------------------------------------------------------
def test_small_design_warns_in_python_and_in_summary(tmp_path):
    """A noisy Ishigami at N = 16: the ranking moves between N/2 and N; the Python API warns and
    summary.md says so, in words only (the fingerprint of its numbers is unchanged)."""
    data = _ishigami_dict(n=16)
    data["target"]["noise"] = 3.0
    with pytest.warns(UserWarning, match="too small for a stable ranking"):
        study = Study.from_dict(data).run(tmp_path / "out")
    notes = study.analysis.design_warnings
    assert notes and all(not NUMBER.search(n) for n in notes)
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "too small for a stable ranking" in summary and "Double n" in summary


def test_every_run_failing_finishes_with_a_whole_folder(tmp_path, capsys, monkeypatch):
    """coopsim sensitivity when no run succeeds: exit status 1, a clear message, failures.csv,
    a summary saying there are no indices, the tables and the manifest."""
    exp = tmp_path / "i.toml"
    exp.write_text(ishigami_experiment(n=16))
    monkeypatch.setattr(workflow, "make_target", lambda _: FailingIshigami({"x1": -10.0}))
    out = tmp_path / "out"
    status = cli.main(["sensitivity", str(exp), "--out", str(out), "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1
    assert "No indices: every run failed" in err and "96 run(s) failed" in err
    assert len(pd.read_csv(out / "failures.csv")) == 96
    summary = (out / "summary.md").read_text()
    assert "96 run(s) failed" in summary and "no indices" in summary and "every run failed" in summary
    assert list(pd.read_csv(out / "indices.csv").columns)[:4] == ["policy", "output", "method", "index"]
    assert json.loads((out / "manifest.json").read_text())["execution"]["failed_runs"] == 96
    with pytest.warns(UserWarning, match="no indices: every run failed"):
        Study(exp).run(tmp_path / "api")
    assert Study.load(out).indices.empty


# -- replications with intervals --------------------------------------------------------------------
def test_evaluate_per_replication_and_its_intervals(tmp_path):
    scenario = load_scenario(_small_scenario(tmp_path))
    frame = evaluate(scenario, seed=3, reps=4, per_replication=True)
    assert list(frame["replication"]) == [0, 1, 2, 3]
    assert list(frame["seed"]) == [replication_seed(3, i) for i in range(4)]
    means = evaluate(scenario, seed=3, reps=4)                          # unchanged default
    assert means["signed"] == frame["signed"].mean() and means["benefits"] == frame["benefits"].mean()
    table = summarize_replications(frame).set_index("outcome")
    assert list(table.index) == list(means)
    row = table.loc["benefits"]
    assert row["mean"] == pytest.approx(means["benefits"]) and row["replications"] == 4
    assert row["lo"] <= row["mean"] <= row["hi"] and row["lo"] < row["hi"]
    assert row["lo"] >= frame["benefits"].min() and row["hi"] <= frame["benefits"].max()
    assert "benefits delivered" in row["words"]
