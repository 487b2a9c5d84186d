"""The runs of `coopsim compare --uncertain N`: every scenario in every draw of the uncertain
inputs, through the same executor as a plain comparison (`coopsim.run.tracking.run_replications`).

Replication i of every scenario belongs to draw i // reps and runs with seed
`replication_seed(seed, i)`: within a draw the base and every lever share their seeds (common
random numbers), and draw 0's runs have the seeds of a plain comparison's first replications.
"""

from __future__ import annotations

from typing import Any, Sequence

from coopsim.config.scenario import Scenario
from coopsim.run.tracking import TrackedTarget

__all__ = ["DrawTarget"]


class DrawTarget(TrackedTarget):
    """Executor target: point (scenario, replication) -> the tracked run of that scenario with its
    draw's values of the uncertain inputs (`TrackedTarget` with one scenario per draw).

    Args:
        scenarios: the scenarios, the base first.
        regions: per scenario, the region counted (an index) or None.
        draws: per draw, dotted path -> value.
        reps: replications per draw (replication i belongs to draw i // reps).
        kept: per scenario, the drawn paths it sets itself (left at its own value).
    """

    preload = ("coopsim.run.uncertain", "coopsim.run.tracking", "coopsim.run.warm_start")

    def __init__(self, scenarios: Sequence[Scenario], regions: Sequence[int | None], draws: list[dict[str, Any]],
                 reps: int, kept: Sequence[Sequence[str]] | None = None):
        super().__init__(scenarios, regions)
        self.draws = [dict(d) for d in draws]
        self.reps = int(reps)
        self.kept = [set(k) for k in (kept or [()] * len(self.scenarios))]
        self._cache: dict[tuple[int, int], Scenario] = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def scenario(self, params: dict) -> Scenario:
        """The point's scenario with its draw's values (built once per worker, then cached)."""
        s, d = int(params["scenario"]), int(params["replication"]) // self.reps
        if (s, d) not in self._cache:
            values = {k: v for k, v in self.draws[d].items() if k not in self.kept[s]}
            self._cache[(s, d)] = self.scenarios[s].override(values, origin=f"uncertain draw {d}")
        return self._cache[(s, d)]
