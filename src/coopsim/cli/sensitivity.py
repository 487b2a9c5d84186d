"""`coopsim sensitivity EXPERIMENT --out DIR [--workers N] [--scheduler ADDRESS] [--resume] [--force]`:
global sensitivity analysis of an experiment file (coopsim.workflows.sensitivity)."""

from __future__ import annotations

from pathlib import Path

from coopsim.cli.common import add_sweep_arguments, check_workers, command_line
from coopsim.workflows.sensitivity import Study, run_experiment

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim sensitivity`."""
    parser.add_argument("experiment", help="experiment file (TOML), e.g. experiments/obstacles_sobol.toml")
    add_sweep_arguments(parser)


def main(args) -> int:
    """Run the experiment, write the folder, print the headline; 1 when runs failed."""
    check_workers(args.workers)
    study = Study(args.experiment)
    command = command_line("sensitivity")
    run_experiment(study, Path(args.out), workers=args.workers, backend=args.backend,
                   scheduler=args.scheduler, resume=args.resume, force=args.force,
                   progress=not args.no_progress, chunk_size=args.chunk_size, command=command)
    rep = study.report
    print(f"{study.experiment.spec.name}: {rep.headline()}. Results in {args.out}/ (summary.md, indices.csv).")
    return rep.tell_failures(args.out)
