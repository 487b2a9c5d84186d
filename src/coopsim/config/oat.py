"""One-at-a-time (OAT) obstacle files: each obstacle of the paper moved from weak to strong on
its own, every other parameter at the base scenario's value.

An OAT file (experiments/obstacles_oat.toml, see experiments/README.md) names a base scenario
(a file relative to the OAT file, or a shipped scenario's name), a master seed, the replications
(at least `MIN_REPLICATIONS`) and one `[[obstacles]]` entry per obstacle: a short name, a label
for tables and figures, and the scenario parameter(s) it moves with their value when the
obstacle is weak and when it is strong:

    [[obstacles]]
    name = "hr"
    label = "staff capacity (HR)"
    parameters = [{ path = "regions.hr_capacity", weak = 0.1, strong = 0.9 }]

"weak" and "strong" describe the region's capacity, not the obstacle: for leadership turnover
the weak setting (few predecessors' partnerships adopted) is where the obstacle bites hardest.
Bad input raises `UserError` naming the file, the key and what is allowed; fewer replications
than `MIN_REPLICATIONS` are refused in the file and allowed only through an explicit override
(`--reps`), which every output then flags.

The outcomes (`OUTCOMES`) are read `YEARS` years after the start, so the base scenario must
run at least that long; `ACCEPTANCE` are those every obstacle must move in the paper's
direction (`coopsim.analysis.oat`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from pydantic import Field, field_validator, model_validator

from coopsim.config.errors import Joined, Text, UserError
from coopsim.config.experiment import base_scenario_path, unknown_path
from coopsim.config.scenario import Scenario, load_scenario, parameter_paths
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.toml import excerpt, exists, read_toml

__all__ = ["MIN_REPLICATIONS", "MIN_OVERRIDE", "YEARS", "OUTCOMES", "ACCEPTANCE", "LEVELS", "Setting",
           "Obstacle", "OatFile", "OatExperiment", "load_oat", "oat_from_data"]

#: Fewest replications an OAT file may ask for (the acceptance's intervals need at least this many).
MIN_REPLICATIONS = 20
#: Fewest replications an explicit override (`--reps`) may give: an interval needs two.
MIN_OVERRIDE = 2
#: Years after the start at which the outcomes are read.
YEARS = 10
#: The outcomes reported, in table order (keys of `coopsim.config.vocabulary.OUTCOMES`).
OUTCOMES = (f"active_{YEARS}y", f"cohort_survival_{YEARS}y", f"survival_{YEARS}y", "signed", "failure_hazard")
#: The outcomes every obstacle must move in the paper's direction, with an interval excluding 0.
ACCEPTANCE = (f"active_{YEARS}y", f"cohort_survival_{YEARS}y")
#: The two settings of an obstacle, in run order.
LEVELS = ("weak", "strong")
_DOC = "experiments/README.md"


def _once(values: list[str], problem: Text) -> None:
    """Raise ValueError(problem, its `twice` field the values listed more than once), if any is."""
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise ValueError(Text(problem.key, **problem.fields, twice=excerpt(", ".join(twice))))


class Setting(Strict):
    """One parameter an obstacle moves: its dotted path, and its value with the obstacle weak
    and strong (numbers, or yes/no for a switch)."""
    path: str = Field(min_length=1, max_length=200, description="a scenario parameter, e.g. regions.hr_capacity")
    weak: bool | int | float = Field(description="the value when the region's capacity is weak")
    strong: bool | int | float = Field(description="the value when the region's capacity is strong")

    @model_validator(mode="after")
    def _moves(self):
        if self.weak == self.strong:
            raise ValueError(Text("oat.does_not_move", value=repr(self.weak), path=excerpt(self.path)))
        return self


class Obstacle(Strict):
    """One [[obstacles]] entry: a name for tables, a label for readers, the parameter(s) moved."""
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$",
                      description="lower-case letters, digits and _, starting with a letter")
    label: str = Field(min_length=1, max_length=100, description="the obstacle in words")
    parameters: list[Setting] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _check(self):
        if not self.label.strip() or not self.label.isprintable():
            raise ValueError(Text("oat.label_printable", name=self.name))
        _once([s.path for s in self.parameters], Text("oat.parameter_twice", name=self.name))
        return self


class OatFile(Strict):
    """A whole OAT file, checked on its own (the parameters are checked against the base
    scenario on loading)."""
    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.\- ]+$",
                      description="names the results: letters, digits, spaces, '_', '-', '.'")
    description: str = Field("", max_length=2000)
    scenario: str = Field(min_length=1, max_length=500,
                          description="base scenario: a file relative to this file, or a shipped scenario's name")
    seed: int = Field(20261128, ge=1, lt=2**63, description="master seed: replication i runs with "
                                                            "replication_seed(seed, i) in every scenario")
    replications: int = Field(40, le=10_000, description=f"replications per setting (at least {MIN_REPLICATIONS})")
    obstacles: list[Obstacle] = Field(min_length=1, max_length=100)

    @field_validator("replications")
    @classmethod
    def _enough(cls, reps):
        if reps < MIN_REPLICATIONS:
            raise ValueError(Text("oat.too_few_replications", minimum=MIN_REPLICATIONS))
        return reps

    @model_validator(mode="after")
    def _distinct_names(self):
        _once([o.name for o in self.obstacles], Text("oat.name_twice"))
        return self


@dataclass
class OatExperiment:
    """A validated OAT file with its base scenario and the scenarios it runs.

    Attributes:
        spec: the validated file; path: where it is; text: its text (for the manifest).
        scenario: the base scenario; scenario_path: its file (None when given in Python).
        reps: replications per setting (the file's, or the override); override: the
            override given (None: the file's number is used).
        settings: (obstacle name, level, scenario) of every scenario run, obstacle by
            obstacle, weak before strong (`LEVELS`).
    """
    spec: OatFile
    path: Path
    text: str = ""
    scenario: Scenario | None = None
    scenario_path: Path | None = None
    reps: int = MIN_REPLICATIONS
    override: int | None = None
    settings: list[tuple[str, str, Scenario]] = field(default_factory=list)

    @property
    def below_recommended(self) -> bool:
        """Fewer replications than `MIN_REPLICATIONS` (allowed only through the override)."""
        return self.reps < MIN_REPLICATIONS

    @property
    def labels(self) -> dict[str, str]:
        """Obstacle name -> its label, in file order."""
        return {o.name: o.label for o in self.spec.obstacles}


_SCHEMA = FileSchema(OatFile, doc=_DOC)


def _where(path: Path, k: int, obstacle: Obstacle, j: int | None = None) -> str:
    """'FILE: obstacles[2] (hr).parameters[0]': the key a message is about."""
    where = f"{path}: obstacles[{k}] ({obstacle.name})"
    return where if j is None else f"{where}.parameters[{j}]"


def _obstacle_scenarios(path: Path, k: int, obstacle: Obstacle, base: Scenario,
                        known: set[str]) -> list[tuple[str, str, Scenario]]:
    """The obstacle's weak and strong scenarios; its paths must be parameters and its values
    allowed by them."""
    for j, setting in enumerate(obstacle.parameters):
        if setting.path not in known:
            raise UserError(Joined(f"{_where(path, k, obstacle, j)}.path: ", unknown_path(setting.path, known)))
    out = []
    for level in LEVELS:
        values = {s.path: getattr(s, level) for s in obstacle.parameters}
        origin = Joined(f"{_where(path, k, obstacle)}, ", Text("oat.values", level=level))
        out.append((obstacle.name, level, base.override(values, origin=origin)))
    return out


def _check_override(path: Path, reps: int | None) -> None:
    if reps is not None and reps < MIN_OVERRIDE:
        raise UserError(Text("oat.reps_override", minimum=MIN_OVERRIDE, reps=reps, path=str(path),
                             recommended=MIN_REPLICATIONS))


def oat_from_data(data: dict, path: str | Path, text: str = "", scenario: Scenario | None = None,
                  reps: int | None = None) -> OatExperiment:
    """An OAT experiment from the tables of an OAT file (read, or built in Python), checked as
    a file is.

    Args:
        data: the file's tables ("scenario" relative to `path`'s folder, unless `scenario`).
        path: the file, or where it would be: messages name it, relative paths start there.
        text: the file's text (kept for the manifest).
        scenario: a base scenario to use as it is, instead of loading data["scenario"].
        reps: replications overriding the file's (at least `MIN_OVERRIDE`; fewer than
            `MIN_REPLICATIONS` is allowed here only).

    Returns:
        The experiment, with its base scenario and every weak and strong scenario.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    _check_override(path, reps)
    spec = _SCHEMA.validate(data, str(path))
    exp = OatExperiment(spec=spec, path=path, text=text, reps=spec.replications if reps is None else reps,
                        override=reps)
    if scenario is None:
        exp.scenario_path = base_scenario_path(spec, path)
        scenario = load_scenario(exp.scenario_path)
    elif scenario.source_file:
        exp.scenario_path = Path(scenario.source_file)
    exp.scenario = scenario
    if scenario.simulation.years < YEARS:
        raise UserError(Text("oat.scenario_too_short", path=str(path), scenario=str(exp.scenario_path or scenario.name),
                             years=scenario.simulation.years, needed=YEARS))
    known = set(parameter_paths(scenario))
    for k, obstacle in enumerate(spec.obstacles):
        exp.settings += _obstacle_scenarios(path, k, obstacle, scenario, known)
    return exp


def load_oat(path: str | Path, reps: int | None = None) -> OatExperiment:
    """Read and validate an OAT file and its base scenario.

    Args:
        path: the OAT file (e.g. experiments/obstacles_oat.toml).
        reps: replications overriding the file's (`--reps`; see `oat_from_data`).

    Returns:
        The experiment.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    hint = "" if exists(path) else "The shipped one is experiments/obstacles_oat.toml."
    text, data = read_toml(path, "one-at-a-time experiment", hint)
    return oat_from_data(data, path, text, reps=reps)
