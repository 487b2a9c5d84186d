"""What a run records each step, declared once (like Starsim's `define_results`).

`HISTORY` names the columns of `CoopModel.history` (one row per step) and of
`CoopModel.timeseries()`. The mechanisms count this step's events on `model.tally` (a `Tally`);
`record` writes the tally and the stock of partnerships by stage into the step's row. A new
per-step result is one entry in `COUNTERS` (with its words) and the line of the mechanism
that counts it.
"""

from __future__ import annotations

import numpy as np

from coopsim.config.vocabulary import CAUSES, STAGES

__all__ = ["COUNTERS", "HISTORY", "RESULT_WORDS", "Tally", "record", "column"]

#: Events counted during a step (key -> words).
COUNTERS = {
    "formed": "explorations started",
    "signed": "MoUs signed (approved)",
    "abandoned": "explorations, LoIs or MoUs given up",
    "revived": "dormant or ended partnerships revived",
    "renewed": "MoUs renewed at term end",
    "lapsed_active": "active MoUs that lapsed unrenewed at term end",
    "turnovers": "regions whose head changed",
    "evaluations": "yearly joint evaluations held",
    "benefits": "benefits delivered (programme units)",
    "spending": "regional spending (budget units)",
}
HISTORY = (tuple(f"n_{s}" for s in STAGES) + tuple(COUNTERS)
           + tuple(f"stagnated_{c}" for c in CAUSES) + tuple(f"ended_{c}" for c in CAUSES)
           + tuple(f"quit_{c}" for c in CAUSES))
RESULT_WORDS = ({f"n_{s}": f"partnerships in stage {s}" for s in STAGES} | COUNTERS
                | {f"stagnated_{c}": f"stagnations caused by {c}" for c in CAUSES}
                | {f"ended_{c}": f"endings caused by {c}" for c in CAUSES}
                | {f"quit_{c}": f"active partnerships ended by {c}" for c in CAUSES})
_COL = {name: i for i, name in enumerate(HISTORY)}


def column(name: str) -> int:
    """Index of a result in a history row."""
    return _COL[name]


class Tally:
    """This step's event counts, written by the mechanisms (`model.tally.signed += k`)."""

    __slots__ = ("formed", "signed", "abandoned", "revived", "renewed", "lapsed_active", "evaluations",
                 "benefits", "spending", "stagnated", "ended")

    def __init__(self):
        self.formed = self.signed = self.abandoned = self.revived = 0
        self.renewed = self.lapsed_active = self.evaluations = 0
        self.benefits = self.spending = 0.0
        self.stagnated = np.zeros(len(CAUSES), dtype=np.int64)   # by binding cause
        self.ended = np.zeros(len(CAUSES), dtype=np.int64)


def record(row: np.ndarray, stage_counts: np.ndarray, tally: Tally, turnovers: int,
           quit: np.ndarray | None = None) -> None:
    """Write one step's results into `row` (a view of the history); `quit`: active
    partnerships ended this step by cause (`Partnerships.quit`)."""
    row[:len(STAGES)] = stage_counts
    for name in COUNTERS:
        row[_COL[name]] = turnovers if name == "turnovers" else getattr(tally, name)
    k = _COL[f"stagnated_{CAUSES[0]}"]
    row[k:k + len(CAUSES)] = tally.stagnated
    row[k + len(CAUSES):k + 2 * len(CAUSES)] = tally.ended
    if quit is not None:
        row[k + 2 * len(CAUSES):k + 3 * len(CAUSES)] = quit
