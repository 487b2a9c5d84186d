"""coopsim as an EMA Workbench model, built from a coopsim experiment file.

For researchers who already work with the EMA Workbench (exploratory modelling and analysis):

    from ema_workbench import SequentialEvaluator, perform_experiments
    from coopsim.run.ema import ema_model

    model = ema_model("experiments/failure_conditions.toml")
    experiments, outcomes = perform_experiments(model, scenarios=200, policies=4)

What comes from the experiment file:
- uncertainties: every input whose path is not under `levers.`, plus `seed` (the run seed, an
  integer; fix it to repeat a run, let EMA sample it to get independent runs);
- levers: every input under `levers.` (e.g. levers.joint_committee, levers.dedicated_budget);
- outcomes: the experiment's outputs, one ScalarOutcome each (the mean over the experiment's
  `stochasticity.replications`, exactly what `coopsim.run.runner.evaluate` returns);
- the base scenario (with one of the experiment's policies applied, `policy=`).

Yes/no switches are IntegerParameters 0/1 (not BooleanParameters): EMA Workbench 3.0's PRIM
crashes on boolean columns under pandas 3, and `coopsim discover` encodes them the same way.
Integer parameters are IntegerParameters; distributions other than uniform become
`RealParameter.from_dist` with the matching scipy distribution.

A run with seed s and parameter values v gives exactly `evaluate(scenario.override(v), s,
reps)`, the same numbers as `coopsim discover` / `coopsim sensitivity` for a point with that
seed (tests/test_discovery.py checks this through `perform_experiments`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coopsim.config.errors import UserError
from coopsim.config.experiment import Experiment, InputSpec, coerce_sampled, load_experiment, slug

__all__ = ["CoopsimFunction", "ema_model", "split_point", "SEED", "LEVER_PREFIX", "SEED_RANGE"]

#: Name of the run seed among the model's uncertainties.
SEED = "seed"
#: Inputs whose scenario path starts with this are levers; the others are uncertainties.
LEVER_PREFIX = "levers."
#: Range EMA Workbench samples the run seed from (31-bit, positive, like `derive_seed`).
SEED_RANGE = (1, 2**31 - 1)


class CoopsimFunction:
    """The callable EMA Workbench runs: keyword arguments (input short names and `seed`) ->
    outcomes dict. Picklable (for MultiprocessingEvaluator); the scenario is rebuilt lazily.

    Args:
        base: the resolved base scenario (`Scenario.model_dump()`, a policy applied).
        paths: input short name -> scenario dotted path.
        kinds: input short name -> 'bool', 'int' or 'float' (how sampled numbers are coerced).
        reps: replications averaged per experiment (`coopsim.run.runner.evaluate`).
        source_file: the base scenario's file (relative CSV paths resolve from it).
    """

    def __init__(self, base: dict, paths: dict[str, str], kinds: dict[str, str], reps: int,
                 source_file: str | None = None):
        self.base = base
        self.paths = dict(paths)
        self.kinds = dict(kinds)
        self.reps = int(reps)
        self.source_file = source_file
        self._scenario = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_scenario"] = None
        return state

    def overrides(self, values: dict[str, Any]) -> dict[str, Any]:
        """The scenario overrides of one experiment.

        Args:
            values: input short name -> sampled value (other keys, e.g. the seed, are ignored).

        Returns:
            Dotted path -> parameter value (`coopsim.config.experiment.coerce_sampled`).
        """
        return {path: coerce_sampled(values[name], self.kinds.get(name, "float"))
                for name, path in self.paths.items() if name in values}

    def __call__(self, **kwargs) -> dict[str, float]:
        """Run one experiment: the base scenario with the sampled values, under `seed`.

        Returns:
            Output -> mean over the replications, as `coopsim.run.runner.evaluate` gives it.
        """
        from coopsim.run.runner import evaluate
        from coopsim.config.scenario import Scenario

        if SEED not in kwargs:
            raise ValueError("coopsim needs a 'seed' value for every experiment")
        if self._scenario is None:
            self._scenario = Scenario.model_validate(self.base)
            self._scenario.source_file = self.source_file
        scenario = self._scenario.override(self.overrides(kwargs), origin="EMA Workbench experiment")
        return evaluate(scenario, seed=int(kwargs[SEED]), reps=self.reps)


def _parameter(inp: InputSpec, kind: str):
    """An input as an EMA Workbench parameter: switches and integers as IntegerParameter,
    uniform reals as RealParameter, other distributions through their scipy distribution."""
    import scipy.stats as st
    from ema_workbench import IntegerParameter, RealParameter

    name = inp.short
    if kind == "bool":
        return IntegerParameter(name, 0, 1)
    if kind == "int":
        lo, hi = inp.support()
        return IntegerParameter(name, int(round(lo)), int(round(hi)))
    if inp.dist == "unif":
        return RealParameter(name, float(inp.bounds[0]), float(inp.bounds[1]))
    lo, hi = inp.bounds if inp.bounds else (None, None)
    if inp.dist == "logunif":
        dist = st.loguniform(lo, hi)
    elif inp.dist == "triang":
        dist = st.triang(inp.peak, loc=lo, scale=hi - lo)
    elif inp.dist == "truncnorm":
        dist = st.truncnorm((lo - inp.mean) / inp.sd, (hi - inp.mean) / inp.sd, loc=inp.mean, scale=inp.sd)
    else:
        dist = st.norm(inp.mean, inp.sd)
    return RealParameter.from_dist(name, dist)


def ema_model(experiment: str | Path | Experiment, policy: str | None = None, name: str | None = None):
    """An `ema_workbench.Model` for the experiment's base scenario (with `policy` applied).

    Args:
        experiment: an experiment file or a loaded `Experiment` (its target must be the model).
        policy: which of the experiment's policies to apply (default: its first).
        name: the model's name (default: a slug of the experiment's name).

    Returns:
        The model: uncertainties (non-lever inputs and `seed`), levers, one ScalarOutcome per output.

    Raises:
        UserError: not the model target, an unknown policy, or an input named 'seed'.
    """
    from ema_workbench import IntegerParameter, Model, ScalarOutcome

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    if exp.spec.target.kind != "model":
        raise UserError(f"{exp.path}: target.kind is '{exp.spec.target.kind}'; only the model target can be "
                        f"exposed to EMA Workbench.")
    chosen = exp.policy(policy)
    if any(i.short == SEED for i in exp.inputs):
        raise UserError(f"{exp.path}: an input is named 'seed', which the EMA model uses for the run seed; "
                        f"give it another 'name'.")
    kinds = exp.input_kinds()
    function = CoopsimFunction(exp.resolved_scenario(chosen), {i.short: i.path for i in exp.inputs}, kinds,
                               reps=exp.spec.stochasticity.replications, source_file=str(exp.scenario_path))
    model = Model(name or slug(exp.spec.name), function=function)
    model.uncertainties = [_parameter(i, kinds[i.short]) for i in exp.inputs
                           if not i.path.startswith(LEVER_PREFIX)] + [IntegerParameter(SEED, *SEED_RANGE)]
    model.levers = [_parameter(i, kinds[i.short]) for i in exp.inputs if i.path.startswith(LEVER_PREFIX)]
    model.outcomes = [ScalarOutcome(o) for o in exp.spec.outputs]
    return model


def split_point(experiment: Experiment, point: dict[str, Any]) -> tuple[dict, dict]:
    """A coopsim point as EMA Workbench's two halves.

    Args:
        experiment: the experiment (which inputs are levers).
        point: input short name -> value.

    Returns:
        (scenario values: the uncertainties, policy values: the levers).
    """
    levers = {i.short for i in experiment.inputs if i.path.startswith(LEVER_PREFIX)}
    scenario = {k: v for k, v in point.items() if k not in levers}
    policy = {k: v for k, v in point.items() if k in levers}
    return scenario, policy
