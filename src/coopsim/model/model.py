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

from functools import lru_cache

import mesa
import numpy as np
import pandas as pd

from coopsim.model.agents import ForeignPartner, RegionalGovernment
from coopsim.model.mechanisms import STEP_ORDER
from coopsim.model.mechanisms.elections import schedule_elections
from coopsim.model.mechanisms.implementation import institutional_support
from coopsim.model.mechanisms.matching import TOP_SECTORS, edge_data, growth_area_pools
from coopsim.model.partnerships import (ACTIVE, CAUSES, ENDED, EXPLORATION, LOI, STAGES, STAGNANT,
                                  Partnerships)
from coopsim.model.population import (ECONOMIC_SECTORS, SECTORS, build_partners, build_regions,
                                complementarity, find_region, known_partnerships)
from coopsim.config.scenario import Scenario

STREAMS = ("population", "partners", "seeding", "schedule") + tuple(name for name, _ in STEP_ORDER)
HISTORY = (tuple(f"n_{s}" for s in STAGES)
           + ("formed", "signed", "abandoned", "revived", "renewed", "lapsed_active", "turnovers",
              "evaluations",
              "benefits", "spending")
           + tuple(f"stagnated_{c}" for c in CAUSES) + tuple(f"ended_{c}" for c in CAUSES))
_COL = {name: i for i, name in enumerate(HISTORY)}


# "culture;tourism"-style labels of every combination of sectors, indexed by bit mask
_SECTOR_LABELS = np.array([";".join(s for i, s in enumerate(SECTORS) if mask >> i & 1)
                           for mask in range(1 << len(SECTORS))], dtype=object)


def random_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per mechanism, all derived from `seed`: a lever that changes how often
    one mechanism draws leaves the others' dice untouched (common random numbers)."""
    return {name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
            for i, name in enumerate(STREAMS)}


class CoopModel(mesa.Model):
    def __init__(self, params: Scenario | None = None, seed: int = 0, agents: bool = False):
        """`agents=True` builds the Mesa agent views now; otherwise on first use of
        `model.agents` or `model.agents_by_type`."""
        super().__init__(rng=seed)
        self.params = params or Scenario()
        self.seed = seed
        self.streams = random_streams(seed)
        self.steps_per_year = self.params.simulation.steps_per_year
        self.t = 0
        self.regions = build_regions(self.params, self.streams["population"])
        self.partners = build_partners(self.params, self.streams["partners"])
        self.partnerships = Partnerships(capacity=max(256, 2 * self.regions.n))
        self.growth_area_pools = growth_area_pools(self.regions, self.partners,
                                                   self.params.growth_areas.search_bonus)
        # how much foreign governments are drawn to a region: its strongest sector
        self.attractiveness = self.regions.potential.max(axis=1) * self.partners.interest.mean() * 2
        self.last_election = np.full(self.regions.n, -10**9)
        self.rule_change = False
        self.in_crisis = False
        self.turnovers = np.zeros(self.regions.n, dtype=bool)
        self.activity_factors = None
        self.case_names: list[str] = []
        schedule_elections(self, self.streams["schedule"])
        if self.params.simulation.seed_known_partnerships and self.params.simulation.population == "indonesia":
            self._seed_known_partnerships()
        self._seed_cases()
        self.history = np.zeros((self.params.steps, len(HISTORY)))
        self._agent_views_built = False
        if agents:
            self._build_agent_views()

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
        return self.params.simulation.start_year + self.t / self.steps_per_year

    def step(self) -> None:
        if self.t >= self.params.steps:
            self.running = False
            return
        self.formed_this_step = self.signed_this_step = self.abandoned_this_step = 0
        self.revived_this_step = self.evaluations_this_step = 0
        self.renewed_this_step = self.lapsed_active_this_step = 0
        self.benefits_this_step = self.spending_this_step = 0.0
        self.stagnations_by_cause = np.zeros(len(CAUSES), dtype=np.int64)
        self.endings_by_cause = np.zeros(len(CAUSES), dtype=np.int64)
        for name, mechanism in STEP_ORDER:
            mechanism(self, self.streams[name])
        self._record()
        self.t += 1
        self.running = self.t < self.params.steps

    def run(self) -> "CoopModel":
        while self.t < self.params.steps:
            self.step()
        return self

    def call_election(self) -> None:
        """Hold an election now in every elected region (the class app's button)."""
        elected = ~self.regions.unelected
        self.regions.next_election[elected] = self.t

    def _record(self) -> None:
        row = self.history[self.t]
        row[:len(STAGES)] = self.partnerships.stage_counts()
        row[_COL["formed"]] = self.formed_this_step
        row[_COL["signed"]] = self.signed_this_step
        row[_COL["abandoned"]] = self.abandoned_this_step
        row[_COL["revived"]] = self.revived_this_step
        row[_COL["turnovers"]] = self.turnovers.sum()
        row[_COL["evaluations"]] = self.evaluations_this_step
        row[_COL["renewed"]] = self.renewed_this_step
        row[_COL["lapsed_active"]] = self.lapsed_active_this_step
        row[_COL["benefits"]] = self.benefits_this_step
        row[_COL["spending"]] = self.spending_this_step
        k = _COL[f"stagnated_{CAUSES[0]}"]
        row[k:k + len(CAUSES)] = self.stagnations_by_cause
        row[k + len(CAUSES):k + 2 * len(CAUSES)] = self.endings_by_cause

    # --- the initial network -------------------------------------------------------------------
    def _seed_known_partnerships(self) -> None:
        """The known partnerships of `partnerships.csv` start the network: exploratory ones as
        explorations, LoIs as letters of intent, dormant ones dormant, the rest signed."""
        rows = _known_rows(tuple(self.params.simulation.levels))
        if rows:
            region, partner, stage, years = (np.array(x) for x in zip(*rows))
            self._add_signed(region, partner, stage, years, self.streams["seeding"], known=True)

    def _add_signed(self, region, partner, stage, years, rng, known=False) -> np.ndarray:
        """Partnerships that exist at the start, with programs matched to both potential maps."""
        spy, start = self.steps_per_year, self.params.simulation.start_year
        values = complementarity(self.regions.potential[region], self.partners.potential[partner])
        n_programs = np.clip(1 + rng.binomial(4, 0.5, len(region)), 1, len(SECTORS))
        order = np.argsort(-values, axis=1)
        programs = np.zeros_like(values, dtype=bool)
        for j in range(len(SECTORS)):
            programs[np.arange(len(region)), order[:, j]] = j < n_programs
        data = edge_data(self, region, partner)
        signed_year = np.array([y if y is not None else start - rng.integers(1, 20) for y in years])
        t_signed = (signed_year - start) * spy
        term = np.where(self.regions.legal[region] > 0, 5, 5)
        # the current term ends at the next five-year anniversary after the start
        term_end = t_signed + (np.floor(-t_signed / (term * spy)) + 1) * term * spy
        signed = (stage == ACTIVE) | (stage == STAGNANT)
        edges = self.partnerships
        rows = edges.add(region, partner, stage=stage, t_stage=np.where(signed, 0, 0),
                         t_explore=np.minimum(t_signed - spy, 0),
                         t_loi=np.where(stage >= LOI, np.minimum(t_signed - 1, 0), edges.NEVER),
                         t_mou=np.where(signed, t_signed, edges.NEVER),
                         t_stagnant=np.where(stage == STAGNANT, 0, edges.NEVER),
                         term_years=term, term_end=np.where(signed, term_end, 0),
                         data=data, clarity=data, comp=(values * programs).sum(axis=1) / n_programs,
                         sponsor=self.regions.leader_commitment[region],
                         engagement=self.partners.interest[partner], n_programs=n_programs,
                         obligation=self.regions.legal[region] / 2, known=known,
                         committee=self.params.levers.joint_committee,
                         dedicated=self.params.levers.dedicated_budget)
        edges.programs[rows] = programs
        edges.economic_share[rows] = (programs & ECONOMIC_SECTORS).sum(axis=1) / n_programs
        return rows

    def _seed_cases(self) -> None:
        """Named partnerships pinned by the scenario (e.g. a Kyoto-like and an Ismailiya-like)."""
        edges, p = self.partnerships, self.partners
        for case in self.params.cases:
            region = find_region(self.regions.table, case.region)
            matches = np.flatnonzero(p.name == case.partner)
            if len(matches):
                partner = int(matches[0])
            else:
                partner = self._add_partner(case.partner, case.country)
            p.capacity[partner], p.interest[partner] = case.partner_capacity, case.partner_interest
            existing = [i for i in range(edges.n) if edges.region[i] == region and edges.partner[i] == partner]
            if existing:
                row = np.array(existing[:1])
            else:
                year = case.signed_year if case.signed_year is not None else self.params.simulation.start_year
                row = self._add_signed(np.array([region]), np.array([partner]), np.array([ACTIVE]),
                                       [year], self.streams["seeding"])
            values = complementarity(self.regions.potential[region], p.potential[partner])
            top = np.argsort(-values)[: case.programs]
            edges.programs[row] = False
            edges.programs[row, top] = True
            edges.n_programs[row] = case.programs
            edges.comp[row] = values[top].mean()
            edges.economic_share[row] = ECONOMIC_SECTORS[top].mean()
            edges.stage[row], edges.data[row], edges.clarity[row] = ACTIVE, case.data, case.data
            edges.committee[row], edges.dedicated[row] = case.joint_committee, case.dedicated_budget
            edges.partner_budget[row], edges.region_budget[row] = case.partner_budget, case.region_budget
            edges.engagement[row] = case.partner_interest
            edges.term_years[row] = case.term_years
            edges.case[row] = len(self.case_names)
            self.case_names.append(case.name)

    def _add_partner(self, name: str, country: str) -> int:
        p, rng = self.partners, self.streams["seeding"]
        for field, value in (("name", name), ("country", country)):
            setattr(p, field, np.append(getattr(p, field), value).astype(object))
        for field in ("capacity", "interest", "openness", "engagement_shift"):
            setattr(p, field, np.append(getattr(p, field), 0.5))
        p.potential = np.vstack([p.potential, rng.beta(2, 2, (1, len(SECTORS)))])
        p.growth_area = np.append(p.growth_area, 0)
        return p.n - 1

    # --- outputs ---------------------------------------------------------------------------
    def history_causes(self, kind: str) -> np.ndarray:
        """Cause codes of every stagnation (`kind='stagnated'`) or ending ('ended') so far."""
        k = _COL[f"{kind}_{CAUSES[0]}"]
        counts = self.history[: self.t, k:k + len(CAUSES)].sum(axis=0).astype(np.int64)
        return np.repeat(np.arange(len(CAUSES)), counts)

    def timeseries(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.history[: self.t], columns=HISTORY)
        frame.insert(0, "year", self.params.simulation.start_year + np.arange(self.t) / self.steps_per_year)
        frame.insert(0, "step", np.arange(self.t))
        return frame

    def ledger(self) -> pd.DataFrame:
        """One row per partnership: parties, sectors, dates of each stage, end, cause and the
        paper's seven effectiveness indicators (Menakar Efektivitas)."""
        e, r, p, n = self.partnerships, self.regions, self.partners, self.partnerships.n
        start, spy = self.params.simulation.start_year, self.steps_per_year
        reg, par = e.region[:n], e.partner[:n]

        def year(col):
            t = getattr(e, col)[:n]
            return np.where(t > e.NEVER, start + t / spy, np.nan)

        mean_activity = e.activity_sum[:n] / np.maximum(e.active_quarters[:n], 1)
        total = e.spending[:n] + e.partner_spending[:n]
        own_share = np.divide(e.spending[:n], total, out=np.full(n, 0.5), where=total > 0)
        indicators = {
            "legalisation": (e.obligation[:n] + e.clarity[:n] + np.maximum(e.committee[:n], r.bureau[reg])
                             + r.diplomat[reg]) / 4,
            "programs": mean_activity,
            "system": np.clip(np.divide(e.benefits[:n], total, out=np.zeros(n), where=total > 0), 0, 1),
            "institutionalisation": institutional_support(self, np.arange(n)),
            "potential_map": e.data[:n] * (1 - 0.5 * e.misjudged[:n]),
            "community_benefit": (1 - np.divide(e.junkets[:n], e.spending[:n], out=np.zeros(n),
                                                where=e.spending[:n] > 0)) * r.community[reg],
            "balance": 1 - 2 * np.abs(own_share - 0.5),
        }
        frame = pd.DataFrame({
            "id": np.arange(n),
            "region": r.table["name"].to_numpy()[reg], "level": r.table["level"].to_numpy()[reg],
            "province": r.table["province"].to_numpy()[reg],
            "partner": p.name[par], "country": p.country[par],
            "case": np.array(self.case_names + [""], dtype=object)[e.case[:n]],
            "known": e.known[:n], "foreign_initiative": e.foreign_initiative[:n],
            "stage": np.array(STAGES)[e.stage[:n]], "signed": e.signed(),
            "explored": year("t_explore"), "loi": year("t_loi"), "mou": year("t_mou"),
            "stagnated": year("t_stagnant"), "ended": year("t_end"),
            "stage_since": year("t_stage"),
            "end_cause": np.where(e.end_cause[:n] >= 0, np.array(CAUSES)[e.end_cause[:n]], ""),
            "cause": np.where(e.cause[:n] >= 0, np.array(CAUSES)[e.cause[:n]], ""),
            "sectors": _SECTOR_LABELS[e.programs[:n] @ (1 << np.arange(len(SECTORS)))],
            "n_programs": e.n_programs[:n],
            "program_level": np.array(["low", "medium", "high"])[np.digitize(mean_activity, [0.4, 0.7])],
            "clarity": e.clarity[:n], "misjudged": e.misjudged[:n], "complementarity": e.comp[:n],
            "joint_committee": e.committee[:n], "dedicated_budget": e.dedicated[:n],
            "term_years": e.term_years[:n], "renewals": e.renewals[:n], "revivals": e.revivals[:n],
            "active_years": e.active_quarters[:n] / spy, "mean_activity": mean_activity,
            "benefits": e.benefits[:n], "spending": e.spending[:n], "junkets": e.junkets[:n],
            "partner_spending": e.partner_spending[:n],
        })
        for name, value in indicators.items():
            frame[f"eff_{name}"] = value
        frame["effectiveness"] = np.mean(list(indicators.values()), axis=0)
        return frame

    def region_table(self) -> pd.DataFrame:
        r, e, n = self.regions, self.partnerships, self.partnerships.n
        frame = r.table[["name", "level", "province", "island_group", "population", "hdi"]].copy()
        for trait in ("budget", "hr", "data", "bureaucracy", "alignment", "infrastructure", "dprd",
                      "community", "leader_commitment"):
            frame[trait] = getattr(r, trait)
        for trait in ("bureau", "legal", "mid_term_plan", "diplomat", "unelected", "growth_area"):
            frame[trait] = getattr(r, trait)
        for stage, label in ((ACTIVE, "active"), (STAGNANT, "stagnant"), (ENDED, "ended")):
            frame[f"n_{label}"] = np.bincount(e.region[:n][e.stage[:n] == stage], minlength=r.n)
        frame["n_signed"] = np.bincount(e.region[:n][e.signed()], minlength=r.n)
        frame["benefits"] = np.bincount(e.region[:n], weights=e.benefits[:n], minlength=r.n)
        return frame


@lru_cache(maxsize=8)
def _known_rows(levels: tuple[str, ...]) -> list[tuple[int, int, int, int | None]]:
    """(region, partner, stage, year signed) of the known partnerships, for Indonesia's
    regions at these levels. Partner indices follow `build_partners` (known ones first)."""
    from coopsim.model.population import indonesia_regions

    table = indonesia_regions()
    table = table[table["level"].isin(levels)].reset_index(drop=True)
    known = known_partnerships()
    index = _region_lookup(table)
    firsts = known.drop_duplicates(["foreign_party", "country"])
    partner_index = {(n, c): i for i, (n, c) in enumerate(zip(firsts["foreign_party"], firsts["country"]))}
    rows = []
    for rec in known.itertuples():
        region = index.get((rec.indonesian_level, rec.indonesian_province_iso, rec.indonesian_party))
        if region is None:
            continue
        stage_text = rec.agreement_stage.lower()
        if "exploratory" in stage_text:
            stage = EXPLORATION
        elif stage_text.startswith(("loi", "statement of intent")):
            stage = LOI
        elif rec.status_if_known == "dormant":
            stage = STAGNANT
        else:
            stage = ACTIVE
        year = int(rec.year_signed) if rec.year_signed else None
        rows.append((region, partner_index[(rec.foreign_party, rec.country)], stage, year))
    return rows


def _region_lookup(table: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """(level, province ISO, name as written in partnerships.csv) -> region index."""
    out = {}
    for i, (name, en, level, prov) in enumerate(zip(table["name"], table["name_en"], table["level"], table["province"])):
        if level == "province":
            for alias in (en, name.removeprefix("Provinsi "), "DKI " + en):
                out[("province", prov, alias)] = i
        elif level == "city":
            out[("city", prov, name.removeprefix("Kota "))] = i
        else:
            out[("regency", prov, name.removeprefix("Kabupaten ") + " Regency")] = i
    return out


assert TOP_SECTORS >= 1 and ACTIVE > LOI
