"""Benchmark (not a test): cost of one coopsim run against Mesa's Boltzmann wealth model.

The default scenario (all 552 regional governments plus the foreign pool, 20 years,
quarterly steps, set-up and data collection included, Mesa agents created) is timed against
`mesa.examples.basic.boltzmann_wealth_model` with the same number of agents and steps, in
the same process, alternating, and the median ratio printed (target <= 0.2). Then the
scaling check: a synthetic population 10x the default size against one of the default size
(target time ratio < 12), and the peak memory of a run (target < 300 MB).

    .venv/bin/python benchmarks/bench_run.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from coopsim.model.model import CoopModel
from coopsim.model.outcomes import summarize
from coopsim.config.scenario import load_scenario


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
    ours, with_agents, theirs = [], [], []
    for i in range(args.repeats):
        ours.append(timed(coopsim_run, scenario, i))
        with_agents.append(timed(coopsim_run, scenario, i, True))
        theirs.append(timed(boltzmann_run, n_agents, steps, i))
    ratios = [a / b for a, b in zip(ours, theirs)]
    ratios_agents = [a / b for a, b in zip(with_agents, theirs)]
    print(f"default scenario: {model.regions.n} governments + {model.partners.n} partners = {n_agents} agents, {steps} steps")
    print(f"  coopsim   median {statistics.median(ours) * 1000:8.1f} ms (as a sweep runs it)")
    print(f"  coopsim   median {statistics.median(with_agents) * 1000:8.1f} ms (Mesa agent views built too)")
    print(f"  boltzmann median {statistics.median(theirs) * 1000:8.1f} ms (same agents, same steps)")
    print(f"  ratio coopsim/boltzmann: median {statistics.median(ratios):.3f} (target <= 0.2); "
          f"with agent views {statistics.median(ratios_agents):.3f}")

    small = scenario.override({"simulation.population": "synthetic", "simulation.synthetic_regions": 552})
    big = scenario.override({"simulation.population": "synthetic", "simulation.synthetic_regions": 5520,
                             "partners.pool_size": scenario.partners.pool_size * 10})
    coopsim_run(big, 0)
    t_small = [timed(coopsim_run, small, i) for i in range(3)]
    t_big = [timed(coopsim_run, big, i) for i in range(3)]
    print(f"scaling: synthetic 552 -> 5520 governments (pool x10): "
          f"{statistics.median(t_small) * 1000:.1f} ms -> {statistics.median(t_big) * 1000:.1f} ms, "
          f"ratio {statistics.median(t_big) / statistics.median(t_small):.2f} (target < 12)")

    tracemalloc.start()
    coopsim_run(scenario, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: peak traced during one default run {peak / 2**20:.1f} MB; "
          f"process max RSS {rss:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
