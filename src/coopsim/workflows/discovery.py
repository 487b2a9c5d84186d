"""Scenario discovery, end to end: under which combinations of conditions do partnerships fail?

A discovery file (`coopsim.config.discovery`) names an experiment file, which supplies the base
scenario, the inputs and their ranges, the outputs, the seed and the replications, and says
which runs are the case of interest (one output above or below a threshold).

Pipeline: Latin hypercube over the experiment's inputs (`coopsim.analysis.discovery.build_design`:
seeded by the experiment seed; yes/no switches drawn as integers 0/1, integer parameters
rounded) -> every point through the model with `coopsim.run.executor` (serial, local worker
processes or Dask; Parquet chunks; --resume), seed of point i = derive_seed(experiment seed, i)
-> case of interest -> PRIM (EMA Workbench): peeling trajectory, the chosen boxes (most coverage
at the wanted density), restrictions that fail the quasi-p significance test dropped -> CART ->
extra-trees feature scores for every output (the dummy input as noise floor) ->
figures, summary.md (`coopsim.reporting.discovery`), manifest.json.

In a notebook:

    from coopsim.workflows.discovery import Discovery
    d = Discovery("experiments/failure_discovery.toml").run("results/discovery", workers=2)
    d.boxes            # one row per restriction of each chosen box
    print(d.summary)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.analysis.discovery import (CASE, CartResult, ChosenBox, DiscoveryDesign, boxes_table, build_design,
                                        design_key, feature_scores, run_cart, run_prim, trajectory_table)
from coopsim.config.vocabulary import short_number
from coopsim.config.discovery import DiscoverySettings, load_discovery
from coopsim.config.errors import UserError
from coopsim.reporting.discovery import discovery_figures, plot_discovery, summary_text
from coopsim.reporting.folders import atomic_path, prepare_sweep_folder, retract_manifest, write_samples, write_text
from coopsim.reporting.manifest import write_manifest
from coopsim.run.executor import MAX_POINTS, SweepReport, check_budget, read_results, run_sweep
from coopsim.run.targets import IshigamiTarget, ScenarioTarget

__all__ = ["Discovery", "run_discovery", "make_target", "OWNED"]

#: What a discovery writes in its folder (cleared by --force).
OWNED = ("runs", "figures", "samples.parquet", "outputs.parquet", "prim_trajectory.csv", "prim_boxes.csv",
         "cart_boxes.csv", "cart_tree.txt", "feature_scores.csv", "failures.csv", "summary.md",
         "manifest.json")
_CSV = {"index": False, "float_format": "%.6g"}
_RESUME_HINT = " (or to redo the analysis with new PRIM settings or threshold, reusing the runs)"


def make_target(settings: DiscoverySettings):
    """What each point runs: the model with the chosen policy, or the Ishigami verification target.

    Args:
        settings: the discovery file and its experiment.

    Returns:
        A picklable `target(params, seed) -> {output: value}` for `coopsim.run.executor.run_sweep`.
    """
    exp = settings.experiment
    t = exp.spec.target
    if t.kind == "ishigami":
        return IshigamiTarget(a=t.a, b=t.b, noise=t.noise)
    return ScenarioTarget([exp.resolved_scenario(settings.policy)], {i.short: i.path for i in exp.inputs},
                          reps=exp.spec.stochasticity.replications, source_file=str(exp.scenario_path))


@dataclass
class Discovery:
    """A scenario discovery: Discovery(path).run(out, workers=2), then .boxes, .summary, .scores.

    Args:
        settings: a discovery file (path) or loaded `DiscoverySettings`.
        points: Latin hypercube size, overriding the file's.

    After `run`: `design`, `results` (outputs.parquet's table), `valid` and `case` (per run),
    `prim_boxes`, `cart`, `scores`, `notes`, `report` (the sweep), `summary` (summary.md), `out`.
    """
    settings: DiscoverySettings | str | Path
    points: int | None = None
    design: DiscoveryDesign | None = None
    results: pd.DataFrame | None = None
    valid: np.ndarray | None = None
    case: np.ndarray | None = None
    prim_boxes: list[ChosenBox] = field(default_factory=list)
    cart: CartResult | None = None
    scores: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    report: SweepReport | None = None
    summary: str = ""
    out: Path | None = None

    def __post_init__(self):
        if not isinstance(self.settings, DiscoverySettings):
            self.settings = load_discovery(self.settings, points=self.points)

    @property
    def boxes(self) -> pd.DataFrame:
        """One row per restriction of each chosen PRIM box (prim_boxes.csv)."""
        return boxes_table(self.prim_boxes)

    def plot(self, kind: str = "tradeoff"):
        """A figure of the discovery for a notebook: "tradeoff" (PRIM's coverage against density),
        "limits" (the chosen boxes' restrictions) or "scores" (feature scores); a matplotlib Figure."""
        if self.scores is None:
            raise UserError("Discovery: nothing to plot yet; call run() first.")
        spec = self.settings.spec
        return plot_discovery(self.prim_boxes, self.scores, kind, min_density=spec.prim.min_density,
                              case_words=self.settings.case_words, labels=self.settings.experiment.labels)

    def run(self, out: str | Path, *, workers: int = 1, backend: str | None = None, scheduler: str | None = None,
            resume: bool = False, force: bool = False, progress: bool = False, chunk_size: int | None = None,
            target=None, command: str | None = None, limits: bool = True) -> "Discovery":
        """Run the points, analyse them and write the results folder.

        Args:
            out: the results folder; the other options as in `run_discovery` (no progress bar
                by default here).

        Returns:
            This discovery, its results filled in.
        """
        run_discovery(self, Path(out), workers=workers, backend=backend, scheduler=scheduler, resume=resume,
                      force=force, progress=progress, chunk_size=chunk_size, target=target, command=command,
                      limits=limits)
        return self


# == steps ====================================================================================
def _run_points(d: Discovery, out: Path, target, *, backend: str, workers: int, scheduler: str | None,
                chunk_size: int | None, resume: bool, progress: bool, limits: bool) -> pd.DataFrame:
    """Write the design (samples.parquet), run every point not yet on disk, read the runs back."""
    settings = d.settings
    exp = settings.experiment
    d.design = d.design or build_design(settings)
    write_samples(d.design.points, d.design.seeds, out / "samples.parquet")
    d.report = run_sweep(target or make_target(settings), d.design.points, d.design.seeds, out / "runs",
                         backend=backend, workers=workers, scheduler=scheduler,
                         chunk_size=chunk_size or exp.spec.execution.chunk_size, resume=resume,
                         key=design_key(settings), progress=progress, desc=f"discover {exp.spec.name}",
                         limits=limits)
    results = read_results(out / "runs")
    if len(results) != len(d.design.points):
        raise UserError(f"{out}: only {len(results)} of {len(d.design.points)} runs are on disk; rerun with --resume.")
    return results


def _outputs(results: pd.DataFrame, output: str) -> pd.DataFrame:
    """The runs' outputs (the executor's `out:` columns, renamed), one row per run; the case's
    output is NaN throughout when no run produced it (every run failed)."""
    out_cols = [c for c in results.columns if c.startswith("out:")]
    outputs = results[out_cols].rename(columns=lambda c: c.removeprefix("out:")).reset_index(drop=True)
    if output not in outputs:
        outputs[output] = np.nan
    return outputs


def _mark_cases(d: Discovery, results: pd.DataFrame, outputs: pd.DataFrame, out: Path) -> np.ndarray:
    """Which runs are valid and which are cases of interest; failures.csv; notes on left-out runs.
    Returns the case-defining output of every run."""
    spec = d.settings.spec
    y = outputs[spec.output].to_numpy(dtype=float)
    errors = results["error"].fillna("").to_numpy(dtype=object)
    d.valid = np.isfinite(y) & (errors == "")
    d.case = d.settings.is_case(np.where(np.isfinite(y), y, np.nan)) & d.valid
    d.notes = []
    if len(d.report.failures):
        with atomic_path(out / "failures.csv") as tmp:
            d.report.failures.to_csv(tmp, index=False)
        d.notes.append(f"{d.report.n_failed} run(s) failed; they are listed with their inputs in failures.csv and "
                       f"left out of the analysis.")
    n_nan = int((~np.isfinite(y) & (errors == "")).sum())
    if n_nan:
        d.notes.append(f"{n_nan} run(s) gave no value of {spec.output} (e.g. no partnership signed) and are left out.")
    return y


def _write_outputs(d: Discovery, results: pd.DataFrame, outputs: pd.DataFrame, out: Path) -> None:
    """outputs.parquet: index, seed, error, inputs, outputs and the case of interest per run."""
    table = pd.concat([results[["index", "seed", "error"]].reset_index(drop=True),
                       d.design.points.reset_index(drop=True), outputs], axis=1)
    table[CASE] = d.case.astype(np.int64)
    with atomic_path(out / "outputs.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    d.results = table


def _check_cases(d: Discovery, y: np.ndarray, out: Path) -> None:
    """Refuse a threshold that no or every run passes (nothing to discover); warn when few do."""
    settings, spec = d.settings, d.settings.spec
    yc = d.case[d.valid]
    n_case = int(yc.sum())
    if n_case == 0 or n_case == len(yc):
        obs = y[d.valid]
        rng = f"{short_number(np.nanmin(obs))} .. {short_number(np.nanmax(obs))}" if len(obs) else "n/a"
        which = "no" if n_case == 0 else "every"
        raise UserError(f"{settings.path}: {which} run is a case of interest ({spec.output} {spec.direction} "
                        f"{short_number(spec.threshold)}; observed {rng}). Change discovery.threshold and rerun with "
                        f"--resume: the {len(obs):,} runs in {out}/runs are reused.")
    if n_case < 10:
        d.notes.append(f"only {n_case} cases of interest: boxes are fragile; consider another threshold.")


def _analyse(d: Discovery, outputs: pd.DataFrame) -> None:
    """PRIM and CART on the inputs of the valid runs; feature scores with the dummy and seed input."""
    exp, spec, design = d.settings.experiment, d.settings.spec, d.design
    inputs = [i.short for i in exp.inputs]
    x = design.points.loc[d.valid, inputs].reset_index(drop=True)
    yc = d.case[d.valid]
    d.prim_boxes = run_prim(x, yc, design.kinds, spec.prim)
    d.cart = run_cart(x, yc, design.kinds, spec.cart, seed=exp.spec.seed)
    extra = [c for c in design.points.columns if c not in inputs]   # dummy, seed input
    xs = design.points.loc[d.valid, inputs + extra].reset_index(drop=True)
    score_outputs = outputs.loc[d.valid, [o for o in exp.spec.outputs if o in outputs]].reset_index(drop=True)
    d.scores, notes = feature_scores(xs, score_outputs, yc, spec.scoring, exp.spec.seed)
    d.notes += notes


def _write_results(d: Discovery, out: Path) -> list[str]:
    """The tables, the tree, the figures and summary.md; returns the figures made."""
    trajectory = trajectory_table(d.prim_boxes)
    tables = {"prim_trajectory.csv": (trajectory, _CSV), "prim_boxes.csv": (d.boxes, _CSV),
              "cart_boxes.csv": (d.cart.boxes, _CSV), "feature_scores.csv": (d.scores, {"float_format": "%.6g"})}
    for name, (frame, options) in tables.items():
        if frame is not None:
            with atomic_path(out / name) as tmp:
                frame.to_csv(tmp, **options)
    write_text(out / "cart_tree.txt", d.cart.text)
    spec = d.settings.spec
    figures = discovery_figures(d.prim_boxes, d.scores, min_density=spec.prim.min_density,
                                case_words=d.settings.case_words, folder=out / "figures",
                                labels=d.settings.experiment.labels)
    d.summary = summary_text(d.settings, valid=d.valid, case=d.case, boxes=d.prim_boxes, cart=d.cart,
                             scores=d.scores, report=d.report, notes=d.notes)
    write_text(out / "summary.md", d.summary)
    return figures


def _write_without_valid_runs(d: Discovery, out: Path) -> list[str]:
    """summary.md when no run gave a value to analyse (every run failed, or none measured the
    output): what happened and what to do; no boxes, tree or scores."""
    settings = d.settings
    d.summary = "\n".join([
        f"# Scenario discovery: {settings.experiment.spec.name}", "",
        (f"**No valid run to analyse**: none of the {len(d.valid):,} runs gave a value of "
         f"{settings.spec.output}. There are no PRIM boxes, CART tree or feature scores."), "",
        *[f"- {note}" for note in d.notes], "",
        ("failures.csv lists each failed run with its inputs and error. Fix the cause (the experiment's "
         "ranges or policy, the base scenario) and run again with --force: --resume would reuse these runs."), ""])
    write_text(out / "summary.md", d.summary)
    return []


def _provenance(d: Discovery, out: Path, command: str | None) -> dict:
    """What the manifest says about the inputs: files, settings, seeds, design, and how to repeat it."""
    settings = d.settings
    exp, spec, kinds = settings.experiment, settings.spec, d.design.kinds
    repeat = command or " ".join(["coopsim discover", str(settings.path), "--out", str(out)]
                                 + ([f"--points {spec.points}"] if d.points else []) + ["--force"])
    runs = "derive_seed(experiment seed, point index) via numpy SeedSequence"
    if exp.spec.target.kind == "model":
        runs += "; replication r of a point: replication_seed(run seed, r)"
    return dict(
        repeat=repeat, discovery_file=str(settings.path), discovery_text=settings.text, discovery=spec.model_dump(),
        experiment=str(exp.path), experiment_text=exp.text, policy=settings.policy.model_dump(),
        scenario=str(exp.scenario_path) if exp.scenario_path else None,
        resolved_scenario=exp.resolved_scenario(settings.policy) if exp.scenario is not None else None,
        design_key=design_key(settings),
        seeds={"experiment": exp.spec.seed, "latin_hypercube": exp.spec.seed, "feature_scores": exp.spec.seed,
               "runs": runs},
        design={"sampler": "Latin hypercube (scipy.stats.qmc), scaled by SALib", "points": spec.points,
                "inputs": {i.short: {"path": i.path, "kind": kinds[i.short], "dist": i.dist, "bounds": i.bounds}
                           for i in exp.inputs},
                "replications_per_point": exp.spec.stochasticity.replications})


def _execution(report: SweepReport, *, backend: str, workers: int, scheduler: str | None, t0: float,
               t_runs: float) -> dict:
    """What the manifest says about the runs: backend, chunks, failures and times."""
    return {"backend": backend, "workers": workers, "scheduler": scheduler, "chunks": report.n_chunks,
            "chunks_reused": report.skipped_chunks, "runs_this_session": report.ran_points,
            "run_seconds_this_session": round(report.seconds, 3), "failed_runs": report.n_failed,
            "analysis_seconds": round(time.perf_counter() - t0 - t_runs, 3),
            "total_seconds": round(time.perf_counter() - t0, 3)}


def _results_digest(d: Discovery) -> dict:
    return {"cases_of_interest": int(d.case.sum()), "valid_runs": int(d.valid.sum()),
            "boxes": [{"box": b.number, "words": b.words, **b.stats} for b in d.prim_boxes]}


# == the whole discovery ======================================================================
def run_discovery(d: Discovery, out: Path, *, workers: int = 1, backend: str | None = None,
                  scheduler: str | None = None, resume: bool = False, force: bool = False, progress: bool = True,
                  chunk_size: int | None = None, target=None, command: str | None = None,
                  limits: bool = True) -> Discovery:
    """Run a discovery and write its results folder.

    Args:
        d: the discovery (its settings; a design already built is reused).
        out: the results folder; resume reuses its runs (e.g. for a new threshold), force clears it.
        workers, backend, scheduler, chunk_size, progress: how the points run (`coopsim.run.executor`).
        target: what each point runs (default `make_target(d.settings)`; tests plant a rule).
        command: the command line to repeat it (written to the manifest).
        limits: refuse a design beyond the executor's limits (points, estimated time).

    Returns:
        `d`, its results filled in. When no run is valid (every run failed), the folder is
        still complete: failures.csv, outputs.parquet, a summary.md that says so, the manifest.

    Raises:
        UserError: contradicting options, runs missing, or no / every run a case of interest.
    """
    if limits and d.design is None:   # before any work: a huge Latin hypercube would not fit in memory
        check_budget(d.settings.spec.points, what=f"{d.settings.path}: {d.settings.spec.points:,} points",
                     fewer="Use fewer points (discovery.points or --points)", max_runs=MAX_POINTS)
    backend = prepare_sweep_folder(out, OWNED, what="discovery run", workers=workers, backend=backend,
                                   scheduler=scheduler, resume=resume, force=force, resume_hint=_RESUME_HINT)
    t0 = time.perf_counter()
    results = _run_points(d, out, target, backend=backend, workers=workers, scheduler=scheduler,
                          chunk_size=chunk_size, resume=resume, progress=progress, limits=limits)
    t_runs = time.perf_counter() - t0
    retract_manifest(out)   # the folder's files are rewritten from here: no manifest until all are
    outputs = _outputs(results, d.settings.spec.output)
    y = _mark_cases(d, results, outputs, out)
    _write_outputs(d, results, outputs, out)
    if d.valid.any():
        _check_cases(d, y, out)
        _analyse(d, outputs)
        figures = _write_results(d, out)
    else:
        figures = _write_without_valid_runs(d, out)
    write_manifest(out, "discover", **_provenance(d, out, command),
                   execution=_execution(d.report, backend=backend, workers=workers, scheduler=scheduler,
                                        t0=t0, t_runs=t_runs),
                   results=_results_digest(d), figures=figures,
                   outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"])
    d.out = out
    return d
