"""Benchmark (not a test): cost of one coopsim run against Mesa's Boltzmann wealth model.

The default scenario (all 552 regional governments plus the foreign pool, 20 years,
quarterly steps, set-up and data collection included, Mesa agents created) is timed against
`mesa.examples.basic.boltzmann_wealth_model` with the same number of agents and steps, in
the same process, alternating, and the median ratio printed (target <= 0.15). The baseline
starts from a reconstruction of the past (`simulation.history`): the main figure is a run
from a reconstruction already made in the process (what every run of a sweep after the first
32 per process costs); the cost of making one (a run of the past from 1985) is printed
beside it, and the cost per run in a sweep of 1,000 runs on one process. Then the scaling
check: a synthetic population 10x the default size against one of the default size (target
time ratio < 12), and the peak memory of a run (target < 300 MB).

    .venv/bin/python benchmarks/bench_run.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

import os

os.environ["COOPSIM_PAST_CACHE"] = "off"   # pasts made here are made, not read from an earlier run's store

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth  # noqa: E402

from coopsim.model.hindcast import forget_reconstructions  # noqa: E402
from coopsim.model.model import CoopModel  # noqa: E402
from coopsim.model.outcomes import summarize  # noqa: E402
from coopsim.config.scenario import load_scenario  # noqa: E402


def coopsim_run(scenario, seed, agents=False):
    """As a sweep runs it; with agents=True the Mesa agent views are built too."""
    model = CoopModel(scenario, seed=seed, agents=agents).run()
    model.timeseries(), model.ledger(), summarize(model)
    return model


def boltzmann_run(n_agents, steps, seed):
    side = int(n_agents ** 0.5) + 1
    model = BoltzmannWealth(BoltzmannScenario(n=n_agents, width=side, height=side, rng=seed))
    for _ in range(steps):
        model.step()


def timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    model = coopsim_run(scenario, 0)  # warm caches (data files are read once per process)
    n_agents = model.regions.n + model.partners.n
    steps = scenario.steps
    for i in range(args.repeats):
        coopsim_run(scenario, i)      # make the reconstructions these seeds start from
    ours, with_agents, theirs, cold = [], [], [], []
    for i in range(args.repeats):
        ours.append(timed(coopsim_run, scenario, i))
        with_agents.append(timed(coopsim_run, scenario, i, True))
        theirs.append(timed(boltzmann_run, n_agents, steps, i))
        forget_reconstructions()
        cold.append(timed(coopsim_run, scenario, i))
        coopsim_run(scenario, (i + 1) % args.repeats)
    ratios = [a / b for a, b in zip(ours, theirs)]
    ratios_agents = [a / b for a, b in zip(with_agents, theirs)]
    ratios_cold = [a / b for a, b in zip(cold, theirs)]
    draws = scenario.simulation.history_draws
    sweep = [(draws * c + (1000 - draws) * a) / 1000 / b for a, b, c in zip(ours, theirs, cold)]
    print(f"default scenario: {model.regions.n} governments + {model.partners.n} partners = {n_agents} agents, {steps} steps")
    print(f"  coopsim   median {statistics.median(ours) * 1000:8.1f} ms (as a sweep runs it, its past already reconstructed)")
    print(f"  coopsim   median {statistics.median(with_agents) * 1000:8.1f} ms (Mesa agent views built too)")
    print(f"  coopsim   median {statistics.median(cold) * 1000:8.1f} ms (its past reconstructed in the run, from "
          f"{scenario.simulation.hindcast_from})")
    print(f"  boltzmann median {statistics.median(theirs) * 1000:8.1f} ms (same agents, same steps)")
    print(f"  ratio coopsim/boltzmann: median {statistics.median(ratios):.3f} (target <= 0.15); "
          f"with agent views {statistics.median(ratios_agents):.3f}; past reconstructed in the run "
          f"{statistics.median(ratios_cold):.3f}; per run of a 1,000-run sweep on one process "
          f"({draws} pasts made) {statistics.median(sweep):.3f}")

    forget_reconstructions()        # each phase keeps the pasts of its own scenario only
    small = scenario.override({"simulation.population": "synthetic", "simulation.synthetic_regions": 552})
    big = scenario.override({"simulation.population": "synthetic", "simulation.synthetic_regions": 5520,
                             "partners.pool_size": scenario.partners.pool_size * 10})
    for i in range(3):              # their pasts made first (as above)
        coopsim_run(small, i), coopsim_run(big, i)
    t_small = [timed(coopsim_run, small, i) for i in range(3)]
    t_big = [timed(coopsim_run, big, i) for i in range(3)]
    print(f"scaling: synthetic 552 -> 5520 governments (pool x10): "
          f"{statistics.median(t_small) * 1000:.1f} ms -> {statistics.median(t_big) * 1000:.1f} ms, "
          f"ratio {statistics.median(t_big) / statistics.median(t_small):.2f} (target < 12)")

    forget_reconstructions()
    coopsim_run(scenario, 1)          # its past made first: the memory of a run from it
    tracemalloc.start()
    coopsim_run(scenario, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: peak traced during one default run {peak / 2**20:.1f} MB; max RSS of a fresh process "
          f"making its past and running it {_fresh_process_rss(args.scenario):.0f} MB (target < 300 MB); "
          f"this benchmark's process after all of the above {rss:.0f} MB")


def _fresh_process_rss(scenario_path: str) -> float:
    """Max RSS (MB) of a new Python process that loads the scenario and does one default run."""
    # VmHWM: the peak of this process's own memory (getrusage's max RSS carries the parent's over exec)
    code = ("import sys; sys.path.insert(0, 'benchmarks'); from bench_run import coopsim_run; "
            "from coopsim.config.scenario import load_scenario; "
            f"coopsim_run(load_scenario({scenario_path!r}), 1); "
            "print([int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])

if __name__ == "__main__":
    main()
