"""`coopsim validate [SCENARIO]`: check the model against the known patterns (TRACE), in two
sections (the calibration fit and the held-out fit, `src/coopsim/data/evidence_split.toml`), and
write the tables, figure and manifest; exit status 0 when every measurable check passes, 1
otherwise."""

from __future__ import annotations

from coopsim.cli.common import add_limits_argument
from coopsim.config.errors import UserError
from coopsim.reporting.validation import SECTION_WORDS
from coopsim.workflows.validation import DEFAULT_SCENARIO, MAX_REPS, run_validation

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim validate`."""
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario file to validate (default {DEFAULT_SCENARIO})")
    parser.add_argument("--reps", type=int, default=50,
                        help=f"replications per scenario (default 50: the institutionalised partnerships of pattern 4 are few, at most {MAX_REPS:,} without --no-limits)")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--out", default=None, help="results folder (default results/validation_<scenario>)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    add_limits_argument(parser)


def main(args) -> int:
    """Validate, write the folder, print each section's checks; 0 when every measurable check passes."""
    if args.reps < 2:
        raise UserError(f"--reps must be at least 2 for an interval (got {args.reps}).")
    result = run_validation(args.scenario, seed=args.seed, reps=args.reps, out=args.out, force=args.force,
                            limits=not args.no_limits)
    table = result.table
    print(f"{result.scenario.name}: {args.reps} replications, seed {args.seed} -> {result.out}/")
    width = max(len(c) for c in table["check"])
    for section in result.sections.itertuples():
        print(f"{SECTION_WORDS[section.part][0]} (patterns {section.patterns or '-'}):")
        for r in table[table["part"] == section.part].itertuples():
            if not r.measurable:
                print(f"  {r.pattern}  {r.check:<{width}}  not measurable: {r.note}")
                continue
            print(f"  {r.pattern}  {r.check:<{width}}  {r.value:8.3f} [{r.low:7.3f}, {r.high:7.3f}]  "
                  f"{'pass' if r.passed else 'FAIL'}   target {r.target}")
        print(f"  patterns passed: {section.patterns_passed} of {section.patterns_measured} measured; "
              f"checks passed: {section.passed} of {section.measurable} measurable")
    return 0 if result.passed else 1
