"""`coopsim run` and `coopsim scenarios` end to end, as a user types them."""

import json
import subprocess
import sys

import pandas as pd

from conftest import ROOT


def coopsim(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "coopsim.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_run_writes_tables_figures_and_a_manifest_that_repeats_it(tmp_path):
    out = tmp_path / "r"
    result = coopsim("run", "scenarios/baseline.toml", "--reps", "2", "--years", "4", "--seed", "7",
                     "--out", str(out), "--csv", "--no-progress")
    assert result.returncode == 0, result.stderr
    for name in ("timeseries", "ledger", "regions", "summary"):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    for fig in ("stages.png", "survival.png", "failure_causes.png"):
        assert (out / fig).stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["reps"] == 2 and len(manifest["replication_seeds"]) == 2
    assert manifest["scenario"]["simulation"]["years"] == 4
    assert manifest["versions"]["mesa"].startswith("3.")
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 2 * 4 * 4 and {"n_active", "stagnated_budget", "benefits"} <= set(ts.columns)
    ledger = pd.read_parquet(out / "ledger.parquet")
    assert {"region", "partner", "sectors", "mou", "ended", "end_cause", "effectiveness"} <= set(ledger.columns)

    # refuses a non-empty folder; the manifest's command repeats the run exactly
    again = coopsim("run", "scenarios/baseline.toml", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    repeat = manifest["repeat"].split()[1:]
    repeat[repeat.index("--out") + 1] = str(tmp_path / "again")
    assert coopsim(*repeat, "--no-progress").returncode == 0
    assert pd.read_parquet(tmp_path / "again" / "ledger.parquet").equals(ledger)


def test_scenarios_lists_each_file_with_its_description():
    result = coopsim("scenarios")
    assert result.returncode == 0
    assert "baseline.toml" in result.stdout and "joint_committee.toml" in result.stdout
    assert "Indonesia today" in result.stdout


def test_unknown_command_and_bad_option_value():
    assert coopsim("rnu").returncode == 2
    result = coopsim("run", "scenarios/baseline.toml", "--reps", "0")
    assert result.returncode == 2 and "--reps" in result.stderr and "Traceback" not in result.stderr
