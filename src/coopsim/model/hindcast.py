"""History as the start (`simulation.hindcast_from`): the model starts in a past year and the
known partnerships of `partnerships.csv` are signed in their documented years, so the state
at `simulation.start_year` comes out of the model's own dynamics instead of being assumed.

Undated partnerships get a year drawn from the documented years (the empirical distribution
of `year_signed`, at or after the hindcast start), from the run's `seeding` stream. One signed
before the hindcast start enters at its first step. Their documented status (active,
dormant) is not imposed: it is evidence the model is scored against (`coopsim validate`).
Time runs in negative steps up to 0 (= `start_year`); nothing is recorded in the history
before 0, but the ledger keeps every date.
"""

from __future__ import annotations

import numpy as np

from coopsim.model.mechanisms import STEP_ORDER
from coopsim.model.mechanisms.elections import schedule_elections
from coopsim.model.partnerships import ACTIVE, STAGNANT
from coopsim.model.results import Tally
from coopsim.model.seeding import add_signed, known_rows
from coopsim.model.population import find_region

__all__ = ["hindcast_steps", "signing_steps", "run_hindcast"]


def hindcast_steps(scenario) -> int:
    """Steps from `simulation.hindcast_from` to `start_year` (0 without a hindcast)."""
    sim = scenario.simulation
    if sim.hindcast_from is None:
        return 0
    return max(0, (sim.start_year - sim.hindcast_from) * sim.steps_per_year)


def signing_steps(scenario, years: list, rng: np.random.Generator) -> np.ndarray:
    """The step each known partnership is signed at in a hindcast: its documented year, or one
    drawn from the documented years at or after the hindcast start; never before it.

    Args:
        scenario: its `simulation` (start, hindcast start, steps per year).
        years: year signed of each known partnership, None when undated.
        rng: the stream the undated years are drawn from.

    Returns:
        Steps (negative: before `start_year`).
    """
    sim = scenario.simulation
    dated = np.array([y for y in years if y is not None], dtype=float)
    pool = dated[dated >= sim.hindcast_from]
    pool = pool if len(pool) else np.array([float(sim.hindcast_from)])
    drawn = rng.choice(pool, len(years))
    year = np.array([y if y is not None else d for y, d in zip(years, drawn)], dtype=float)
    steps = np.round((np.maximum(year, sim.hindcast_from) - sim.start_year) * sim.steps_per_year)
    return np.minimum(steps, -1).astype(np.int64)


def run_hindcast(model, known: bool = True) -> None:
    """Run the model from the hindcast start to step 0, signing the known partnerships on the way.

    Args:
        model: a model whose populations are built and nothing seeded yet (`model.t` is 0).
        known: sign the known partnerships (Indonesia's regions with `seed_known_partnerships`).
    """
    steps = hindcast_steps(model.params)
    if not steps:
        return
    model.t = -steps
    schedule_elections(model, model.streams["schedule"])
    model.partners.next_turnover += model.t
    region, partner, stage, sign_at = _known_schedule(model) if known else (np.zeros(0, np.int64),) * 4
    while model.t < 0:
        due = sign_at == model.t
        if due.any():
            add_signed(model, region[due], partner[due], stage[due], [None] * int(due.sum()),
                       model.streams["seeding"], known=True, now=model.t)
            model.partners.limit = np.maximum(model.partners.limit,
                                              model.partnerships.live_load(model.partners.n))
        model.tally = Tally()
        model.partnerships.quit[:] = 0
        for name, mechanism in STEP_ORDER:
            mechanism(model, model.streams[name])
        model.t += 1


def _known_schedule(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Known partnerships (region, partner, stage, step signed) the hindcast signs: signed ones
    enter active (their dormancy, if any, is the model's to produce), explorations and letters
    of intent as such; none of a region whose profile lists its own partnerships."""
    rows = known_rows(tuple(model.params.simulation.levels))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    region, partner, stage, years = (np.array(x, dtype=object) for x in zip(*rows))
    region, partner, stage = region.astype(np.int64), partner.astype(np.int64), stage.astype(np.int64)
    stage = np.where(stage == STAGNANT, ACTIVE, stage)
    sign_at = signing_steps(model.params, list(years), model.streams["seeding"])
    listed = [find_region(model.regions.table, p.region) for p in model.params.profiles if p.partnerships is not None]
    keep = ~np.isin(region, listed)
    return region[keep], partner[keep], stage[keep], sign_at[keep]
