"""`coopsim run SCENARIO`: replicated runs of one scenario, written as tables, figures and a
manifest that repeats the run exactly.

The folder is checked before any run and written whole or not at all
(`coopsim.reporting.folders.staged_output`): an error, Ctrl+C or a full disk leaves no partial
tables. Its default name comes from the scenario's name, made safe (`folder_name`)."""

from __future__ import annotations

from pathlib import Path

from coopsim.cli.common import add_limits_argument
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario
from coopsim.reporting.figures import run_figures
from coopsim.reporting.folders import folder_name, staged_output, write_tables
from coopsim.reporting.manifest import write_manifest
from coopsim.run.executor import check_budget
from coopsim.run.runner import replicate, simulate
from coopsim.run.seeds import replication_seed

__all__ = ["add_arguments", "main", "MAX_REPS"]

HEADLINE = ("signed", "active_end", "share_failed", "mean_active_lifetime", "survival_5y", "benefits")
#: Most replications without --no-limits: every replication's tables stay in memory until written
#: (~0.7 MB each for the Indonesian baseline, twice that while they are stacked).
MAX_REPS = 1_000


def add_arguments(parser) -> None:
    """Options of `coopsim run`."""
    parser.add_argument("scenario", help="scenario file, e.g. scenarios/baseline.toml")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--reps", type=int, default=10, help=f"replications (default 10, at most {MAX_REPS:,})")
    parser.add_argument("--years", type=int, default=None, help="override simulation.years")
    parser.add_argument("--out", default=None, help="results folder (default results/<scenario name>)")
    parser.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_limits_argument(parser)


def _write(folder: Path, tables, scenario, args, out: Path) -> list[Path]:
    """Tables, figures and the manifest into `folder` (the staging folder of `out`)."""
    write_tables(tables, folder, csv=args.csv)
    figures = run_figures(tables, scenario, folder)
    write_manifest(folder, "run", scenario=scenario.model_dump(), scenario_file=args.scenario,
                   seed=args.seed, reps=args.reps,
                   replication_seeds=[replication_seed(args.seed, i) for i in range(args.reps)],
                   outputs=sorted(p.name for p in folder.iterdir()) + ["manifest.json"],
                   repeat=f"coopsim run {args.scenario} --seed {args.seed} --reps {args.reps}"
                          + (f" --years {args.years}" if args.years else "") + f" --out {out} --force")
    return figures


def main(args) -> int:
    """Run the scenario, write the folder, print the headline outcomes."""
    if args.reps < 1:
        raise UserError(f"--reps must be at least 1 (got {args.reps}).")
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        scenario = scenario.override({"simulation.years": args.years}, origin="--years")
    if not args.no_limits:
        check_budget(args.reps, what=f"--reps {args.reps:,}", fewer="Use fewer --reps", max_runs=MAX_REPS,
                     time_one=lambda: simulate(scenario, replication_seed(args.seed, 0)))
    with staged_output(args.out or Path("results") / folder_name(scenario.name), force=args.force) as staged:
        tables = replicate(scenario, args.seed, args.reps, progress=not args.no_progress)
        figures = _write(staged.stage, tables, scenario, args, staged.final)
    out = staged.final
    summary = tables["summary"].drop(columns="replication").agg(["mean", "std"]).T
    print(f"{scenario.name}: {args.reps} replications, seed {args.seed} -> {out}/")
    for key in HEADLINE:
        print(f"  {key:<22} {summary.loc[key, 'mean']:10.3f}  (sd {summary.loc[key, 'std']:.3f})")
    print(f"  figures: {', '.join(f.name for f in figures)}")
    return 0
