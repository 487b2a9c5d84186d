"""`coopsim discover`: scenario discovery. Under which combinations of conditions do partnerships fail?

    coopsim discover DISCOVERY_FILE --out DIR [--workers N] [--scheduler ADDR] [--resume] [--force]
                                              [--points N]

A discovery file is a TOML file holding one `[discovery]` table (`coopsim.config.discovery`). It
names an ordinary experiment file, which supplies the base scenario, the inputs and their ranges,
the outputs, the seed and the replications; `method` there is used by `coopsim sensitivity` only.

    [discovery]
    experiment = "failure_conditions.toml"     # relative to this file
    output = "share_failed"                    # the case of interest: this output ...
    direction = "above"                        # ... above (or below) ...
    threshold = 0.6                           # ... this value
    points = 10000                             # Latin hypercube size (default 10,000)

What it does is `coopsim.workflows.discovery`.
"""

from __future__ import annotations

import sys

from coopsim.cli.common import add_sweep_arguments, check_workers, command_line
from coopsim.config.discovery import DEFAULT_POINTS
from coopsim.workflows.discovery import Discovery

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim discover`: the discovery file, --points and the sweep options."""
    parser.add_argument("discovery", metavar="EXPERIMENT",
                        help="discovery file (TOML with a [discovery] table naming an experiment), "
                             "e.g. experiments/failure_discovery.toml")
    parser.add_argument("--points", type=int, default=None,
                        help=f"Latin hypercube size (default: the file's discovery.points, else {DEFAULT_POINTS:,})")
    add_sweep_arguments(parser, resume_help="continue a killed sweep in --out, or redo the analysis on its runs")


def main(args) -> int:
    """Run the discovery, write the folder, print the boxes; 1 if some runs failed or none
    was valid, else 0."""
    check_workers(args.workers)
    d = Discovery(args.discovery, points=args.points)
    command = command_line("discover")
    d.run(args.out, workers=args.workers, backend=args.backend, scheduler=args.scheduler, resume=args.resume,
          force=args.force, progress=not args.no_progress, chunk_size=args.chunk_size, command=command,
          limits=not args.no_limits)
    rep = d.report
    print(f"{d.settings.experiment.spec.name}: {rep.headline()}; {int(d.case.sum()):,} cases of "
          f"interest ({d.settings.case_words}). Results in {args.out}/ (summary.md).")
    for b in d.prim_boxes:
        print(f"  box {b.number}: {b.words} (coverage {b.stats['coverage']:.0%}, density {b.stats['density']:.0%})")
    if not d.valid.any():
        print(f"No valid run to analyse (no run gave a value of {d.settings.spec.output}); {args.out}/summary.md "
              f"says why, failures.csv lists the failed runs.", file=sys.stderr)
    return max(rep.tell_failures(args.out), int(not d.valid.any()))
