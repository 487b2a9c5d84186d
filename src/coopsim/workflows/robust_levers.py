"""The uncertain part of `coopsim compare --uncertain N` (`coopsim.workflows.compare` runs it):
what is drawn, from which files, the draws, their runs' target, and the files they add.

What is uncertain:
- the behavioural rates: the ABC posterior of a calibration (`--posterior DIR`; by default the
  shipped `experiments/posterior`, the one the baseline's rates come from), else uniform draws in the priors of
  `experiments/calibration.toml` (the summary says which);
- the obstacles' levels: every `regions.*` input of `experiments/obstacles_sobol.toml`, drawn
  uniformly in its range.

The draws are a Latin hypercube decided by the master seed
(`coopsim.analysis.robust_levers.draw_inputs`); replication r of draw d is replication
d * reps + r of every scenario (`coopsim.run.uncertain.DrawTarget`), so a draw's base and levers
share their seeds. A lever scenario that sets a drawn parameter itself keeps its own value.

The folder gains draws.csv (the drawn values), robust_effects.csv (each lever's effect in each
draw, with the draw's seeds), robust_levers.csv (help share, median effect, regret per lever)
and a manifest entry `uncertain` (the draws, their seeds, where the values came from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopsim.analysis.robust_levers import (INTERVAL, REGRET_QUANTILE, RobustFindings, UncertainInputs,
                                            draw_inputs, robust_findings)
from coopsim.config.calibration import POSTERIOR_FILE, load_calibration, load_posterior
from coopsim.config.errors import Text, UserError
from coopsim.config.experiment import dotted_value, load_experiment, shipped_scenarios
from coopsim.config.scenario import Scenario
from coopsim.run.seeds import replication_seed
from coopsim.run.uncertain import DrawTarget

__all__ = ["UncertainPlan", "uncertain_inputs", "plan_uncertain", "draw_target", "write_robust", "robust_manifest",
           "uncertain_words", "load_robust", "POSTERIOR_DIR", "PRIORS_FILE", "OBSTACLES_FILE", "ROBUST_FILES"]

#: Where a calibration writes its posterior by default (experiments/calibrate.py --out).
POSTERIOR_DIR = Path("results") / "calibration"
#: The calibration file whose priors stand in for a missing posterior.
PRIORS_FILE = "calibration.toml"
#: The experiment file whose `regions.*` ranges are drawn.
OBSTACLES_FILE = "obstacles_sobol.toml"
#: The files `--uncertain` adds to a compare folder.
ROBUST_FILES = ("draws.csv", "robust_effects.csv", "robust_levers.csv")


@dataclass
class UncertainPlan:
    """The draws of a comparison under uncertainty.

    Attributes:
        n: draws; reps: replications per draw.
        draws: the drawn values (`coopsim.analysis.robust_levers.draw_inputs`).
        source: where they come from (kind 'posterior' or 'priors', path, particles, obstacles
            file, the --posterior option as given).
        ranges: the ranges drawn uniformly (dotted path -> [low, high]).
        kept: per lever label, the drawn paths it sets itself (kept at its own value).
    """
    n: int
    reps: int
    draws: pd.DataFrame
    source: dict
    ranges: dict[str, list[float]]
    kept: dict[str, list[str]] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """The drawn dotted paths."""
        return [c for c in self.draws.columns if c not in ("draw", "particle")]

    def words(self) -> dict:
        """What the summary says about the draws (`coopsim.reporting.decision.Setting.uncertain`)."""
        return {"draws": self.n, "reps": self.reps, "source": self.source, "inputs": self.paths, "kept": self.kept}


def _experiment_file(name: str) -> Path:
    """experiments/NAME from the working folder, else from the source checkout coopsim runs from."""
    shipped = shipped_scenarios()
    folders = [Path("experiments")] + ([shipped.parent / "experiments"] if shipped else [])
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise UserError(Text("compare.uncertain_missing", name=name, folders=", ".join(str(f) for f in folders)))


def _behaviour(posterior: str | Path | None, priors: Path) -> tuple[UncertainInputs, dict]:
    """The behavioural rates: the posterior asked for, else the shipped one beside the priors
    (experiments/posterior: the one the baseline's rates come from), else the priors. Your own
    calibration (`POSTERIOR_DIR`) is read only when asked for: a folder left by an earlier model
    must not change the draws silently."""
    folder = Path(posterior) if posterior is not None else priors.parent / "posterior"
    if posterior is not None or (folder / POSTERIOR_FILE).is_file():
        found = load_posterior(folder)
        return (UncertainInputs({}, found.values, found.weights),
                {"kind": "posterior", "path": str(folder), "particles": len(found.values)})
    spec = load_calibration(priors)
    return (UncertainInputs({k: tuple(v) for k, v in spec.priors.items()}),
            {"kind": "priors", "path": str(priors), "looked_for": str(folder)})


def uncertain_inputs(posterior: str | Path | None = None, priors: str | Path | None = None,
                     obstacles: str | Path | None = None) -> tuple[UncertainInputs, dict]:
    """What is uncertain, read from the files.

    Args:
        posterior: a calibration's results folder (or its posterior.csv), e.g. `POSTERIOR_DIR`;
            None: the shipped experiments/posterior beside the priors, else the priors.
        priors: the calibration file (default experiments/calibration.toml).
        obstacles: the experiment file whose `regions.*` ranges are drawn (default
            experiments/obstacles_sobol.toml).

    Returns:
        The inputs and their source (kind, path, particles or the folder looked in, the
        obstacles file, the option as given).

    Raises:
        UserError: a file is missing or broken (a --posterior folder without a posterior).
    """
    behaviour, source = _behaviour(posterior, Path(priors) if priors else _experiment_file(PRIORS_FILE))
    obstacles = Path(obstacles) if obstacles else _experiment_file(OBSTACLES_FILE)
    ranges = dict(behaviour.ranges)
    ranges |= {i.path: tuple(i.support()) for i in load_experiment(obstacles).inputs if i.path.startswith("regions.")}
    source |= {"obstacles": str(obstacles), "option": None if posterior is None else str(posterior)}
    return UncertainInputs(ranges, behaviour.posterior, behaviour.weights), source


def _kept(scenarios: list[Scenario], labels: list[str], paths: list[str]) -> dict[str, list[str]]:
    """Per lever, the drawn paths it sets to a value other than the base's."""
    base = scenarios[0].model_dump()
    out = {}
    for label, scenario in zip(labels[1:], scenarios[1:]):
        data = scenario.model_dump()
        out[label] = [p for p in paths if dotted_value(data, p) != dotted_value(base, p)]
    return {k: v for k, v in out.items() if v}


def plan_uncertain(n: int, reps: int, seed: int, scenarios: list[Scenario], labels: list[str],
                   posterior: str | Path | None = None) -> UncertainPlan:
    """Read what is uncertain and draw it.

    Args:
        n: draws (at least 2); reps: replications per draw (at least 1).
        seed: the master seed (decides the draws).
        scenarios, labels: the compared scenarios, the base first.
        posterior: as for `uncertain_inputs`.

    Returns:
        The `UncertainPlan`.

    Raises:
        UserError: too few draws or replications, a missing or broken file.
    """
    if n < 2 or reps < 1:
        raise UserError(Text("compare.uncertain_too_few", n=n, reps=reps))
    inputs, source = uncertain_inputs(posterior)
    draws = draw_inputs(inputs, n, seed)
    ranges = {k: [float(lo), float(hi)] for k, (lo, hi) in inputs.ranges.items()}
    return UncertainPlan(n, reps, draws, source, ranges, _kept(scenarios, labels, inputs.paths))


def draw_target(plan: UncertainPlan, scenarios: list[Scenario], labels: list[str],
                regions: list[int | None]) -> DrawTarget:
    """The executor target that runs every scenario in every draw.

    Args:
        plan: the draws; scenarios, labels: the scenarios, the base first; regions: per
            scenario, the focus region's index or None.

    Returns:
        The `DrawTarget`.
    """
    values = plan.draws[plan.paths].to_dict("records")
    return DrawTarget(scenarios, regions, values, plan.reps, [plan.kept.get(label, []) for label in labels])


def write_robust(out: Path, robust: RobustFindings) -> None:
    """draws.csv, robust_effects.csv and robust_levers.csv into the results folder.

    Args:
        out: the (staging) results folder; robust: what the draws found.
    """
    robust.draws.to_csv(out / "draws.csv", index=False)
    robust.effects.to_csv(out / "robust_effects.csv", index=False)
    robust.table.to_csv(out / "robust_levers.csv", index=False)


def robust_manifest(plan: UncertainPlan, seed: int) -> dict:
    """The manifest's `uncertain` entry: the draws, their seeds and where the values came from.

    Args:
        plan: the draws; seed: the master seed.

    Returns:
        The entry (JSON-ready).
    """
    seeds = [[replication_seed(seed, d * plan.reps + r) for r in range(plan.reps)] for d in range(plan.n)]
    return {"draws": plan.n, "reps_per_draw": plan.reps, "source": plan.source, "inputs": plan.paths,
            "ranges": plan.ranges, "kept": plan.kept,
            "design": "Latin hypercube (scipy.stats.qmc), seeded from the master seed",
            "interval_percentiles": list(INTERVAL), "regret_percentile": REGRET_QUANTILE,
            "draw_seeds": seeds, "draw_values": plan.draws.to_dict("records")}


def uncertain_words(entry: dict) -> dict:
    """What the summary says about the draws (`coopsim.reporting.decision.Setting.uncertain`),
    from a manifest's `uncertain` entry.

    Args:
        entry: `robust_manifest`.

    Returns:
        draws, reps (per draw), source, inputs (the drawn paths), kept.
    """
    return {"draws": int(entry["draws"]), "reps": int(entry["reps_per_draw"]), "source": entry["source"],
            "inputs": list(entry["inputs"]), "kept": dict(entry.get("kept") or {})}


def load_robust(folder: Path, entry: dict, outcomes: pd.DataFrame, labels: list[str], keys: list[str],
                rank_by: str) -> RobustFindings:
    """The robust findings of a compare folder, computed again from its tables.

    Args:
        folder: the folder; entry: its manifest's `uncertain` entry.
        outcomes: its outcomes.csv; labels: scenario labels, the base first; keys: the compared
            outcomes; rank_by: the ranked outcome.

    Returns:
        The `RobustFindings` (the same numbers as when the folder was written).

    Raises:
        UserError: draws.csv is missing or damaged.
    """
    try:
        draws = pd.read_csv(folder / "draws.csv")
    except (OSError, ValueError) as exc:
        raise UserError(Text("compare.draws_missing", folder=str(folder), why=str(exc))) from None
    return robust_findings(outcomes, labels, keys, rank_by, int(entry["reps_per_draw"]), draws, entry.get("kept"))
