"""Traced runs: the model stepped by hand, with the stage of every partnership recorded after
every step (what the validation patterns read; docs/TRACE.md, section 6).

A `Trace` is the model's own state, nothing computed for the checks: `tests/test_validation.py`
checks that its stage counts and final state equal the model's time series and ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coopsim.config.scenario import Scenario
from coopsim.model.hindcast import hindcast_steps
from coopsim.model.model import CoopModel
from coopsim.run.seeds import replication_seed

__all__ = ["Trace", "trace", "traces"]


@dataclass
class Trace:
    """Everything the checks read from one run. Row 0 of each matrix is the initial state;
    row k + 1 is the state after step k. Partnerships that do not exist yet have stage -1."""
    stage: np.ndarray          # (steps + 1, rows) int8
    term_end: np.ndarray       # (steps + 1, rows) term end step (0 when not signed)
    renewals: np.ndarray       # (steps + 1, rows)
    last_election: np.ndarray  # (steps + 1, regions) step of each region's last election
    region: np.ndarray         # (rows,) region of each partnership
    institutionalised: np.ndarray  # (rows,) joint committee or the region's bureau
    term_years: np.ndarray     # (rows,)
    case: np.ndarray           # (rows,) index into case_names, -1 otherwise
    case_names: list[str]
    steps_per_year: int
    start_year: float = 0.0    # calendar year of row 0
    #: (rows,) who each partnership is: region (official name), level, province, partner, country,
    #: known (from the data); from the run's ledger. None in hand-made traces.
    parties: pd.DataFrame | None = None
    #: (regions,) each region's official name, level and province. None in hand-made traces.
    regions: pd.DataFrame | None = None
    #: the partnerships' event log (`Partnerships.events`: row, t, stage, cause), the past
    #: included (negative steps); None in hand-made traces.
    events: dict | None = None
    #: the first step the run simulated: minus the steps of its past (0 without a hindcast).
    first_step: int = 0

    @property
    def steps(self) -> int:
        """Steps run (rows of each matrix minus the initial state)."""
        return self.stage.shape[0] - 1


def _pad(rows: list[np.ndarray], width: int, fill, dtype) -> np.ndarray:
    """Stack rows of growing length (partnerships are added during a run) into a matrix."""
    out = np.full((len(rows), width), fill, dtype=dtype)
    for k, row in enumerate(rows):
        out[k, :len(row)] = row
    return out


def trace(scenario: Scenario, seed: int) -> Trace:
    """Run the model step by step, recording every partnership's stage after each step.

    Args:
        scenario: the scenario to run.
        seed: the run's seed (as for `coopsim.run.runner.simulate`).

    Returns:
        The run's `Trace`.
    """
    model = CoopModel(scenario, seed=seed, agents=False)
    e = model.partnerships
    stages, terms, renewals, elections = [], [], [], []

    def record():
        stages.append(e.stage[:e.n].astype(np.int8))
        terms.append(e.term_end[:e.n].copy())
        renewals.append(e.renewals[:e.n].astype(np.int32))
        elections.append(model.last_election.copy())

    record()
    while model.t < scenario.steps:
        model.step()
        record()
    n = e.n
    parties = model.ledger()[["region", "level", "province", "partner", "country", "known"]]
    return Trace(stage=_pad(stages, n, -1, np.int8), term_end=_pad(terms, n, 0.0, float),
                 renewals=_pad(renewals, n, 0, np.int32), last_election=np.array(elections),
                 region=e.region[:n].copy(),
                 institutionalised=e.committee[:n] | model.regions.bureau[e.region[:n]],
                 term_years=e.term_years[:n].copy(), case=e.case[:n].copy(),
                 case_names=list(model.case_names), steps_per_year=model.steps_per_year,
                 start_year=float(model.params.simulation.start_year), parties=parties.reset_index(drop=True),
                 regions=model.regions.table[["name", "level", "province"]].reset_index(drop=True),
                 events=e.events(), first_step=-hindcast_steps(scenario))


def traces(scenario: Scenario, seed: int, reps: int) -> list[Trace]:
    """Replications with the runner's seeds, so scenario pairs share random numbers.

    Args:
        scenario: the scenario to run.
        seed: master seed; replication i runs with `replication_seed(seed, i)`.
        reps: number of replications.

    Returns:
        One `Trace` per replication.
    """
    return [trace(scenario, replication_seed(seed, i)) for i in range(reps)]
