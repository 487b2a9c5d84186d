"""Experiment files: what a researcher edits to run a global sensitivity analysis.

An experiment is a TOML file in `experiments/` (see experiments/README.md). It names a base
scenario (a path relative to the experiment file), the inputs to vary (scenario parameters by
dotted path, with bounds or a distribution and an optional group), the outputs to analyse,
the method and its settings, how stochasticity is handled, a dummy input (the noise floor),
and optionally several policies to repeat the analysis under. Bad input raises `UserError`
with one paragraph naming the file, the key and what is allowed, like scenario files do.

`target.kind = "ishigami"` replaces the model by the Ishigami function, so the whole
machinery can be checked against analytical indices (experiments/ishigami.toml).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coopsim.config.errors import UserError
from coopsim.config.vocabulary import MODEL_OUTPUTS

EXPERIMENT_DIR = Path("experiments")

ISHIGAMI_OUTPUTS = ("y",)
DISTRIBUTIONS = ("unif", "logunif", "triang", "truncnorm", "norm")
METHODS = ("sobol", "morris", "pawn", "delta")
DUMMY = "dummy"
SEED_INPUT = "random_seed"
POLICY_COLUMN = "_policy"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputSpec(_Strict):
    """One varied input: a scenario parameter (or x1..x3 for the Ishigami target)."""
    path: str = Field(description="dotted path of a scenario parameter, e.g. regions.hr_capacity")
    name: str | None = Field(None, description="short name in tables (default: last part of path)")
    label: str | None = Field(None, description="words for figures and summary.md")
    group: str | None = Field(None, description="inputs sharing a group get one index")
    dist: Literal["unif", "logunif", "triang", "truncnorm", "norm"] = "unif"
    bounds: list[float] | None = Field(None, description="[low, high] (unif, logunif, triang, truncnorm)")
    peak: float | None = Field(None, ge=0, le=1, description="triang: mode as a fraction of [low, high]")
    mean: float | None = Field(None, description="norm, truncnorm")
    sd: float | None = Field(None, gt=0, description="norm, truncnorm")

    @model_validator(mode="after")
    def _check_dist(self):
        need_bounds = self.dist in ("unif", "logunif", "triang", "truncnorm")
        if need_bounds:
            if self.bounds is None or len(self.bounds) != 2:
                raise ValueError(f"distribution '{self.dist}' needs bounds = [low, high]")
            lo, hi = self.bounds
            if not lo < hi:
                raise ValueError(f"bounds must be [low, high] with low < high, got {self.bounds}")
            if self.dist == "logunif" and lo <= 0:
                raise ValueError("logunif needs bounds above 0")
        if self.dist == "triang" and self.peak is None:
            raise ValueError("triang needs peak (the mode as a fraction 0..1 of [low, high])")
        if self.dist in ("norm", "truncnorm") and (self.mean is None or self.sd is None):
            raise ValueError(f"distribution '{self.dist}' needs mean and sd")
        if self.dist == "norm" and self.bounds is not None:
            raise ValueError("norm is unbounded; use dist = \"truncnorm\" to give bounds")
        return self

    @property
    def short(self) -> str:
        return self.name or self.path.split(".")[-1]

    def salib_bounds(self) -> list[float]:
        if self.dist in ("unif", "logunif"):
            return list(self.bounds)
        if self.dist == "triang":
            return [self.bounds[0], self.bounds[1], self.peak]
        if self.dist == "truncnorm":
            return [self.bounds[0], self.bounds[1], self.mean, self.sd]
        return [self.mean, self.sd]

    def support(self) -> tuple[float, float]:
        if self.dist == "norm":
            return (-math.inf, math.inf)
        return (self.bounds[0], self.bounds[1])


class MethodSpec(_Strict):
    name: Literal["sobol", "morris", "pawn", "delta"]
    n: int = Field(ge=2, description="sobol: base sample N (power of two); morris: trajectories; "
                                     "pawn/delta: sample size (power of two)")
    calc_second_order: bool = False
    levels: int = Field(4, ge=2, le=64, description="morris grid levels (even)")
    bootstrap: int = Field(1000, ge=10, le=100_000, description="bootstrap resamples for intervals")
    conf_level: float = Field(0.95, gt=0, lt=1)
    also: list[Literal["pawn", "delta"]] = Field(
        default_factory=list, description="sobol only: moment-independent indices on the A and B "
                                          "matrices of the same design (no extra runs)")
    pawn_slices: int = Field(10, ge=2, le=100)
    convergence: bool = True

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, n, info):
        name = info.data.get("name")
        if name in ("sobol", "pawn", "delta") and n & (n - 1):
            lower = 1 << (n.bit_length() - 1)
            raise ValueError(f"{name} needs n to be a power of two (Sobol' sequence balance); "
                             f"use {lower} or {lower * 2}")
        return n

    @field_validator("levels")
    @classmethod
    def _even(cls, levels):
        if levels % 2:
            raise ValueError("morris levels must be even")
        return levels

    @model_validator(mode="after")
    def _check(self):
        if self.name == "sobol" and self.convergence and self.n < 16:
            raise ValueError("sobol with convergence = true needs n >= 16 (nested designs N/8..N); "
                             "raise n or set convergence = false")
        if self.also and self.name != "sobol":
            raise ValueError("'also' applies to method sobol only")
        return self


class Stochasticity(_Strict):
    replications: int = Field(1, ge=1, le=10_000, description="model replications averaged per point")
    seed_as_input: bool = Field(False, description="add the random seed as an input instead")

    @model_validator(mode="after")
    def _check(self):
        if self.seed_as_input and self.replications != 1:
            raise ValueError("with seed_as_input = true, replications must be 1 (the seed is an input)")
        return self


class Policy(_Strict):
    name: str = Field(min_length=1)
    overrides: dict[str, Any] = Field(default_factory=dict)


class TargetSpec(_Strict):
    kind: Literal["model", "ishigami"] = "model"
    a: float = 7.0
    b: float = 0.1
    noise: float = Field(0.0, ge=0, description="ishigami: sd of Gaussian noise drawn from the run seed")


class Execution(_Strict):
    chunk_size: int | None = Field(None, ge=1, le=100_000, description="runs per chunk file")


class ExperimentFile(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    scenario: str | None = Field(None, description="base scenario, relative to the experiment file")
    seed: int = Field(20261128, ge=1, lt=2**63)
    target: TargetSpec = TargetSpec()
    method: MethodSpec
    stochasticity: Stochasticity = Stochasticity()
    dummy: bool = True
    outputs: list[str] = Field(min_length=1)
    inputs: list[InputSpec] = Field(min_length=1)
    policies: list[Policy] = Field(default_factory=list)
    execution: Execution = Execution()

    @field_validator("outputs")
    @classmethod
    def _unique_outputs(cls, v):
        dup = sorted({o for o in v if v.count(o) > 1})
        if dup:
            raise ValueError(f"outputs listed twice: {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _check(self):
        names = [i.short for i in self.inputs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"two inputs share the short name {', '.join(dup)}; give one a 'name'")
        paths = [i.path for i in self.inputs]
        dup = sorted({p for p in paths if paths.count(p) > 1})
        if dup:
            raise ValueError(f"input path listed twice: {', '.join(dup)}")
        reserved = {DUMMY, SEED_INPUT, POLICY_COLUMN, "index", "seed", "error", "seconds", "policy"}
        bad = sorted(set(names) & reserved)
        if bad:
            raise ValueError(f"input name(s) {', '.join(bad)} are reserved; give them another 'name'")
        pnames = [p.name for p in self.policies]
        dup = sorted({n for n in pnames if pnames.count(n) > 1})
        if dup:
            raise ValueError(f"policy name listed twice: {', '.join(dup)}")
        for p in self.policies:
            clash = sorted(set(p.overrides) & set(paths))
            if clash:
                raise ValueError(f"policy '{p.name}' sets {', '.join(clash)}, which is also a varied input")
        n_factors = len({(i.group or i.short) for i in self.inputs}) + self.dummy + self.stochasticity.seed_as_input
        if n_factors < 2:
            raise ValueError("a sensitivity analysis needs at least two inputs or groups (the dummy counts)")
        return self


# --------------------------------------------------------------------------------------------
@dataclass
class Experiment:
    """A validated experiment, its file and (for the model target) its base scenario."""
    spec: ExperimentFile
    path: Path
    scenario_path: Path | None = None
    scenario: Any = None                      # coopsim.config.scenario.Scenario for the model target
    text: str = ""
    extra: dict = field(default_factory=dict)

    # -- the factors SALib sees --------------------------------------------------------------
    @property
    def inputs(self) -> list[InputSpec]:
        return self.spec.inputs

    @property
    def factor_names(self) -> list[str]:
        """Columns of the sample: the inputs' short names, then dummy and seed if any."""
        return [i.short for i in self.inputs] + self._extra_factors()

    def _extra_factors(self) -> list[str]:
        """The factors no input file names: the dummy and the seed, each its own group."""
        return [DUMMY] * bool(self.spec.dummy) + [SEED_INPUT] * bool(self.spec.stochasticity.seed_as_input)

    @property
    def grouped(self) -> bool:
        return any(i.group for i in self.inputs)

    @property
    def factor_groups(self) -> list[str]:
        return [i.group or i.short for i in self.inputs] + self._extra_factors()

    @property
    def labels(self) -> dict[str, str]:
        """Short name or group -> words for figures and the summary."""
        out = {DUMMY: "dummy (noise floor)", SEED_INPUT: "random seed"}
        for i in self.inputs:
            out[i.short] = i.label or i.short.replace("_", " ")
            if i.group:
                out.setdefault(i.group, i.group.replace("_", " "))
        return out

    def problem(self) -> dict:
        """The SALib problem dict (ProblemSpec-ready)."""
        names = self.factor_names
        bounds = [i.salib_bounds() for i in self.inputs]
        dists = [i.dist for i in self.inputs]
        for extra in names[len(self.inputs):]:
            bounds.append([0.0, 1.0])
            dists.append("unif")
        problem = {"names": names, "bounds": bounds, "dists": dists, "outputs": list(self.spec.outputs)}
        if self.grouped:
            problem["groups"] = self.factor_groups
        return problem

    @property
    def policies(self) -> list[Policy]:
        return self.spec.policies or [Policy(name="base")]

    def resolved_scenario(self, policy: Policy) -> dict | None:
        if self.scenario is None:
            return None
        return self.scenario.override(policy.overrides, origin=f"{self.path}: policy '{policy.name}'").model_dump(mode="json")

    def input_kinds(self) -> dict[str, str]:
        """Short name -> 'bool' (a yes/no switch), 'int' (rounded) or 'float', from the type of
        the scenario parameter each input sets (all 'float' for the Ishigami target)."""
        kinds = {i.short: "float" for i in self.inputs}
        if self.scenario is None:
            return kinds
        base = self.scenario.model_dump()
        for i in self.inputs:
            kinds[i.short] = kind_of(dotted_value(base, i.path))
        return kinds

    def digest(self) -> str:
        """Hash of everything that decides the design and the runs (for --resume)."""
        payload = {"spec": self.spec.model_dump(mode="json", exclude={"description"}),
                   "scenario": self.scenario.model_dump(mode="json") if self.scenario is not None else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def dotted_value(data: dict, path: str) -> Any:
    """The value at a dotted path of a nested dict (e.g. a dumped scenario)."""
    node = data
    for part in path.split("."):
        node = node[part]
    return node


def kind_of(value: Any) -> str:
    """'bool', 'int' or 'float': how a sampled number is turned into this parameter's value."""
    return "bool" if isinstance(value, bool) else ("int" if isinstance(value, int) else "float")


def coerce_sampled(value: float, kind: str) -> bool | int | float:
    """A sampled number as a parameter value: yes/no is yes from 0.5 up, integers round half
    to even (Python's `round`, like numpy's `rint`), everything else stays a float. The one
    place where numbers become switches (sweeps, discovery, EMA Workbench)."""
    if kind == "bool":
        return bool(value >= 0.5)
    if kind == "int":
        return int(round(value))
    return float(value)


# --------------------------------------------------------------------------------------------
def _loc(loc: tuple, data: Any) -> str:
    """'inputs[2].bounds' with the input's path when known."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            hint = node[part].get("path") if isinstance(node, list) and part < len(node) and isinstance(node[part], dict) else None
            if hint:
                out += f" ({hint})"
        else:
            out += f".{part}" if out else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out or "(top level)"


_ALLOWED = {
    (): ExperimentFile, ("inputs",): InputSpec, ("method",): MethodSpec,
    ("stochasticity",): Stochasticity, ("policies",): Policy, ("target",): TargetSpec,
    ("execution",): Execution,
}


def _describe(err: dict, origin: str, data: Any) -> str:
    loc = tuple(err["loc"])
    key = _loc(loc, data)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = tuple(p for p in loc[:-1] if not isinstance(p, int))
        model = _ALLOWED.get(parent)
        allowed = ", ".join(model.model_fields) if model else "see experiments/README.md"
        return f"{origin}: unknown key '{key}'. Allowed keys here: {allowed}."
    if kind == "missing":
        return f"{origin}: key '{key}' is missing; it is required (see experiments/README.md)."
    if kind == "literal_error":
        return f"{origin}: key '{key}': {err['msg']} (got {err.get('input')!r})."
    msg = err["msg"].removeprefix("Value error, ")
    shown = err.get("input")
    got = f" (got {shown!r})" if not isinstance(shown, dict) and shown is not None and len(repr(shown)) < 80 else ""
    return f"{origin}: key '{key}': {msg}{got}. See experiments/README.md for what each key allows."


def parse_experiment(data: dict, origin: str) -> ExperimentFile:
    try:
        return ExperimentFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" ({len(errors) - 1} more problem(s) after this one.)" if len(errors) > 1 else ""
        raise UserError(_describe(errors[0], origin, data) + more) from None


def _check_against_scenario(exp: Experiment) -> None:
    """Each input path exists and its whole support is allowed; policies and outputs are valid."""
    from coopsim.config.scenario import parameter_paths

    origin = str(exp.path)
    known = set(parameter_paths(exp.scenario))
    base = exp.scenario.model_dump()
    for k, inp in enumerate(exp.inputs):
        where = f"{origin}: inputs[{k}] ({inp.path})"
        if inp.path not in known:
            section = inp.path.split(".")[0]
            near = sorted(p for p in known if p.startswith(section + "."))
            hint = f"Parameters of '{section}': {', '.join(near)}." if near else \
                f"Sections: {', '.join(sorted({p.split('.')[0] for p in known}))}."
            close = difflib.get_close_matches(inp.path, sorted(known), n=1)
            if close:
                hint = f"Did you mean '{close[0]}'? " + hint
            raise UserError(f"{where}: '{inp.path}' is not a numeric or yes/no scenario parameter. {hint}")
        current = base
        for part in inp.path.split("."):
            current = current[part]
        lo, hi = inp.support()
        if isinstance(current, bool):
            if (lo, hi) != (0.0, 1.0) or inp.dist != "unif":
                raise UserError(f"{where}: '{inp.path}' is yes/no; vary it with bounds = [0, 1] and the "
                                f"default uniform distribution (values of 0.5 and above mean yes).")
            continue
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise UserError(f"{where}: distribution '{inp.dist}' is unbounded but the parameter has a "
                            f"range; use dist = \"truncnorm\" with bounds.")
        for value in (lo, hi):
            probe = round(value) if isinstance(current, int) else value
            try:
                exp.scenario.override({inp.path: probe}, origin=f"{where} bound {value}")
            except UserError as err:
                raise UserError(f"{err} The bounds of an input must lie inside the parameter's range.") from None
    for policy in exp.spec.policies:
        for path, value in policy.overrides.items():
            exp.scenario.override({path: value}, origin=f"{origin}: policy '{policy.name}'")
    allowed = MODEL_OUTPUTS
    bad = [o for o in exp.spec.outputs if o not in allowed]
    if bad:
        raise UserError(f"{origin}: key 'outputs': unknown output(s) {', '.join(bad)}. The model "
                        f"reports: {', '.join(allowed)}.")


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file and its base scenario."""
    path = Path(path)
    if not path.exists():
        hint = ""
        if EXPERIMENT_DIR.is_dir():
            names = sorted(p.name for p in EXPERIMENT_DIR.glob("*.toml"))
            hint = f" Experiments in {EXPERIMENT_DIR}/: {', '.join(names)}." if names else ""
        raise UserError(f"{path}: no such experiment file.{hint}")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}). Check quotes, brackets and '=' signs on "
                        f"that line.") from None
    spec = parse_experiment(data, str(path))
    exp = Experiment(spec=spec, path=path, text=text)
    if spec.target.kind == "ishigami":
        bad = [i.path for i in spec.inputs if i.path not in ("x1", "x2", "x3")]
        if bad or len(spec.inputs) != 3:
            raise UserError(f"{path}: key 'inputs': the Ishigami target takes exactly the inputs x1, x2, "
                            f"x3 (got {', '.join(i.path for i in spec.inputs)}).")
        bad = [o for o in spec.outputs if o not in ISHIGAMI_OUTPUTS]
        if bad:
            raise UserError(f"{path}: key 'outputs': the Ishigami target reports only 'y' (got {', '.join(bad)}).")
        if spec.policies:
            raise UserError(f"{path}: key 'policies': the Ishigami target has no policies.")
        return exp
    if not spec.scenario:
        raise UserError(f"{path}: key 'scenario' is missing; name the base scenario file, relative to "
                        f"the experiment file (e.g. scenario = \"../scenarios/baseline.toml\").")
    scenario_path = (path.parent / spec.scenario)
    if not scenario_path.exists():
        raise UserError(f"{path}: key 'scenario' names '{spec.scenario}', which does not exist relative "
                        f"to the experiment file (looked for {scenario_path}).")
    from coopsim.config.scenario import load_scenario

    exp.scenario_path = scenario_path
    exp.scenario = load_scenario(scenario_path)
    _check_against_scenario(exp)
    return exp


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"
