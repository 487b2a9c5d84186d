"""Replicated runs in one table: the mean of every outcome with its 95% bootstrap interval.

`coopsim.evaluate(scenario, seed, reps, per_replication=True)` gives one row per replication;
`summarize_replications` turns that frame into one row per outcome, resampling replications
(`coopsim.analysis.stats.mean_interval`, seeded, so the same frame gives the same interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopsim.analysis.stats import mean_interval
from coopsim.config.vocabulary import OUTCOMES, words

__all__ = ["REPLICATION_COLUMNS", "summarize_replications"]

#: Columns of a per-replication frame that are not outcomes.
REPLICATION_COLUMNS = ("replication", "seed")


def summarize_replications(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean of each outcome over the replications, with its 95% percentile-bootstrap interval.

    Args:
        frame: one row per replication (`evaluate(..., per_replication=True)`); every column but
            "replication" and "seed" is an outcome. Missing values (an outcome a replication could
            not measure) are left out of that outcome's mean and interval.

    Returns:
        One row per outcome: "outcome", "words" (what it is, with its unit), "mean", "lo", "hi"
        (the interval) and "replications" (how many had a value), in the frame's column order.
    """
    rows = []
    for column in (c for c in frame.columns if c not in REPLICATION_COLUMNS):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        mean, lo, hi = mean_interval(values)
        rows.append({"outcome": column, "words": OUTCOMES[column].label if column in OUTCOMES else words(column),
                     "mean": mean, "lo": lo, "hi": hi, "replications": int(np.isfinite(values).sum())})
    return pd.DataFrame(rows, columns=["outcome", "words", "mean", "lo", "hi", "replications"])
