"""CoopModel: regional governments, foreign partners and the partnerships between them.

State lives in arrays (`model.regions`, `model.partners`, `model.partnerships`); each step
calls the paper's mechanisms in the fixed order of `coopsim.model.mechanisms.STEP_ORDER`, each
with its own named random stream derived from the one seed. Mesa agents
(`RegionalGovernment`, `ForeignPartner`) are views on those arrays for inspection and the
class app.

    model = CoopModel(load_scenario("scenarios/baseline.toml"), seed=1)
    model.run()                       # or model.step() one quarter at a time
    model.timeseries(); model.ledger(); model.region_table()
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from coopsim.config.scenario import Scenario
from coopsim.config.vocabulary import CAUSES, HORIZONS
from coopsim.model import tables
from coopsim.model.agents import ForeignPartner, RegionalGovernment
from coopsim.model.mechanisms import STEP_ORDER
from coopsim.model.mechanisms.elections import schedule_elections
from coopsim.model.mechanisms.matching import attractiveness, growth_area_pools
from coopsim.model.partnerships import ACTIVE, Partnerships
from coopsim.model.population import build_partners, build_regions
from coopsim.model.profiles import apply_profiles
from coopsim.model.hindcast import adopt, reconstruction, run_hindcast, start_mode
from coopsim.model.results import HISTORY, Tally, column, record
from coopsim.model.seeding import apply_documented_features, seed_cases, seed_known_partnerships

__all__ = ["CoopModel", "STREAMS", "random_streams", "HISTORY", "PAST_ENTROPY"]

STREAMS = ("population", "partners", "seeding", "schedule") + tuple(name for name, _ in STEP_ORDER)
if len(set(STREAMS)) != len(STREAMS):
    raise ImportError(f"random stream names must be unique: {STREAMS}")


#: Tags the streams of a reconstruction of the past apart from a run's own with the same seed.
PAST_ENTROPY = 1985


def random_streams(seed: int, past: bool = False) -> dict[str, np.random.Generator]:
    """One generator per mechanism, all derived from `seed`: a lever that changes how often
    one mechanism draws leaves the others' dice untouched (common random numbers). With
    `past`, the streams of reconstruction `seed` of the past (`coopsim.model.hindcast`),
    independent of a run's own."""
    entropy = [seed, PAST_ENTROPY] if past else seed
    return {name: np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(i,)))
            for i, name in enumerate(STREAMS)}


class CoopModel(mesa.Model):
    """How Indonesian regional governments (provinces, regencies, cities) build international
    partnerships with foreign local governments, and why most of them stall.

    Regional governments have a budget line, staff capacity, data about partners, a
    bureaucracy, infrastructure, a legislature (DPRD) and a head who changes at elections;
    foreign local governments have resources and interest. Each quarter (`step`) the paper's
    mechanisms run in a fixed order, each with its own random stream: shocks and relations
    between countries, elections, the partner side (its heads' turnover, budget reviews,
    exits), matching (exploration, partner choice), follow-up, approval (DPRD, Foreign
    Ministry), implementation (the scarcest input binds), yearly evaluation (programme
    failure, competing priorities, completion, renewal), stagnation and revival. Every
    stagnation and ending is recorded with its cause. With `simulation.hindcast_from` the
    model first runs from that year, signing the known partnerships in their years.

    Args:
        params: the scenario (`coopsim.load_scenario(...)`); the defaults when None.
        seed: the one seed every random stream derives from.
        agents: build the Mesa agent views (`RegionalGovernment`, `ForeignPartner`) now;
            otherwise they are built on first use of `model.agents`.

    State: `regions` (RegionState), `partners` (PartnerState), `partnerships` (the edge table),
    `history` (one row per step, columns `coopsim.model.results.HISTORY`), `t` (steps done).
    Outputs: `timeseries()`, `ledger()`, `events()`, `region_table()`; `coopsim.model.outcomes.summarize(model)`
    reduces a run to the scalar outcomes every analysis compares.
    """

    def __init__(self, params: Scenario | None = None, seed: int = 0, agents: bool = False, *,
                 _past: bool = False):
        super().__init__(rng=seed)
        self.params = params or Scenario()
        self.seed = seed
        self.streams = random_streams(seed, past=_past)
        self.steps_per_year = self.params.simulation.steps_per_year
        self.t = 0
        sim = self.params.simulation
        known = sim.seed_known_partnerships and sim.population == "indonesia"
        start = "rerun" if _past else start_mode(self.params)
        if start == "reconstructed":
            # the past as one of the stored reconstructions; this scenario's conditions from now
            past = reconstruction(self.params, seed, _reconstruct)
            self._populate(random_streams(past.draw, past=True)["population"], past.partners())
            adopt(self, past)
        else:
            self._populate(self.streams["population"], build_partners(self.params, self.streams["partners"]))
            if start == "rerun":
                run_hindcast(self, known)   # the known partnerships signed in their years
                if _past:
                    return
            elif known:
                seed_known_partnerships(self)
        apply_profiles(self, from_past=start != "seeded")   # a planner's own regions override their drawn traits
        seed_cases(self)
        # the known partnerships are facts: a partner's portfolio holds at least those it has
        self.partners.limit = np.maximum(self.partners.limit, self.partnerships.live_load(self.partners.n))
        self.start_active = self.partnerships.where(ACTIVE)   # the cohort active at the start
        self.cohort_stage: dict[int, np.ndarray] = {}          # its stages after each horizon's years
        self.history = np.zeros((self.params.steps, len(HISTORY)))
        self._agent_views_built = False
        if agents:
            self._build_agent_views()

    def _populate(self, population_rng: np.random.Generator, partners) -> None:
        """Regions drawn from `population_rng`, the given partners, an empty network, the
        election calendar and the documented institutions."""
        self.regions = build_regions(self.params, population_rng)
        self.partners = partners
        self.partnerships = Partnerships(capacity=max(256, 2 * self.regions.n))
        self.growth_area_pools = growth_area_pools(self.regions, self.partners,
                                                   self.params.growth_areas.search_bonus)
        # how much foreign governments are drawn to a region: its strongest sector
        self.attractiveness = attractiveness(self.params, self.regions, self.partners)
        self.last_election = np.full(self.regions.n, -10**9)
        self.rule_change = False
        self.in_crisis = False
        self.turnovers = np.zeros(self.regions.n, dtype=bool)
        self.case_names: list[str] = []
        schedule_elections(self, self.streams["schedule"])
        if self.params.simulation.population == "indonesia":
            apply_documented_features(self)   # documented bureaus (inputs from the sources)

    # --- Mesa agents: views on the arrays, built on first use (a sweep never needs them) --------
    def _build_agent_views(self) -> None:
        if not self._agent_views_built:
            self._agent_views_built = True
            RegionalGovernment.create_agents(self, self.regions.n, index=list(range(self.regions.n)))
            ForeignPartner.create_agents(self, self.partners.n, index=list(range(self.partners.n)))

    @property
    def agents(self):
        if not self.__dict__.get("_agent_views_built", True):
            self._build_agent_views()
        return super().agents

    @agents.setter
    def agents(self, value):
        mesa.Model.agents.fset(self, value)

    @property
    def agents_by_type(self):
        if not self.__dict__.get("_agent_views_built", True):
            self._build_agent_views()
        return super().agents_by_type

    # --- time ------------------------------------------------------------------------------
    @property
    def year(self) -> float:
        """The calendar year the next step starts in (fractional: quarters)."""
        return self.params.simulation.start_year + self.t / self.steps_per_year

    def step(self) -> None:
        """Advance one step (a quarter by default): every mechanism of `STEP_ORDER` in turn, then
        record the step's results. Past the horizon it only sets `running = False`."""
        if self.t >= self.params.steps:
            self.running = False
            return
        self.tally = Tally()
        self.partnerships.quit[:] = 0
        for name, mechanism in STEP_ORDER:
            mechanism(self, self.streams[name])
        record(self.history[self.t], self.partnerships.stage_counts(), self.tally, self.turnovers.sum(),
               self.partnerships.quit)
        self.t += 1
        if self.t % self.steps_per_year == 0 and self.t // self.steps_per_year in HORIZONS:
            # where the cohort active at the start stands after k years (cohort survival)
            self.cohort_stage[self.t // self.steps_per_year] = self.partnerships.stage[self.start_active].copy()
        self.running = self.t < self.params.steps

    def run(self) -> "CoopModel":
        """Step to the horizon (`simulation.years`); returns the model."""
        while self.t < self.params.steps:
            self.step()
        return self

    def call_election(self) -> None:
        """Hold an election now in every elected region (the class app's button)."""
        elected = ~self.regions.unelected
        self.regions.next_election[elected] = self.t

    # --- the initial network -------------------------------------------------------------------
    # --- outputs ---------------------------------------------------------------------------
    def history_causes(self, kind: str) -> np.ndarray:
        """Cause codes of every stagnation (`kind='stagnated'`) or ending ('ended') so far."""
        k = column(f"{kind}_{CAUSES[0]}")
        counts = self.history[: self.t, k:k + len(CAUSES)].sum(axis=0).astype(np.int64)
        return np.repeat(np.arange(len(CAUSES)), counts)

    def timeseries(self) -> pd.DataFrame:
        """One row per step done: step, year, and every result of `HISTORY`."""
        frame = pd.DataFrame(self.history[: self.t], columns=HISTORY)
        frame.insert(0, "year", self.params.simulation.start_year + np.arange(self.t) / self.steps_per_year)
        frame.insert(0, "step", np.arange(self.t))
        return frame

    def ledger(self) -> pd.DataFrame:
        """One row per partnership: parties, sectors, dates of each stage, end, cause and the
        paper's seven effectiveness indicators (Menakar Efektivitas). See `coopsim.model.tables`."""
        return tables.ledger(self)

    def events(self) -> pd.DataFrame:
        """The event log: every stage each partnership entered, with its date and cause (its
        past included). See `coopsim.model.tables.events`."""
        return tables.events(self)

    def region_table(self) -> pd.DataFrame:
        """One row per regional government: traits, partnerships by stage, benefits."""
        return tables.region_table(self)


def _reconstruct(params: Scenario, draw: int) -> CoopModel:
    """Reconstruction `draw` of the past under `params` (`coopsim.model.hindcast.history_params`):
    a model run from the hindcast start to `start_year` with the past's own streams."""
    return CoopModel(params, seed=draw, _past=True)
