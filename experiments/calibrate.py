"""Calibrate the baseline's unpinned behaviour rates by ABC-SMC (pyabc) on the calibration
targets of the evidence split (src/coopsim/data/evidence_split.toml); the held-out evidence is
never computed. See coopsim.workflows.calibration, experiments/README.md and docs/TRACE.md.

    python experiments/calibrate.py experiments/calibration.toml --out results/calibration
    python experiments/calibrate.py --quick --out results/calibration_quick      # a smoke run, minutes
"""
import argparse
import sys

from coopsim.config.calibration import load_calibration
from coopsim.config.errors import UserError
from coopsim.workflows.calibration import run_calibration

__all__ = ["main"]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default="experiments/calibration.toml",
                        help="calibration file: priors and ABC settings (default experiments/calibration.toml)")
    parser.add_argument("--quick", action="store_true",
                        help="the file's [quick] population, generations and replications: a smoke run, not a result")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes (1: repeats exactly from the seed; more: pyabc's multicore sampler, "
                             "whose proposals differ from run to run)")
    parser.add_argument("--out", default="results/calibration")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    parser.add_argument("--no-progress", action="store_true", help="do not log each generation")
    args = parser.parse_args(argv)
    if args.workers < 1:
        raise UserError(f"--workers must be at least 1 (got {args.workers}).")
    return args


def main(argv: list[str] | None = None) -> int:
    """Calibrate, write the folder, print the posterior's summary."""
    args = parse(argv)
    spec = load_calibration(args.file)
    result = run_calibration(spec, args.out, quick=args.quick, workers=args.workers, force=args.force,
                             progress=not args.no_progress)
    print(f"ABC-SMC ({result.run.sampler}): {result.run.simulations} particles evaluated over "
          f"{len(result.generations)} generations -> {result.out}/")
    print(result.generations.to_string(index=False))
    print(f"calibration targets: {', '.join(result.targets)}")
    print("share of the posterior meeting each target:", result.shares.round(2).to_dict())
    print(result.summary.round(4).to_string(index=False))
    if args.quick:
        print("--quick: a smoke run of the method at tiny size; do not report these numbers.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_status)
