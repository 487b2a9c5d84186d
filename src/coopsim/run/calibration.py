"""Running a calibration: the sweep target that scores one point (its scenario, run and
scored), and ABC-SMC with `pyabc` over such points (docs/TRACE.md, section 7).

What the score is (the calibration targets' checks, their distance) is the caller's function,
so this layer only builds a point's scenario, runs it and drives the sampler.

Seeds: one master seed decides everything. It seeds numpy's and Python's global generators,
which pyabc draws its proposals from, for the duration of the run (their states are restored
afterwards); the run seed of a particle is derived from the master seed and the particle's
parameter values (`particle_seed`), so every particle can be re-run alone. On one core
(`SingleCoreSampler`) a calibration repeats exactly. With several workers pyabc's
`MulticoreEvalParallelSampler` reseeds each worker process from the operating system: the
proposals, and so the posterior's particles, then differ from run to run (each particle's own
result still repeats from its values).
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.config.scenario import Scenario
from coopsim.run.seeds import derive_seed

__all__ = ["CalibrationTarget", "particle_seed", "AbcModel", "AbcRun", "abc_smc"]


class CalibrationTarget:
    """Picklable target: one point -> its score (the summary statistics).

    Args:
        base: the resolved base scenario (`Scenario.model_dump()`).
        reps: replications per scenario per point.
        score: a module-level function `score(scenario, seed, reps) -> {statistic: value}` (pickled
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


def particle_seed(seed: int, values: dict[str, float]) -> int:
    """The run seed of a particle, so the same particle always runs with the same dice.

    Args:
        seed: the calibration's master seed.
        values: the particle's parameter values (dotted path -> value; order does not matter).

    Returns:
        `derive_seed(seed, k)` with k a hash of the values.
    """
    vector = np.array([float(values[k]) for k in sorted(values)], dtype=np.float64)
    index = int.from_bytes(hashlib.blake2b(vector.tobytes(), digest_size=8).digest(), "little") >> 2
    return derive_seed(seed, index)


class AbcModel:
    """The pyabc model: a particle's parameters -> its summary statistics (`target`'s outputs)."""

    def __init__(self, target: CalibrationTarget, seed: int):
        self.target = target
        self.seed = seed

    def __call__(self, parameter) -> dict:
        values = {k: float(v) for k, v in dict(parameter).items()}
        return self.target(values, particle_seed(self.seed, values))


@dataclass
class AbcRun:
    """What ABC-SMC produced.

    Attributes:
        particles: the last generation: one row per particle, its parameters, `weight`,
            `distance` and summary statistics.
        generations: one row per generation: t, epsilon, particles, samples (particles evaluated).
        simulations: particles evaluated in all.
        sampler: the pyabc sampler's name.
        deterministic: whether the run repeats exactly from its seed (one core).
    """
    particles: pd.DataFrame
    generations: pd.DataFrame
    simulations: int
    sampler: str
    deterministic: bool


def _pyabc():
    """pyabc, or a clear error naming the extra that installs it."""
    try:
        import pyabc
    except ImportError:
        raise UserError("Calibration needs pyabc: pip install 'coopsim[calibrate]' (or pip install pyabc).") from None
    return pyabc


def _distance(x: dict, x_0: dict, distance: Callable[[dict], float]) -> float:
    """pyabc's distance signature (x, x_0) around a distance of the statistics alone."""
    return distance(x)


def _particles(history, names: list[str]) -> pd.DataFrame:
    """The last generation of a pyabc history as a table."""
    rows = []
    for p in history.get_population(t=history.max_t).particles:
        rows.append({**{k: float(p.parameter[k]) for k in names}, "weight": float(p.weight),
                     "distance": float(p.distance), **{k: float(v) for k, v in p.sum_stat.items()}})
    table = pd.DataFrame(rows)
    table["weight"] /= table["weight"].sum()
    return table


def abc_smc(target: CalibrationTarget, priors: dict[str, tuple[float, float]], distance: Callable[[dict], float],
            observed: dict, settings, db: Path, workers: int = 1, progress: bool = False) -> AbcRun:
    """Run ABC-SMC (pyabc's `ABCSMC`, uniform priors, adaptive median tolerance).

    Args:
        target: scores one particle (`CalibrationTarget`).
        priors: dotted path -> (low, high) of a uniform prior.
        distance: a particle's summary statistics -> its distance (0: every target met);
            module-level or a `functools.partial` of one (pickled for workers).
        observed: the statistics' observed values (what pyabc stores; `distance` ignores them).
        settings: `coopsim.config.calibration.AbcSettings` (population, generations, seed, ...).
        db: the SQLite file pyabc writes its history to.
        workers: 1: one core, repeats exactly; more: pyabc's multicore sampler (see the module).
        progress: log each generation.

    Returns:
        The `AbcRun`.
    """
    pyabc = _pyabc()
    logging.getLogger("ABC").setLevel(logging.INFO if progress else logging.WARNING)
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in priors.items()})
    sampler = (pyabc.sampler.SingleCoreSampler() if workers <= 1
               else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers))
    states = np.random.get_state(), random.getstate()
    np.random.seed(settings.seed % 2**32)
    random.seed(settings.seed)
    try:
        abc = pyabc.ABCSMC(AbcModel(target, settings.seed), prior, partial(_distance, distance=distance),
                           population_size=settings.population, sampler=sampler)
        abc.new(f"sqlite:///{Path(db).resolve()}", observed)
        history = abc.run(minimum_epsilon=settings.min_epsilon, max_nr_populations=settings.generations,
                          min_acceptance_rate=settings.min_acceptance_rate,
                          max_total_nr_simulations=settings.max_simulations)
    finally:
        np.random.set_state(states[0])
        random.setstate(states[1])
    generations = history.get_all_populations()
    generations = generations[generations["t"] >= 0][["t", "epsilon", "particles", "samples"]].reset_index(drop=True)
    return AbcRun(_particles(history, list(priors)), generations, int(history.total_nr_simulations),
                  type(sampler).__name__, workers <= 1)
