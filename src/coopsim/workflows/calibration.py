"""Calibration of the rates no source pins down (issue 3; docs/TRACE.md, "Model analysis").

Approximate Bayesian computation by rejection over a Latin hypercube: each point sets the
`behaviour.*` parameters of `PRIORS` (uniform priors), runs the six validation patterns of
`coopsim.workflows.validation` together (a few replications, the same seeds for every point: common
random numbers), and scores the point by the summed relative distance of every check's value
from its target range (`Check.miss`; 0 when every pattern's value is inside its range). No
pattern is fitted alone. Accepted points are those with distance 0 (all targets met on the
point values); if fewer than `min_accept` are, the closest `min_accept` points are taken (the
usual ABC tolerance quantile) and the report says so.

Runs through `coopsim.run.executor.run_sweep` (serial or local processes; resumable chunks).

    python experiments/calibrate.py --points 160 --reps 4 --workers 1 --out results/calibration
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.config.scenario import Scenario, load_scenario

# Uniform priors: plausible bounds for quarterly or yearly rates no source gives.
PRIORS: dict[str, tuple[float, float]] = {
    "behaviour.exploration_rate": (0.02, 0.12),
    "behaviour.foreign_exploration_rate": (0.01, 0.08),
    "behaviour.follow_up": (0.15, 0.60),
    "behaviour.drafting": (0.40, 0.95),
    "behaviour.revival_rate": (0.005, 0.10),
    "behaviour.activity_threshold": (0.15, 0.35),
    "behaviour.feedback": (0.01, 0.08),
}


def latin_hypercube(n: int, priors: dict[str, tuple[float, float]], seed: int) -> pd.DataFrame:
    """n points, one per stratum of every parameter, strata shuffled independently."""
    rng = np.random.default_rng(seed)
    columns = {}
    for path, (lo, hi) in priors.items():
        u = (rng.permutation(n) + rng.random(n)) / n
        columns[path] = lo + u * (hi - lo)
    return pd.DataFrame(columns)


class CalibrationTarget:
    """Picklable target for the executor: one point -> distance and every check's value."""

    preload = ("coopsim.run.warm_start",)

    def __init__(self, base: dict, reps: int, source_file: str | None = None):
        self.base = base
        self.reps = reps
        self.source_file = source_file

    def __call__(self, params: dict, seed: int) -> dict:
        from coopsim.workflows.validation import run_checks

        scenario = Scenario.model_validate(self.base)
        scenario.source_file = self.source_file
        scenario = scenario.override({k: float(v) for k, v in params.items() if k in PRIORS},
                                     origin="calibration point")
        checks = run_checks(scenario, seed=seed, reps=self.reps)
        out = {"distance": float(sum(c.miss() for c in checks))}
        for pattern in sorted({c.pattern for c in checks}):
            out[f"pattern_{pattern}_met"] = float(all(c.miss() == 0 for c in checks if c.pattern == pattern))
        for i, c in enumerate(checks):
            out[f"check_{i:02d}"] = float(c.value)
        return out


def calibrate(scenario: Scenario, points: int, reps: int, seed: int, out_dir: str | Path,
              workers: int = 1, resume: bool = False, progress: bool = True) -> pd.DataFrame:
    """Run the hypercube; return one row per point (parameters, distance, checks)."""
    from coopsim.run.executor import read_results, run_sweep

    design = latin_hypercube(points, PRIORS, seed)
    target = CalibrationTarget(scenario.model_dump(), reps, scenario.source_file)
    run_sweep(target, design, [seed] * points, Path(out_dir) / "sweep",
              backend="serial" if workers <= 1 else "process", workers=workers, resume=resume,
              key=f"calibration:{points}:{reps}:{seed}:{sorted(PRIORS.items())}", progress=progress,
              desc="calibration")
    results = read_results(Path(out_dir) / "sweep").sort_values("index").reset_index(drop=True)
    return results.rename(columns=lambda c: c.removeprefix("out:"))


def accept(results: pd.DataFrame, min_accept: int = 10) -> tuple[pd.DataFrame, str]:
    """ABC rejection: points meeting every target; else the `min_accept` closest."""
    ok = results[(results["error"] == "") & (results["distance"] == 0)]
    if len(ok) >= min_accept:
        return ok, f"{len(ok)} of {len(results)} points meet every pattern's target (distance 0)"
    best = results[results["error"] == ""].nsmallest(min_accept, "distance")
    return best, (f"only {len(ok)} of {len(results)} points meet every target; the {min_accept} "
                  f"closest (distance <= {best['distance'].max():.3f}) are accepted")


def refine(scenario: Scenario, accepted: pd.DataFrame, reps: int, seed: int) -> pd.DataFrame:
    """Second stage: the accepted points again, with more replications and another seed, judged
    as `coopsim validate` judges (values and 95% intervals). The default is chosen from these."""
    from coopsim.workflows.validation import run_checks

    rows = []
    for _, point in accepted.iterrows():
        values = {k: float(point[k]) for k in PRIORS}
        checks = run_checks(scenario.override(values, origin="calibration refine"), seed=seed, reps=reps)
        row = {"index": int(point["index"]), **values,
               "checks_passed": sum(c.passed for c in checks), "checks": len(checks),
               "distance": float(sum(c.miss() for c in checks))}
        row.update({f"pattern_{k}_passed": all(c.passed for c in checks if c.pattern == k)
                    for k in sorted({c.pattern for c in checks})})
        rows.append(row)
    return pd.DataFrame(rows).sort_values(["checks_passed", "distance"], ascending=[False, True])


def choose(refined: pd.DataFrame, accepted: pd.DataFrame) -> pd.Series | None:
    """The default: among the points that pass every check when re-checked, the one nearest
    the accepted points' median (each parameter scaled by its prior range): a typical accepted
    point, not the luckiest one. None when no point passes everything."""
    ok = refined[refined["checks_passed"] == refined["checks"]]
    if ok.empty:
        return None
    centre = accepted[list(PRIORS)].median()
    scale = pd.Series({k: hi - lo for k, (lo, hi) in PRIORS.items()})
    gap = (((ok[list(PRIORS)] - centre) / scale) ** 2).sum(axis=1)
    return ok.loc[gap.idxmin()]


def posterior_ranges(accepted: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for path, (lo, hi) in PRIORS.items():
        v = accepted[path]
        rows.append({"parameter": path, "prior_low": lo, "prior_high": hi,
                     "accepted_min": v.min(), "accepted_q10": v.quantile(0.1),
                     "accepted_median": v.median(), "accepted_q90": v.quantile(0.9),
                     "accepted_max": v.max()})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
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
    scenario = load_scenario(args.scenario)
    out = Path(args.out)
    results = calibrate(scenario, args.points, args.reps, args.seed, out, args.workers, args.resume)
    results.to_csv(out / "points.csv", index=False)
    accepted, note = accept(results, args.min_accept)
    ranges = posterior_ranges(accepted)
    ranges.to_csv(out / "accepted_ranges.csv", index=False)
    met = results[[c for c in results if c.startswith("pattern_")]].mean()
    print(note)
    print("share of points meeting each pattern:", met.round(2).to_dict())
    print(ranges.round(4).to_string(index=False))
    if args.refine_reps:
        refined = refine(scenario, accepted, args.refine_reps, args.seed + 1)
        refined.to_csv(out / "refined.csv", index=False)
        print(f"accepted points re-checked with {args.refine_reps} replications (seed {args.seed + 1}):")
        print(refined.round(4).to_string(index=False))
        best = choose(refined, accepted)
        if best is None:
            print("no accepted point passes every check when re-checked; keep the current defaults")
        else:
            print(f"chosen point (index {int(best['index'])}), for the scenario's [behaviour] table:")
            for k in PRIORS:
                print(f"  {k.split('.', 1)[1]} = {best[k]:.3g}")
    return 0
