"""Ready-made sweep targets: picklable callables `target(params, seed) -> {output: value}`
that `coopsim.run.executor.run_sweep` runs (the model with a scenario, or the Ishigami
function that verifies the sensitivity machinery against analytical indices)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from coopsim.config.experiment import POLICY_COLUMN, coerce_sampled, dotted_value, kind_of

__all__ = ["ScenarioTarget", "IshigamiTarget"]


class ScenarioTarget:
    """Runs the model: base scenario (+ a policy's overrides) + the point's parameters.

    Args:
        bases: resolved scenario dicts, one per policy; column `_policy` of a point picks one.
        paths: point column -> scenario dotted path; other columns (dummy, seed input) are ignored.
        reps: replications averaged per point (`coopsim.run.runner.evaluate`).
        source_file: the base scenario's file (relative CSV paths resolve from it).

    Sampled numbers become parameter values by `coopsim.config.experiment.coerce_sampled`.
    Scenarios are rebuilt lazily in each worker and cached there.
    """

    preload = ("coopsim.run.warm_start",)   # what local workers' forkserver imports once

    def __init__(self, bases: list[dict], paths: dict[str, str], reps: int = 1,
                 source_file: str | None = None):
        self.bases = bases
        self.paths = dict(paths)
        self.reps = int(reps)
        self.source_file = source_file
        self._cache: dict[int, Any] = {}
        self._kinds: dict[str, str] = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def _base(self, k: int):
        if k not in self._cache:
            from coopsim.config.scenario import Scenario

            scenario = Scenario.model_validate(self.bases[k])
            scenario.source_file = self.source_file
            self._cache[k] = scenario
            if not self._kinds:
                data = scenario.model_dump()
                self._kinds = {column: kind_of(dotted_value(data, path)) for column, path in self.paths.items()}
        return self._cache[k]

    def overrides(self, params: dict) -> tuple[int, dict]:
        """(policy index, {dotted path: value}) of one point."""
        k = int(params.get(POLICY_COLUMN, 0))
        self._base(k)
        values = {path: coerce_sampled(params[column], self._kinds.get(column, "float"))
                  for column, path in self.paths.items()}
        return k, values

    def __call__(self, params: dict, seed: int) -> dict:
        from coopsim.run.runner import evaluate

        k, values = self.overrides(params)
        scenario = self._base(k).override(values, origin="sensitivity point")
        return evaluate(scenario, seed=seed, reps=self.reps)


class IshigamiTarget:
    """Ishigami function y = sin x1 + a sin^2 x2 + b x3^4 sin x1 (verification target),
    optionally plus Gaussian noise drawn from the run seed (sd `noise`)."""

    def __init__(self, a: float = 7.0, b: float = 0.1, noise: float = 0.0):
        self.a, self.b, self.noise = a, b, noise

    def __call__(self, params: dict, seed: int) -> dict:
        x1, x2, x3 = params["x1"], params["x2"], params["x3"]
        y = math.sin(x1) + self.a * math.sin(x2) ** 2 + self.b * x3 ** 4 * math.sin(x1)
        if self.noise:  # a stochastic variant: the seed matters, like in the model
            y += self.noise * float(np.random.default_rng(seed).standard_normal())
        return {"y": y}
