"""Running the model: one run, replications, and the `coopsim run` command.

`evaluate(scenario, seed, reps)` is the pure function every analysis calls (sensitivity,
comparison, calibration, discovery): same scenario and seed, same numbers, in any process.
Replication i uses `replication_seed(seed, i)` in every scenario, so comparisons are
paired (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.errors import UserError
from coopsim.model import CoopModel
from coopsim.outcomes import OUTPUTS, summarize
from coopsim.scenario import Scenario, load_scenario


def replication_seed(seed: int, replication: int) -> int:
    return int(np.random.SeedSequence([seed, replication]).generate_state(1)[0])


def simulate(scenario: Scenario, seed: int, agents: bool = False) -> CoopModel:
    """One run to the horizon."""
    return CoopModel(scenario, seed=seed, agents=agents).run()


def evaluate(scenario: Scenario, seed: int, reps: int = 1, overrides: dict | None = None) -> dict[str, float]:
    """Mean of each output (`coopsim.outcomes.OUTPUTS`) over `reps` replications."""
    if overrides:
        scenario = scenario.override(overrides)
    runs = [summarize(simulate(scenario, replication_seed(seed, i))) for i in range(reps)]
    return {k: float(np.nanmean([r[k] for r in runs])) if reps > 1 else runs[0][k] for k in OUTPUTS}


def replicate(scenario: Scenario, seed: int, reps: int, progress: bool = True,
              label: str = "") -> dict[str, pd.DataFrame]:
    """Run `reps` replications; tables stacked with a `replication` column."""
    from tqdm import tqdm

    frames: dict[str, list[pd.DataFrame]] = {"timeseries": [], "ledger": [], "regions": [], "summary": []}
    for i in tqdm(range(reps), desc=label or scenario.name, unit="rep", disable=not progress,
                  leave=False):
        model = simulate(scenario, replication_seed(seed, i))
        for name, frame in (("timeseries", model.timeseries()), ("ledger", model.ledger()),
                            ("regions", model.region_table()),
                            ("summary", pd.DataFrame([summarize(model)]))):
            frame.insert(0, "replication", i)
            frames[name].append(frame)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}


def write_tables(tables: dict[str, pd.DataFrame], folder, csv: bool = False) -> None:
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        if csv:
            frame.to_csv(folder / f"{name}.csv", index=False)


# --- `coopsim run` -------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("scenario", help="scenario file, e.g. scenarios/baseline.toml")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--reps", type=int, default=10, help="replications (default 10)")
    parser.add_argument("--years", type=int, default=None, help="override simulation.years")
    parser.add_argument("--out", default=None, help="results folder (default results/<scenario>)")
    parser.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args) -> int:
    from pathlib import Path

    from coopsim.figures import run_figures
    from coopsim.manifest import prepare_output, write_manifest

    if args.reps < 1:
        raise UserError(f"--reps must be at least 1 (got {args.reps}).")
    scenario = load_scenario(args.scenario)
    if args.years is not None:
        scenario = scenario.override({"simulation.years": args.years}, origin="--years")
    out = prepare_output(args.out or Path("results") / scenario.name, force=args.force)
    tables = replicate(scenario, args.seed, args.reps, progress=not args.no_progress)
    write_tables(tables, out, csv=args.csv)
    figures = run_figures(tables, scenario, out)
    write_manifest(out, "run", scenario=scenario.model_dump(), scenario_file=args.scenario,
                   seed=args.seed, reps=args.reps,
                   replication_seeds=[replication_seed(args.seed, i) for i in range(args.reps)],
                   outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"],
                   repeat=f"coopsim run {args.scenario} --seed {args.seed} --reps {args.reps}"
                          + (f" --years {args.years}" if args.years else "") + f" --out {out} --force")
    summary = tables["summary"].drop(columns="replication").agg(["mean", "std"]).T
    print(f"{scenario.name}: {args.reps} replications, seed {args.seed} -> {out}/")
    for key in ("signed", "active_end", "share_failed", "mean_active_lifetime", "survival_5y", "benefits"):
        print(f"  {key:<22} {summary.loc[key, 'mean']:10.3f}  (sd {summary.loc[key, 'std']:.3f})")
    print(f"  figures: {', '.join(f.name for f in figures)}")
    return 0
