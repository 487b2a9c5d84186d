"""Scenario discovery (issue 7): PRIM recovers a planted rule end to end, switches are integer
columns, EMA Workbench's perform_experiments and coopsim's runner give identical outcomes for
the same points and seeds, and bad discovery settings give a clear UserError."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")
pytest.importorskip("sklearn")

from conftest import ishigami_experiment  # noqa: E402
from coopsim import cli  # noqa: E402
from coopsim.analysis.discovery import build_design, restriction_words  # noqa: E402
from coopsim.config.discovery import load_discovery  # noqa: E402
from coopsim.config.errors import UserError  # noqa: E402
from coopsim.run.seeds import derive_seed  # noqa: E402
from coopsim.workflows.discovery import Discovery, make_target  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT / "experiments"

# x1..x3 on [0, 1] (the Ishigami target's inputs; the planted tests swap the target)
PLANTED_EXPERIMENT = ishigami_experiment(name="planted", method="morris", n=4, bootstrap=None, bounds=(0, 1))

PLANTED_DISCOVERY = """
[discovery]
experiment = "planted_exp.toml"
output = "y"
threshold = 0.5
points = 1500
label = "planted failure"
[discovery.scoring]
trees = 50
"""


class PlantedBoxTarget:
    """Verification target: y = 1 inside a planted box of the inputs, else 0, each label flipped
    with probability `flip` (drawn from the run seed). `box` maps input -> (low, high). The
    discoveries here run serially, so the target needs no importable home for worker processes."""

    def __init__(self, box: dict[str, tuple[float, float]], flip: float = 0.0):
        self.box = {k: (float(lo), float(hi)) for k, (lo, hi) in box.items()}
        self.flip = float(flip)

    def __call__(self, params: dict, seed: int) -> dict:
        inside = all(lo <= params[k] <= hi for k, (lo, hi) in self.box.items())
        if self.flip and np.random.default_rng(seed).random() < self.flip:
            inside = not inside
        return {"y": float(inside)}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def planted(tmp_path):
    _write(tmp_path, "planted_exp.toml", PLANTED_EXPERIMENT)
    return _write(tmp_path, "planted.toml", PLANTED_DISCOVERY)


def test_prim_recovers_a_planted_rule_end_to_end(planted, tmp_path):
    """failure = x1 < 0.3 and x2 > 0.6 (2% of labels flipped by the run seed): PRIM's chosen box
    restricts x1 from above near 0.3 and x2 from below near 0.6, leaves x3 alone, and the
    summary says so in words; CART and the feature scores agree."""
    rule = PlantedBoxTarget({"x1": (0.0, 0.3), "x2": (0.6, 1.0)}, flip=0.02)
    out = tmp_path / "out"
    d = Discovery(planted).run(out, workers=1, target=rule)
    box = d.prim_boxes[0]
    lim = box.limits.set_index("input")
    assert set(lim.index) == {"x1", "x2"}, lim
    assert abs(lim.loc["x1", "max"] - 0.3) < 0.04 and lim.loc["x1", "min"] == lim.loc["x1", "full_min"]
    assert abs(lim.loc["x2", "min"] - 0.6) < 0.04 and lim.loc["x2", "max"] == lim.loc["x2", "full_max"]
    assert box.stats["coverage"] > 0.85 and box.stats["density"] > 0.85
    assert (lim[["qp_lower", "qp_upper"]].max(axis=1) < 1e-6).all()      # both limits significant
    assert box.words.startswith("x1 below 0.") and "x2 above 0." in box.words
    # the cases of interest are what the target planted (seeded label noise included)
    table = pd.read_parquet(out / "outputs.parquet")
    inside = (table["x1"] <= 0.3) & (table["x2"] >= 0.6)
    assert 0.9 < (table["case_of_interest"] == inside).mean() < 1.0
    assert table["seed"].tolist() == [derive_seed(7, i) for i in range(1500)]
    # CART's dense leaves sit inside the planted box
    dense = d.cart.boxes[d.cart.boxes["density"] >= 0.8]
    assert len(dense)
    for rule_words in dense["rule"]:
        x1 = re.search(r"x1 below ([0-9.]+)", rule_words)
        x2 = re.search(r"x2 above ([0-9.]+)", rule_words)
        assert x1 and x2 and abs(float(x1.group(1)) - 0.3) < 0.04 and abs(float(x2.group(1)) - 0.6) < 0.04
    # feature scores: x1 and x2 above the dummy, x3 at about the dummy's level
    fs = d.scores["case_of_interest"]
    assert fs["x1"] > 3 * fs["dummy"] and fs["x2"] > 3 * fs["dummy"] and fs["x3"] < 2 * fs["dummy"]
    summary = (out / "summary.md").read_text()
    assert "**Box 1**: x1 below 0." in summary and "planted failure" in summary
    for name in ("prim_boxes.csv", "prim_trajectory.csv", "cart_boxes.csv", "cart_tree.txt",
                 "feature_scores.csv", "samples.parquet", "manifest.json", "figures/prim_tradeoff.png",
                 "figures/prim_box_limits.png", "figures/feature_scores.png"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "discover" and manifest["results"]["boxes"][0]["words"] == box.words


def test_cli_resume_reuses_runs_for_a_new_threshold(planted, tmp_path):
    """Through the command line (Ishigami target): a second analysis with another threshold
    reuses every run with --resume; without --resume or --force the folder is refused."""
    out = tmp_path / "cli"
    base = ["discover", str(planted), "--out", str(out), "--points", "200", "--workers", "1", "--no-progress"]
    text = planted.read_text().replace('output = "y"\nthreshold = 0.5', 'output = "y"\nthreshold = 4.0')
    planted.write_text(text)
    assert cli.main(base) == 0
    first = pd.read_parquet(out / "outputs.parquet")
    assert cli.main(base) == 2                                   # non-empty folder refused
    planted.write_text(text.replace("threshold = 4.0", "threshold = 3.0"))
    assert cli.main(base + ["--resume"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["execution"]["runs_this_session"] == 0
    second = pd.read_parquet(out / "outputs.parquet")
    assert np.array_equal(first["y"], second["y"])
    assert second["case_of_interest"].sum() > first["case_of_interest"].sum()


def test_switches_are_integer_columns_and_seeds_follow_the_index():
    s = load_discovery(EXPERIMENTS / "failure_discovery.toml", points=64)
    d = build_design(s)
    switches = [n for n, k in d.kinds.items() if k == "bool"]
    assert "joint_committee" in switches
    for name in switches:
        assert d.points[name].dtype == np.int64 and set(d.points[name]) == {0, 1}
    for inp in s.experiment.inputs:
        if d.kinds[inp.short] == "float":
            col = d.points[inp.short]
            assert col.dtype == np.float64 and col.between(*inp.bounds).all()
    assert d.seeds.tolist() == [derive_seed(s.experiment.spec.seed, i) for i in range(64)]
    assert restriction_words("joint_committee", "bool", 0, 0, 0, 1) == "no joint committee"
    assert restriction_words("joint_committee", "bool", 0.5, 1, 0, 1) == "a joint committee"
    assert restriction_words("budget_line_share", "float", 0.05, 0.21, 0.05, 0.8) == "budget_line_share below 0.21"


def test_ema_workbench_and_coopsim_runner_give_identical_outcomes():
    """The same points and seeds through EMA Workbench's perform_experiments (coopsim.run.ema model)
    and through coopsim's runner (runner.evaluate and the discovery target) agree exactly."""
    from ema_workbench import Sample, SequentialEvaluator, perform_experiments

    from coopsim.run.ema import SEED, ema_model, split_point
    from coopsim.run.runner import evaluate

    s = load_discovery(EXPERIMENTS / "failure_discovery.toml", points=64)
    exp = s.experiment
    model = ema_model(exp)
    assert {p.name for p in model.levers} == {"joint_committee", "cooperation_bureau", "data_platform",
                                              "mid_term_plan", "dedicated_budget"}
    assert SEED in {p.name for p in model.uncertainties}
    assert [o.name for o in model.outcomes] == list(exp.spec.outputs)
    d = build_design(s)
    rows = list(np.flatnonzero(d.points["joint_committee"] == 0)[:2]) + \
        list(np.flatnonzero(d.points["joint_committee"] == 1)[:1])
    inputs = [i.short for i in exp.inputs]
    scenarios, policies, points = [], [], []
    for k in rows:
        row = d.points.iloc[k]
        point = {c: (int(row[c]) if d.kinds[c] != "float" else float(row[c])) for c in inputs}
        unc, lev = split_point(exp, point)
        scenarios.append(Sample(name=f"point{k}", **unc, **{SEED: int(d.seeds[k])}))
        policies.append(Sample(name=f"levers{k}", **lev))
        points.append(point)
    experiments, outcomes = perform_experiments(model, scenarios=scenarios, policies=policies,
                                                evaluator=SequentialEvaluator(model), combine="cycle")
    assert experiments["seed"].tolist() == [int(d.seeds[k]) for k in rows]
    target = make_target(s)
    base = exp.scenario
    for j, k in enumerate(rows):
        overrides = {}
        for inp in exp.inputs:
            v = points[j][inp.short]
            overrides[inp.path] = bool(v) if d.kinds[inp.short] == "bool" else v
        direct = evaluate(base.override(overrides), seed=int(d.seeds[k]),
                          reps=exp.spec.stochasticity.replications)
        through_target = target(dict(d.points.iloc[k]), int(d.seeds[k]))
        for o in exp.spec.outputs:
            a, b, c = float(outcomes[o][j]), float(direct[o]), float(through_target[o])
            assert (a == b == c) or (np.isnan(a) and np.isnan(b) and np.isnan(c)), (o, a, b, c)


@pytest.mark.parametrize("body, words", [
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\n', "'discovery.threshold' is missing"),
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\nthreshold = 1\ncolour = "red"\n',
     "unknown key 'discovery.colour'"),
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "share_failed"\nthreshold = 1\n',
     "'share_failed' is not an output"),
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\nthreshold = 1\n[discovery.prim]\nmass_min = 0.7\n',
     "discovery.prim.mass_min"),
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\nthreshold = 1\ndirection = "sideways"\n',
     "discovery.direction"),
    ('[discovery]\nexperiment = "nowhere.toml"\noutput = "y"\nthreshold = 1\n', "does not exist"),
    ('[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\nthreshold = 1\npoints = 3\n',
     "discovery.points"),
    ('name = "x"\n[discovery]\nexperiment = "planted_exp.toml"\noutput = "y"\nthreshold = 1\n',
     "unknown top-level key(s) name"),
    ('[discovery\n', "not valid TOML"),
])
def test_bad_discovery_settings_are_user_errors(tmp_path, body, words):
    _write(tmp_path, "planted_exp.toml", PLANTED_EXPERIMENT)
    path = _write(tmp_path, "bad.toml", body)
    with pytest.raises(UserError) as err:
        load_discovery(path)
    assert words in str(err.value)
    assert str(path) in str(err.value)


def test_experiment_file_given_instead_of_a_discovery_file(capsys):
    status = cli.main(["discover", str(EXPERIMENTS / "failure_conditions.toml"), "--out", "/nonexistent/x"])
    assert status == 2
    err = capsys.readouterr().err
    assert "this is an experiment file" in err and "[discovery]" in err and "Traceback" not in err


def test_no_case_of_interest_and_contradictory_flags(planted, tmp_path):
    with pytest.raises(UserError, match="--points must be at least"):
        load_discovery(planted, points=5)
    planted.write_text(planted.read_text().replace("threshold = 0.5", "threshold = 2"))
    d = Discovery(planted, points=60)
    with pytest.raises(UserError, match="no run is a case of interest.*--resume"):
        d.run(tmp_path / "none", target=PlantedBoxTarget({"x1": (0, 0.3)}))
    with pytest.raises(UserError, match="contradict"):
        Discovery(planted, points=60).run(tmp_path / "none", resume=True, force=True)


def test_report_includes_the_discovery_results(planted, tmp_path):
    """`coopsim report DIR` (the planner's report) embeds the figures and the summary."""
    report = pytest.importorskip("coopsim.reporting.html")
    out = tmp_path / "rep"
    Discovery(planted, points=300).run(out, target=PlantedBoxTarget({"x1": (0.0, 0.3), "x2": (0.6, 1.0)}))
    page = report.build_report(out)
    for fig in ("figures/prim_tradeoff.png", "figures/prim_box_limits.png", "figures/feature_scores.png"):
        assert fig in page
    assert page.count("data:image/png;base64,") >= 3
    assert "Box 1" in page and "prim_boxes.csv" in page


def test_prim_handles_switches_as_integers():
    """A planted rule on a yes/no switch and a real input: PRIM (EMA Workbench 3.0 under pandas 3)
    restricts the integer-coded switch and says 'no joint committee' in words."""
    from coopsim.analysis.discovery import run_prim
    from coopsim.config.discovery import PrimSettings

    rng = np.random.default_rng(3)
    n = 1200
    x = pd.DataFrame({"x1": rng.random(n), "x2": rng.random(n),
                      "joint_committee": rng.integers(0, 2, n).astype(np.int64)})
    y = ((x["joint_committee"] == 0) & (x["x1"] < 0.4)).to_numpy()
    kinds = {"x1": "float", "x2": "float", "joint_committee": "bool"}
    boxes = run_prim(x, y, kinds, PrimSettings())
    lim = boxes[0].limits.set_index("input")
    assert set(lim.index) == {"x1", "joint_committee"}
    assert lim.loc["joint_committee", "max"] < 1 and abs(lim.loc["x1", "max"] - 0.4) < 0.04
    assert boxes[0].words.startswith("x1 below 0.") and boxes[0].words.endswith("and no joint committee")
    assert boxes[0].stats["density"] > 0.95 and boxes[0].stats["coverage"] > 0.9


def test_a_file_without_a_discovery_table_reads_in_indonesian(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text('points = 100\n', encoding="utf-8")
    error = pytest.raises(UserError, load_discovery, path).value
    assert error.text("en") == f"{path}: no [discovery] table. A discovery file looks like:\n" + \
        '[discovery]\nexperiment = "failure_conditions.toml"\noutput = "share_failed"\ndirection = "above"\n' \
        'threshold = 0.6'
    assert error.text("id").startswith(f"{path}: tidak ada tabel [discovery]. Contoh berkas discovery:\n[discovery]")
    path.write_text('[discovery]\noutput = "share_failed"\n', encoding="utf-8")
    error = pytest.raises(UserError, load_discovery, path).value
    assert "kunci 'discovery.experiment' tidak ada" in error.text("id") and "Contoh berkas discovery" in error.text("id")
