"""Imported once by the forkserver that local sweep workers fork from (`coopsim.run.executor`).

Importing this imports Mesa and the model and runs one short default simulation, so the
Indonesian tables, the geography and the known partnerships are loaded once; every worker
forks with them already in memory (shared copy-on-write) and its first run costs what any
other run costs. Nothing else should import it.
"""

from coopsim.run.runner import simulate
from coopsim.config.scenario import Scenario

__all__ = []

try:
    simulate(Scenario().override({"simulation.years": 1}, origin="warm start"), seed=1)
except Exception:  # only a head start: a worker must not lose its server over it
    pass
