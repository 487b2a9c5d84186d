"""Calibration files: the priors and settings of an ABC-SMC calibration
(`experiments/calibration.toml`, read by `experiments/calibrate.py`), and the posterior it
writes (`posterior.csv`), read back by later experiments.

A calibration file:

    name = "behaviour"
    scenario = "../scenarios/baseline.toml"      # relative to this file
    split = ""                                   # evidence split; empty: the shipped one
    [abc]                                        # the full run
    population = 200    generations = 8    reps = 3    seed = 7    min_epsilon = 0.0
    [quick]                                      # --quick: a smoke run of the same method
    population = 12     generations = 2    reps = 2
    [[parameters]]                               # one uniform prior per calibrated parameter
    path = "behaviour.follow_up"    low = 0.15    high = 0.60    why = "..."
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from coopsim.config.errors import Joined, Text, UserError
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.scenario import Scenario, load_scenario
from coopsim.config.toml import excerpt, read_toml

__all__ = ["PriorSpec", "AbcSettings", "QuickSettings", "CalibrationFile", "CalibrationSpec", "Posterior",
           "load_calibration", "load_posterior", "POSTERIOR_FILE"]

#: The posterior's file in a calibration's results folder.
POSTERIOR_FILE = "posterior.csv"


class PriorSpec(Strict):
    """A uniform prior on one scenario parameter."""
    path: str = Field(min_length=1, description="dotted scenario parameter, e.g. behaviour.follow_up")
    low: float = Field(description="lower bound of the uniform prior")
    high: float = Field(description="upper bound of the uniform prior")
    why: str = Field("", description="why these bounds (the parameter's meaning, what is plausible)")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(Text("calibration.low_high", low=self.low, high=self.high))
        return self


class AbcSettings(Strict):
    """How ABC-SMC runs."""
    population: int = Field(200, ge=4, le=100_000, description="particles per generation")
    generations: int = Field(8, ge=1, le=100, description="at most this many generations")
    reps: int = Field(3, ge=1, le=100, description="model replications averaged per particle")
    seed: int = Field(7, ge=1, description="decides the proposals and every run seed")
    min_epsilon: float = Field(0.0, ge=0, description="stop once the tolerance is at or below this")
    min_acceptance_rate: float = Field(0.005, ge=0, le=1, description="stop when fewer proposals are accepted")
    max_simulations: int = Field(200_000, ge=1, description="stop after this many particle evaluations")


class QuickSettings(Strict):
    """What --quick changes: a smoke run of the same method (not a calibration to report)."""
    population: int = Field(12, ge=4, le=1000)
    generations: int = Field(2, ge=1, le=10)
    reps: int = Field(2, ge=1, le=10)


class CalibrationFile(Strict):
    """The file's tables."""
    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(min_length=1, description="base scenario, relative to this file")
    split: str = Field("", description="evidence split file, relative to this file (empty: the shipped one)")
    abc: AbcSettings = AbcSettings()
    quick: QuickSettings = QuickSettings()
    parameters: list[PriorSpec] = Field(min_length=1)


@dataclass(frozen=True)
class CalibrationSpec:
    """A checked calibration file: its settings, priors and base scenario."""
    path: Path
    text: str
    spec: CalibrationFile
    scenario: Scenario
    split_path: Path | None

    @property
    def priors(self) -> dict[str, tuple[float, float]]:
        """dotted path -> (low, high), in the file's order."""
        return {p.path: (p.low, p.high) for p in self.spec.parameters}

    def settings(self, quick: bool = False) -> AbcSettings:
        """The ABC settings, with [quick]'s population, generations and replications if `quick`."""
        if not quick:
            return self.spec.abc
        return self.spec.abc.model_copy(update=self.spec.quick.model_dump())


def _check_priors(spec: CalibrationFile, scenario: Scenario, origin: str) -> None:
    """Each prior names a decimal scenario parameter once and lies inside its range."""
    seen = set()
    data = scenario.model_dump()
    for k, prior in enumerate(spec.parameters):
        where = f"{origin}: parameters[{k}] ({excerpt(prior.path, 60)})"
        if prior.path in seen:
            raise UserError(Joined(where, ": ", Text("calibration.prior_twice")))
        seen.add(prior.path)
        node = data
        for part in prior.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, bool) or not isinstance(node, float):
            raise UserError(Joined(where, ": ", Text("calibration.not_decimal")))
        for bound in (prior.low, prior.high):
            try:
                scenario.override({prior.path: bound}, origin=Joined(where, " ", Text("experiment.bound", value=bound)))
            except UserError as err:
                raise UserError(Joined(err.message, " ", Text("calibration.prior_inside"))) from None


_SCHEMA = FileSchema(CalibrationFile, doc="experiments/README.md (section 'Calibration')")


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration file.

    Args:
        path: the file (e.g. experiments/calibration.toml).

    Returns:
        The `CalibrationSpec`, with its base scenario loaded.

    Raises:
        UserError: naming the file and the key (unknown keys, a prior outside its parameter's
            range or on a parameter that is not a decimal, a missing scenario).
    """
    path = Path(path)
    text, data = read_toml(path, "calibration file", hint="The shipped one is experiments/calibration.toml.")
    origin = excerpt(str(path), 200)
    spec = _SCHEMA.validate(data, origin)
    scenario_path = (path.parent / spec.scenario).resolve()
    scenario = load_scenario(scenario_path)
    _check_priors(spec, scenario, origin)
    split = (path.parent / spec.split).resolve() if spec.split else None
    return CalibrationSpec(path, text, spec, scenario, split)


@dataclass(frozen=True)
class Posterior:
    """A calibration's posterior: weighted particles of the calibrated parameters.

    Attributes:
        values: one row per particle, one column per calibrated parameter (dotted paths).
        weights: the particles' importance weights (sum 1).
        manifest: the calibration's manifest (priors, targets, settings, seeds), or {}.
    """
    values: pd.DataFrame
    weights: np.ndarray
    manifest: dict

    def sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """n parameter sets drawn with replacement in proportion to the weights."""
        idx = rng.choice(len(self.values), size=n, p=self.weights)
        return self.values.iloc[idx].reset_index(drop=True)


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior written by `experiments/calibrate.py`.

    Args:
        path: its results folder or its `posterior.csv`.

    Returns:
        The `Posterior` (with the folder's manifest.json when there is one).

    Raises:
        UserError: the file is missing or lacks the `weight` column or any parameter column.
    """
    path = Path(path)
    csv = path / POSTERIOR_FILE if path.is_dir() else path
    if not csv.is_file():
        raise UserError(Text("calibration.no_posterior", path=str(csv), file=POSTERIOR_FILE))
    table = pd.read_csv(csv)
    manifest_file = csv.parent / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.is_file() else {}
    columns = [c for c in table.columns if "." in c]
    if "weight" not in table or not columns:
        raise UserError(Text("calibration.posterior_columns", path=str(csv), found=", ".join(map(str, table.columns))))
    weights = table["weight"].to_numpy(float)
    return Posterior(table[columns].reset_index(drop=True), weights / weights.sum(), manifest)
