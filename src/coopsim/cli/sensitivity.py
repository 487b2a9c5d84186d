"""`coopsim sensitivity EXPERIMENT --out DIR [--workers N] [--scheduler ADDRESS] [--resume] [--force]`:
global sensitivity analysis of an experiment file (coopsim.workflows.sensitivity)."""

from __future__ import annotations

import sys
from pathlib import Path

from coopsim.cli.common import add_sweep_arguments, check_workers, command_line
from coopsim.workflows.sensitivity import Study, run_experiment

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim sensitivity`."""
    parser.add_argument("experiment", help="experiment file (TOML), e.g. experiments/obstacles_sobol.toml")
    add_sweep_arguments(parser)


def main(args) -> int:
    """Run the experiment, write the folder, print the headline and any warning about the
    design's size; 1 when runs failed (every run failing included: the folder is still whole)."""
    check_workers(args.workers)
    study = Study(args.experiment)
    command = command_line("sensitivity")
    run_experiment(study, Path(args.out), workers=args.workers, backend=args.backend,
                   scheduler=args.scheduler, resume=args.resume, force=args.force,
                   progress=not args.no_progress, chunk_size=args.chunk_size, command=command,
                   limits=not args.no_limits)
    rep = study.report
    print(f"{study.experiment.spec.name}: {rep.headline()}. Results in {args.out}/ (summary.md, indices.csv).")
    if not len(study.analysis.indices):
        print(f"No indices: every run failed or returned no value. {args.out}/summary.md says which "
              f"outputs; failures.csv there lists each failed run with its inputs.", file=sys.stderr)
    for warning in study.analysis.design_warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    return max(rep.tell_failures(args.out), int(not len(study.analysis.indices)))
