"""Global sensitivity analysis of an experiment, behind `coopsim sensitivity` and the Python API.

Pipeline: read the experiment (coopsim.config.experiment) -> sample with SALib's ProblemSpec
(coopsim.analysis.sensitivity.build_design) -> run every point through the model with
coopsim.run.executor (serial, local worker processes or Dask; chunks stream to Parquet;
resume) -> analyse (Sobol S1/ST/[S2], Morris mu*/sigma, PAWN, delta) with bootstrap intervals
from a fixed seed and nested convergence N/8, N/4, N/2, N from the same runs
(coopsim.analysis.sensitivity) -> indices.csv, convergence.csv, figures and a plain-words
summary.md (coopsim.reporting.sensitivity) and manifest.json.

In a notebook, the steps of SALib's ProblemSpec, one at a time or chained:

    from coopsim import Study
    study = Study("experiments/obstacles_morris.toml").run("results/morris", workers=2)
    study = Study.from_dict({...the keys of an experiment file...}).sample().evaluate(workers=2).analyze()
    study = Study.load("results/morris")        # a finished folder, the same indices
    study.indices; study.table(); print(study.summary); print(study.to_markdown())
    study.analyze(Y=outputs_computed_elsewhere)  # on study.samples
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.analysis.robust_ranking import robust_ranking
from coopsim.analysis.sensitivity import (MAIN_INDEX, Analysis, Design, analyse, build_design, design_from_samples,
                                          design_size)
from coopsim.config.errors import UserError
from coopsim.config.experiment import DUMMY, Experiment, experiment_from_data, load_experiment, parse_experiment
from coopsim.config.scenario import Scenario
from coopsim.reporting.comparison import render_table
from coopsim.reporting.folders import atomic_path, prepare_sweep_folder, retract_manifest, write_samples, write_text
from coopsim.reporting.manifest import write_manifest
from coopsim.reporting.robust_ranking import robust_figures
from coopsim.reporting.sensitivity import figures, fmt, plot_sensitivity, summary_text
from coopsim.run.executor import MAX_POINTS, BACKENDS, SweepReport, check_budget, read_results, run_sweep, warm_up
from coopsim.run.targets import IshigamiTarget, ScenarioTarget

__all__ = ["Study", "run_experiment", "make_target", "experiment_from_dict", "OWNED"]

#: What a sensitivity run writes in its folder (and force deletes).
OWNED = ("runs", "figures", "samples.parquet", "outputs.parquet", "indices.csv", "convergence.csv",
         "convergence_summary.csv", "failures.csv", "manifest.json", "summary.md", "robust_probabilities.csv",
         "robust_parts.csv", "robust_flips.csv", "robust_effects.csv")
_API = "(Python API: coopsim.workflows.sensitivity.Study)"
#: What error messages and the manifest call an experiment given as a dict.
_DICT_NAME = "experiment dict"
# The indices an index table shows per method, and their names in Markdown and LaTeX.
_TABLE_INDICES = {"sobol": ["S1", "ST"], "morris": ["mu_star", "sigma"], "pawn": ["median"], "delta": ["delta"]}
_MARKDOWN_NAMES = {"mu_star": "mu*"}
_LATEX_NAMES = {"S1": "$S_1$", "ST": "$S_T$", "mu_star": r"$\mu^*$", "sigma": r"$\sigma$", "delta": r"$\delta$",
                "median": "PAWN median"}
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


class Study:
    """A sensitivity analysis in Python, in the steps of SALib's ProblemSpec.

    `Study(path)`, `Study(dict)` or `Study.from_dict(dict)` reads the experiment; `sample()`,
    `evaluate(...)` and `analyze()` are the steps, one at a time or chained, and `run(out)` is
    the three at once (what `coopsim sensitivity` does). `Study.load(folder)` reopens a finished
    folder; `analyze(Y=...)` analyses outputs computed elsewhere on `samples`.

    Attributes:
        experiment: the experiment (`coopsim.config.experiment.Experiment`).
        design: the design, after `sample()` (every policy's points and seeds).
        results: one row per point after `evaluate()` ("index", "seed", "error", "out:OUTPUT").
        report: what the sweep did (`coopsim.run.executor.SweepReport`), after `evaluate()`.
        analysis: the indices and their convergence (`coopsim.analysis.sensitivity.Analysis`).
        out: the results folder, when the study evaluated into one or was loaded from one.
        execution: how the runs ran (backend, workers, chunks, seconds), as in manifest.json.
    """

    def __init__(self, experiment: Experiment | str | Path | dict):
        if isinstance(experiment, dict):
            experiment = experiment_from_dict(experiment)
        elif not isinstance(experiment, Experiment):
            experiment = load_experiment(experiment)
        self.experiment: Experiment = experiment
        self.design: Design | None = None
        self.results: pd.DataFrame | None = None
        self.report: SweepReport | None = None
        self.analysis: Analysis | None = None
        self.out: Path | None = None
        self.execution: dict = {}
        self.command: str | None = None   # the command line for the manifest (None: the Python API)
        self._summary: str | None = None
        self._writes = False               # whether analyze() writes into `out` (this session ran there)
        self._started = 0.0

    def __repr__(self) -> str:
        stage = "analysed" if self.analysis is not None else "evaluated" if self.results is not None else \
            "sampled" if self.design is not None else "not sampled"
        return f"Study({self.experiment.spec.name!r}, {self.experiment.spec.method.name}, {stage}" + \
            (f", out={str(self.out)!r})" if self.out else ")")

    @classmethod
    def from_dict(cls, data: dict, folder: str | Path | None = None) -> "Study":
        """A study from the keys of an experiment file, given as a dict (see experiments/README.md).

        Args:
            data: name, method, inputs, outputs, ... as in a file; "scenario" is a path (relative
                to `folder`) or a `coopsim.Scenario`.
            folder: where relative paths start (default: the working folder).

        Returns:
            The study, not sampled yet.

        Raises:
            UserError: naming the key and what is allowed, as for a file.
        """
        return cls(experiment_from_dict(data, folder))

    @classmethod
    def load(cls, folder: str | Path) -> "Study":
        """Reopen a finished sensitivity folder (written by `run()` or `coopsim sensitivity`).

        The experiment comes from manifest.json, the points from samples.parquet and the runs
        from outputs.parquet; the indices are computed again from them, so they equal the run's.

        Args:
            folder: the results folder.

        Returns:
            The study, analysed (`indices`, `summary`, `table()`); nothing is written.

        Raises:
            UserError: the folder holds no finished sensitivity analysis.
        """
        folder = Path(folder)
        manifest = _read_manifest(folder)
        study = cls(_experiment_from_manifest(manifest, folder))
        try:
            study.design = design_from_samples(study.experiment, pd.read_parquet(folder / "samples.parquet"))
        except ValueError as err:
            raise UserError(f"{folder}/samples.parquet: {err}; it does not belong to this manifest.") from None
        study.results = _results_from_outputs(pd.read_parquet(folder / "outputs.parquet"), study.experiment)
        study.report = _report_from_folder(folder, len(study.design.points), manifest)
        study.out, study.execution = folder, dict(manifest.get("execution") or {})
        _compute(study, study.design, study.experiment, study.results, study.report)
        return study

    # -- the steps ---------------------------------------------------------------------------
    def sample(self, limits: bool = True) -> "Study":
        """Draw the design (every policy's points and seeds; `samples`); returns self. With
        `limits`, a design of more than `MAX_POINTS` points is refused before sampling."""
        if limits:
            check_design_size(self.experiment)
        self.design = build_design(self.experiment)
        return self

    @property
    def samples(self) -> pd.DataFrame:
        """The points to run, one row each in run order: "seed", the factors (and, with several
        policies, the policy column). Compute outputs elsewhere on these and pass them to
        `analyze(Y=...)`."""
        design = self._need("design", "samples", "call sample() first")
        points = design.points.copy()
        points.insert(0, "seed", design.seeds)
        return points

    def evaluate(self, out: str | Path | None = None, *, workers: int = 1, backend: str | None = None,
                 scheduler: str | None = None, resume: bool = False, force: bool = False,
                 progress: bool = False, chunk_size: int | None = None, target=None,
                 limits: bool = True) -> "Study":
        """Run every point of the design (sampling first if needed); returns self.

        Args:
            out: the results folder (samples.parquet, runs/, outputs.parquet, failures.csv); None
                runs in a temporary folder that is deleted afterwards.
            workers: worker processes (1 runs serially).
            backend: "serial", "process" or "dask" (default: dask with `scheduler`, process with
                `workers` > 1, serial otherwise); scheduler: a Dask scheduler's address.
            resume: continue a sweep killed in `out`; force: delete an earlier one in `out` first.
            progress: show a progress bar; chunk_size: runs per chunk file (default: automatic).
            target: what each point runs (default: `make_target(experiment)`).
            limits: refuse designs far beyond reason (more than `MAX_POINTS` points, or an
                estimated time over 30 days); False runs them anyway.

        Raises:
            UserError: `out` already holds results and neither resume nor force is given, etc.
        """
        _check_arguments(out, backend, scheduler, resume, force)
        if out is None:
            with tempfile.TemporaryDirectory(prefix="coopsim-sweep-") as tmp:
                chosen = prepare_sweep_folder(Path(tmp), OWNED, what="sensitivity run", workers=workers,
                                              backend=backend, scheduler=scheduler)
                _evaluate(self, Path(tmp), target, backend=chosen, workers=workers, scheduler=scheduler,
                          chunk_size=chunk_size, resume=False, progress=progress, keep=False, limits=limits)
            return self
        out = Path(out)
        chosen = prepare_sweep_folder(out, OWNED, what="sensitivity run", workers=workers, backend=backend,
                                      scheduler=scheduler, resume=resume, force=force)
        _evaluate(self, out, target, backend=chosen, workers=workers, scheduler=scheduler,
                  chunk_size=chunk_size, resume=resume, progress=progress, keep=True, limits=limits)
        return self

    def analyze(self, Y=None) -> "Study":
        """Compute the indices (and, after `evaluate(out)`, write indices.csv, figures,
        summary.md and manifest.json there); returns self. Warns (UserWarning) when the design
        looks too small for a stable ranking, or when no run gave a value.

        Args:
            Y: outputs computed elsewhere on `samples`, one value per point in run order: an
                array (the experiment's one output, or one column per output), a dict
                {output: values} or a DataFrame with one column per output. None analyses the
                runs of `evaluate()`. Nothing is written with Y.

        Raises:
            UserError: nothing to analyse yet, or Y does not match the sample.
        """
        if Y is not None:
            design = self.design or build_design(self.experiment)
            self.design = design
            exp, results = _outputs_given(self.experiment, Y, len(design.points))
            _compute(self, dataclasses.replace(design, exp=exp), exp, results, None)
        else:
            self._need("results", "runs to analyse", "call evaluate() first (or run(), or Study.load() a finished "
                       "folder), or pass outputs computed elsewhere as analyze(Y=...)")
            _compute(self, self.design, self.experiment, self.results, self.report)
            if self._writes:
                _write_analysis(self)
        _warn(self)
        return self

    def run(self, out: str | Path, *, workers: int = 1, backend: str | None = None,
            scheduler: str | None = None, resume: bool = False, force: bool = False,
            progress: bool = False, chunk_size: int | None = None, command: str | None = None,
            target=None, limits: bool = True) -> "Study":
        """Sample, evaluate into `out` and analyse: the whole folder (see `evaluate`); returns self.

        Args:
            out: the results folder; the other arguments as for `evaluate`.
            command: the command line to record in the manifest (default: the Python API).
        """
        self.command = command
        return self.evaluate(out, workers=workers, backend=backend, scheduler=scheduler, resume=resume,
                             force=force, progress=progress, chunk_size=chunk_size, target=target,
                             limits=limits).analyze()

    # -- what it found -----------------------------------------------------------------------
    def _need(self, attribute: str, what: str, hint: str):
        value = getattr(self, attribute)
        if value is None:
            raise UserError(f"Study '{self.experiment.spec.name}': no {what} yet; {hint}.")
        return value

    @property
    def indices(self) -> pd.DataFrame:
        """Every index at full N: policy, output, method, index, factor, value, its interval
        (conf, lo, hi), the noise floor and whether the index is above it."""
        return self._need("analysis", "indices", "call run() or load() first (or analyze())").indices

    @property
    def convergence(self) -> pd.DataFrame:
        """How the ranking of the nested designs N/8 .. N agrees with N (one row per size)."""
        return self._need("analysis", "convergence", "call run() or load() first (or analyze())").convergence_summary

    @property
    def robust(self):
        """The ranking across uncertain parameters and model forms (an experiment with a [robust]
        table): `probabilities`, `parts`, `flips` (`coopsim.analysis.robust_ranking.RobustRanking`);
        None without a [robust] table."""
        return self._need("analysis", "robust ranking", "call run() or load() first (or analyze())").robust

    @property
    def summary(self) -> str:
        """summary.md's text: the ranking in plain words, noise floor, convergence, notes."""
        self._need("analysis", "summary", "call run() or load() first (or analyze())")
        return self._summary

    def plot(self, kind: str = "indices", *, output: str | None = None, policy: str | None = None,
             method: str | None = None):
        """A figure of the results, for a notebook or a paper.

        Args:
            kind: "indices" (the main index of each input with its interval and the noise
                floor) or "convergence" (indices over the nested designs N/8 .. N).
            output, policy, method: which (defaults: the headline output, the first policy,
                the experiment's method).

        Returns:
            A matplotlib Figure (`coopsim.reporting.sensitivity.plot_sensitivity`).
        """
        analysis = self._need("analysis", "a figure", "call run() or load() first (or analyze())")
        return plot_sensitivity(analysis, self.experiment, kind, output=output, policy=policy, method=method)

    def table(self, output: str | None = None, policy: str | None = None) -> pd.DataFrame:
        """Wide view: one row per factor, the indices as columns.

        Args:
            output: the output (default: the headline, first one).
            policy: the policy (default: the first one).

        Returns:
            Factors by (method, index).
        """
        g = _one_table(self.indices, output, policy)
        return g.pivot_table(index="factor", columns=["method", "index"], values="value", sort=False)

    def to_markdown(self, output: str | None = None, policy: str | None = None, method: str | None = None) -> str:
        """The index table of one output as a Markdown pipe table: inputs in words, strongest
        first, each index with its interval, and whether it rises above the noise floor.

        Args:
            output, policy: as for `table` (defaults: the headline output, the first policy).
            method: "sobol", "morris", "pawn" or "delta" (default: the experiment's method).

        Returns:
            The table's Markdown.
        """
        header, rows = _index_cells(self, output, policy, method, _MARKDOWN_NAMES, str)
        return render_table(header, rows, markdown=True)

    def to_latex(self, output: str | None = None, policy: str | None = None, method: str | None = None) -> str:
        """The same table as `to_markdown` as a LaTeX tabular (booktabs rules: needs
        \\usepackage{booktabs}); text is escaped.

        Returns:
            The tabular environment.
        """
        header, rows = _index_cells(self, output, policy, method, _LATEX_NAMES, _latex_escape)
        lines = [r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}", r"\toprule", " & ".join(header) + r" \\",
                 r"\midrule", *(" & ".join(row) + r" \\" for row in rows), r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines) + "\n"


# == building the experiment =================================================================
def experiment_from_dict(data: dict, folder: str | Path | None = None) -> Experiment:
    """An experiment from the keys of an experiment file, checked as a file is.

    Args:
        data: the tables of an experiment file; "scenario" may be a path (relative to `folder`)
            or a `coopsim.Scenario`.
        folder: where relative paths start (default: the working folder).

    Returns:
        The experiment (its `path` names it "experiment dict" in messages).

    Raises:
        UserError: naming the key and what is allowed.
    """
    if not isinstance(data, dict):
        raise UserError(f"Study.from_dict needs a dict with the keys of an experiment file, got "
                        f"{type(data).__name__}.")
    origin = Path(folder or ".") / _DICT_NAME
    given = data.get("scenario")
    tables = {k: (str(v) if k == "scenario" and isinstance(v, Path) else v) for k, v in data.items()
              if not (k == "scenario" and isinstance(v, Scenario))}
    return experiment_from_data(tables, origin, scenario=given if isinstance(given, Scenario) else None)


def make_target(exp: Experiment):
    """What each point runs: the Ishigami function, or the model under every policy.

    Args:
        exp: the experiment.

    Returns:
        An `IshigamiTarget` or a `ScenarioTarget`.

    Raises:
        UserError: the experiment has no base scenario (a folder reopened without one).
    """
    t = exp.spec.target
    if t.kind == "ishigami":
        return IshigamiTarget(a=t.a, b=t.b, noise=t.noise)
    if exp.scenario is None:
        raise UserError(f"{exp.path}: the base scenario is not known here, so the model cannot run; "
                        f"run the study from its experiment file.")
    bases = [exp.resolved_scenario(p) for p in exp.policies]
    paths = {i.short: i.path for i in exp.inputs}
    source = str(exp.scenario_path) if exp.scenario_path else exp.scenario.source_file
    return ScenarioTarget(bases, paths, reps=exp.spec.stochasticity.replications, source_file=source)


# == running =================================================================================
def _check_arguments(out, backend: str | None, scheduler: str | None, resume: bool, force: bool) -> None:
    """The Python API's own words for what the command line calls --resume, --force, --out."""
    if resume and force:
        raise UserError("resume=True and force=True contradict each other: resume continues the sensitivity "
                        "run in `out`, force deletes it and starts over. Pass one of them.")
    if backend is not None and backend not in BACKENDS:
        raise UserError(f"backend={backend!r} is unknown; choose one of {', '.join(map(repr, BACKENDS))}.")
    if scheduler and backend not in (None, "dask"):
        raise UserError(f"scheduler= needs backend='dask' (or leave backend out), not backend={backend!r}.")
    if out is None:
        if resume or force:
            raise UserError("resume=True and force=True act on a results folder: pass out=... too.")
        return
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"out={str(out)!r} exists and is not a folder.")
    if resume or force or not out.exists() or not any(out.iterdir()):
        return
    if (out / "manifest.json").exists() or (out / "runs").exists():
        raise UserError(f"{out} already holds a sensitivity run. Pass resume=True to continue it, force=True "
                        f"to delete it and start over, or another folder; Study.load({str(out)!r}) reopens "
                        "a finished one.")
    raise UserError(f"{out} exists and is not empty; choose an empty or new folder for out=.")


def check_design_size(exp: Experiment) -> None:
    """Refuse, before sampling, a design with more points than one sweep holds."""
    check_budget(design_size(exp), what=f"{exp.path}: method.n = {exp.spec.method.n:,}",
                 fewer="Use a smaller method.n", max_runs=MAX_POINTS, max_seconds=None)


def _evaluate(study: Study, out: Path, target, *, backend: str, workers: int, scheduler: str | None,
              chunk_size: int | None, resume: bool, progress: bool, keep: bool, limits: bool = True) -> None:
    """Sample (unless done), run every point into `out`, read the results back; with `keep`,
    write samples.parquet, outputs.parquet and failures.csv and let analyze() write there."""
    exp = study.experiment
    study._started = time.perf_counter()
    target = target or make_target(exp)
    if backend == "process":
        warm_up(getattr(target, "preload", ()))   # the workers' forkserver starts while we sample
    if study.design is None:
        study.sample(limits=limits)
    design = study.design
    if keep:
        retract_manifest(out)          # the folder is complete again only when the manifest is back
        write_samples(design.points, design.seeds, out / "samples.parquet")
    study.report = run_sweep(target, design.points, design.seeds, out / "runs", backend=backend, workers=workers,
                             scheduler=scheduler, chunk_size=chunk_size or exp.spec.execution.chunk_size,
                             resume=resume, key=exp.digest(), progress=progress, desc=exp.spec.name,
                             limits=limits)
    cols = ["index", "seed", "error", *(f"out:{o}" for o in exp.spec.outputs)]
    results = read_results(out / "runs", columns=cols)
    if len(results) != len(design.points):
        raise UserError(f"{out}: only {len(results)} of {len(design.points)} runs are on disk; rerun with "
                        "resume (--resume, or resume=True in Python).")
    study.results, study.analysis, study._summary = results, None, None
    report = study.report
    study.execution = {"backend": backend, "workers": workers, "scheduler": scheduler,
                       "chunks": report.n_chunks, "chunks_reused": report.skipped_chunks,
                       "runs_this_session": report.ran_points, "run_seconds_this_session": round(report.seconds, 3),
                       "failed_runs": report.n_failed}
    study.out, study._writes = (out, True) if keep else (None, False)
    if keep:
        _write_outputs(study, results, out)


def _write_outputs(study: Study, results: pd.DataFrame, out: Path) -> None:
    """outputs.parquet (one row per run, with its policy) and failures.csv when runs failed."""
    exp, design = study.experiment, study.design
    outputs = results.rename(columns=lambda c: c.removeprefix("out:"))
    if len(exp.policies) > 1:
        outputs.insert(1, "policy", np.repeat([p.name for p in exp.policies], design.rows_per_policy))
    with atomic_path(out / "outputs.parquet") as tmp:
        outputs.to_parquet(tmp, index=False)
    if len(study.report.failures):
        with atomic_path(out / "failures.csv") as tmp:
            study.report.failures.to_csv(tmp, index=False)


# == analysing ===============================================================================
def _compute(study: Study, design: Design, exp: Experiment, results: pd.DataFrame,
             report: SweepReport | None) -> None:
    """The indices and summary.md's text of `results` on `design` (nothing written)."""
    study.analysis = analyse(design, results)
    if exp.spec.robust is not None and exp.spec.method.name == "sobol":
        study.analysis.robust = robust_ranking(design, results)
    study._summary = summary_text(study.analysis, exp, design, report)


def _warn(study: Study) -> None:
    """A UserWarning when no index could be computed or the design looks too small."""
    name, analysis = study.experiment.spec.name, study.analysis
    here = (os.path.dirname(__file__),)      # the warning points at the caller's line, not at coopsim
    if not len(analysis.indices):
        warnings.warn(f"{name}: no indices: every run failed or returned no value "
                      f"({'; '.join(analysis.notes)})", UserWarning, skip_file_prefixes=here)
    elif analysis.design_warnings:
        warnings.warn(f"{name}: " + " ".join(analysis.design_warnings), UserWarning, skip_file_prefixes=here)


def _write_indices(analysis: Analysis, out: Path) -> None:
    """indices.csv, convergence.csv and convergence_summary.csv (and the robust ranking's tables)."""
    tables = [("indices.csv", analysis.indices), ("convergence.csv", analysis.convergence),
              ("convergence_summary.csv", analysis.convergence_summary)]
    if analysis.robust is not None:
        tables += [(f"robust_{key}.csv", getattr(analysis.robust, key))
                   for key in ("probabilities", "parts", "flips", "effects")]
    for name, table in tables:
        with atomic_path(out / name) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")


def _write_analysis(study: Study) -> None:
    """indices.csv and the convergence tables, figures, summary.md and manifest.json in `out`."""
    out, exp = study.out, study.experiment
    _write_indices(study.analysis, out)
    made = figures(study.analysis, exp, out / "figures") if len(study.analysis.indices) else []
    if study.analysis.robust is not None:
        made += robust_figures(study.analysis.robust, exp, out / "figures")
    write_text(out / "summary.md", study._summary)
    study.execution["total_seconds"] = round(time.perf_counter() - study._started, 3)
    _manifest(study, out, study.execution, made, study.command)


def _manifest(study: Study, out: Path, execution: dict, figures_made: list[str], command: str | None) -> None:
    """manifest.json: the experiment, its scenarios, the seeds and the design, how it ran."""
    exp, design = study.experiment, study.design
    seed_input = " (seed input: derive_seed(seed, int(u * 2**31)))" if exp.spec.stochasticity.seed_as_input else ""
    write_manifest(
        out, "sensitivity", command=command or _API,
        experiment=str(exp.path), experiment_text=exp.text, design_key=exp.digest(),
        experiment_spec=exp.spec.model_dump(mode="json", exclude_unset=True),
        scenario=str(exp.scenario_path) if exp.scenario_path else None,
        base_scenario=exp.scenario.model_dump(mode="json") if exp.scenario is not None else None,
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
                   target=None, limits: bool = True) -> Study:
    """What `coopsim sensitivity` does: prepare the folder (errors in the command line's words),
    run the sweep, analyse, write tables, figures, summary and manifest. No Python warnings:
    the command prints its own lines.

    Args:
        study: the study (its experiment; its design when already sampled).
        out: the results folder.
        workers, backend, scheduler, chunk_size: how to run (coopsim.run.executor).
        resume: continue a killed sweep in `out`; force: delete an earlier one first.
        progress: show a progress bar.
        command: the command line to record in the manifest (default: the Python API).
        target: what each point runs (default: `make_target(experiment)`); tests pass their own.
        limits: refuse designs far beyond reason (the command line's --no-limits turns it off).

    Returns:
        The study, with design, results, report, analysis, summary and out filled in.
    """
    backend = prepare_sweep_folder(out, OWNED, what="sensitivity run", workers=workers, backend=backend,
                                   scheduler=scheduler, resume=resume, force=force)
    study.command = command
    _evaluate(study, out, target, backend=backend, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
              resume=resume, progress=progress, keep=True, limits=limits)
    _compute(study, study.design, study.experiment, study.results, study.report)
    _write_analysis(study)
    return study


# == reopening a folder, outputs from elsewhere ===============================================
def _read_manifest(folder: Path) -> dict:
    """A finished sensitivity folder's manifest; a UserError naming what is missing."""
    if not (folder / "manifest.json").exists():
        raise UserError(f"{folder}: no manifest.json here; Study.load reopens a folder that "
                        "`coopsim sensitivity` or Study.run() finished.")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("kind") != "sensitivity":
        raise UserError(f"{folder}: holds a '{manifest.get('kind')}' run, not a sensitivity analysis.")
    for name in ("samples.parquet", "outputs.parquet"):
        if not (folder / name).exists():
            raise UserError(f"{folder}: {name} is missing; the sweep did not finish (continue it with "
                            "resume=True, or `coopsim sensitivity ... --resume`).")
    return manifest


def _experiment_from_manifest(manifest: dict, folder: Path) -> Experiment:
    """The experiment a manifest records (its checked tables, its base scenario when known)."""
    data = manifest.get("experiment_spec") or tomllib.loads(manifest.get("experiment_text") or "")
    spec = parse_experiment(data, f"{folder}/manifest.json")
    exp = Experiment(spec=spec, path=Path(manifest.get("experiment") or folder / "manifest.json"),
                     text=manifest.get("experiment_text") or "")
    base = manifest.get("base_scenario") or next(
        (manifest["resolved_scenarios"][p.name] for p in exp.policies if not p.overrides
         and p.name in (manifest.get("resolved_scenarios") or {})), None)
    if base is not None and spec.target.kind == "model":
        exp.scenario = Scenario.model_validate(base)
        exp.scenario.source_file = manifest.get("scenario")
        exp.scenario_path = Path(manifest["scenario"]) if manifest.get("scenario") else None
    return exp


def _results_from_outputs(outputs: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    """outputs.parquet back into the executor's results ("out:OUTPUT" columns)."""
    missing = [o for o in exp.spec.outputs if o not in outputs.columns]
    if missing:
        raise UserError(f"outputs.parquet has no column {', '.join(missing)} of the experiment's outputs.")
    return outputs.rename(columns={o: f"out:{o}" for o in exp.spec.outputs})


def _report_from_folder(folder: Path, n_points: int, manifest: dict) -> SweepReport:
    """What the sweep did, as far as the folder tells: its points, chunks and failed runs."""
    failures = folder / "failures.csv"
    execution = manifest.get("execution") or {}
    return SweepReport(n_points=n_points, n_chunks=int(execution.get("chunks", 0)),
                       failures=pd.read_csv(failures) if failures.exists() else pd.DataFrame(),
                       backend=execution.get("backend", "serial"), workers=int(execution.get("workers", 1)))


def _outputs_as_columns(Y, outputs: list[str]) -> dict[str, np.ndarray]:
    """Y (array, dict or DataFrame) as {output: values}."""
    if isinstance(Y, pd.DataFrame):
        return {str(c): Y[c].to_numpy(dtype=float) for c in Y.columns}
    if isinstance(Y, dict):
        return {str(k): np.asarray(v, dtype=float).ravel() for k, v in Y.items()}
    values = np.asarray(Y, dtype=float)
    if values.ndim == 1 and len(outputs) == 1:
        return {outputs[0]: values}
    if values.ndim == 2 and values.shape[1] == len(outputs):
        return {o: values[:, k] for k, o in enumerate(outputs)}
    raise UserError(f"analyze(Y=...): an array of shape {values.shape} does not say which output is which; "
                    f"give one column per output ({', '.join(outputs)}), or a dict {{output: values}}.")


def _outputs_given(exp: Experiment, Y, n_points: int) -> tuple[Experiment, pd.DataFrame]:
    """The experiment with Y's outputs, and Y as the executor's results (no failed runs)."""
    columns = _outputs_as_columns(Y, list(exp.spec.outputs))
    if not columns:
        raise UserError("analyze(Y=...): Y holds no output.")
    wrong = {k: len(v) for k, v in columns.items() if len(v) != n_points}
    if wrong:
        raise UserError(f"analyze(Y=...): the study's sample has {n_points} points (study.samples, in run "
                        f"order), but Y gives " + ", ".join(f"{n} values for {k}" for k, n in wrong.items()) + ".")
    spec = exp.spec.model_copy(update={"outputs": list(columns)})
    results = pd.DataFrame({"error": [""] * n_points, **{f"out:{k}": v for k, v in columns.items()}})
    return dataclasses.replace(exp, spec=spec), results


# == index tables ============================================================================
def _one_table(indices: pd.DataFrame, output: str | None, policy: str | None) -> pd.DataFrame:
    """The indices of one output under one policy (defaults: the first of each)."""
    if not len(indices):
        raise UserError("no indices to show: every run failed or returned no value (see the summary's notes).")
    output = output or indices["output"].iloc[0]
    policy = policy or indices["policy"].iloc[0]
    g = indices[(indices["output"] == output) & (indices["policy"] == policy)]
    if g.empty:
        raise UserError(f"no indices for output {output!r} under policy {policy!r}; outputs: "
                        f"{', '.join(indices['output'].unique())}; policies: {', '.join(indices['policy'].unique())}.")
    return g


def _cell(row: pd.Series) -> str:
    """An index with its interval, when it has one."""
    return fmt(row["value"]) + (f" [{fmt(row['lo'])}, {fmt(row['hi'])}]" if np.isfinite(row["lo"]) else "")


def _index_cells(study: Study, output: str | None, policy: str | None, method: str | None, names: dict,
                 escape) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an index table: inputs strongest first, each index with its interval."""
    exp = study.experiment
    method = method or exp.spec.method.name
    g = _one_table(study.indices, output, policy)
    g = g[g["method"] == method]
    if g.empty:
        raise UserError(f"no {method!r} indices here; methods: {', '.join(study.indices['method'].unique())}.")
    keys = [k for k in _TABLE_INDICES[method] if k in set(g["index"])]
    main = g[g["index"] == MAIN_INDEX[method]].sort_values("value", ascending=False)
    level = int(round(exp.spec.method.conf_level * 100))
    header = [escape("input"), *(f"{names.get(k, k)} {escape(f'[{level}% interval]')}" for k in keys),
              escape("above noise floor")]
    by = {k: g[g["index"] == k].set_index("factor") for k in keys}
    rows = []
    for _, r in main.iterrows():
        cells = [_cell(by[k].loc[r["factor"]]) if r["factor"] in by[k].index else "" for k in keys]
        floor = "(the floor)" if r["factor"] == DUMMY else ("yes" if r["above_floor"] else "no")
        rows.append([escape(exp.labels.get(r["factor"], r["factor"]))] + cells + [escape(floor)])
    return header, rows


def _latex_escape(text: str) -> str:
    """Text for LaTeX: its special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))
