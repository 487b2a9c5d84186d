"""The calibration's sweep target: one point of behaviour rates -> its score (docs/TRACE.md,
section 7). What the score is (the validation patterns, their distance) is the caller's
function, so this layer only builds the point's scenario and runs it."""

from __future__ import annotations

from typing import Callable, Iterable

from coopsim.config.scenario import Scenario

__all__ = ["CalibrationTarget"]


class CalibrationTarget:
    """Picklable target for the executor: one point -> distance and every check's value.

    Args:
        base: the resolved base scenario (`Scenario.model_dump()`).
        reps: replications per scenario per point.
        score: a module-level function `score(scenario, seed, reps) -> {output: value}` (pickled
            by reference, so process workers import it).
        parameters: the dotted paths a point sets; other columns are ignored.
        source_file: the base scenario's file (relative CSV paths resolve from it).
    """

    preload = ("coopsim.run.warm_start",)

    def __init__(self, base: dict, reps: int, score: Callable[[Scenario, int, int], dict],
                 parameters: Iterable[str], source_file: str | None = None):
        self.base = base
        self.reps = reps
        self.score = score
        self.parameters = tuple(parameters)
        self.source_file = source_file

    def __call__(self, params: dict, seed: int) -> dict:
        """The point's scenario (base + the point's rates), scored with `seed`."""
        scenario = Scenario.model_validate(self.base)
        scenario.source_file = self.source_file
        scenario = scenario.override({k: float(v) for k, v in params.items() if k in self.parameters},
                                     origin="calibration point")
        return self.score(scenario, seed, self.reps)
