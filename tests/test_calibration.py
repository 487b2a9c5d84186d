"""Calibration by ABC-SMC (pyabc; issue #13): the calibration file is checked, the summary
statistics and the posterior's summaries are right on hand-made numbers, and a tiny ABC-SMC
on the real model writes a posterior that later experiments can read, computed from the
calibration targets only and repeating exactly from its seed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coopsim.analysis import calibration as AC
from coopsim.analysis import validation as V
from coopsim.config.calibration import load_calibration, load_posterior
from coopsim.config.errors import UserError
from coopsim.config.evidence import load_split
from coopsim.run.calibration import particle_seed
from conftest import ROOT, SCENARIOS

pytest.importorskip("pyabc")


def _file(folder, parameters, abc="population = 4\ngenerations = 2\nreps = 1\nseed = 11\n"):
    """A calibration file on a tiny scenario (provinces only, eight years)."""
    scenario = folder / "tiny.toml"
    scenario.write_text(f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\nname = "tiny"\n'
                        '[simulation]\nyears = 8\nlevels = ["province"]\n')
    path = folder / "calibration.toml"
    path.write_text(f'name = "tiny"\nscenario = "tiny.toml"\n[abc]\n{abc}\n' + "".join(
        f'[[parameters]]\npath = "{p}"\nlow = {lo}\nhigh = {hi}\n' for p, lo, hi in parameters))
    return path


def test_the_shipped_calibration_file_loads():
    spec = load_calibration(ROOT / "experiments" / "calibration.toml")
    assert spec.priors["behaviour.follow_up"] == (0.15, 0.60) and len(spec.priors) >= 7
    assert all(p.startswith("behaviour.") for p in spec.priors)
    quick = spec.settings(quick=True)
    assert quick.population < spec.settings().population and quick.seed == spec.settings().seed


@pytest.mark.parametrize("parameters, message", [
    ([("behaviour.follow_up", 0.2, 1.5)], "behaviour.follow_up.*inside the parameter's range"),
    ([("behaviour.candidates", 2, 9)], "must name a decimal scenario parameter"),
    ([("behaviour.follow_upp", 0.2, 0.4)], "must name a decimal scenario parameter"),
    ([("behaviour.follow_up", 0.4, 0.2)], "low .* must be below high"),
    ([("behaviour.follow_up", 0.2, 0.4)] * 2, "a prior twice"),
])
def test_bad_priors_are_refused(tmp_path, parameters, message):
    with pytest.raises(UserError, match=message) as err:
        load_calibration(_file(tmp_path, parameters))
    assert "calibration.toml" in str(err.value)


def test_statistics_distance_and_posterior_summaries_by_hand():
    inside = V._check(1, "x", "", (0.7, 0.65, 0.75), (0.6, 0.8), key="a")
    outside = V._check(2, "y", "", (0.9, 0.85, 0.95), (0.6, 0.8), key="b")
    stats = AC.summary_statistics([inside, outside])
    assert stats == {"value:a": 0.7, "miss:a": 0.0, "value:b": 0.9, "miss:b": pytest.approx(0.5)}
    assert AC.calibration_distance(stats, ["a", "b"]) == pytest.approx(0.5)
    with pytest.raises(KeyError):
        AC.calibration_distance(stats, ["a", "c"])
    # weighted quantiles: weights 1, 1, 2 on 1, 2, 3 -> cumulative 0.25, 0.5, 1
    assert AC.weighted_quantiles([3, 1, 2], [2, 1, 1], [0.1, 0.25, 0.5, 0.51, 1.0]).tolist() == [1, 1, 2, 3, 3]
    assert AC.effective_sample_size([1, 1, 1, 1]) == 4 and AC.effective_sample_size([1, 0, 0]) == 1
    posterior = pd.DataFrame({"p.x": [0.1, 0.2, 0.3], "weight": [0.25, 0.25, 0.5], "miss:a": [0, 0.2, 0]})
    row = AC.posterior_summary(posterior, {"p.x": (0.0, 1.0)}).iloc[0]
    assert row["mean"] == pytest.approx(0.225) and row["median"] == 0.2 and row["span_of_prior"] == pytest.approx(0.2)
    assert AC.target_shares(posterior, ["a"])["a"] == pytest.approx(0.75)


def test_particle_seeds_follow_the_values_and_the_master_seed():
    a = particle_seed(7, {"x": 0.1, "y": 0.2})
    assert a == particle_seed(7, {"y": 0.2, "x": 0.1}) and a != particle_seed(8, {"x": 0.1, "y": 0.2})
    assert a != particle_seed(7, {"x": 0.1, "y": 0.2000001})


def test_tiny_abc_smc_writes_a_posterior_from_the_calibration_targets_only(tmp_path):
    from coopsim.workflows.calibration import run_calibration

    spec = load_calibration(_file(tmp_path, [("behaviour.follow_up", 0.15, 0.6), ("behaviour.drafting", 0.4, 0.95)]))
    first = run_calibration(spec, tmp_path / "a", progress=False)
    out = first.out
    for name in ("posterior.csv", "posterior_summary.csv", "generations.csv", "target_shares.csv", "abc.db",
                 "manifest.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "posterior.csv")
    assert len(table) == 4 and table["weight"].sum() == pytest.approx(1.0)
    for path, (lo, hi) in spec.priors.items():
        assert table[path].between(lo, hi).all()
    split = load_split()
    stats = {c.split(":", 1)[1] for c in table.columns if c.startswith(("value:", "miss:"))}
    assert stats == set(split.calibration) and not stats & set(split.held_out)
    assert np.allclose(table["distance"], table[[f"miss:{t}" for t in split.calibration]].sum(axis=1))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["targets"] == list(split.calibration) and manifest["held_out_not_used"] == list(split.held_out)
    assert manifest["deterministic"] and manifest["sampler"] == "SingleCoreSampler" and manifest["settings"]["seed"] == 11
    assert list(pd.read_csv(out / "generations.csv")["t"]) == list(range(len(first.generations)))
    posterior = load_posterior(out)
    assert list(posterior.values.columns) == list(spec.priors) and posterior.weights.sum() == pytest.approx(1.0)
    drawn = posterior.sample(50, np.random.default_rng(0))
    assert len(drawn) == 50 and set(drawn["behaviour.follow_up"]) <= set(table["behaviour.follow_up"])
    # one seed decides everything: the same file gives the same posterior, another seed another
    again = run_calibration(spec, tmp_path / "b", progress=False)
    pd.testing.assert_frame_equal(again.posterior, first.posterior)
    other = load_calibration(_file(tmp_path, list(zip(spec.priors, *zip(*spec.priors.values()))),
                                   abc="population = 4\ngenerations = 2\nreps = 1\nseed = 12\n"))
    assert not run_calibration(other, tmp_path / "c", progress=False).posterior.equals(first.posterior)


def test_missing_posterior_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="run experiments/calibrate.py first"):
        load_posterior(tmp_path)
    (tmp_path / "posterior.csv").write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match="'weight' column"):
        load_posterior(tmp_path)


def test_a_priors_mistakes_read_in_indonesian(tmp_path):
    error = pytest.raises(UserError, load_calibration, _file(tmp_path, [("behaviour.follow_up", 0.4, 0.2)])).value
    assert "low (0.4) must be below high (0.2)" in error.text("en")
    assert "low (0.4) harus lebih kecil daripada high (0.2)" in error.text("id"), error.text("id")
    error = pytest.raises(UserError, load_calibration, _file(tmp_path, [("behaviour.follow_up", 0.4, 1.5)])).value
    assert error.text("en").endswith("A prior must lie inside the parameter's range.")
    assert error.text("id").endswith("Prior harus berada di dalam rentang parameternya."), error.text("id")
