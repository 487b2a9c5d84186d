"""`coopsim oat`: each obstacle of the paper from weak to strong, one at a time, paired.

    coopsim oat experiments/obstacles_oat.toml --out results/oat --workers 2 [--reps N] [--force]

Every obstacle's weak and strong scenarios (`coopsim.config.oat`) run with the same seeds:
replication i of every scenario uses `replication_seed(seed, i)` (common random numbers), so
each difference strong - weak is paired replication by replication. The runs go through the
executor (`coopsim.run.oat`) into runs/ of the results folder; the effects, their 95%
t-intervals and verdicts are `coopsim.analysis.oat`; summary.md, oat.csv, effects.csv and the
forest plot are `coopsim.reporting.oat`; manifest.json records what ran and the command that
repeats it. The folder is written whole or not at all (`staged_output`).

Python API: `result = run_oat(load_oat("experiments/obstacles_oat.toml"), "results/oat")`;
`result.passed` says whether every obstacle moves the acceptance outcomes in the paper's
direction with an interval excluding 0.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopsim.analysis.oat import failing, oat_effects, run_table
from coopsim.config.oat import ACCEPTANCE, OUTCOMES, OatExperiment
from coopsim.reporting.folders import folder_name, staged_output
from coopsim.reporting.manifest import write_manifest
from coopsim.reporting.oat import write_oat_files
from coopsim.run.executor import check_budget
from coopsim.run.oat import run_settings
from coopsim.run.runner import simulate
from coopsim.run.seeds import replication_seed

__all__ = ["OatResult", "MAX_RUNS", "default_folder", "repeat_command", "run_oat"]

RUNS = "runs"   # the executor's chunk files, inside the results folder
#: Most runs (settings x replications) without --no-limits (every run's outcomes are held in memory).
MAX_RUNS = 200_000


@dataclass
class OatResult:
    """What `run_oat` computed and wrote.

    Attributes:
        experiment: the experiment run; out: the results folder.
        runs: every run (`coopsim.analysis.oat.run_table`, oat.csv).
        effects: the paired effects (`oat_effects`, effects.csv).
        failing: obstacle -> the acceptance outcomes it fails on (`failing`; empty: all pass).
        files: the files written; seconds: how long the runs took; workers: processes used.
    """
    experiment: OatExperiment
    out: Path
    runs: pd.DataFrame
    effects: pd.DataFrame
    failing: dict[str, list[str]]
    files: list[Path]
    seconds: float
    workers: int

    @property
    def passed(self) -> bool:
        """Every obstacle moves every acceptance outcome in the paper's direction, interval excluding 0."""
        return not self.failing


def default_folder(exp: OatExperiment) -> Path:
    """results/<the experiment's name> (a safe folder name).

    Args:
        exp: the experiment.

    Returns:
        The folder.
    """
    return Path("results") / folder_name(exp.spec.name)


def repeat_command(exp: OatExperiment, out: Path, workers: int) -> str:
    """The command that repeats the experiment into the same folder.

    Args:
        exp: the experiment (its file and any --reps override).
        out: the results folder; workers: worker processes.

    Returns:
        The command line, quoted for a shell.
    """
    words = ["coopsim", "oat", str(exp.path), "--out", str(out), "--workers", str(workers)]
    words += ["--reps", str(exp.override)] if exp.override is not None else []
    return " ".join(shlex.quote(w) for w in words + ["--force"])


def _write_manifest(exp: OatExperiment, out: Path, result: OatResult, repeat: str) -> None:
    write_manifest(out, "oat", experiment=str(exp.path), experiment_text=exp.text,
                   experiment_spec=exp.spec.model_dump(mode="json"),
                   scenario=str(exp.scenario_path) if exp.scenario_path else None,
                   base_scenario=exp.scenario.model_dump(mode="json"), seed=exp.spec.seed, reps=exp.reps,
                   reps_override=exp.override, below_recommended=exp.below_recommended,
                   replication_seeds=[replication_seed(exp.spec.seed, i) for i in range(exp.reps)],
                   common_random_numbers=True, interval="95% t-interval on the paired differences strong - weak",
                   outcomes=list(OUTCOMES), acceptance=list(ACCEPTANCE), passed=result.passed,
                   failing=result.failing, workers=result.workers, seconds=round(result.seconds, 1),
                   outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"], repeat=repeat)


def run_oat(exp: OatExperiment, out: str | Path | None = None, *, force: bool = False, workers: int = 1,
            progress: bool = False, limits: bool = True) -> OatResult:
    """Run every obstacle's weak and strong settings, compute the paired effects, write the folder.

    Writes oat.csv, effects.csv, summary.md, forest.png, forest.pdf and manifest.json (last);
    the runs' chunk files stay in runs/.

    Args:
        exp: the experiment (`coopsim.config.oat.load_oat`).
        out: the results folder (default results/<name>).
        force: write into a non-empty folder.
        workers: local worker processes (the numbers do not depend on it).
        progress: show a progress bar.
        limits: refuse more than `MAX_RUNS` runs, or work estimated beyond the executor's limit.

    Returns:
        The runs, the effects, the failing obstacles and the files written.

    Raises:
        UserError: the folder cannot be written, the work is too large, or a run failed.
    """
    out = Path(out) if out is not None else default_folder(exp)
    scenarios = [scenario for _, _, scenario in exp.settings]
    with staged_output(out, force=force) as staged:
        if limits:
            check_budget(len(scenarios) * exp.reps, what=f"{exp.reps} replications of {len(scenarios)} settings",
                         fewer="Use fewer --reps", workers=workers, max_runs=MAX_RUNS,
                         time_one=lambda: simulate(scenarios[0], replication_seed(exp.spec.seed, 0)))
        t0 = time.perf_counter()
        results = run_settings(scenarios, exp.spec.seed, exp.reps, staged.stage / RUNS, workers, progress)
        seconds = time.perf_counter() - t0
        runs = run_table(results, [(name, level) for name, level, _ in exp.settings])
        effects = oat_effects(runs)
        result = OatResult(exp, staged.final, runs, effects, failing(effects), [], seconds, workers)
        repeat = repeat_command(exp, staged.final, workers)
        files = write_oat_files(staged.stage, exp, runs, effects, result.failing, repeat)
        _write_manifest(exp, staged.stage, result, repeat)
    result.files = [staged.final_path(p) for p in files]
    return result
