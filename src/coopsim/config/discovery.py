"""Discovery files: what a researcher edits to run scenario discovery (`coopsim discover`).

A discovery file is a TOML file holding one `[discovery]` table (the experiment schema forbids
unknown keys, so the discovery settings live in their own file). It names an ordinary
experiment file, which supplies the base scenario, the inputs and their ranges, the outputs,
the seed and the replications; the case of interest is one output above (or below) a threshold.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coopsim.config.errors import UserError
from coopsim.config.experiment import Experiment, load_experiment

DEFAULT_POINTS = 10_000
MIN_POINTS = 50
EXAMPLE = ('[discovery]\nexperiment = "failure_conditions.toml"\noutput = "share_failed"\n'
           'direction = "above"\nthreshold = 0.6')



# == the discovery file =======================================================================
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrimSettings(_Strict):
    min_density: float = Field(0.8, gt=0, le=1, description="wanted share of cases of interest in a box")
    max_dims: int = Field(4, ge=1, le=50, description="at most this many restricted inputs per box")
    boxes: int = Field(2, ge=1, le=10, description="look for up to this many boxes")
    min_coverage: float = Field(0.05, ge=0, le=1, description="a further box must cover this share of the cases")
    mass_min: float = Field(0.05, gt=0, lt=0.5, description="smallest box, as a share of the runs")
    peel_alpha: float = Field(0.05, gt=0, lt=0.5, description="share of the data peeled per step")
    paste_alpha: float = Field(0.05, gt=0, lt=0.5, description="share of the data pasted per step")
    significance: float = Field(0.05, gt=0, le=1, description="restrictions with a quasi-p value above it "
                                                             "are dropped (1 keeps them all)")


class CartSettings(_Strict):
    mass_min: float = Field(0.05, gt=0, lt=0.5, description="smallest leaf, as a share of the runs")


class ScoringSettings(_Strict):
    trees: int = Field(100, ge=10, le=5000, description="extra trees per output")
    max_features: float = Field(0.6, gt=0, le=1, description="share of inputs tried at each split")


class DiscoverySpec(_Strict):
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
            raise ValueError("threshold must be a finite number")
        return self


_ALLOWED = {("discovery",): DiscoverySpec, ("discovery", "prim"): PrimSettings,
            ("discovery", "cart"): CartSettings, ("discovery", "scoring"): ScoringSettings}


def _describe(err: dict, origin: str) -> str:
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(("discovery",) + loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        model = _ALLOWED.get(("discovery",) + loc[:-1])
        allowed = ", ".join(model.model_fields) if model else "see experiments/README.md"
        return f"{origin}: unknown key '{key}'. Allowed keys here: {allowed}."
    if kind == "missing":
        return f"{origin}: key '{key}' is missing; it is required. A discovery file looks like:\n{EXAMPLE}"
    msg = err["msg"].removeprefix("Value error, ")
    shown = err.get("input")
    got = f" (got {shown!r})" if shown is not None and not isinstance(shown, dict) and len(repr(shown)) < 80 else ""
    return f"{origin}: key '{key}': {msg}{got}."


@dataclass
class DiscoverySettings:
    """A validated discovery file and the experiment it names."""
    spec: DiscoverySpec
    path: Path
    text: str
    experiment: Experiment
    policy: Any                       # coopsim.config.experiment.Policy

    @property
    def case_words(self) -> str:
        s = self.spec
        return s.label or f"{s.output} {s.direction} {_num(s.threshold)}"

    def is_case(self, values: np.ndarray) -> np.ndarray:
        return values > self.spec.threshold if self.spec.direction == "above" else values < self.spec.threshold


def parse_discovery(data: dict, origin: str) -> DiscoverySpec:
    if not isinstance(data, dict) or "discovery" not in data:
        if isinstance(data, dict) and ({"inputs", "method", "outputs"} & set(data)):
            raise UserError(f"{origin}: this is an experiment file. Scenario discovery reads a discovery file: "
                            f"a TOML file with one [discovery] table that names the experiment and the case of "
                            f"interest, e.g.\n{EXAMPLE}\n(see experiments/failure_discovery.toml).")
        raise UserError(f"{origin}: no [discovery] table. A discovery file looks like:\n{EXAMPLE}")
    extra = sorted(set(data) - {"discovery"})
    if extra:
        raise UserError(f"{origin}: unknown top-level key(s) {', '.join(extra)}. A discovery file holds only a "
                        f"[discovery] table; inputs, outputs and the scenario belong in the experiment file it "
                        f"names (discovery.experiment).")
    if not isinstance(data["discovery"], dict):
        raise UserError(f"{origin}: 'discovery' must be a table ([discovery]).")
    try:
        return DiscoverySpec.model_validate(data["discovery"])
    except ValidationError as exc:
        errors = exc.errors()
        more = f" ({len(errors) - 1} more problem(s) after this one.)" if len(errors) > 1 else ""
        raise UserError(_describe(errors[0], origin) + more) from None


def load_discovery(path: str | Path, points: int | None = None) -> DiscoverySettings:
    """Read and check a discovery file and the experiment it names (`points` overrides the file)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such discovery file (e.g. experiments/failure_discovery.toml).")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}). Check quotes, brackets and '=' signs on that line.") from None
    spec = parse_discovery(data, str(path))
    if points is not None:
        if points < MIN_POINTS:
            raise UserError(f"--points must be at least {MIN_POINTS} (got {points}); PRIM and CART need enough "
                            f"runs to find boxes.")
        spec = spec.model_copy(update={"points": int(points)})
    exp_path = path.parent / spec.experiment
    if not exp_path.exists():
        raise UserError(f"{path}: key 'discovery.experiment' names '{spec.experiment}', which does not exist "
                        f"relative to the discovery file (looked for {exp_path}).")
    exp = load_experiment(exp_path)
    allowed = list(exp.spec.outputs)
    if spec.output not in allowed:
        raise UserError(f"{path}: key 'discovery.output': '{spec.output}' is not an output of {exp_path}; "
                        f"choose one of {', '.join(allowed)} (or add it to the experiment's outputs).")
    names = [p.name for p in exp.policies]
    if spec.policy is None:
        if len(names) > 1:
            raise UserError(f"{path}: the experiment has several policies ({', '.join(names)}); say which one to "
                            f"explore with discovery.policy = \"...\".")
        policy = exp.policies[0]
    elif spec.policy not in names:
        raise UserError(f"{path}: key 'discovery.policy': '{spec.policy}' is not a policy of {exp_path}; "
                        f"choose one of {', '.join(names)}.")
    else:
        policy = exp.policies[names.index(spec.policy)]
    return DiscoverySettings(spec=spec, path=path, text=text, experiment=exp, policy=policy)



def _num(v: float) -> str:
    v = float(v)
    if v != 0 and (abs(v) >= 1000 or abs(v) < 0.01):
        return f"{v:.3g}"
    return f"{v:.3f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:.1f}".rstrip("0").rstrip(".")
