"""`coopsim validate`: trace the validated scenario and the scenarios derived from it, check the
patterns together, write the results folder (issue 3; docs/TRACE.md, section 6), in two
sections: the fit to the targets calibration used, and the fit to the evidence held out from it
(`src/coopsim/data/evidence_split.toml`, issue #13).

What the patterns are and how each is measured: `coopsim.analysis.validation`. The traced
runs: `coopsim.run.tracing`. The figure and the tables: `coopsim.reporting.validation`.

    coopsim validate [scenarios/baseline.toml] --reps 30 --seed 1 --out results/validation
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coopsim.analysis.validation import (Check, Evidence, PatternRuns, case_scenario, check_patterns, check_split,
                                         crisis_scenarios, pattern_summary, runs_needed, section_summary,
                                         with_parts)
from coopsim.config.errors import UserError
from coopsim.config.evidence import EvidenceSplit, load_split
from coopsim.config.scenario import Scenario, load_scenario
from coopsim.model.population import indonesia_regions, known_partnerships
from coopsim.reporting.folders import folder_name, staged_output
from coopsim.reporting.manifest import write_manifest
from coopsim.reporting.validation import figure, validation_markdown
from coopsim.run.executor import check_budget
from coopsim.run.runner import simulate
from coopsim.run.seeds import replication_seed
from coopsim.run.tracing import traces

__all__ = ["DEFAULT_SCENARIO", "MIN_YEARS", "MAX_REPS", "Validation", "evidence_split", "evidence_for", "trace_for",
           "run_all", "run_checks", "run_validation"]

DEFAULT_SCENARIO = "scenarios/baseline.toml"
MIN_YEARS = 8   # a mature period and a crisis need a run this long
#: Most replications without --no-limits: the traces of every run (four scenarios, ~2 MB a run
#: for the Indonesian baseline) stay in memory together.
MAX_REPS = 200
OUTPUTS = ("validation.csv", "validation.md", "validation.png", "validation.pdf", "manifest.json")


def evidence_split(path: str | Path | None = None) -> EvidenceSplit:
    """The declared evidence split, checked against the checks the validation computes.

    Args:
        path: the split file (default: the shipped `src/coopsim/data/evidence_split.toml`).

    Returns:
        The `EvidenceSplit`.
    """
    split = load_split(path)
    check_split(split, regions=indonesia_regions()["name"])
    return split


def evidence_for(scenario: Scenario, split: EvidenceSplit) -> Evidence:
    """The data patterns 7 and 8 read.

    Args:
        scenario: the validated scenario (its levels).
        split: the evidence split (its dated counts).

    Returns:
        The known partnerships and the split's dated counts, at the scenario's levels.
    """
    return Evidence(known_partnerships(), split.counts, tuple(scenario.simulation.levels))


def trace_for(scenario: Scenario, seed: int, reps: int, needed: set[str],
              evidence: Evidence | None = None) -> PatternRuns:
    """Trace what `needed` names ("base", "crisis", "cases"; `runs_needed`) and nothing else.

    Args:
        scenario: the validated scenario (population 'indonesia').
        seed: master seed; every scenario runs with the same replication seeds.
        reps: replications per scenario.
        needed: which runs to trace.
        evidence: the data, when a measure reads it.

    Returns:
        The `PatternRuns` (runs not needed stay empty).
    """
    if scenario.simulation.population != "indonesia":
        raise UserError(f"simulation.population is '{scenario.simulation.population}': the patterns "
                        f"are Indonesian (pattern 3 places its cases in DI Yogyakarta); validate a "
                        f"scenario with population = 'indonesia'.")
    base = traces(scenario, seed, reps)
    runs = PatternRuns(scenario, base, evidence=evidence)
    if "crisis" in needed:
        control, runs.crisis_scenario = crisis_scenarios(scenario)
        runs.control = base if scenario.shock.crisis_year is None else traces(control, seed, reps)
        runs.crisis = traces(runs.crisis_scenario, seed, reps)
    if "cases" in needed:
        runs.cases = traces(case_scenario(scenario), seed, reps)
    return runs


def run_all(scenario: Scenario, seed: int = 1, reps: int = 30,
            split: EvidenceSplit | None = None) -> tuple[list[Check], PatternRuns]:
    """Trace `scenario` and the scenarios derived from it (crisis, Yogyakarta cases); check every
    pattern, each check marked with its part of the evidence split.

    Args:
        scenario: the scenario to validate (population 'indonesia').
        seed: master seed; every scenario runs with the same replication seeds.
        reps: replications per scenario.
        split: the evidence split (default: the shipped one).

    Returns:
        (every check, the traced runs behind them).
    """
    split = split if split is not None else evidence_split()
    runs = trace_for(scenario, seed, reps, runs_needed(None), evidence_for(scenario, split))
    return with_parts(check_patterns(runs), split), runs


def run_checks(scenario: Scenario, seed: int = 1, reps: int = 30, keys=None,
               split: EvidenceSplit | None = None) -> list[Check]:
    """The checks of `keys` on `scenario` (all when None), tracing only the runs they need and
    reading the data only when they need it; see `run_all`.

    Args:
        scenario: the scenario.
        seed: master seed.
        reps: replications per scenario.
        keys: check keys (e.g. the split's calibration targets).
        split: the evidence split (default: the shipped one).

    Returns:
        The checks, marked with their part of the split.
    """
    if keys is None:
        return run_all(scenario, seed, reps, split)[0]
    split = split if split is not None else evidence_split()
    needed = runs_needed(keys, split.counts)
    evidence = evidence_for(scenario, split) if "evidence" in needed else None
    return with_parts(check_patterns(trace_for(scenario, seed, reps, needed, evidence), keys), split)


@dataclass
class Validation:
    """What `run_validation` wrote: the folder, one row per check, pattern -> passed (patterns
    with a measurable check), and per part of the split its counts (`section_summary`)."""
    scenario: Scenario
    out: Path
    table: pd.DataFrame
    summary: pd.Series
    sections: pd.DataFrame

    @property
    def passed(self) -> bool:
        """Every measurable check of both parts passes."""
        t = self.table
        return bool((t["passed"] | ~t["measurable"]).all())


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
    split = evidence_split()
    with staged_output(out or Path("results") / folder_name(f"validation_{scenario.name}"), force=force) as staged:
        folder = staged.stage
        checks, runs = run_all(scenario, seed=seed, reps=reps, split=split)
        table = pd.DataFrame([c.row() for c in checks])
        figure(runs, folder / "validation.png")
        summary, sections = pattern_summary(table), section_summary(table)
        table.to_csv(folder / "validation.csv", index=False)
        (folder / "validation.md").write_text(validation_markdown(table, sections, scenario.name, scenario_file,
                                                                  reps, seed))
        write_manifest(folder, "validate", scenario=scenario.model_dump(), scenario_file=scenario_file,
                       seed=seed, reps=reps,
                       replication_seeds=[replication_seed(seed, i) for i in range(reps)],
                       patterns_passed={int(k): bool(v) for k, v in summary.items()}, outputs=list(OUTPUTS),
                       evidence_split={"file": str(split.path), "calibration": list(split.calibration),
                                       "held_out": list(split.held_out)},
                       repeat=f"coopsim validate {scenario_file} --reps {reps} --seed {seed} --out {staged.final} "
                              f"--force")
    return Validation(scenario, staged.final, table, summary, sections)
