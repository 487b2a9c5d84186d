"""History as the start (`simulation.hindcast_from`): the model starts in a past year and the
known partnerships of `partnerships.csv` are signed in their documented years, so the state
at `simulation.start_year` comes out of the model's own dynamics instead of being assumed.

Undated partnerships get a year drawn from the documented years (the empirical distribution
of `year_signed`, at or after the hindcast start), from the run's `seeding` stream. One signed
before the hindcast start enters at its first step. Their documented status (active,
dormant) is not imposed: it is evidence the model is scored against (`coopsim validate`).
Time runs in negative steps up to 0 (= `start_year`); nothing is recorded in the history
before 0, but the ledger and the event log keep every date.

Two ways to start from the past (`simulation.history`):
- "reconstructed" (default): the past runs under the status quo (`history_params`: the
  scenario with the defaults of [regions], [levers], [elections], and no shock, relations
  episode or case) with its own streams; `history_draws` reconstructions are made once per
  process and reused (`reconstruction`), run seed s starting from draw s mod history_draws;
  they are also stored on disk (`COOPSIM_PAST_CACHE`, default ~/.cache/coopsim/pasts, "off"
  for none), keyed by their settings and a fingerprint of the model's code and data, so the
  processes of a sweep and later commands share them.
  A run then draws its regions' conditions under its own scenario with the reconstruction's
  dice and takes over the partnerships, the partners and each head's record (`adopt`): the
  scenario's conditions and levers act from `start_year`, from a common past.
- "rerun": the past runs under the scenario's own settings with the run's seed, in the run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import tempfile
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

import numpy as np

from coopsim.config.scenario import Elections, Levers, Regions, Shock

from coopsim.model.mechanisms import STEP_ORDER
from coopsim.model.mechanisms.elections import schedule_elections
from coopsim.model.mechanisms.matching import edge_data
from coopsim.model.partnerships import ACTIVE, ENDED, STAGNANT
from coopsim.model.results import Tally
from coopsim.model.seeding import add_signed, known_rows
from coopsim.model.population import find_region, unit

__all__ = ["hindcast_steps", "signing_steps", "run_hindcast", "start_mode", "history_params",
           "Reconstruction", "reconstruction", "adopt", "forget_reconstructions", "RECONSTRUCTIONS_KEPT"]

#: Reconstructions kept in memory per process (least recently used dropped first).
RECONSTRUCTIONS_KEPT = 64
_KEPT: OrderedDict = OrderedDict()


def hindcast_steps(scenario) -> int:
    """Steps from `simulation.hindcast_from` to `start_year` (0 without a past)."""
    sim = scenario.simulation
    if start_mode(scenario) == "seeded":
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
    model.support_before_past = (model.regions.community.copy(), model.regions.dprd.copy())
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


def start_mode(scenario) -> str:
    """How a run starts: 'seeded' (the known partnerships as of `start_year`), 'reconstructed'
    or 'rerun' (from the past: `simulation.hindcast_from`, `simulation.history` other than 'none')."""
    sim = scenario.simulation
    return "seeded" if sim.hindcast_from is None or sim.history == "none" else sim.history


def history_params(scenario):
    """The scenario the past runs under: the status quo conditions (defaults of [regions],
    [levers], [elections]; no shock, relations episode, case or profile: a planner's profile
    describes its region from now on), the scenario's model (rates, structure, partners,
    population) and time settings."""
    sim = scenario.simulation.model_copy(update={"history": "rerun"})
    return scenario.model_copy(update={
        "name": "history", "description": "", "simulation": sim, "regions": Regions(), "levers": Levers(),
        "elections": Elections(), "shock": Shock(), "relations": [], "cases": [], "profiles": []})


@dataclass(frozen=True)
class Reconstruction:
    """The state of a reconstruction of the past at `start_year` (read-only: `adopt` copies)."""
    draw: int                    # which reconstruction (its streams: random_streams(draw, past=True))
    edges: object                # Partnerships
    partner_state: object        # PartnerState
    leader_terms: np.ndarray     # terms each sitting head has served
    last_election: np.ndarray    # step of each region's last election
    community_gain: np.ndarray   # support the past's benefits added (implementation feedback)
    dprd_gain: np.ndarray
    data: np.ndarray             # each region's data capacity in the past (what its partnerships knew)

    def partners(self):
        """A copy of the partners as they stand at `start_year`."""
        return copy.deepcopy(self.partner_state)


def reconstruction(scenario, seed: int, build: Callable) -> Reconstruction:
    """The reconstruction run seed `seed` starts from, made with `build(params, draw)` (a model
    run to `start_year`) on first use and kept (`RECONSTRUCTIONS_KEPT` per process)."""
    params = history_params(scenario)
    draw = seed % scenario.simulation.history_draws
    key = (params.model_dump_json(), draw)
    if key in _KEPT:
        _KEPT.move_to_end(key)
        return _KEPT[key]
    past = _stored(key)
    if past is None:
        model = build(params, draw)
        community, dprd = model.support_before_past
        past = Reconstruction(draw=draw, edges=model.partnerships.trimmed(), partner_state=model.partners,
                              leader_terms=model.regions.leader_terms.copy(),
                              last_election=model.last_election.copy(),
                              community_gain=model.regions.community - community,
                              dprd_gain=model.regions.dprd - dprd, data=model.regions.data.copy())
        _store(key, past)
    _KEPT[key] = past
    if len(_KEPT) > RECONSTRUCTIONS_KEPT:
        _KEPT.popitem(last=False)
    return past


def forget_reconstructions() -> None:
    """Drop the reconstructions kept in this process (the next runs make theirs again)."""
    _KEPT.clear()


def adopt(model, past: Reconstruction) -> None:
    """Take over a reconstruction's partnerships, each sitting head's record and the support
    its partnerships built; the model's own conditions (drawn under its scenario) stay, and act
    on the inherited partnerships where a start from the data would have set them from the
    conditions (`_conditions_now`).

    Args:
        model: a model whose regions are drawn and partners are `past.partners()`.
        past: the reconstruction.
    """
    model.partnerships = past.edges.trimmed(spare=max(256, past.edges.n // 2))   # grows when needed
    model.regions.leader_terms = past.leader_terms.copy()
    model.last_election = past.last_election.copy()
    model.regions.community = unit(model.regions.community + past.community_gain)
    model.regions.dprd = unit(model.regions.dprd + past.dprd_gain)
    _conditions_now(model, past)


def _conditions_now(model, past: Reconstruction) -> None:
    """The scenario's conditions on the partnerships it inherits, as on the ones it seeds or
    forms: the levers' joint committee and dedicated budget, the region's legal basis as the
    MoU's obligation, and what the region knows of its partner (data; its programmes' clarity
    moves by as much). Under the status quo nothing moves."""
    e, r = model.partnerships, model.regions
    live = np.flatnonzero(e.stage[: e.n] != ENDED)
    reg, par = e.region[live], e.partner[live]
    e.committee[live] |= r.joint_committee[reg]
    e.dedicated[live] = np.maximum(e.dedicated[live], r.dedicated_budget[reg])
    signed = live[e.t_mou[live] > e.NEVER]
    e.obligation[signed] = np.maximum(e.obligation[signed], r.legal[e.region[signed]] / 2)
    now = edge_data(model, reg, par)
    before = edge_data(model, reg, par, data=past.data)   # what the same formula gave in the past
    e.data[live] = unit(e.data[live] + now - before)
    e.clarity[live] = unit(e.clarity[live] + now - before)


# --- reconstructions on disk: shared by the processes of a sweep and by later commands ----------
def _store_folder() -> Path | None:
    """`COOPSIM_PAST_CACHE` (a folder; "off" for none), else the user's cache folder."""
    setting = os.environ.get("COOPSIM_PAST_CACHE", "")
    if setting.lower() == "off":
        return None
    base = Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "coopsim"
    return base / "pasts"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """What a stored past depends on besides its settings: the model's and its data's files."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for sub in ("model", "config", "data") for p in (root / sub).rglob("*")
                       if p.suffix in (".py", ".csv", ".toml") and p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _file_name(key: tuple) -> str:
    settings, draw = key
    population = json.loads(settings)["simulation"]["population"]
    extra = Path(population).read_bytes() if population not in ("indonesia", "synthetic") and Path(population).is_file() else b""
    digest = hashlib.sha256(_code_fingerprint().encode() + settings.encode() + extra + str(draw).encode())
    return f"{digest.hexdigest()}.pkl"


def _stored(key: tuple) -> Reconstruction | None:
    folder = _store_folder()
    if folder is None:
        return None
    try:
        with open(folder / _file_name(key), "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None    # none stored (or unreadable): made again


def _store(key: tuple, past: Reconstruction) -> None:
    """Write atomically (a temporary file renamed); a cache that cannot be written is skipped."""
    folder = _store_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as f:
            pickle.dump(past, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, folder / _file_name(key))
    except OSError:
        pass
