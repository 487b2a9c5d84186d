"""Partnerships as an edge table that grows (like Starsim's networks): one row per pair of a
regional government and a foreign partner, every attribute a numpy column.

Lifecycle (section 'Forms and lifecycle'): exploration -> letter of intent -> MoU awaiting
DPRD approval and Foreign Ministry consideration -> active (programs implemented) ->
renewal at term end, or stagnation ('stagnansi') -> ended; dormant ones can be revived and
ended ones re-signed.

Every stage change is also appended to an event log (`events()`: row, step, stage entered,
cause), so a partnership's whole life survives a re-signing that reuses its row.
"""

from __future__ import annotations

import copy

import numpy as np

from coopsim.config.vocabulary import CAUSES, SECTORS, STAGES
from coopsim.model.draws import row_key

__all__ = ["Partnerships", "STAGES", "CAUSES", "EXPLORATION", "LOI", "MOU", "ACTIVE", "STAGNANT", "ENDED",
           "BUDGET", "HR", "DATA", "LEADERSHIP", "BUREAUCRACY", "INFRASTRUCTURE", "PARTNER", "LEGAL", "RELATIONS",
           "COMPLETED", "PRIORITIES", "NO_CAUSE"]

# stage codes: positions in coopsim.config.vocabulary.STAGES
EXPLORATION, LOI, MOU, ACTIVE, STAGNANT, ENDED = (STAGES.index(s) for s in (
    "exploration", "loi", "mou", "active", "stagnant", "ended"))

# Binding causes of a stagnation or an ending (section 'Hambatan', plus turnover and partner).
# cause codes: positions in coopsim.config.vocabulary.CAUSES
BUDGET, HR, DATA, LEADERSHIP, BUREAUCRACY, INFRASTRUCTURE, PARTNER, LEGAL, RELATIONS, COMPLETED, PRIORITIES = (
    CAUSES.index(c) for c in ("budget", "hr", "data", "leadership", "bureaucracy", "infrastructure", "partner",
                              "legal", "relations", "completed", "priorities"))
NO_CAUSE = -1

_FLOAT = ("t_explore", "t_loi", "t_mou", "t_stagnant", "t_end", "t_stage", "approval_due",
          "term_end", "data", "clarity", "comp", "sponsor", "engagement", "dedicated",
          "obligation", "activity", "activity_sum", "benefits", "spending", "junkets",
          "partner_spending", "active_quarters", "economic_share", "delivery", "progress")
_INT = ("region", "partner", "stage", "low_count", "cause", "end_cause", "revivals", "renewals",
        "case", "term_years", "n_programs")
_BOOL = ("committee", "partner_budget", "region_budget", "misjudged", "foreign_initiative", "known")
_COLUMNS = _FLOAT + _INT + _BOOL + ("programs", "key")   # every per-row column
_NEVER = -1e9


def _blank(name: str) -> float:
    """What a column holds in a row not in use: never reached for a time (`t_...`), else zero."""
    return _NEVER if name.startswith("t_") else 0


class Partnerships:
    """Columns of equal length `capacity`; rows [0, n) are in use. Times are in steps
    (negative = before the start), -1e9 where a stage was never reached."""

    NEVER = _NEVER

    def __init__(self, capacity: int = 256):
        self.n = 0
        self.capacity = capacity
        for name in _FLOAT:
            setattr(self, name, np.full(capacity, _blank(name), dtype=np.float64))
        for name in _INT:
            setattr(self, name, np.zeros(capacity, dtype=np.int64))
        for name in _BOOL:
            setattr(self, name, np.zeros(capacity, dtype=bool))
        self.programs = np.zeros((capacity, len(SECTORS)), dtype=bool)
        self.key = np.zeros(capacity, dtype=np.uint64)   # identity for keyed random numbers
        self.pairs: set[tuple[int, int]] = set()
        self.quit = np.zeros(len(CAUSES), dtype=np.int64)   # active ones ended this step, by cause
        # the event log (stage changes, in order) in growing columns: row, step, stage, cause
        self.logged = 0
        self._events = {"row": np.zeros(4 * capacity, np.int64), "t": np.zeros(4 * capacity),
                        "stage": np.zeros(4 * capacity, np.int64), "cause": np.zeros(4 * capacity, np.int64)}

    def _record(self, rows: np.ndarray, t, stage, cause) -> None:
        """Append the stage changes of these rows to the event log (on every move: kept to
        four slice assignments; the log doubles when full)."""
        start = self.logged
        stop = start + len(rows)
        log = self._events
        if stop > len(log["row"]):
            log = self._events = {name: np.concatenate([col, np.zeros(max(len(col), stop - start), col.dtype)])
                                  for name, col in log.items()}
        log["row"][start:stop] = rows
        log["t"][start:stop] = t
        log["stage"][start:stop] = stage
        log["cause"][start:stop] = cause
        self.logged = stop

    def events(self) -> dict[str, np.ndarray]:
        """The event log: every stage a row entered, in order. Returns columns `row`, `t` (step,
        negative before the start), `stage` and `cause` (code, -1 for none) of equal length
        (views: read, do not write)."""
        return {name: col[: self.logged] for name, col in self._events.items()}

    def _grow(self, need: int) -> None:
        new = max(self.capacity * 2, need)
        for name in _FLOAT + _INT + _BOOL:
            old = getattr(self, name)
            col = np.full(new, _blank(name), dtype=old.dtype)
            col[: self.capacity] = old
            setattr(self, name, col)
        programs = np.zeros((new, len(SECTORS)), dtype=bool)
        programs[: self.capacity] = self.programs
        self.programs = programs
        self.key = np.concatenate([self.key, np.zeros(new - self.capacity, dtype=np.uint64)])
        self.capacity = new

    def add(self, region: np.ndarray, partner: np.ndarray, keys: np.ndarray | None = None,
            **columns) -> np.ndarray:
        """Append rows; returns their indices. Unnamed columns keep their defaults. `keys`:
        their identities, `row_key(region, partner, t_explore)`, if the caller has them."""
        k = len(region)
        if self.n + k > self.capacity:
            self._grow(self.n + k)
        new = slice(self.n, self.n + k)   # the new rows, as a slice: cheaper to write than indices
        self.region[new] = region
        self.partner[new] = partner
        self.cause[new] = NO_CAUSE
        self.end_cause[new] = NO_CAUSE
        self.case[new] = -1
        self.region_budget[new] = True
        self.partner_budget[new] = True
        for name, value in columns.items():
            getattr(self, name)[new] = value
        # who it is: region, partner and the step it was explored (its dice: coopsim.model.draws)
        if keys is None:
            keys = row_key(region, partner, np.round(self.t_explore[new]).astype(np.int64))
        self.key[new] = keys
        self.pairs.update(zip(region.tolist(), partner.tolist()))
        rows = np.arange(self.n, self.n + k)
        self.n += k
        self._record(rows, self.t_stage[new], self.stage[new], NO_CAUSE)
        return rows

    def where(self, *stages: int) -> np.ndarray:
        """Indices of rows in any of these stages."""
        stage = self.stage[: self.n]
        if len(stages) == 1:
            return (stage == stages[0]).nonzero()[0]
        mask = stage == stages[0]
        for other in stages[1:]:
            mask |= stage == other
        return mask.nonzero()[0]

    def move(self, rows: np.ndarray, stage: int, t: int, cause: np.ndarray | int | None = None) -> None:
        """Move rows to a stage at step t and log it; a stagnation's cause is the binding cause
        of its last low quarter (`cause` column) unless given."""
        if not len(rows):
            return   # nothing to move or log
        self.stage[rows] = stage
        self.t_stage[rows] = t
        if cause is None:
            cause = self.cause[rows] if stage == STAGNANT else NO_CAUSE   # a copy: fancy indexing
        self._record(rows, t, stage, cause)

    def end(self, rows: np.ndarray, cause: np.ndarray | int, t: int) -> None:
        """End these rows at step t with a cause; active ones are counted in `quit` by cause."""
        if not len(rows):
            return
        was_active = self.stage[rows] == ACTIVE
        if isinstance(cause, np.ndarray) and cause.ndim:
            self.quit += np.bincount(cause[was_active], minlength=len(self.quit))
        else:   # one cause for all: counted without an array of it
            self.quit[cause] += np.count_nonzero(was_active)
        self.move(rows, ENDED, t, cause)
        self.t_end[rows] = t
        self.end_cause[rows] = cause
        self.pairs.difference_update(zip(self.region[rows].tolist(), self.partner[rows].tolist()))

    def live_load(self, n_partners: int) -> np.ndarray:
        """Partnerships each foreign partner carries now (any stage but ended): its portfolio."""
        live = self.stage[: self.n] != ENDED
        return np.bincount(self.partner[: self.n][live], minlength=n_partners)

    def within_portfolios(self, partner: np.ndarray, limit: np.ndarray, load: np.ndarray) -> np.ndarray:
        """Which of these new or renewed partnerships (their partners, in order) fit in their
        partner's portfolio: `limit` minus `load` (`live_load`), first come, first served."""
        room = (limit[partner] - load[partner]).tolist()   # each one's partner's room before any
        taken: dict[int, int] = {}
        fits = np.zeros(len(partner), dtype=bool)
        for i, (j, free) in enumerate(zip(partner.tolist(), room)):
            if free > taken.get(j, 0):
                taken[j] = taken.get(j, 0) + 1
                fits[i] = True
        return fits

    def signed(self) -> np.ndarray:
        return self.t_mou[: self.n] > self.NEVER

    def stage_counts(self) -> np.ndarray:
        return np.bincount(self.stage[: self.n], minlength=len(STAGES))

    def trimmed(self, spare: int = 0) -> "Partnerships":
        """A deep copy holding rows [0, n) and room for `spare` more (event log included)."""
        other = Partnerships.__new__(Partnerships)
        # columns and the event log are copied below, the pairs shallowly (tuples of ints)
        other.__dict__.update(copy.deepcopy({k: v for k, v in self.__dict__.items()
                                             if not isinstance(v, np.ndarray) and k not in ("_events", "pairs")}))
        other.pairs = set(self.pairs)
        other.quit = self.quit.copy()
        other._events = {name: np.concatenate([col[: self.logged], np.zeros(4 * spare, col.dtype)])
                         for name, col in self._events.items()}
        other.capacity = self.n + spare
        for name in _COLUMNS:
            col = getattr(self, name)
            fresh = np.full((other.capacity,) + col.shape[1:], _blank(name), dtype=col.dtype)
            fresh[: self.n] = col[: self.n]
            setattr(other, name, fresh)
        return other

    def drop(self, rows: np.ndarray) -> None:
        """Remove rows from the table (and their events), closing the gaps: later rows move
        up. For a start that replaces what the past left (a planner's list of a region's own
        partnerships); never during a run."""
        keep = np.ones(self.n, dtype=bool)
        keep[rows] = False
        k, index = int(keep.sum()), np.cumsum(keep) - 1
        for name in _COLUMNS:
            col = getattr(self, name)
            col[:k] = col[: self.n][keep]
            col[k: self.n] = _blank(name)
        ev = self.events()
        kept = keep[ev["row"]]
        m = int(kept.sum())
        for name, col in self._events.items():
            col[:m] = index[ev["row"][kept]] if name == "row" else ev[name][kept]
        self.logged, self.n = m, k
        live = self.stage[:k] != ENDED
        self.pairs = set(zip(self.region[:k][live].tolist(), self.partner[:k][live].tolist()))
