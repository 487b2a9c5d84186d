"""coopsim: an agent-based model of how regional governments build international
partnerships (sister city, sister province, sub-regional growth areas) and why most stall.

The public API (everything a user needs, importable from `coopsim`):

    import coopsim
    scenario = coopsim.load_scenario("scenarios/baseline.toml")
    model = coopsim.CoopModel(scenario, seed=1).run()      # or coopsim.simulate(scenario, seed=1)
    coopsim.evaluate(scenario, seed=1, reps=10)            # mean outcomes of 10 replications
    study = coopsim.Study("experiments/obstacles_morris.toml").run("results/morris", workers=2)

Names load on first use, so `import coopsim` stays cheap (the command line imports only what a
command needs). The package is layered (README "Architecture"): config -> model -> run ->
analysis -> reporting -> workflows / app -> cli.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Scenario": "coopsim.config.scenario",
    "load_scenario": "coopsim.config.scenario",
    "Experiment": "coopsim.config.experiment",
    "load_experiment": "coopsim.config.experiment",
    "UserError": "coopsim.config.errors",
    "OUTCOMES": "coopsim.config.vocabulary",
    "Outcome": "coopsim.config.vocabulary",
    "CoopModel": "coopsim.model.model",
    "RegionalGovernment": "coopsim.model.agents",
    "ForeignPartner": "coopsim.model.agents",
    "summarize": "coopsim.model.outcomes",
    "simulate": "coopsim.run.runner",
    "evaluate": "coopsim.run.runner",
    "replicate": "coopsim.run.runner",
    "summarize_replications": "coopsim.analysis.replications",
    "replication_seed": "coopsim.run.seeds",
    "run_sweep": "coopsim.run.executor",
    "ema_model": "coopsim.run.ema",
    "Study": "coopsim.workflows.sensitivity",
    "plan_comparison": "coopsim.workflows.compare",
    "run_comparison": "coopsim.workflows.compare",
    "run_validation": "coopsim.workflows.validation",
    "Discovery": "coopsim.workflows.discovery",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value          # later lookups skip this function
        return value
    raise AttributeError(f"module 'coopsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
