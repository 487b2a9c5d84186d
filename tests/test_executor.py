"""The executor behind `coopsim sensitivity`: kill-and-resume, backend equivalence (serial,
local process pool, Dask on 127.0.0.1), failed runs recorded and reported (issue 4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from conftest import ishigami_experiment
from targets import FailingIshigami, SlowIshigami
from coopsim.run.executor import MAX_CHUNK, chunk_starts, read_failures, read_results, run_sweep
from coopsim.run.targets import IshigamiTarget
from coopsim.run.seeds import derive_seeds
from coopsim.workflows.sensitivity import Study

ROOT = Path(__file__).resolve().parents[1]

def _experiment(folder: Path, n: int = 64, extra: str = "") -> Path:
    path = folder / "exp.toml"
    path.write_text(ishigami_experiment(name="noisy_ishigami", seed=11, n=n, bootstrap=200,
                                        target="noise = 1.0\n" + extra))
    return path


def _outputs(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "outputs.parquet")


def _indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv")


def test_same_results_serial_process_pool_and_dask(tmp_path):
    """Seeds come from the experiment seed and the point index only: every backend, worker
    count and chunk size gives the same runs and the same indices, bit for bit."""
    from distributed import LocalCluster

    exp = _experiment(tmp_path)
    Study(exp).run(tmp_path / "serial", workers=1)
    Study(exp).run(tmp_path / "pool", workers=2, backend="process", chunk_size=7)
    Study(exp).run(tmp_path / "dask_local", workers=2, backend="dask", chunk_size=13)
    # an existing scheduler with its workers, started here on 127.0.0.1 and stopped after
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        Study(exp).run(tmp_path / "dask_remote", scheduler=cluster.scheduler_address, chunk_size=50)
    reference = _outputs(tmp_path / "serial")
    assert reference["seed"].nunique() == len(reference)     # independent seed per point
    for name in ("pool", "dask_local", "dask_remote"):
        other = _outputs(tmp_path / name)
        pd.testing.assert_frame_equal(reference, other, check_exact=True)
        pd.testing.assert_frame_equal(_indices(tmp_path / "serial"), _indices(tmp_path / name), check_exact=True)


def test_killed_sweep_resumes_without_rerunning_finished_chunks(tmp_path):
    """SIGKILL the whole `coopsim sensitivity` process group mid-sweep, resume, and end with
    the indices of an uninterrupted sweep; finished chunk files are never rewritten."""
    exp = _experiment(tmp_path, n=64)    # 384 runs of ~10 ms each (SlowIshigami)
    out = tmp_path / "killed"
    script = ("import sys; from targets import SlowIshigami; from coopsim.workflows.sensitivity import Study; "
              f"Study({str(exp)!r}).run({str(out)!r}, workers=2, chunk_size=8, "
              "target=SlowIshigami(0.01, noise=1.0))")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, start_new_session=True, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    chunks = out / "runs" / "chunks"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(chunks.glob("chunk_*.parquet"))) < 6:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)                      # parent, forkserver and workers
    proc.wait()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in chunks.glob("chunk_*.parquet")}
    n_chunks = 384 // 8
    assert 6 <= len(before) < n_chunks, len(before)
    assert not (out / "indices.csv").exists()

    resumed = Study(exp).run(out, workers=2, resume=True, target=SlowIshigami(0.0, noise=1.0))
    report = resumed.report
    assert report.skipped_chunks == len(before)
    assert report.ran_chunks == n_chunks - len(before)
    assert report.ran_points == 384 - 8 * len(before)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in chunks.glob("chunk_*.parquet")}
    assert all(after[name] == stamp for name, stamp in before.items())   # untouched

    Study(exp).run(tmp_path / "whole", workers=1)
    pd.testing.assert_frame_equal(_indices(out), _indices(tmp_path / "whole"), check_exact=True)
    pd.testing.assert_frame_equal(_outputs(out).drop(columns=[]), _outputs(tmp_path / "whole"), check_exact=True)


def test_failed_runs_are_recorded_reported_and_the_sweep_goes_on(tmp_path, capsys):
    exp = _experiment(tmp_path, n=32)
    out = tmp_path / "out"
    study = Study(exp).run(out, workers=2, target=FailingIshigami({"x1": 2.9}, noise=1.0))
    status = study.report.tell_failures(out)
    err = capsys.readouterr().err
    assert status == 1
    failures = pd.read_csv(out / "failures.csv")
    assert len(failures) > 0
    assert (failures["x1"] > 2.9).all()                       # recorded with their inputs
    assert failures["error"].str.contains("test failure: x1").all()
    assert f"{len(failures)} run(s) failed" in err and "failures.csv" in err
    outputs = _outputs(out)
    assert len(outputs) == 32 * 6 and (outputs["error"] != "").sum() == len(failures)   # the rest ran
    summary = (out / "summary.md").read_text()
    assert f"{len(failures)} run(s) failed" in summary and "base sample(s) dropped" in summary
    idx = _indices(out)
    assert np.isfinite(idx[idx["method"] == "sobol"]["value"]).all()   # indices from the intact blocks


def test_generic_callable_serial_and_pool_agree(tmp_path):
    """The executor on its own (for calibration and discovery): any picklable target."""
    rng = np.random.default_rng(3)
    points = pd.DataFrame({"x1": rng.uniform(-3, 3, 50), "x2": rng.uniform(-3, 3, 50),
                           "x3": rng.uniform(-3, 3, 50)})
    seeds = derive_seeds(5, len(points))
    target = FailingIshigami({"x3": 2.5}, noise=0.5)
    a = run_sweep(target, points, seeds, tmp_path / "a", progress=False)
    b = run_sweep(target, points, seeds, tmp_path / "b", backend="process", workers=2, chunk_size=9,
                  progress=False)
    assert a.n_failed == b.n_failed == int((points["x3"] > 2.5).sum())
    pd.testing.assert_frame_equal(read_results(tmp_path / "a").drop(columns="seconds"),
                                  read_results(tmp_path / "b").drop(columns="seconds"))
    assert list(read_failures(tmp_path / "a")["index"]) == list(points.index[points["x3"] > 2.5])


def test_guided_chunks_cover_every_point_once_and_shrink_toward_the_end():
    for n, workers in ((1, 1), (64, 2), (1000, 2), (5000, 8)):
        starts = chunk_starts(n, workers)
        sizes = np.diff(starts + [n])
        assert starts[0] == 0 and sizes.sum() == n and (sizes >= 1).all() and (sizes <= MAX_CHUNK).all()
        assert (np.diff(sizes) <= 0).all() and sizes[-1] == 1            # big first, single runs last
    assert chunk_starts(10, 2, chunk_size=4) == [0, 4, 8]


def test_resume_keeps_the_first_sessions_chunks_whatever_the_workers(tmp_path):
    """Started serially (1 worker's layout), resumed on 2 processes: the stored layout is used,
    only the missing chunks run, and the results equal the uninterrupted sweep's."""
    rng = np.random.default_rng(4)
    points = pd.DataFrame(rng.uniform(-3, 3, (60, 3)), columns=["x1", "x2", "x3"])
    seeds = derive_seeds(9, len(points))
    target = IshigamiTarget(noise=0.5)
    first = run_sweep(target, points, seeds, tmp_path / "s", progress=False)
    whole = read_results(tmp_path / "s")
    assert first.n_chunks == len(chunk_starts(60, 1)) != len(chunk_starts(60, 2))
    for k in (0, 3, first.n_chunks - 1):   # as if killed before these finished
        (tmp_path / "s" / "chunks" / f"chunk_{k:06d}.parquet").unlink()
    again = run_sweep(target, points, seeds, tmp_path / "s", backend="process", workers=2, resume=True,
                      progress=False)
    assert (again.n_chunks, again.ran_chunks, again.skipped_chunks) == (first.n_chunks, 3, first.n_chunks - 3)
    pd.testing.assert_frame_equal(read_results(tmp_path / "s").drop(columns="seconds"),
                                  whole.drop(columns="seconds"))
