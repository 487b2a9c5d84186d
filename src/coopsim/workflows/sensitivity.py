"""Global sensitivity analysis of an experiment file, behind `coopsim sensitivity` and the
Python API.

Pipeline: read the experiment (coopsim.config.experiment) -> sample with SALib's ProblemSpec
(coopsim.analysis.sensitivity.build_design) -> run every point through the model with
coopsim.run.executor (serial, local worker processes or Dask; chunks stream to Parquet;
--resume) -> analyse (Sobol S1/ST/[S2], Morris mu*/sigma, PAWN, delta) with bootstrap intervals
from a fixed seed and nested convergence N/8, N/4, N/2, N from the same runs
(coopsim.analysis.sensitivity) -> indices.csv, convergence.csv, figures and a plain-words
summary.md (coopsim.reporting.sensitivity) and manifest.json.

In a notebook:

    from coopsim.workflows.sensitivity import Study
    study = Study("experiments/obstacles_morris.toml").run("results/morris", workers=2)
    study.indices            # a DataFrame (one row per index, with its interval)
    print(study.summary)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.analysis.sensitivity import Analysis, Design, analyse, build_design
from coopsim.config.errors import UserError
from coopsim.config.experiment import Experiment, load_experiment
from coopsim.reporting.folders import prepare_sweep_folder, write_samples
from coopsim.reporting.manifest import write_manifest
from coopsim.reporting.sensitivity import figures, summary_text
from coopsim.run.executor import SweepReport, read_results, run_sweep, warm_up
from coopsim.run.targets import IshigamiTarget, ScenarioTarget

__all__ = ["Study", "run_experiment", "make_target", "OWNED"]

#: What a sensitivity run writes in its folder (and --force deletes).
OWNED = ("runs", "figures", "samples.parquet", "outputs.parquet", "indices.csv", "convergence.csv",
         "convergence_summary.csv", "failures.csv", "manifest.json", "summary.md")
_API = "(Python API: coopsim.workflows.sensitivity.Study)"


@dataclass
class Study:
    """Fluent API: Study(path).run(out, workers=2) then .indices, .summary, .convergence.

    Attributes:
        experiment: the experiment, or the path of its file (loaded on creation).
        design: the design (sampled by `sample()` or `run()`).
        analysis: the indices, after `run()`.
        report: the sweep report (`coopsim.run.executor.SweepReport`), after `run()`.
        out: the results folder, after `run()`.
        summary: summary.md's text, after `run()`.
    """
    experiment: Experiment | str | Path
    design: Design | None = None
    analysis: Analysis | None = None
    report: SweepReport | None = None
    out: Path | None = None
    summary: str = ""

    def __post_init__(self):
        if not isinstance(self.experiment, Experiment):
            self.experiment = load_experiment(self.experiment)

    def sample(self) -> "Study":
        """Build the design without running it (`self.design`); returns self."""
        self.design = build_design(self.experiment)
        return self

    def run(self, out: str | Path, *, workers: int = 1, backend: str | None = None,
            scheduler: str | None = None, resume: bool = False, force: bool = False,
            progress: bool = False, chunk_size: int | None = None, command: str | None = None,
            target=None) -> "Study":
        """Run, analyse and write the folder `out` (see `run_experiment`); returns self."""
        run_experiment(self, Path(out), workers=workers, backend=backend, scheduler=scheduler,
                       resume=resume, force=force, progress=progress, chunk_size=chunk_size, command=command,
                       target=target)
        return self

    @property
    def indices(self) -> pd.DataFrame:
        """Every index at full N, one row per index with its interval and noise-floor flag."""
        return self.analysis.indices

    @property
    def convergence(self) -> pd.DataFrame:
        """Ranking agreement of the nested designs with N."""
        return self.analysis.convergence_summary

    def table(self, output: str | None = None, policy: str | None = None) -> pd.DataFrame:
        """Wide view: one row per factor, main indices as columns.

        Args:
            output: the output (default: the headline, first one).
            policy: the policy (default: the first one).

        Returns:
            Factors by (method, index).
        """
        idx = self.indices
        output = output or self.experiment.spec.outputs[0]
        policy = policy or self.experiment.policies[0].name
        g = idx[(idx["output"] == output) & (idx["policy"] == policy)]
        return g.pivot_table(index="factor", columns=["method", "index"], values="value", sort=False)


def make_target(exp: Experiment):
    """What each point runs: the Ishigami function, or the model under every policy.

    Args:
        exp: the experiment.

    Returns:
        An `IshigamiTarget` or a `ScenarioTarget`.
    """
    t = exp.spec.target
    if t.kind == "ishigami":
        return IshigamiTarget(a=t.a, b=t.b, noise=t.noise)
    bases = [exp.resolved_scenario(p) for p in exp.policies]
    paths = {i.short: i.path for i in exp.inputs}
    return ScenarioTarget(bases, paths, reps=exp.spec.stochasticity.replications,
                          source_file=str(exp.scenario_path))


def _sweep(study: Study, out: Path, target, *, backend: str, workers: int, scheduler: str | None,
           chunk_size: int | None, resume: bool, progress: bool) -> pd.DataFrame:
    """Sample (unless done), write samples.parquet, run every point; returns the results."""
    exp = study.experiment
    target = target or make_target(exp)
    if backend == "process":
        warm_up(getattr(target, "preload", ()))   # the workers' forkserver starts while we sample
    design = study.design = study.design or build_design(exp)
    write_samples(design.points, design.seeds, out / "samples.parquet")
    study.report = run_sweep(target, design.points, design.seeds, out / "runs", backend=backend, workers=workers,
                             scheduler=scheduler, chunk_size=chunk_size or exp.spec.execution.chunk_size,
                             resume=resume, key=exp.digest(), progress=progress, desc=exp.spec.name)
    cols = ["index", "seed", "error", *(f"out:{o}" for o in exp.spec.outputs)]
    results = read_results(out / "runs", columns=cols)
    if len(results) != len(design.points):
        raise UserError(f"{out}: only {len(results)} of {len(design.points)} runs are on disk; rerun with --resume.")
    return results


def _write_outputs(study: Study, results: pd.DataFrame, out: Path) -> None:
    """outputs.parquet (one row per run, with its policy) and failures.csv when runs failed."""
    exp, design = study.experiment, study.design
    outputs = results.rename(columns=lambda c: c.removeprefix("out:"))
    if len(exp.policies) > 1:
        outputs.insert(1, "policy", np.repeat([p.name for p in exp.policies], design.rows_per_policy))
    outputs.to_parquet(out / "outputs.parquet", index=False)
    if len(study.report.failures):
        study.report.failures.to_csv(out / "failures.csv", index=False)


def _write_indices(analysis: Analysis, out: Path) -> None:
    """indices.csv, convergence.csv and convergence_summary.csv."""
    analysis.indices.to_csv(out / "indices.csv", index=False, float_format="%.6g")
    analysis.convergence.to_csv(out / "convergence.csv", index=False, float_format="%.6g")
    analysis.convergence_summary.to_csv(out / "convergence_summary.csv", index=False, float_format="%.6g")


def _manifest(study: Study, out: Path, execution: dict, figures_made: list[str], command: str | None) -> None:
    """manifest.json: the experiment, its scenarios, the seeds and the design, how it ran."""
    exp, design = study.experiment, study.design
    seed_input = " (seed input: derive_seed(seed, int(u * 2**31)))" if exp.spec.stochasticity.seed_as_input else ""
    write_manifest(
        out, "sensitivity", command=command or _API,
        experiment=str(exp.path), experiment_text=exp.text, design_key=exp.digest(),
        scenario=str(exp.scenario_path) if exp.scenario_path else None,
        resolved_scenarios={p.name: exp.resolved_scenario(p) for p in exp.policies}
        if exp.scenario is not None else None,
        problem={k: (list(v) if not isinstance(v, (str, int)) else v) for k, v in exp.problem().items()},
        seeds={"experiment": exp.spec.seed, "sample": exp.spec.seed, "bootstrap": exp.spec.seed,
               "runs": "derive_seed(experiment seed, point index) via numpy SeedSequence; the same for every "
                       "policy" + seed_input},
        design={"method": exp.spec.method.model_dump(), "points_per_policy": design.rows_per_policy,
                "policies": [p.model_dump() for p in exp.policies], "total_runs": len(design.points),
                "replications_per_point": exp.spec.stochasticity.replications},
        execution=execution, cwd=os.getcwd(), figures=figures_made)


def run_experiment(study: Study, out: Path, *, workers: int = 1, backend: str | None = None,
                   scheduler: str | None = None, resume: bool = False, force: bool = False,
                   progress: bool = True, chunk_size: int | None = None, command: str | None = None,
                   target=None) -> Study:
    """Prepare the folder, run the sweep, analyse, write tables, figures, summary and manifest.

    Args:
        study: the study (its experiment; its design when already sampled).
        out: the results folder.
        workers, backend, scheduler, chunk_size: how to run (coopsim.run.executor).
        resume: continue a killed sweep in `out`; force: delete an earlier one first.
        progress: show a progress bar.
        command: the command line to record in the manifest (default: the Python API).
        target: what each point runs (default: `make_target(experiment)`); tests pass their own.

    Returns:
        The study, with design, report, analysis, summary and out filled in.
    """
    exp = study.experiment
    backend = prepare_sweep_folder(out, OWNED, what="sensitivity run", workers=workers, backend=backend,
                                   scheduler=scheduler, resume=resume, force=force)
    t0 = time.perf_counter()
    results = _sweep(study, out, target, backend=backend, workers=workers, scheduler=scheduler,
                     chunk_size=chunk_size, resume=resume, progress=progress)
    _write_outputs(study, results, out)
    study.analysis = analyse(study.design, results)
    _write_indices(study.analysis, out)
    made = figures(study.analysis, exp, out / "figures") if len(study.analysis.indices) else []
    study.summary = summary_text(study.analysis, exp, study.design, study.report)
    (out / "summary.md").write_text(study.summary, encoding="utf-8")
    report = study.report
    execution = {"backend": backend, "workers": workers, "scheduler": scheduler,
                 "chunks": report.n_chunks, "chunks_reused": report.skipped_chunks,
                 "runs_this_session": report.ran_points, "run_seconds_this_session": round(report.seconds, 3),
                 "failed_runs": report.n_failed, "total_seconds": round(time.perf_counter() - t0, 3)}
    _manifest(study, out, execution, made, command)
    study.out = out
    return study
