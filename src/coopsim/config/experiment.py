"""Experiment files: what a researcher edits to run a global sensitivity analysis.

An experiment is a TOML file in `experiments/` (see experiments/README.md). It names a base
scenario (a path relative to the experiment file, or the name of a scenario shipped with
coopsim: `scenario = "baseline"`), the inputs to vary (scenario parameters by
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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from coopsim.config.errors import Joined, Text, UserError
from coopsim.config.scenario import Scenario, load_scenario, parameter_paths
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.toml import excerpt, exists, read_toml
from coopsim.config.vocabulary import MODEL_OUTPUTS

__all__ = [
    "DISTRIBUTIONS", "DUMMY", "EXPERIMENT_DIR", "ISHIGAMI_OUTPUTS", "METHODS", "MODEL_OUTPUTS",
    "POLICY_COLUMN", "SEED_INPUT", "Execution", "Experiment", "ExperimentFile", "InputSpec",
    "MAX_SAMPLE", "MethodSpec", "Policy", "RobustSpec", "Stochasticity", "TargetSpec", "base_scenario_path", "coerce_sampled",
    "dotted_value", "unknown_path",
    "coerce_sampled_column", "experiment_from_data", "kind_of", "load_experiment", "parse_experiment",
    "shipped_scenarios", "slug",
]

EXPERIMENT_DIR = Path("experiments")

ISHIGAMI_OUTPUTS = ("y",)
DISTRIBUTIONS = ("unif", "logunif", "triang", "truncnorm", "norm")
# which of an input's keys each distribution reads (a key it would ignore is refused)
_DIST_KEYS = {"unif": {"bounds"}, "logunif": {"bounds"}, "triang": {"bounds", "peak"},
              "truncnorm": {"bounds", "mean", "sd"}, "norm": {"mean", "sd"}}
#: The largest method.n: 2**20 base samples is already weeks of model runs on a workstation.
MAX_SAMPLE = 1 << 20
METHODS = ("sobol", "morris", "pawn", "delta")
DUMMY = "dummy"
SEED_INPUT = "random_seed"
POLICY_COLUMN = "_policy"
# names the sample and result tables use for their own columns
RESERVED_NAMES = {DUMMY, SEED_INPUT, POLICY_COLUMN, "index", "seed", "error", "seconds", "policy"}


def _twice(values: list[str]) -> str:
    """The values listed more than once, sorted and comma-separated ('' if none)."""
    return ", ".join(sorted({v for v in values if values.count(v) > 1}))


class InputSpec(Strict):
    """One varied input: a scenario parameter (or x1..x3 for the Ishigami target)."""
    path: str = Field(max_length=200, description="dotted path of a scenario parameter, e.g. regions.hr_capacity")
    name: str | None = Field(None, min_length=1, max_length=100,
                             description="short name in tables (default: last part of path)")
    label: str | None = Field(None, max_length=200, description="words for figures and summary.md")
    group: str | None = Field(None, min_length=1, max_length=100, description="inputs sharing a group get one index")
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
                raise ValueError(Text("experiment.dist_needs_bounds", dist=self.dist))
            lo, hi = self.bounds
            if not lo < hi:
                raise ValueError(Text("experiment.bounds_order", bounds=self.bounds))
            if self.dist == "logunif" and lo <= 0:
                raise ValueError(Text("experiment.logunif_positive"))
        if self.dist == "triang" and self.peak is None:
            raise ValueError(Text("experiment.triang_needs_peak"))
        if self.dist in ("norm", "truncnorm") and (self.mean is None or self.sd is None):
            raise ValueError(Text("experiment.dist_needs_mean_sd", dist=self.dist))
        if self.dist == "norm" and self.bounds is not None:
            raise ValueError(Text("experiment.norm_unbounded"))
        ignored = [k for k in ("bounds", "peak", "mean", "sd") if getattr(self, k) is not None
                   and k not in _DIST_KEYS[self.dist]]
        if ignored:
            keys = Joined(*[part for k in ignored for part in (" ", Text("error.or"), " ", k)][3:])
            one = len(ignored) == 1
            raise ValueError(Text("experiment.dist_ignores_one", dist=self.dist, keys=keys) if one else
                             Text("experiment.dist_ignores_many", dist=self.dist, keys=keys))
        return self

    @property
    def short(self) -> str:
        """The input's name in tables: `name`, or the last part of its path."""
        return self.name or self.path.split(".")[-1]

    @property
    def factor_group(self) -> str:
        """The factor this input belongs to: its group, or itself."""
        return self.group or self.short

    def salib_bounds(self) -> list[float]:
        """The distribution's parameters as SALib reads them for `dist`."""
        if self.dist in ("unif", "logunif"):
            return list(self.bounds)
        if self.dist == "triang":
            return [self.bounds[0], self.bounds[1], self.peak]
        if self.dist == "truncnorm":
            return [self.bounds[0], self.bounds[1], self.mean, self.sd]
        return [self.mean, self.sd]

    def support(self) -> tuple[float, float]:
        """The lowest and highest value the input can take (infinite for 'norm')."""
        if self.dist == "norm":
            return (-math.inf, math.inf)
        return (self.bounds[0], self.bounds[1])


class MethodSpec(Strict):
    """The [method] table: which sensitivity method, its sample size and settings."""
    name: Literal["sobol", "morris", "pawn", "delta"]
    n: int = Field(ge=2, le=MAX_SAMPLE, description="sobol: base sample N (power of two); morris: "
                                                     "trajectories; pawn/delta: sample size (power of two)")
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
            raise ValueError(Text("experiment.power_of_two", name=name, lower=lower, higher=lower * 2))
        return n

    @field_validator("levels")
    @classmethod
    def _even(cls, levels):
        if levels % 2:
            raise ValueError(Text("experiment.morris_even"))
        return levels

    @model_validator(mode="after")
    def _check(self):
        if self.name == "sobol" and self.convergence and self.n < 16:
            raise ValueError(Text("experiment.convergence_n"))
        if self.also and self.name != "sobol":
            raise ValueError(Text("experiment.also_sobol"))
        return self


class Stochasticity(Strict):
    """The [stochasticity] table: replications per point, or the seed as an input."""
    replications: int = Field(1, ge=1, le=10_000, description="model replications averaged per point")
    seed_as_input: bool = Field(False, description="add the random seed as an input instead")

    @model_validator(mode="after")
    def _check(self):
        if self.seed_as_input and self.replications != 1:
            raise ValueError(Text("experiment.seed_as_input"))
        return self


class Policy(Strict):
    """One [[policies]] entry: a named set of scenario overrides to repeat the analysis under."""
    name: str = Field(min_length=1, max_length=100)
    overrides: dict[str, Any] = Field(default_factory=dict)


class TargetSpec(Strict):
    """The [target] table: the model, or the Ishigami test function and its constants."""
    kind: Literal["model", "ishigami"] = "model"
    a: float = 7.0
    b: float = 0.1
    noise: float = Field(0.0, ge=0, description="ishigami: sd of Gaussian noise drawn from the run seed")

    @field_validator("a", "b", "noise")
    @classmethod
    def _ishigami_only(cls, value, info):
        if info.data.get("kind") == "model":
            raise ValueError(Text("experiment.ishigami_only", key=info.field_name))
        return value


class Execution(Strict):
    """The [execution] table: how runs are stored while they go."""
    chunk_size: int | None = Field(None, ge=1, le=100_000, description="runs per chunk file")


class RobustSpec(Strict):
    """The [robust] table: rank some groups (the obstacles) across the others (uncertain model
    parameters) and the policies (model forms); see `coopsim.analysis.robust_ranking`."""
    uncertain: list[str] = Field(min_length=1, description="groups (or ungrouped inputs) of uncertain model "
                                                           "parameters; every other group is ranked")
    top: int = Field(3, ge=1, le=20, description="report the probability of ranking in the top `top`")
    parts: int = Field(2, ge=2, le=5, description="second stage: split each uncertain input at its "
                                                  "quantiles into this many parts")
    splits: int = Field(200, ge=20, le=10_000, description="random splits giving the flip measure's chance level")


class ExperimentFile(Strict):
    """A whole experiment file, checked on its own (the base scenario is checked on loading)."""
    name: str = Field(min_length=1, max_length=100,
                      description="names the results and titles the figures: 1 to 100 printable characters")
    description: str = ""
    scenario: str | None = Field(None, description="base scenario: a file relative to the experiment file, "
                                                   "or a shipped scenario's name (\"baseline\")")
    seed: int = Field(20261128, ge=1, lt=2**63)
    target: TargetSpec = TargetSpec()
    method: MethodSpec
    stochasticity: Stochasticity = Stochasticity()
    dummy: bool = True
    outputs: list[str] = Field(min_length=1)
    inputs: list[InputSpec] = Field(min_length=1)
    policies: list[Policy] = Field(default_factory=list)
    overrides: dict[str, Any] = Field(default_factory=dict, description="scenario parameters set for every "
                                                                        "policy (e.g. simulation.years)")
    robust: RobustSpec | None = None
    execution: Execution = Execution()

    @field_validator("name")
    @classmethod
    def _printable(cls, name):
        if not name.strip() or not name.isprintable():
            raise ValueError(Text("experiment.name_printable"))
        return name

    @field_validator("outputs")
    @classmethod
    def _unique_outputs(cls, v):
        dup = _twice(v)
        if dup:
            raise ValueError(Text("experiment.outputs_twice", found=dup))
        return v

    @model_validator(mode="after")
    def _check(self):
        self._check_names()
        paths = {i.path for i in self.inputs}
        for p in self.policies:
            clash = sorted(set(p.overrides) & paths)
            if clash:
                raise ValueError(Text("experiment.policy_sets_input", policy=excerpt(p.name),
                                      keys=excerpt(", ".join(clash))))
            clash = sorted(set(p.overrides) & set(self.overrides))
            if clash:
                raise ValueError(Text("experiment.policy_sets_override", policy=excerpt(p.name),
                                      keys=excerpt(", ".join(clash))))
        clash = sorted(set(self.overrides) & paths)
        if clash:
            raise ValueError(Text("experiment.override_sets_input", keys=excerpt(", ".join(clash))))
        if self.robust is not None:
            self._check_robust()
        n_factors = len({i.factor_group for i in self.inputs}) + self.dummy + self.stochasticity.seed_as_input
        if n_factors < 2:
            raise ValueError(Text("experiment.two_factors"))
        return self

    def _check_robust(self) -> None:
        """[robust] needs Sobol', names existing groups, and leaves more than `top` groups to rank."""
        groups = list(dict.fromkeys(i.factor_group for i in self.inputs))
        unknown = [g for g in self.robust.uncertain if g not in groups]
        if unknown:
            raise ValueError(Text("experiment.robust_unknown_group", names=excerpt(", ".join(unknown)),
                                  groups=excerpt(", ".join(groups), 300)))
        if self.method.name != "sobol":
            raise ValueError(Text("experiment.robust_sobol"))
        ranked = [g for g in groups if g not in self.robust.uncertain]
        if len(ranked) <= self.robust.top:
            raise ValueError(Text("experiment.robust_too_few", count=len(ranked), top=self.robust.top))

    def _check_names(self) -> None:
        """Inputs and policies are told apart by name; none may take a name the tables use."""
        names = [i.short for i in self.inputs]
        found = (_twice(names), _twice([i.path for i in self.inputs]),
                 ", ".join(sorted(set(names) & RESERVED_NAMES)), _twice([p.name for p in self.policies]))
        problems = (Text("experiment.short_name_twice", found=excerpt(found[0])),
                    Text("experiment.input_twice", found=excerpt(found[1])),
                    Text("experiment.reserved_names", found=excerpt(found[2])),
                    Text("experiment.policy_twice", found=excerpt(found[3])))
        for names_found, problem in zip(found, problems):
            if names_found:
                raise ValueError(problem)


# --------------------------------------------------------------------------------------------
@dataclass
class Experiment:
    """A validated experiment, its file and (for the model target) its base scenario."""
    spec: ExperimentFile
    path: Path
    scenario_path: Path | None = None
    scenario: Scenario | None = None          # the base scenario (model target only)
    text: str = ""
    extra: dict = field(default_factory=dict)

    # -- the factors SALib sees --------------------------------------------------------------
    @property
    def inputs(self) -> list[InputSpec]:
        """The varied inputs, as the file lists them."""
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
        """Whether any input has a group (then SALib gets one index per group)."""
        return any(i.group for i in self.inputs)

    @property
    def factor_groups(self) -> list[str]:
        """Each factor's group, in the order of `factor_names`."""
        return [i.factor_group for i in self.inputs] + self._extra_factors()

    @property
    def labels(self) -> dict[str, str]:
        """Short name or group -> words for figures and the summary."""
        out = {DUMMY: "dummy (noise floor)", SEED_INPUT: "random seed"}
        for i in self.inputs:
            out[i.short] = i.label or i.short.replace("_", " ")
            if i.group:
                out.setdefault(i.group, i.group.replace("_", " "))
        return out

    @property
    def ranked_factors(self) -> list[str]:
        """The groups a [robust] analysis ranks (every group not named uncertain), in file order;
        every group when the file has no [robust] table. The dummy and the seed are never ranked."""
        uncertain = set(self.spec.robust.uncertain) if self.spec.robust else set()
        return [g for g in dict.fromkeys(i.factor_group for i in self.inputs) if g not in uncertain]

    @property
    def uncertain_inputs(self) -> list[str]:
        """The short names of the inputs in the [robust] table's uncertain groups (none without it)."""
        uncertain = set(self.spec.robust.uncertain) if self.spec.robust else set()
        return [i.short for i in self.inputs if i.factor_group in uncertain]

    def problem(self) -> dict:
        """The SALib problem dict (ProblemSpec-ready)."""
        names = self.factor_names
        bounds = [i.salib_bounds() for i in self.inputs]
        dists = [i.dist for i in self.inputs]
        for _ in names[len(self.inputs):]:     # dummy and seed: uniform on [0, 1]
            bounds.append([0.0, 1.0])
            dists.append("unif")
        problem = {"names": names, "bounds": bounds, "dists": dists, "outputs": list(self.spec.outputs)}
        if self.grouped:
            problem["groups"] = self.factor_groups
        return problem

    @property
    def policies(self) -> list[Policy]:
        """The policies to repeat the analysis under; one called 'base' if the file has none."""
        return self.spec.policies or [Policy(name="base")]

    def policy(self, name: str | None = None) -> Policy:
        """The policy called `name` (the first one when None); a UserError naming the choices
        otherwise."""
        names = [p.name for p in self.policies]
        if name is None:
            return self.policies[0]
        if name not in names:
            raise UserError(Text("experiment.no_policy", path=str(self.path), name=excerpt(name),
                                 names=excerpt(", ".join(names), 300)))
        return self.policies[names.index(name)]

    def resolved_scenario(self, policy: Policy) -> dict | None:
        """The base scenario with a policy's overrides, as plain data (None for Ishigami).

        Args:
            policy: one of `policies`.

        Returns:
            The scenario dumped as JSON-ready data, or None without a base scenario.
        """
        if self.scenario is None:
            return None
        origin = f"{self.path}: policy '{excerpt(policy.name)}'"
        return self.scenario.override(policy.overrides, origin=origin).model_dump(mode="json")

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
        payload = {"spec": self.spec.model_dump(mode="json", exclude={"description", "robust"}),
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


def coerce_sampled_column(values: np.ndarray, kind: str) -> np.ndarray:
    """`coerce_sampled` for a column of a design, the same rule: yes/no as 0/1 integers (yes
    from 0.5 up), integers rounded half to even, floats unchanged."""
    if kind == "bool":
        return (values >= 0.5).astype(np.int64)
    if kind == "int":
        return np.rint(values).astype(np.int64)
    return values


_SCHEMA = FileSchema(ExperimentFile, doc="experiments/README.md")


def parse_experiment(data: dict, origin: str) -> ExperimentFile:
    """Validate an experiment file's tables on their own (no base scenario yet).

    Args:
        data: the parsed TOML.
        origin: the file, starting any error message.

    Returns:
        The validated file.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    return _SCHEMA.validate(data, origin)


def unknown_path(path: str, known: set[str]) -> Text:
    """Why a parameter path is refused, with the closest parameter and its section's parameters.

    Args:
        path: the dotted path as written.
        known: the scenario's parameter paths (`parameter_paths`).

    Returns:
        The sentence (without the file and key that start a message), in the reader's language.
    """
    section = path.split(".")[0]
    near = sorted(p for p in known if p.startswith(section + "."))
    hint = Text("experiment.parameters_of", section=section, names=", ".join(near)) if near else \
        Text("experiment.sections", names=", ".join(sorted({p.split('.')[0] for p in known})))
    close = difflib.get_close_matches(path, sorted(known), n=1)
    if close:
        hint = Joined(Text("experiment.did_you_mean_path", path=close[0]), " ", hint)
    return Text("experiment.unknown_path", path=excerpt(path), hint=hint)


def _check_input(exp: Experiment, k: int, inp: InputSpec, known: set[str], base: dict) -> None:
    """An input sets a scenario parameter and its whole support lies in the parameter's range."""
    where = f"{exp.path}: inputs[{k}] ({excerpt(inp.path, 40)})"
    if inp.path not in known:
        raise UserError(Joined(where, ": ", unknown_path(inp.path, known)))
    current = dotted_value(base, inp.path)
    lo, hi = inp.support()
    if isinstance(current, bool):
        if (lo, hi) != (0.0, 1.0) or inp.dist != "unif":
            raise UserError(Joined(where, ": ", Text("experiment.yes_no_input", path=inp.path)))
        return
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise UserError(Joined(where, ": ", Text("experiment.unbounded_input", dist=inp.dist)))
    for value in (lo, hi):
        probe = round(value) if isinstance(current, int) else value
        try:
            exp.scenario.override({inp.path: probe}, origin=Joined(where, " ", Text("experiment.bound", value=value)))
        except UserError as err:
            raise UserError(Joined(err.message, " ", Text("experiment.bounds_inside"))) from None


def _check_against_scenario(exp: Experiment) -> None:
    """Each input path exists and its whole support is allowed; policies and outputs are valid."""
    known = set(parameter_paths(exp.scenario))
    base = exp.scenario.model_dump()
    for k, inp in enumerate(exp.inputs):
        _check_input(exp, k, inp, known, base)
    for policy in exp.spec.policies:
        for path, value in policy.overrides.items():
            exp.scenario.override({path: value}, origin=f"{exp.path}: policy '{excerpt(policy.name)}'")
    bad = [o for o in exp.spec.outputs if o not in MODEL_OUTPUTS]
    if bad:
        raise UserError(f"{exp.path}: key 'outputs': unknown output(s) {excerpt(', '.join(bad))}. The model "
                        f"reports: {', '.join(MODEL_OUTPUTS)}.")


def _check_ishigami(spec: ExperimentFile, path: Path) -> None:
    """The Ishigami target has three inputs x1..x3, one output y and no policies."""
    bad = [k for k, i in enumerate(spec.inputs) if i.path not in ("x1", "x2", "x3")]
    where = f"inputs[{bad[0]}] ({excerpt(spec.inputs[bad[0]].path, 40)})" if bad else "inputs"
    if bad or len(spec.inputs) != 3:
        raise UserError(f"{path}: key '{where}': the Ishigami target takes exactly the inputs x1, x2, "
                        f"x3 (got {excerpt(', '.join(i.path for i in spec.inputs))}).")
    bad = [o for o in spec.outputs if o not in ISHIGAMI_OUTPUTS]
    if bad:
        raise UserError(f"{path}: key 'outputs': the Ishigami target reports only 'y' (got {excerpt(', '.join(bad))}).")
    if spec.policies:
        raise UserError(f"{path}: key 'policies': the Ishigami target has no policies.")
    renamed = [i.path for i in spec.inputs if i.name not in (None, i.path)]
    if renamed:
        raise UserError(f"{path}: key 'inputs': the Ishigami target reads its inputs as x1, x2, x3; remove "
                        f"'name' from {', '.join(renamed)}.")
    if spec.scenario is not None:
        raise UserError(f"{path}: key 'scenario': the Ishigami target runs no scenario; remove 'scenario' "
                        f"(or set target.kind = \"model\").")
    if spec.overrides:
        raise UserError(f"{path}: key 'overrides': the Ishigami target runs no scenario; remove 'overrides'.")


def shipped_scenarios() -> Path | None:
    """The folder of the scenarios shipped with coopsim (`baseline.toml`, ...), wherever the
    command runs from: the package's own copy when installed with them, else the `scenarios/`
    folder of the source checkout the package runs from; None if neither is there."""
    packaged = Path(str(resources.files("coopsim"))) / "scenarios"
    checkout = Path(__file__).resolve().parents[3] / "scenarios"
    return next((d for d in (packaged, checkout) if (d / "baseline.toml").is_file()), None)


def _shipped_scenario(name: str) -> Path | None:
    """The shipped scenario called `name` ("baseline" or "baseline.toml"), if there is one."""
    folder = shipped_scenarios()
    if folder is None or not re.fullmatch(r"[\w-]{1,100}(\.toml)?", name):
        return None
    path = folder / (name if name.endswith(".toml") else name + ".toml")
    return path if path.is_file() else None


def base_scenario_path(spec: Any, path: Path) -> Path:
    """The base scenario file an experiment names: relative to the experiment file, else a
    shipped scenario of that name (so a copied experiment file keeps working).

    Args:
        spec: the validated file (an `ExperimentFile`, or any file with a `scenario` key).
        path: the experiment file.

    Returns:
        The scenario file.

    Raises:
        UserError: no `scenario` key, or it names no file and no shipped scenario.
    """
    if not spec.scenario:
        raise UserError(f"{path}: key 'scenario' is missing; name the base scenario: a file relative to "
                        f"the experiment file, or a shipped scenario (e.g. scenario = \"baseline\").")
    scenario_path = path.parent / spec.scenario
    if exists(scenario_path):
        return scenario_path
    written = Path(spec.scenario)    # "../scenarios/baseline.toml" in a copied file: the shipped one
    shipped = _shipped_scenario(spec.scenario) or (
        _shipped_scenario(written.name) if written.parent.name == "scenarios" else None)
    if shipped is not None:
        return shipped
    folder = shipped_scenarios()
    names = ", ".join(p.stem for p in sorted(folder.glob("*.toml"))) if folder else "none found"
    raise UserError(f"{path}: key 'scenario' names '{excerpt(spec.scenario)}', which does not exist relative "
                    f"to the experiment file (looked for {excerpt(str(scenario_path), 200)}) and is not a shipped "
                    f"scenario. Shipped scenarios: {names}.")


def _shipped_experiments() -> str:
    """A sentence listing the experiment files in `experiments/`, if there are any."""
    names = sorted(p.name for p in EXPERIMENT_DIR.glob("*.toml")) if EXPERIMENT_DIR.is_dir() else []
    return f"Experiments in {EXPERIMENT_DIR}/: {', '.join(names)}." if names else ""


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file and, for the model target, its base scenario.

    Args:
        path: the experiment file (its `scenario` is relative to it).

    Returns:
        The experiment, with its text (for the manifest) and loaded base scenario.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    hint = "" if exists(path) else _shipped_experiments()
    text, data = read_toml(path, "experiment", hint)
    return experiment_from_data(data, path, text)


def experiment_from_data(data: dict, path: Path, text: str = "", scenario: Scenario | None = None) -> Experiment:
    """An experiment from the tables of an experiment file (read or built in Python), checked
    as a file is.

    Args:
        data: the file's tables ("scenario" a path relative to `path`'s folder, unless `scenario`).
        path: the file, or where it would be: messages name it, relative paths start there.
        text: the file's text (kept for the manifest).
        scenario: a base scenario to use as it is, instead of loading data["scenario"].

    Returns:
        The experiment, with its base scenario for the model target.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    spec = parse_experiment(data, str(path))
    exp = Experiment(spec=spec, path=path, text=text)
    if spec.target.kind == "ishigami":
        _check_ishigami(spec, path)
        return exp
    if scenario is not None:
        exp.scenario = scenario
        exp.scenario_path = Path(scenario.source_file) if scenario.source_file else None
    else:
        exp.scenario_path = base_scenario_path(spec, path)
        exp.scenario = load_scenario(exp.scenario_path)
    if spec.overrides:
        exp.scenario = exp.scenario.override(spec.overrides, origin=f"{path}: key 'overrides'")
    _check_against_scenario(exp)
    return exp


def slug(text: str) -> str:
    """Text as a file-name part: lower case, runs of other characters as one '_' ('x' if empty)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"
