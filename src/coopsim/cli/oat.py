"""`coopsim oat EXPERIMENT.toml --out DIR [--workers N] [--reps N] [--force]`: each obstacle of
the paper from weak to strong, one at a time, paired by seed (`coopsim.workflows.oat` does the
work). Exit status 0 when every obstacle moves active partnerships and cohort survival after 10
years in the paper's direction with a 95% interval excluding 0, 1 otherwise (like validate)."""

from __future__ import annotations

import sys

from coopsim.cli.common import add_limits_argument, check_worker_cap
from coopsim.config.oat import MIN_REPLICATIONS, load_oat
from coopsim.reporting.oat import summary_text
from coopsim.workflows.oat import MAX_RUNS, run_oat

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim oat`."""
    parser.add_argument("experiment", metavar="EXPERIMENT.toml",
                        help="one-at-a-time file, e.g. experiments/obstacles_oat.toml")
    parser.add_argument("--out", default=None, help="results folder (default results/<the experiment's name>)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default 1); results are identical for any number")
    parser.add_argument("--reps", type=int, default=None,
                        help=f"replications per setting instead of the file's (a quick look or a test; fewer "
                             f"than {MIN_REPLICATIONS} is below the recommended number and the results say so; "
                             f"at most {MAX_RUNS:,} runs in all without --no-limits)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty results folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_limits_argument(parser)


def main(args) -> int:
    """Run the experiment, print the opening and the table; 0 when every obstacle passes."""
    check_worker_cap(args.workers, no_limits=args.no_limits)
    exp = load_oat(args.experiment, reps=args.reps)
    runs = len(exp.settings) * exp.reps
    print(f"{exp.spec.name}: {len(exp.spec.obstacles)} obstacles x 2 settings x {exp.reps} replications = "
          f"{runs} runs, seed {exp.spec.seed}, {args.workers} worker(s).")
    if exp.below_recommended:
        print(f"Warning: {exp.reps} replications is below the recommended {MIN_REPLICATIONS} (--reps).",
              file=sys.stderr)
    result = run_oat(exp, args.out, force=args.force, workers=args.workers,
                     progress=not args.no_progress and sys.stderr.isatty(), limits=not args.no_limits)
    print()
    print(summary_text(exp, result.effects, result.failing, markdown=False))
    print(f"\n{runs} runs in {result.seconds:.0f} s. Results in {result.out}/ "
          f"({', '.join(p.name for p in result.files)}, manifest.json).")
    return 0 if result.passed else 1
