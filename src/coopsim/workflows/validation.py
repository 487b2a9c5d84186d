"""`coopsim validate`: trace the validated scenario and the scenarios derived from it, check the
six patterns together, write the results folder (issue 3; docs/TRACE.md, section 6).

What the six patterns are and how each is measured: `coopsim.analysis.validation`. The traced
runs: `coopsim.run.tracing`. The figure and the tables: `coopsim.reporting.validation`.

    coopsim validate [scenarios/baseline.toml] --reps 30 --seed 1 --out results/validation
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopsim.analysis.validation import (Check, PatternRuns, case_scenario, check_patterns, crisis_scenarios,
                                         pattern_summary)
from coopsim.config.errors import UserError
from coopsim.config.scenario import Scenario, load_scenario
from coopsim.reporting.folders import folder_name, staged_output
from coopsim.reporting.manifest import write_manifest
from coopsim.reporting.validation import figure, validation_markdown
from coopsim.run.executor import check_budget
from coopsim.run.runner import simulate
from coopsim.run.seeds import replication_seed
from coopsim.run.tracing import traces

__all__ = ["DEFAULT_SCENARIO", "MIN_YEARS", "MAX_REPS", "Validation", "run_all", "run_checks", "run_validation"]

DEFAULT_SCENARIO = "scenarios/baseline.toml"
MIN_YEARS = 8   # a mature period and a crisis need a run this long
#: Most replications without --no-limits: the traces of every run (four scenarios, ~2 MB a run
#: for the Indonesian baseline) stay in memory together.
MAX_REPS = 200
OUTPUTS = ("validation.csv", "validation.md", "validation.png", "validation.pdf", "manifest.json")


def run_all(scenario: Scenario, seed: int = 1, reps: int = 30) -> tuple[list[Check], PatternRuns]:
    """Trace `scenario` and the scenarios derived from it (crisis, Yogyakarta cases); check all
    six patterns.

    Args:
        scenario: the scenario to validate (population 'indonesia').
        seed: master seed; every scenario runs with the same replication seeds.
        reps: replications per scenario.

    Returns:
        (every check, the traced runs behind them).
    """
    if scenario.simulation.population != "indonesia":
        raise UserError(f"simulation.population is '{scenario.simulation.population}': the patterns "
                        f"are Indonesian (pattern 3 places its cases in DI Yogyakarta); validate a "
                        f"scenario with population = 'indonesia'.")
    base = traces(scenario, seed, reps)
    control, crisis_scenario = crisis_scenarios(scenario)
    control_runs = base if scenario.shock.crisis_year is None else traces(control, seed, reps)
    crisis_runs = traces(crisis_scenario, seed, reps)
    case_runs = traces(case_scenario(scenario), seed, reps)
    runs = PatternRuns(scenario, base, control_runs, crisis_runs, crisis_scenario, case_runs)
    return check_patterns(runs), runs


def run_checks(scenario: Scenario, seed: int = 1, reps: int = 30) -> list[Check]:
    """All six patterns on `scenario` (and the scenarios derived from it); see `run_all`."""
    return run_all(scenario, seed, reps)[0]


@dataclass
class Validation:
    """What `run_validation` wrote: the folder, one row per check, pattern -> passed."""
    scenario: Scenario
    out: Path
    table: pd.DataFrame
    summary: pd.Series


def run_validation(scenario_file: str, seed: int = 1, reps: int = 30, out: str | Path | None = None,
                   force: bool = False, limits: bool = True) -> Validation:
    """Validate a scenario file and write `validation.csv`, `.md`, `.png` and `manifest.json`.

    Args:
        scenario_file: the scenario to validate.
        seed: master seed.
        reps: replications per scenario (at least 2, for an interval).
        out: results folder (default results/validation_<scenario name>).
        force: write into a non-empty folder.
        limits: refuse more than `MAX_REPS` replications or an estimated time beyond the
            executor's limit.

    Returns:
        The written `Validation`. The folder is checked before any run and written whole or
        not at all (`staged_output`).
    """
    scenario = load_scenario(scenario_file)
    if scenario.simulation.years < MIN_YEARS:
        raise UserError(f"{scenario_file}: simulation.years is {scenario.simulation.years}; the "
                        f"patterns need a run of at least {MIN_YEARS} years (a mature period and a crisis).")
    if limits:
        check_budget(4 * reps, what=f"--reps {reps:,} for the validated scenario and the three derived from it",
                     fewer="Use fewer --reps (30 is usual)", max_runs=4 * MAX_REPS,
                     time_one=lambda: simulate(scenario, replication_seed(seed, 0)))
    with staged_output(out or Path("results") / folder_name(f"validation_{scenario.name}"), force=force) as staged:
        folder = staged.stage
        checks, runs = run_all(scenario, seed=seed, reps=reps)
        table = pd.DataFrame([c.row() for c in checks])
        figure(runs, folder / "validation.png")
        summary = pattern_summary(table)
        table.to_csv(folder / "validation.csv", index=False)
        (folder / "validation.md").write_text(validation_markdown(table, summary, scenario.name, scenario_file,
                                                                  reps, seed))
        write_manifest(folder, "validate", scenario=scenario.model_dump(), scenario_file=scenario_file,
                       seed=seed, reps=reps,
                       replication_seeds=[replication_seed(seed, i) for i in range(reps)],
                       patterns_passed={int(k): bool(v) for k, v in summary.items()}, outputs=list(OUTPUTS),
                       repeat=f"coopsim validate {scenario_file} --reps {reps} --seed {seed} --out {staged.final} "
                              f"--force")
    return Validation(scenario, staged.final, table, summary)
