"""Outputs, sweeps, options and analyses without valid runs (issue 17, defects 2, 3, 4, 7, 8, 10):
results folders are checked before any work and written whole or not at all, names from
scenarios stay under results/, damaged sweep folders resume to the results of an uninterrupted
sweep, options that used to hang or crash are clear errors, and no analysis step gives a
traceback when there is nothing to analyse."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ishigami_experiment
from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.reporting import folders
from coopsim.reporting.folders import STAGE_PREFIX, folder_name, staged_output
from coopsim.reporting.html import build_report
from coopsim.run import executor
from coopsim.run.chunks import chunk_starts
from coopsim.run.executor import check_budget, run_sweep
from coopsim.run.targets import IshigamiTarget
from coopsim.workflows.sensitivity import Study

# The scenario of defect 2: valid, but one year of a synthetic population signs no partnership.
NO_PARTNERSHIP = ('name = "x"\n[simulation]\nyears = 1\npopulation = "synthetic"\n'
                  '[behaviour]\nexploration_rate = 0.0\nforeign_exploration_rate = 0.0\n')   # nobody explores
# The same, smaller and faster, for the tests that only need a scenario to run.
TINY = 'name = "tiny"\n[simulation]\nyears = 1\npopulation = "synthetic"\nsynthetic_regions = 20\n'


def _scenario(folder: Path, text: str = TINY, name: str = "tiny.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _leftovers(folder: Path) -> list[str]:
    """Temporary and staging files anywhere under `folder`."""
    return [p.name for p in folder.rglob("*") if ".tmp" in p.name or p.name.startswith(STAGE_PREFIX)]


def _err(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# == defect 2: a run in which no partnership is signed ==========================================
def test_run_without_any_partnership_writes_a_complete_folder(tmp_path, capsys):
    out = tmp_path / "x"
    assert cli.main(["run", str(_scenario(tmp_path, NO_PARTNERSHIP)), "--reps", "2", "--out", str(out),
                     "--no-progress"]) == 0
    _err(capsys)
    manifest = json.loads((out / "manifest.json").read_text())
    assert pd.read_parquet(out / "summary.parquet")["signed"].sum() == 0
    for name in manifest["outputs"]:
        assert (out / name).stat().st_size > 0, name
    assert "survival.png" in manifest["outputs"] and not _leftovers(out)


# == defect 7: output locations ==================================================================
def test_a_folder_under_a_file_and_a_too_long_name_are_clear_errors(tmp_path, capsys):
    scenario = _scenario(tmp_path)
    (tmp_path / "file").write_text("x")
    assert cli.main(["run", str(scenario), "--out", str(tmp_path / "file" / "out")]) == 2
    assert "which is a file" in _err(capsys)
    assert cli.main(["run", str(scenario), "--out", str(tmp_path / ("n" * 300)), "--no-progress"]) == 2
    err = _err(capsys)
    assert "too long" in err and len(err) < 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "tiny.toml"]


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to: a read-only tmpfs as root (chmod does not stop root), a
    folder without write permission otherwise."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("no way to make a read-only folder here (root without mount)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_folder_is_refused_before_any_work(read_only_folder, tmp_path, capsys, monkeypatch):
    import coopsim.cli.run as run_command

    monkeypatch.setattr(run_command, "replicate", lambda *a, **k: pytest.fail("ran before checking the folder"))
    assert cli.main(["run", str(_scenario(tmp_path)), "--out", str(read_only_folder / "out")]) == 2
    assert "cannot write there" in _err(capsys)


def test_a_full_disk_leaves_no_partial_folder_and_says_so(tmp_path, capsys, monkeypatch):
    """ENOSPC in the middle of writing the tables: a clear message, and nothing new on disk (a new
    folder is gone; an existing one written with --force keeps its old files)."""
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    scenario = _scenario(tmp_path)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    assert cli.main(["run", str(scenario), "--reps", "1", "--out", str(tmp_path / "new" / "out"),
                     "--no-progress"]) == 2
    err = _err(capsys)
    assert "no space left on the disk" in err and "Nothing new was kept" in err
    assert not (tmp_path / "new").exists()
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    assert cli.main(["run", str(scenario), "--reps", "1", "--out", str(old), "--force", "--no-progress"]) == 2
    assert [p.name for p in old.iterdir()] == ["manifest.json"]


def test_a_really_full_disk(tmp_path, capsys):
    """The same on a 256 kB tmpfs (where one can be mounted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        assert cli.main(["run", str(_scenario(tmp_path, NO_PARTNERSHIP)), "--reps", "2", "--out",
                         str(disk / "out"), "--no-progress"]) == 2
        assert "no space left on the disk" in _err(capsys)
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_an_interrupted_run_leaves_nothing_and_a_killed_one_does_not_block_the_next(tmp_path, capsys,
                                                                                  monkeypatch):
    import coopsim.cli.run as run_command

    scenario, out = _scenario(tmp_path), tmp_path / "out"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(run_command, "run_figures", interrupted)        # after the tables are written
        assert cli.main(["run", str(scenario), "--reps", "1", "--out", str(out), "--no-progress"]) == 130
    assert not out.exists()
    # kill -9 while writing leaves a hidden staging folder of a dead process: the next run clears it
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / f"{STAGE_PREFIX}{dead.pid}"
    stale.mkdir(parents=True)
    (stale / "ledger.parquet").write_bytes(b"half")
    assert cli.main(["run", str(scenario), "--reps", "1", "--out", str(out), "--no-progress"]) == 0
    assert (out / "manifest.json").exists() and not _leftovers(out)
    _err(capsys)


def test_staged_output_moves_files_into_place_manifest_last(tmp_path, monkeypatch):
    out = tmp_path / "a"
    out.mkdir()
    (out / "manifest.json").write_text('{"old": true}')
    (out / "runs").mkdir()
    (out / "runs" / "old_chunk").write_text("old")
    moved, real_replace = [], os.replace

    def spy(src, dst):
        moved.append((Path(dst).name, (out / "manifest.json").exists()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    with staged_output(out, force=True) as staged:
        for name in ("manifest.json", "table.csv"):
            (staged.stage / name).write_text("new")
        (staged.stage / "runs").mkdir()
        assert (out / "manifest.json").read_text() == '{"old": true}'     # nothing changes before the end
    assert [name for name, _ in moved] == ["runs", "table.csv", "manifest.json"]
    assert not any(old_manifest_there for _, old_manifest_there in moved)  # the old one went first
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runs", "table.csv"]
    assert list((out / "runs").iterdir()) == []
    with pytest.raises(UserError, match="not empty"), staged_output(out):
        pass


def test_names_from_scenarios_stay_under_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    scenario = _scenario(tmp_path, TINY.replace('name = "tiny"', 'name = "../../x"'))
    monkeypatch.chdir(tmp_path / "deep" / "er")
    assert cli.main(["run", str(scenario), "--reps", "1", "--no-progress"]) == 0
    _err(capsys)
    assert (tmp_path / "deep" / "er" / "results" / "x" / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "tiny.toml"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["er"]


def test_folder_names_are_safe_and_bounded():
    assert folder_name("../../x") == "x" and folder_name(".hidden") == "hidden" and folder_name("") == "unnamed"
    assert folder_name("baseline") == "baseline" and folder_name("joint_committee") == "joint_committee"
    t0 = time.perf_counter()
    long_a, long_b = folder_name("a" * 1_000_000), folder_name("a" * 999_999 + "b")
    assert time.perf_counter() - t0 < 1
    assert len(long_a.encode()) <= 100 and long_a != long_b and "/" not in long_a


def test_report_write_failure_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "summary.md").write_text("# Results\n")

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(folders.os, "replace", full)
    assert cli.main(["report", str(folder)]) == 2
    assert "no space left on the disk" in _err(capsys)
    assert sorted(p.name for p in folder.iterdir()) == ["summary.md"]


# == defect 10: report and symlinks ===============================================================
def test_report_does_not_follow_symlinks_out_of_the_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SYSTEM-FILE-CONTENT")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "table.csv").write_text("secret_column\n1\n")
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "summary.md").write_text("# Results\n")
    (folder / "notes.txt").write_text("INSIDE-TEXT")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "data").symlink_to(outside, target_is_directory=True)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "again.txt").symlink_to(folder / "notes.txt")     # stays inside: shown
    page = build_report(folder)
    assert "SYSTEM-FILE-CONTENT" not in page and "secret_column" not in page and "passwd.txt" not in page
    assert page.count("INSIDE-TEXT") == 2


# == defect 4: damaged sweep folders ==============================================================
def _experiment(folder: Path) -> Path:
    path = folder / "exp.toml"
    path.write_text(ishigami_experiment(name="damaged", seed=5, n=64, bootstrap=50, target="noise = 1.0\n"))
    return path


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """An Ishigami sweep run in one go: 384 runs in 48 chunks of 8."""
    folder = tmp_path_factory.mktemp("sweep")
    exp = _experiment(folder)
    Study(exp).run(folder / "whole", workers=1, chunk_size=8)
    return exp, folder / "whole"


def _chunk(folder: Path, k: int) -> Path:
    return folder / "runs" / "chunks" / f"chunk_{k:06d}.parquet"


def _truncate(folder):
    path = _chunk(folder, 1)
    path.write_bytes(path.read_bytes()[:200])


def _random_bytes(folder):
    _chunk(folder, 2).write_bytes(np.random.default_rng(0).bytes(3000))


def _empty(folder):
    _chunk(folder, 3).write_bytes(b"")


def _copied_over(folder):
    shutil.copy(_chunk(folder, 4), _chunk(folder, 5))


def _stray(folder):
    shutil.copy(_chunk(folder, 6), _chunk(folder, 9999))


def _tampered_value(folder):
    """Indices, seeds and parameters right, one output changed: only the checksum tells."""
    path = _chunk(folder, 7)
    frame = pd.read_parquet(path)
    frame.loc[0, "out:y"] += 1.0
    frame.to_parquet(path, index=False)


def _sweep_json(folder):
    (folder / "runs" / "sweep.json").write_text('{"n_points": 384, "chunk_st')


def _endless_sweep_json(folder):
    """An old-style sweep.json whose layout would take forever to build."""
    (folder / "runs" / "sweep.json").write_text(json.dumps({"n_points": 10**15, "chunk_size": 1}))


# damage -> (what it does, the warning's words, chunks run again)
DAMAGES = {"truncated": (_truncate, "chunk_000001.parquet: not a readable Parquet file", 1),
           "random bytes": (_random_bytes, "chunk_000002.parquet: not a readable Parquet file", 1),
           "empty": (_empty, "chunk_000003.parquet: not a readable Parquet file", 1),
           "another chunk's file": (_copied_over, "chunk_000005.parquet: holds other points than 40..47", 1),
           "stray": (_stray, "chunk_009999.parquet: no chunk 9999 in this design of 48 chunks", 0),
           "changed value": (_tampered_value, "chunk_000007.parquet: changed since it was written", 1),
           "damaged sweep.json": (_sweep_json, "sweep.json is damaged", 0),
           "endless sweep.json": (_endless_sweep_json, "sweep.json is damaged", 0)}


def _as_killed(folder: Path, keep_checksums: bool) -> None:
    """A finished sweep folder as a killed one leaves it: no manifest and (killed before the end
    of the sweep) no checksums in sweep.json."""
    (folder / "manifest.json").unlink()
    state_file = folder / "runs" / "sweep.json"
    state = json.loads(state_file.read_text())
    if not keep_checksums:
        state["chunks"] = {}
    state_file.write_text(json.dumps(state))


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_sweep_resumes_to_the_uninterrupted_results(uninterrupted, tmp_path, damage):
    exp, whole = uninterrupted
    copy = tmp_path / "copy"
    shutil.copytree(whole, copy)
    spoil, words, rerun = DAMAGES[damage]
    _as_killed(copy, keep_checksums=damage == "changed value")
    spoil(copy)
    with pytest.warns(UserWarning, match=words):
        study = Study(exp).run(copy, workers=1, resume=True, chunk_size=8)
    assert study.report.ran_chunks == rerun
    pd.testing.assert_frame_equal(pd.read_parquet(copy / "outputs.parquet"),
                                  pd.read_parquet(whole / "outputs.parquet"), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_csv(copy / "indices.csv"), pd.read_csv(whole / "indices.csv"),
                                  check_exact=True)
    assert not _chunk(copy, 9999).exists()


def test_cli_resume_of_a_damaged_sweep_warns_and_never_shows_a_traceback(uninterrupted, tmp_path, capsys):
    exp, whole = uninterrupted
    copy = tmp_path / "copy"
    shutil.copytree(whole, copy)
    _random_bytes(copy)
    _sweep_json(copy)
    _stray(copy)
    assert cli.main(["sensitivity", str(exp), "--out", str(copy), "--resume", "--workers", "1",
                     "--no-progress"]) == 0
    err = _err(capsys)
    assert "coopsim sensitivity: warning:" in err and "chunk_000002.parquet: not a readable Parquet file" in err
    assert "sweep.json is damaged" in err
    # without sweep.json's layout the chunks are laid out anew: the old files do not match it and
    # are run again (the first ten named, the rest counted)
    assert "more chunk files did not match this design" in err and err.count("\n") < 30
    assert not _chunk(copy, 9999).exists()
    pd.testing.assert_frame_equal(pd.read_csv(copy / "indices.csv"), pd.read_csv(whole / "indices.csv"))


def test_checksums_are_recorded_and_a_full_disk_leaves_no_partial_chunk(tmp_path, monkeypatch):
    points = pd.DataFrame({"x1": np.linspace(-3, 3, 40), "x2": 0.5, "x3": 0.1})
    run_sweep(IshigamiTarget(), points, np.arange(40), tmp_path / "ok", chunk_size=10, progress=False)
    state = json.loads((tmp_path / "ok" / "sweep.json").read_text())
    assert sorted(state["chunks"]) == ["0", "1", "2", "3"] and all(len(d) == 64 for d in state["chunks"].values())
    import pyarrow.parquet as pq

    def full(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    with pytest.raises(OSError):
        run_sweep(IshigamiTarget(), points, np.arange(40), tmp_path / "full", chunk_size=10, progress=False)
    assert list((tmp_path / "full" / "chunks").iterdir()) == []


# == defect 8: options and sizes ===================================================================
@pytest.mark.parametrize("argv, words", [
    (["--chunk-size", "-1"], "--chunk-size must be 1 or more"),
    (["--chunk-size", "0"], "--chunk-size must be 1 or more"),
    (["--scheduler", "not a url"], "not a Dask scheduler address"),
    (["--workers", "1000"], "more worker processes than cores"),
    (["--workers", "0"], "--workers must be 1 or more"),
])
def test_sweep_options_that_hung_or_crashed_are_clear_errors(tmp_path, capsys, argv, words):
    exp = _experiment(tmp_path)
    assert cli.main(["sensitivity", str(exp), "--out", str(tmp_path / "out"), *argv]) == 2
    assert words in _err(capsys)
    assert not (tmp_path / "out" / "runs").exists()


def test_no_limits_lifts_the_worker_cap_and_chunk_sizes_below_one_are_refused_everywhere():
    from coopsim.cli.common import check_worker_cap

    check_worker_cap(1000, no_limits=True)
    check_worker_cap(1000, remote=True)
    with pytest.raises(UserError, match="chunk size"):
        chunk_starts(10, 1, -1)


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
def test_a_negative_seed_is_a_clear_error(tmp_path, capsys, command):
    scenario = str(_scenario(tmp_path))
    files = [scenario, scenario] if command == "compare" else [scenario]
    assert cli.main([command, *files, "--seed", "-1", "--out", str(tmp_path / "out")]) == 2
    assert "--seed must be 0 or more" in _err(capsys)


@pytest.mark.parametrize("argv, words", [
    (["run", "{s}", "--reps", str(10**12)], "--reps 1,000,000,000,000 means 1e+12 runs, about"),
    (["compare", "{s}", "{s}", "--reps", "1000000000"], "means 2e+09 runs, about"),
    (["validate", "{s}", "--reps", "1000000000"], "means 4e+09 runs, about"),
])
def test_huge_replication_counts_are_refused_with_an_estimate(tmp_path, capsys, argv, words):
    scenario = str(_scenario(tmp_path, TINY.replace("years = 1", "years = 8")))   # validate needs 8 years
    t0 = time.perf_counter()
    assert cli.main([a.format(s=scenario) for a in argv] + ["--out", str(tmp_path / "out")]) == 2
    err = _err(capsys)
    assert words in err and "--no-limits" in err and time.perf_counter() - t0 < 60
    assert not (tmp_path / "out").exists()


def test_an_estimate_in_words():
    with pytest.raises(UserError, match=r"this design means 2.2e\+12 runs, about [0-9,]+ years here"):
        check_budget(2_200_000_000_000, what="this design", fewer="Use a smaller design",
                     time_one=lambda: time.sleep(0.12))
    assert check_budget(500, what="x", fewer="y", time_one=lambda: pytest.fail("timed a small job")) is None
    assert executor.duration_words(9_137 * 365.25 * 86_400) == "9,100 years"


def test_sweeps_beyond_the_limits_are_refused_before_running(tmp_path, monkeypatch):
    from targets import SlowIshigami

    points = pd.DataFrame({"x1": np.zeros(1_500), "x2": 0.0, "x3": 0.0})
    monkeypatch.setattr(executor, "MAX_SECONDS", 2.0)           # 1,500 points x 0.01 s = 15 s
    with pytest.raises(UserError, match=r"this sweep means 1,500 runs, about \d+ seconds here .*longer than the "
                                        r"limit of 2 seconds"):
        run_sweep(SlowIshigami(0.01), points, np.arange(1_500), tmp_path / "slow", progress=False)
    assert list((tmp_path / "slow" / "chunks").iterdir()) == []
    monkeypatch.setattr(executor, "MAX_POINTS", 1_000)
    with pytest.raises(UserError, match="more than the 1,000 one command can hold"):
        run_sweep(IshigamiTarget(), points, np.arange(1_500), tmp_path / "big", progress=False)
    report = run_sweep(IshigamiTarget(), points, np.arange(1_500), tmp_path / "big", progress=False, limits=False)
    assert report.ran_points == 1_500


# == defect 3 (discover, compare, validate): nothing to analyse ====================================
class AlwaysFails:
    def __call__(self, params: dict, seed: int) -> dict:
        raise ValueError("this input makes every run fail")


def _discovery(tmp_path: Path) -> Path:
    (tmp_path / "exp.toml").write_text(ishigami_experiment(name="fails", method="morris", n=4, bootstrap=None,
                                                           bounds=(0, 1)))
    path = tmp_path / "discovery.toml"
    path.write_text('[discovery]\nexperiment = "exp.toml"\noutput = "y"\nthreshold = 0.5\npoints = 100\n')
    return path


def test_discovery_where_every_run_fails_writes_a_complete_folder(tmp_path):
    from coopsim.workflows.discovery import Discovery

    out = tmp_path / "out"
    d = Discovery(_discovery(tmp_path)).run(out, target=AlwaysFails())
    assert d.report.n_failed == 100 and not d.valid.any() and d.prim_boxes == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["results"]["valid_runs"] == 0
    assert "No valid run to analyse" in (out / "summary.md").read_text()
    assert len(pd.read_csv(out / "failures.csv")) == 100 and len(pd.read_parquet(out / "outputs.parquet")) == 100
    assert not _leftovers(out)


def test_discover_huge_points_and_failing_runs_through_the_command_line(tmp_path, capsys, monkeypatch):
    discovery = _discovery(tmp_path)
    assert cli.main(["discover", str(discovery), "--out", str(tmp_path / "big"), "--points", str(10**12)]) == 2
    assert "more than the 10,000,000 one command can hold" in _err(capsys)
    assert not (tmp_path / "big").exists()
    import coopsim.workflows.discovery as workflow

    monkeypatch.setattr(workflow, "make_target", lambda settings: AlwaysFails())
    assert cli.main(["discover", str(discovery), "--out", str(tmp_path / "fails"), "--workers", "1",
                     "--no-progress"]) == 1
    err = _err(capsys)
    assert "100 run(s) failed" in err and "No valid run to analyse" in err
    assert (tmp_path / "fails" / "manifest.json").exists()


def test_compare_focused_on_a_region_without_partnerships(tmp_path, capsys):
    quiet = TINY + "[behaviour]\nexploration_rate = 0.0\nforeign_exploration_rate = 0.0\n"   # nobody explores
    base = _scenario(tmp_path, quiet)
    lever = _scenario(tmp_path, quiet.replace('name = "tiny"', 'name = "lever"') + "[levers]\njoint_committee = true\n",
                      "lever.toml")
    out = tmp_path / "cmp"
    assert cli.main(["compare", str(base), str(lever), "--reps", "2", "--region", "Region 0", "--out", str(out),
                     "--no-progress", "--no-report"]) == 0
    assert "has no partnership" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert all((out / name).exists() for name in manifest["outputs"] if name != "report.html")
    assert not _leftovers(out)
    assert cli.main(["compare", str(base), str(lever), "--reps", "1", "--out", str(tmp_path / "one")]) == 2
    assert "--reps must be at least 2" in _err(capsys)


def test_validate_refusals_leave_no_folder(tmp_path, capsys):
    synthetic = _scenario(tmp_path, TINY.replace("years = 1", "years = 8"))
    assert cli.main(["validate", str(synthetic), "--reps", "2", "--out", str(tmp_path / "v")]) == 2
    assert "population = 'indonesia'" in _err(capsys)
    assert not (tmp_path / "v").exists()
    assert cli.main(["validate", str(synthetic), "--reps", "1", "--out", str(tmp_path / "v")]) == 2
    assert "at least 2" in _err(capsys)


# == the command line's last line of defence =======================================================
@pytest.mark.parametrize("error, status, words", [
    (BrokenPipeError(errno.EPIPE, "Broken pipe"), 141, ""),
    (MemoryError(), 2, "out of memory"),
    (PermissionError(errno.EACCES, "Permission denied", "/some/file"), 2, "/some/file: permission denied"),
])
def test_system_errors_are_one_line_not_a_traceback(capsys, error, status, words):
    class Command:
        @staticmethod
        def main(args):
            raise error

    assert cli._run("test", Command, object()) == status
    err = _err(capsys)
    assert words in err and err.count("\n") <= 1
