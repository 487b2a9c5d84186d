"""Benchmark of the sensitivity executor (issue 4). Prints three ratios, measured in one run:

1. parallel efficiency, 2 workers against 1 (local process pool): T1 / (2 * T2); target >= 0.85
2. runner overhead per run against bare `evaluate` (serial): T_runner / T_bare - 1; target < 10%
3. throughput against EMA Workbench's MultiprocessingEvaluator, 2 processes each, same model
   function, same sample, same seeds: T_ema / T_ours; target > 1 (ours faster)

Each timing is a whole sweep (pool start-up and the Parquet chunk files included), chunked as
`coopsim sensitivity` chunks by default. The model is the baseline scenario with a shorter
horizon so the benchmark stays short; the sample is a Sobol' design over four obstacles.

A shared 2-vCPU machine changes speed by tens of percent from one second to the next, so one
timing of each is not a measurement. Every ratio is given two ways:
- from wall times: the variants run in rounds, in an order that rotates from round to round;
  each ratio is taken within a round (its parts a few seconds apart), and the median over
  rounds is reported with every round's value;
- at equal model speed: each sweep also measures the time spent inside the model (our
  executor's `seconds` column, EMA's model function timing itself, the bare `evaluate` calls
  inside the serial runner). Utilisation = time inside the model / (workers x wall time) is
  a ratio of two times taken in the same seconds, so the machine's drift cancels; ratios of
  utilisations are what the executor itself controls.
Parallel efficiency also depends on the hardware: one run gets slower when both cores are
busy (shared caches, clock, other tenants). That factor is printed, and so is the 2-vs-1
efficiency of a bare pure-Python loop with no executor at all, the machine's own ceiling.

Our local pool forks its workers from a forkserver that imports Mesa once per session
(`coopsim sensitivity` starts it while it samples); that one-off start is timed and printed
separately, and the throughput ratio is also printed counting it.

    .venv/bin/python benchmarks/bench_sensitivity.py [--points 128] [--rounds 7] [--years 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
INPUTS = {"hr_capacity": ("regions.hr_capacity", 0.1, 0.9),
          "data_quality": ("regions.data_quality", 0.1, 0.9),
          "adoption_probability": ("elections.adoption_probability", 0.05, 0.9),
          "budget_line_share": ("regions.budget_line_share", 0.05, 0.8)}
VARIANTS = ("bare", "serial", "pool1", "pool2", "ema")
_SCENARIO = None
_YEARS = 10


def _scenario():
    global _SCENARIO
    if _SCENARIO is None:
        from coopsim.config.scenario import load_scenario

        _SCENARIO = load_scenario(ROOT / "scenarios" / "baseline.toml").override({"simulation.years": _YEARS})
    return _SCENARIO


def ema_model(hr_capacity=0.4, data_quality=0.35, adoption_probability=0.35, budget_line_share=0.3, seed=1):
    """The same model function for EMA Workbench: parameters in, outputs out."""
    from coopsim.run.runner import evaluate

    t0 = time.perf_counter()
    params = {"hr_capacity": hr_capacity, "data_quality": data_quality,
              "adoption_probability": adoption_probability, "budget_line_share": budget_line_share}
    scenario = _scenario().override({INPUTS[k][0]: float(v) for k, v in params.items()})
    out = evaluate(scenario, seed=int(seed))
    # time inside the model function, as our executor's `seconds` column measures it
    return {"share_failed": out["share_failed"], "signed": out["signed"], "seconds": time.perf_counter() - t0}


def spin(iterations: int) -> float:
    """Pure-Python work with no executor around it: the machine's own 2-core ceiling."""
    t, total = time.perf_counter(), 0
    for i in range(iterations):
        total += i * i
    return time.perf_counter() - t


def _summary(name: str, values: list[float], target: str, fmt: str = "{:.2f}") -> str:
    rounds = " ".join(fmt.format(v) for v in values)
    return f"{name}: median {fmt.format(statistics.median(values))}  (rounds: {rounds})  target {target}"


def main() -> None:
    global _YEARS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    _YEARS = args.years

    from SALib import ProblemSpec

    from coopsim.run.targets import ScenarioTarget

    from coopsim.run.executor import chunk_starts, read_results, run_sweep, warm_up

    from coopsim.run.seeds import derive_seeds
    from coopsim.run.runner import evaluate

    sp = ProblemSpec({"names": list(INPUTS), "bounds": [[lo, hi] for _, lo, hi in INPUTS.values()]})
    n_base = max(1, args.points // (len(INPUTS) + 2))
    sp.sample_sobol(1 << (n_base - 1).bit_length(), calc_second_order=False, seed=3)
    points = pd.DataFrame(sp.samples[: args.points], columns=list(INPUTS))
    seeds = derive_seeds(20261128, len(points))
    n = len(points)
    base = _scenario()
    target = ScenarioTarget([base.model_dump(mode="json")], {k: v[0] for k, v in INPUTS.items()})
    print(f"{n} points, baseline scenario over {args.years} years, {args.rounds} rounds; "
          f"{len(chunk_starts(n, 1))} chunks (1 worker) and {len(chunk_starts(n, 2))} (2 workers)")

    # bare evaluate: scenarios built beforehand, nothing but the model in the timed loop
    scenarios = [base.override({INPUTS[k][0]: float(v) for k, v in row.items()}) for _, row in points.iterrows()]
    evaluate(scenarios[0], seed=1)  # warm caches (population tables) as a worker would

    with warnings.catch_warnings():   # "ipyparallel not installed": not needed here
        warnings.simplefilter("ignore")
        import ema_workbench  # noqa: F401
    from ema_workbench import (IntegerParameter, Model, MultiprocessingEvaluator, RealParameter,
                               Sample, ScalarOutcome)

    model = Model("coopsim", function=ema_model)
    model.uncertainties = [RealParameter(k, lo, hi) for k, (_, lo, hi) in INPUTS.items()] + \
        [IntegerParameter("seed", 0, 2**31 - 1)]
    model.outcomes = [ScalarOutcome("share_failed"), ScalarOutcome("signed"), ScalarOutcome("seconds")]
    samples = [Sample(**{k: float(row[k]) for k in INPUTS}, seed=int(sd))
               for (_, row), sd in zip(points.iterrows(), seeds)]

    tmp = Path(tempfile.mkdtemp(prefix="bench_sens_"))
    times: dict[str, list[float]] = {k: [] for k in VARIANTS}
    # time inside the model, measured within the same sweep as its wall time: the machine's
    # speed cancels out of the ratio of the two
    inside: dict[str, list[float]] = {k: [] for k in ("serial", "pool1", "pool2", "ema")}
    import coopsim.run.runner as runner

    def timed_evaluate(*a, **kw):   # the bare model call inside the serial runner
        t = time.perf_counter()
        try:
            return bare_evaluate(*a, **kw)
        finally:
            timed_evaluate.total += time.perf_counter() - t
    bare_evaluate = runner.evaluate

    def run(name: str) -> None:
        if name == "bare":
            t = time.perf_counter()
            bare = [evaluate(sc, seed=int(sd))["share_failed"] for sc, sd in zip(scenarios, seeds)]
            times[name].append(time.perf_counter() - t)
            run.bare = bare
        elif name == "ema":
            t = time.perf_counter()
            with MultiprocessingEvaluator(model, n_processes=2) as evaluator, \
                    contextlib.redirect_stderr(io.StringIO()):   # EMA's own progress bar
                experiments, outcomes = evaluator.perform_experiments(scenarios=samples)
            times[name].append(time.perf_counter() - t)
            inside[name].append(float(np.sum(outcomes["seconds"])))
            run.ema = pd.Series(outcomes["share_failed"], index=experiments["seed"].astype(int).to_numpy())
        else:
            kw = {"backend": "serial"} if name == "serial" else \
                {"backend": "process", "workers": {"pool1": 1, "pool2": 2}[name]}
            shutil.rmtree(tmp / name, ignore_errors=True)
            timed_evaluate.total = 0.0
            runner.evaluate = timed_evaluate if name == "serial" else bare_evaluate
            try:
                t = time.perf_counter()
                run_sweep(target, points, seeds, tmp / name, progress=False, **kw)
                times[name].append(time.perf_counter() - t)
            finally:
                runner.evaluate = bare_evaluate
            got = read_results(tmp / name)
            run.results[name] = got["out:share_failed"].to_numpy()
            inside[name].append(timed_evaluate.total if name == "serial" else got["seconds"].sum())
    run.results = {}

    from concurrent.futures import ProcessPoolExecutor

    from coopsim.run.executor import worker_context

    ceiling: list[float] = []
    spinners = ProcessPoolExecutor(2, mp_context=worker_context(target.preload))

    def machine_ceiling() -> None:   # one spinner alone, then two at once: T1 / T2
        work = 4_000_000
        t = time.perf_counter()
        spinners.submit(spin, work).result()
        alone = time.perf_counter() - t
        t = time.perf_counter()
        for f in [spinners.submit(spin, work) for _ in range(2)]:
            f.result()
        ceiling.append(alone / (time.perf_counter() - t))

    try:
        t0 = time.perf_counter()
        warm_up(target.preload)
        run_sweep(target, points.iloc[:2], seeds[:2], tmp / "warm", backend="process", workers=1,
                  progress=False)   # the forkserver's imports done
        t_start = time.perf_counter() - t0
        for r in range(args.rounds):
            order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
            for name in order:
                run(name)
            machine_ceiling()
            for name, got in run.results.items():
                assert np.allclose(got, run.bare, equal_nan=True), f"{name} and bare evaluate disagree"
            assert np.allclose(run.ema.reindex(seeds).to_numpy(), run.bare, equal_nan=True), \
                "EMA and coopsim disagree"
            print(f"round {r + 1}: " + ", ".join(f"{k} {times[k][-1]:.2f} s" for k in VARIANTS), flush=True)
    finally:
        spinners.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)

    med = statistics.median
    rounds = range(args.rounds)
    workers = {"serial": 1, "pool1": 1, "pool2": 2, "ema": 2}
    # utilisation: time inside the model / (workers x wall time)
    util = {k: [inside[k][r] / (workers[k] * times[k][r]) for r in rounds] for k in inside}
    eff = [times["pool1"][r] / (2 * times["pool2"][r]) for r in rounds]
    overhead = [(times["serial"][r] / times["bare"][r] - 1) * 100 for r in rounds]
    overhead_inside = [(1 / util["serial"][r] - 1) * 100 for r in rounds]
    speed = [times["ema"][r] / times["pool2"][r] for r in rounds]
    speed_inside = [util["pool2"][r] / util["ema"][r] for r in rounds]
    slowdown = [(inside["pool2"][r] / inside["pool1"][r]) for r in rounds]
    print(f"\nmedian of {args.rounds} rounds (best of rounds in brackets):")
    for k in VARIANTS:
        label = {"bare": "bare evaluate", "serial": "runner, serial", "pool1": "process pool x1",
                 "pool2": "process pool x2", "ema": "EMA Workbench x2"}[k]
        print(f"  {label:18s} {med(times[k]):7.2f} s  [{min(times[k]):.2f}]"
              + (f"   utilisation {med(util[k]):.3f}" if k in util else ""))
    print(f"  forkserver start   {t_start:7.2f} s  (once per session)")
    print(f"  bare model run     {med(times['bare']) / n * 1000:7.1f} ms")
    print("\nEach ratio two ways: from the wall times of one round (median over rounds; the machine's "
          "drift is in it),\nand from the time inside the model measured within the same sweeps "
          "(the drift cancels; what the executor controls).")
    print(_summary("1. parallel efficiency 2 vs 1 workers", eff, ">= 0.85"))
    print(f"   executor part (utilisation x2 / x1): {med(util['pool2']) / med(util['pool1']):.3f}; hardware part: "
          f"one run is {med(slowdown):.2f}x slower with both cores busy (rounds: "
          f"{' '.join(f'{v:.2f}' for v in slowdown)}); a bare pure-Python loop, 2 processes vs 1, with no "
          f"executor: {med(ceiling):.2f} (rounds: {' '.join(f'{v:.2f}' for v in ceiling)})")
    print(_summary("2. runner overhead per run vs bare evaluate (%)", overhead, "< 10", "{:+.1f}"))
    print(f"   within the serial sweep (wall / time inside evaluate - 1): {med(overhead_inside):+.2f}%  "
          f"(rounds: {' '.join(f'{v:+.2f}' for v in overhead_inside)})")
    print(_summary("3. throughput vs EMA Workbench (x)", speed, "> 1"))
    print(f"   at equal model speed (our utilisation / EMA's): {med(speed_inside):.3f}  (rounds: "
          f"{' '.join(f'{v:.3f}' for v in speed_inside)}); counting our one-off forkserver start "
          f"{med(times['ema']) / (med(times['pool2']) + t_start):.2f}")

if __name__ == "__main__":
    main()
