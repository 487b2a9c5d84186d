"""Discovery files: what a researcher edits to run scenario discovery (`coopsim discover`).

A discovery file is a TOML file holding one `[discovery]` table (the experiment schema forbids
unknown keys, so the discovery settings live in their own file). It names an ordinary
experiment file, which supplies the base scenario, the inputs and their ranges, the outputs,
the seed and the replications; the case of interest is one output above (or below) a threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from coopsim.config.errors import Text, UserError
from coopsim.config.vocabulary import short_number
from coopsim.config.experiment import Experiment, Policy, load_experiment
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.toml import excerpt, exists, read_toml

__all__ = [
    "DEFAULT_POINTS", "EXAMPLE", "MIN_POINTS", "CartSettings", "DiscoverySettings", "DiscoverySpec",
    "PrimSettings", "ScoringSettings", "load_discovery", "parse_discovery",
]

DEFAULT_POINTS = 10_000
MIN_POINTS = 50
EXAMPLE = ('[discovery]\nexperiment = "failure_conditions.toml"\noutput = "share_failed"\n'
           'direction = "above"\nthreshold = 0.6')
_LOOKS_LIKE = Text("discovery.looks_like", example=EXAMPLE)


# == the discovery file =======================================================================
class PrimSettings(Strict):
    """The [discovery.prim] table: when PRIM stops peeling and which boxes it keeps."""
    min_density: float = Field(0.8, gt=0, le=1, description="wanted share of cases of interest in a box")
    max_dims: int = Field(4, ge=1, le=50, description="at most this many restricted inputs per box")
    boxes: int = Field(2, ge=1, le=10, description="look for up to this many boxes")
    min_coverage: float = Field(0.05, ge=0, le=1, description="a further box must cover this share of the cases")
    mass_min: float = Field(0.05, gt=0, lt=0.5, description="smallest box, as a share of the runs")
    peel_alpha: float = Field(0.05, gt=0, lt=0.5, description="share of the data peeled per step")
    paste_alpha: float = Field(0.05, gt=0, lt=0.5, description="share of the data pasted per step")
    significance: float = Field(0.05, gt=0, le=1, description="restrictions with a quasi-p value above it "
                                                             "are dropped (1 keeps them all)")


class CartSettings(Strict):
    """The [discovery.cart] table: the smallest leaf of the classification tree."""
    mass_min: float = Field(0.05, gt=0, lt=0.5, description="smallest leaf, as a share of the runs")


class ScoringSettings(Strict):
    """The [discovery.scoring] table: the extra-trees feature scoring."""
    trees: int = Field(100, ge=10, le=5000, description="extra trees per output")
    max_features: float = Field(0.6, gt=0, le=1, description="share of inputs tried at each split")


class DiscoverySpec(Strict):
    """The [discovery] table: the experiment, the case of interest and the methods' settings."""
    experiment: str = Field(description="experiment file (inputs, outputs, scenario, seed), relative to this file")
    output: str = Field(min_length=1, description="output defining the case of interest")
    threshold: float = Field(description="the case of interest is the output above (or below) this")
    direction: Literal["above", "below"] = "above"
    label: str | None = Field(None, description="words for the case of interest (summary, figures)")
    points: int = Field(DEFAULT_POINTS, ge=MIN_POINTS, le=10_000_000, description="Latin hypercube size")
    policy: str | None = Field(None, description="which of the experiment's policies to run (if it has several)")
    prim: PrimSettings = PrimSettings()
    cart: CartSettings = CartSettings()
    scoring: ScoringSettings = ScoringSettings()

    @model_validator(mode="after")
    def _check(self):
        if not math.isfinite(self.threshold):
            raise ValueError(Text("discovery.threshold_finite"))
        return self


_SCHEMA = FileSchema(DiscoverySpec, doc="experiments/README.md", prefix="discovery", example=_LOOKS_LIKE)


@dataclass
class DiscoverySettings:
    """A validated discovery file and the experiment it names."""
    spec: DiscoverySpec
    path: Path
    text: str
    experiment: Experiment
    policy: Policy

    @property
    def case_words(self) -> str:
        """The case of interest in words: the file's label, or e.g. 'share_failed above 0.6'."""
        s = self.spec
        return s.label or f"{s.output} {s.direction} {short_number(s.threshold)}"

    def is_case(self, values: np.ndarray) -> np.ndarray:
        """Which output values are cases of interest (strictly above or below the threshold)."""
        return values > self.spec.threshold if self.spec.direction == "above" else values < self.spec.threshold


def parse_discovery(data: dict, origin: str) -> DiscoverySpec:
    """Validate a discovery file's tables.

    Args:
        data: the parsed TOML; it must hold a [discovery] table and nothing else.
        origin: the file, starting any error message.

    Returns:
        The validated [discovery] table.

    Raises:
        UserError: naming the file, the key and what is allowed (an experiment file given by
            mistake is recognised and said so).
    """
    if not isinstance(data, dict) or "discovery" not in data:
        if isinstance(data, dict) and ({"inputs", "method", "outputs"} & set(data)):
            raise UserError(Text("discovery.experiment_file", origin=origin, example=EXAMPLE))
        raise UserError(Text("discovery.no_table", origin=origin, looks_like=_LOOKS_LIKE))
    extra = sorted(set(data) - {"discovery"})
    if extra:
        raise UserError(Text("discovery.extra_keys", origin=origin, keys=excerpt(", ".join(extra))))
    if not isinstance(data["discovery"], dict):
        raise UserError(Text("discovery.not_table", origin=origin))
    return _SCHEMA.validate(data["discovery"], origin)


def _with_points(spec: DiscoverySpec, points: int | None) -> DiscoverySpec:
    """The spec with the --points option, when given, in place of the file's `points`."""
    if points is None:
        return spec
    if points < MIN_POINTS:
        raise UserError(Text("discovery.points", minimum=MIN_POINTS, points=points))
    return spec.model_copy(update={"points": int(points)})


def _chosen_policy(spec: DiscoverySpec, exp: Experiment, path: Path) -> Policy:
    """The experiment's policy to explore: the one named, or its only one."""
    names = [p.name for p in exp.policies]
    if spec.policy is None and len(names) > 1:
        raise UserError(Text("discovery.which_policy", path=str(path), names=", ".join(names)))
    try:
        return exp.policy(spec.policy)
    except UserError as err:
        raise UserError(Text("error.at_key", origin=str(path), key="discovery.policy", problem=err.message)) from None


def load_discovery(path: str | Path, points: int | None = None) -> DiscoverySettings:
    """Read and check a discovery file and the experiment it names.

    Args:
        path: the discovery file (its `experiment` is relative to it).
        points: the Latin hypercube size, overriding the file's (None keeps the file's).

    Returns:
        The settings, with the loaded experiment and the policy to explore.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    text, data = read_toml(path, "discovery", "An example: experiments/failure_discovery.toml.")
    spec = _with_points(parse_discovery(data, str(path)), points)
    exp_path = path.parent / spec.experiment
    if not exists(exp_path):
        raise UserError(Text("discovery.no_experiment", path=str(path), name=excerpt(spec.experiment),
                             looked=excerpt(str(exp_path), 200)))
    exp = load_experiment(exp_path)
    allowed = list(exp.spec.outputs)
    if spec.output not in allowed:
        raise UserError(Text("error.at_key", origin=str(path), key="discovery.output", problem=Text(
            "discovery.not_an_output", output=excerpt(spec.output), experiment=str(exp_path), allowed=", ".join(allowed))))
    policy = _chosen_policy(spec, exp, path)
    return DiscoverySettings(spec=spec, path=path, text=text, experiment=exp, policy=policy)
