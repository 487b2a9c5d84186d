"""Calibrate the baseline's unpinned behaviour rates to the six validation patterns together
(ABC rejection over a Latin hypercube; see coopsim.analysis.calibration, coopsim.workflows.calibration
and docs/TRACE.md).

    python experiments/calibrate.py scenarios/baseline.toml --points 160 --reps 4 --out results/calibration
"""
import argparse
import sys

from coopsim.analysis.calibration import PRIORS, pattern_shares
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario
from coopsim.workflows.calibration import run_calibration, run_refinement

__all__ = ["main"]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/baseline.toml")
    parser.add_argument("--points", type=int, default=160, help="Latin hypercube points")
    parser.add_argument("--reps", type=int, default=4, help="replications per scenario per point")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--min-accept", type=int, default=10)
    parser.add_argument("--out", default="results/calibration")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--refine-reps", type=int, default=10,
                        help="replications when re-checking the accepted points (0: skip)")
    args = parser.parse_args(argv)
    if args.points < 2 or args.reps < 2:
        raise UserError("--points and --reps must be at least 2.")
    return args


def main(argv: list[str] | None = None) -> int:
    """Calibrate, re-check the accepted points, print what to put in the scenario."""
    args = parse(argv)
    scenario = load_scenario(args.scenario)
    calibration = run_calibration(scenario, args.points, args.reps, args.seed, args.out, args.workers,
                                  args.resume, args.min_accept)
    print(calibration.note)
    print("share of points meeting each pattern:", pattern_shares(calibration.results).round(2).to_dict())
    print(calibration.ranges.round(4).to_string(index=False))
    if not args.refine_reps:
        return 0
    refined, best = run_refinement(scenario, calibration, args.refine_reps, args.seed + 1, args.out)
    print(f"accepted points re-checked with {args.refine_reps} replications (seed {args.seed + 1}):")
    print(refined.round(4).to_string(index=False))
    if best is None:
        print("no accepted point passes every check when re-checked; keep the current defaults")
    else:
        print(f"chosen point (index {int(best['index'])}), for the scenario's [behaviour] table:")
        for k in PRIORS:
            print(f"  {k.split('.', 1)[1]} = {best[k]:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
