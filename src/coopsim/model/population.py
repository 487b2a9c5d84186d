"""Who takes part: regional governments and foreign local governments, as columns of arrays.

Indonesia's 38 provinces and 514 regencies and cities come from the package data (sources in
`coopsim/data/SOURCES.md`). Any other country's regions load from a CSV with the columns of
`REGION_COLUMNS`, or are generated synthetically. Traits are drawn around the scenario's
obstacle levels and grounded in the data (HDI shifts staff capacity; island group and
density shift infrastructure), all from the run's own `population` random stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.config.checks import unknown_region
from coopsim.config.errors import Text, UserError
from coopsim.config.vocabulary import ECONOMIC_SECTOR_NAMES, SECTORS
from coopsim.config.scenario import Scenario

__all__ = ["SECTORS", "ECONOMIC_SECTORS", "LEVELS", "REGION_COLUMNS", "COUNTRY_GROWTH_AREA", "GROWTH_AREA_NAMES",
           "IMT_GT", "IMS_GT", "BIMP_EAGA", "ISLAND_GROUPS", "RegionState", "PartnerState", "Geography", "geography",
           "indonesia_geography", "indonesia_regions", "known_partnerships", "read_regions_csv", "synthetic_regions",
           "unit", "beta_params", "build_regions", "build_partners", "complementarity", "find_region",
           "institutionalisation", "lever_scope", "country_table", "country_weights"]

ECONOMIC_SECTORS = np.array([s in ECONOMIC_SECTOR_NAMES for s in SECTORS])
LEVELS = ("province", "regency", "city")

# Sub-regional growth areas as bit flags (a region or partner may belong to several).
IMT_GT, IMS_GT, BIMP_EAGA = 1, 2, 4
GROWTH_AREA_NAMES = {IMT_GT: "IMT-GT", IMS_GT: "IMS-GT", BIMP_EAGA: "BIMP-EAGA"}
_ISLAND_GROWTH_AREA = {"Sumatera": IMT_GT, "Kalimantan": BIMP_EAGA, "Sulawesi": BIMP_EAGA,
                       "Maluku": BIMP_EAGA, "Papua": BIMP_EAGA}
_PROVINCE_GROWTH_AREA = {"ID-KR": IMT_GT | IMS_GT, "ID-RI": IMT_GT | IMS_GT}
COUNTRY_GROWTH_AREA = {"Malaysia": IMT_GT | IMS_GT | BIMP_EAGA, "Thailand": IMT_GT,
                       "Singapore": IMS_GT, "Brunei": BIMP_EAGA, "Philippines": BIMP_EAGA}
# The island groups of the data (their infrastructure offsets are `traits.infrastructure_*`).
ISLAND_GROUPS = ("Jawa", "Nusa Tenggara", "Sumatera", "Kalimantan", "Sulawesi", "Maluku", "Papua")
# How many programs a budget line at level 1.0 pays for, per year.

REGION_COLUMNS = ("name", "level", "province", "island_group", "population", "area_km2", "hdi")


def _data_path(name: str):
    return resources.files("coopsim").joinpath("data", name)


@lru_cache(maxsize=1)
def indonesia_regions() -> pd.DataFrame:
    """All 552 Indonesian regional governments with population, area and HDI (province's)."""
    with _data_path("provinces.csv").open() as f:
        prov = pd.read_csv(f, dtype={"kemendagri_code": str})
    with _data_path("regencies.csv").open() as f:
        reg = pd.read_csv(f, dtype={"kemendagri_code": str, "province_code": str})
    provinces = pd.DataFrame({
        "name": "Provinsi " + prov["name_id"], "name_en": prov["name"], "code": prov["kemendagri_code"],
        "level": "province", "province": prov["iso_code"], "island_group": prov["island_group"],
        "population": prov["population"], "area_km2": prov["area_km2"], "hdi": prov["hdi"]})
    by_iso = prov.set_index("iso_code")
    regencies = pd.DataFrame({
        "name": reg["name_id"], "name_en": reg["name_id"], "code": reg["kemendagri_code"],
        "level": reg["level"], "province": reg["province_iso"],
        "island_group": by_iso.loc[reg["province_iso"], "island_group"].to_numpy(),
        "population": reg["population"], "area_km2": reg["area_km2"],
        "hdi": by_iso.loc[reg["province_iso"], "hdi"].to_numpy()})
    return pd.concat([provinces, regencies], ignore_index=True)


@lru_cache(maxsize=1)
def known_partnerships() -> pd.DataFrame:
    with _data_path("partnerships.csv").open() as f:
        return pd.read_csv(f, dtype=str).fillna("")


def read_regions_csv(path: str | Path) -> pd.DataFrame:
    """Regions of any country, from a CSV with the columns of REGION_COLUMNS (hdi may be empty).

    Args:
        path: the CSV file (`simulation.population`).

    Returns:
        The regions table, with `hdi` (empty if the file has none), `name_en` and `code` added.

    Raises:
        UserError: naming the file and what is wrong with it (`coopsim.config.checks.read_regions_table`).
    """
    from coopsim.config.checks import read_regions_table

    table = read_regions_table(path).copy()
    if "hdi" not in table:
        table["hdi"] = np.nan
    table["name_en"] = table["name"]
    table["code"] = table.index.astype(str)
    return table


def synthetic_regions(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """A made-up country of n regions with Indonesia-like spreads of size and development."""
    n_prov = max(1, n // 15)
    level = np.where(np.arange(n) < n_prov, "province", rng.choice(["regency", "city"], n, p=[0.8, 0.2]))
    province = np.where(level == "province", np.arange(n) % n_prov, rng.integers(0, n_prov, n))
    islands = np.array(ISLAND_GROUPS)
    group = islands[rng.integers(0, len(islands), n_prov)]
    pop = np.exp(rng.normal(12.8, 1.0, n)) * np.where(level == "province", 12, 1)
    return pd.DataFrame({
        "name": [f"Region {i}" for i in range(n)], "name_en": [f"Region {i}" for i in range(n)],
        "code": np.arange(n).astype(str), "level": level, "province": [f"P{p}" for p in province],
        "island_group": group[province], "population": pop.round(),
        "area_km2": np.exp(rng.normal(7.5, 1.2, n)), "hdi": rng.normal(72, 4, n_prov)[province]})


def unit(x):
    """Clip to [0, 1]: traits and activity live there (np.clip costs twice as much)."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


def beta_params(mean, concentration):
    """Beta(a, b) with this mean; concentration sets how alike regions (or heads) are."""
    m = np.clip(mean, 0.01, 0.99)
    return m * concentration, (1 - m) * concentration


def _beta(rng, mean, n, concentration):
    return rng.beta(*beta_params(mean, concentration), n)


@dataclass
class RegionState:
    """Regional governments: one row each, every trait a numpy column in [0, 1] unless noted."""
    table: pd.DataFrame                  # names, level, province, population, area, hdi
    budget: np.ndarray                   # cooperation budget line, programs/year (0: no line)
    hr: np.ndarray                       # staff capacity
    data: np.ndarray                     # knowledge of partners' conditions
    bureaucracy: np.ndarray              # professionalism (1) vs rent-seeking (0)
    alignment: np.ndarray                # regional rules consistent with the centre
    infrastructure: np.ndarray
    dprd: np.ndarray                     # legislature's support
    community: np.ndarray                # participation of citizens and business
    potential: np.ndarray                # (n, 7) sector potential map
    bureau: np.ndarray                   # bool: cooperation bureau
    legal: np.ndarray                    # 0 none, 1 governor's decree, 2 Perda
    mid_term_plan: np.ndarray            # bool: cooperation in the RPJMD
    diplomat: np.ndarray                 # bool: Foreign Ministry diplomat on site
    unelected: np.ndarray                # bool: head not elected (DIY's Sultan)
    growth_area: np.ndarray              # bit flags
    leader_commitment: np.ndarray        # the sitting head's commitment
    leader_terms: np.ndarray             # terms the sitting head has served
    next_election: np.ndarray            # step of the next election (huge if unelected)
    budget_base: np.ndarray = field(default=None)  # budget before shocks
    institutionalisation: np.ndarray = field(default=None)  # see `institutionalisation`
    joint_committee: np.ndarray = field(default=None)   # bool: new partnerships get a joint committee (lever)
    dedicated_budget: np.ndarray = field(default=None)  # funds earmarked per partnership, x need (lever)

    @property
    def n(self) -> int:
        return len(self.hr)


@dataclass(frozen=True)
class Geography:
    """What the data fix about a set of regions (no randomness): computed once per table."""
    table: pd.DataFrame
    level: np.ndarray
    province: np.ndarray
    hdi_z: np.ndarray          # HDI as a z-score among these regions (0 where unknown)
    urban: np.ndarray          # cities and provinces
    density: np.ndarray        # log10 people per km2
    island_group: np.ndarray   # island group name (its infrastructure offset: `traits`)
    growth_area: np.ndarray    # bit flags


def geography(table: pd.DataFrame) -> Geography:
    n = len(table)
    level = table["level"].to_numpy()
    hdi = table["hdi"].to_numpy(float)
    hdi_z = (np.nan_to_num((hdi - np.nanmean(hdi)) / (np.nanstd(hdi) or 1.0))
             if np.isfinite(hdi).any() else np.zeros(n))
    return Geography(
        table=table, level=level, province=table["province"].to_numpy(), hdi_z=hdi_z,
        urban=(level == "city") | (level == "province"),
        density=np.log10(table["population"].to_numpy(float) / table["area_km2"].to_numpy(float)),
        island_group=table["island_group"].fillna("").to_numpy(str),
        growth_area=(table["island_group"].map(_ISLAND_GROWTH_AREA).fillna(0).astype(int).to_numpy()
                     | table["province"].map(_PROVINCE_GROWTH_AREA).fillna(0).astype(int).to_numpy()))


@lru_cache(maxsize=8)
def indonesia_geography(levels: tuple[str, ...]) -> Geography:
    table = indonesia_regions()
    return geography(table[table["level"].isin(levels)].reset_index(drop=True))


def build_regions(scenario: Scenario, rng: np.random.Generator) -> RegionState:
    sim, r, lev = scenario.simulation, scenario.regions, scenario.levers
    if sim.population == "indonesia":
        geo = indonesia_geography(tuple(sim.levels))
    else:
        table = (synthetic_regions(sim.synthetic_regions, rng) if sim.population == "synthetic"
                 else read_regions_csv(sim.population))
        geo = geography(table[table["level"].isin(sim.levels)].reset_index(drop=True))
    table = geo.table
    if table.empty:
        raise UserError(Text("scenario.levels_empty", levels=sim.levels, population=sim.population,
                             allowed=", ".join(LEVELS)))
    n = len(table)
    level, hdi_z, urban, density = geo.level, geo.hdi_z, geo.urban, geo.density
    tr = scenario.traits
    shifts = tr.island_shifts()
    island = np.array([shifts.get(g, 0.0) for g in geo.island_group], dtype=float)

    def beta(mean):
        return _beta(rng, mean, n, tr.concentration)

    def shifted(mean, shift):
        return unit(beta(mean) + shift)

    scoped = lever_scope(scenario, table)   # where the levers apply (every region by default)
    hr = shifted(r.hr_capacity, tr.hr_hdi_slope * hdi_z + tr.hr_urban_shift * urban - tr.hr_urban_shift * ~urban
                 + lev.hr_training * scoped)
    data = shifted(r.data_quality, tr.data_hdi_slope * hdi_z + lev.data_platform_gain * (lev.data_platform & scoped))
    bureaucracy = shifted(r.bureaucracy_quality, tr.bureaucracy_hdi_slope * hdi_z)
    alignment = beta(r.regulatory_alignment)
    infrastructure = shifted(r.infrastructure, island + tr.infrastructure_density_slope * (density - tr.density_reference))
    dprd = beta(r.dprd_support)
    community = shifted(r.community_participation, lev.community_program_gain * (lev.community_program & scoped))
    potential = rng.beta(tr.potential_shape, tr.potential_shape, (n, len(SECTORS)))
    has_line = rng.random(n) < r.budget_line_share
    f = scenario.funding
    programs = {"province": f.programs_province, "regency": f.programs_regency, "city": f.programs_city}
    budget_size = np.array([programs[x] for x in level])   # programs a line at level 1 pays for
    budget = has_line * r.budget_level * budget_size * rng.lognormal(0, f.budget_line_spread, n)
    bureau = (rng.random(n) < r.bureau_share) | (lev.cooperation_bureau & scoped)
    legal = np.where(rng.random(n) < r.legal_umbrella_share, np.where(rng.random(n) < r.perda_share, 2, 1), 0)
    legal = np.maximum(legal, {"none": 0, "decree": 1, "perda": 2}[lev.legal_umbrella] * scoped)
    mid_term_plan = (rng.random(n) < r.mid_term_plan_share) | (lev.mid_term_plan & scoped)
    province = geo.province
    diplomat = np.isin(province, scenario.central.diplomat_regions) | (lev.diplomat & scoped)
    unelected = np.isin(province, scenario.elections.unelected_heads) & (level == "province")
    growth_area = geo.growth_area.copy() if scenario.growth_areas.enabled else np.zeros(n, dtype=np.int64)
    commitment = beta(r.leader_commitment)
    terms = rng.integers(0, 2, n)  # heads elected in 2024: first or second term
    return RegionState(table=table, budget=budget, hr=hr, data=data, bureaucracy=bureaucracy,
                   alignment=alignment, infrastructure=infrastructure, dprd=dprd, community=community,
                   potential=potential, bureau=bureau, legal=legal, mid_term_plan=mid_term_plan,
                   diplomat=diplomat, unelected=unelected, growth_area=growth_area,
                   leader_commitment=commitment, leader_terms=terms,
                   next_election=np.zeros(n, dtype=np.int64), budget_base=budget.copy(),
                   joint_committee=lev.joint_committee & scoped, dedicated_budget=lev.dedicated_budget * scoped,
                   institutionalisation=institutionalisation(scenario, bureau, legal, mid_term_plan))


def lever_scope(scenario: Scenario, table: pd.DataFrame) -> np.ndarray:
    """Which regions the scenario's levers apply to: all, or those named in `levers.scope`.

    Args:
        scenario: the scenario (its `levers.scope`: names or ISO codes, see `find_region`).
        table: the regions table of the run.

    Returns:
        A boolean mask over the table's rows.

    Raises:
        UserError: a name in the scope matches no region (with suggestions).
    """
    scope = scenario.levers.scope
    if not scope:
        return np.ones(len(table), dtype=bool)
    mask = np.zeros(len(table), dtype=bool)
    for k, name in enumerate(scope):
        try:
            mask[find_region(table, name)] = True
        except UserError as err:   # say which file and key
            raise UserError(Text("error.at_key", origin=scenario.source_file or Text("error.the_scenario"),
                                 key=f"levers.scope[{k}]", problem=err.message)) from None
    return mask


def institutionalisation(scenario: Scenario, bureau: np.ndarray, legal: np.ndarray,
                         mid_term_plan: np.ndarray) -> np.ndarray:
    """How far a region's cooperation is held by institutions rather than by its head (Menakar
    (4)): a bureau, a decree (1) or Perda (2), the mid-term plan. Fixed during a run."""
    w = scenario.institutions
    return 1 - (1 - w.bureau_weight * bureau) * (1 - w.legal_weight * legal) * (1 - w.plan_weight * mid_term_plan)


@dataclass
class PartnerState:
    """Foreign local governments: the known ones from the data plus a pool drawn by country
    weights (`countries.csv`: known ties and a gravity weight). They decide too: their heads
    change on their country's term, they review their partnerships once a year in their budget
    cycle and carry at most `limit` at once."""
    name: np.ndarray
    country: np.ndarray
    capacity: np.ndarray     # resources
    interest: np.ndarray     # interest in Indonesian partners
    openness: np.ndarray     # how much of its conditions can be learnt (data)
    potential: np.ndarray    # (n, 7)
    growth_area: np.ndarray  # bit flags
    country_code: np.ndarray  # row of `countries` (the country table of the run)
    countries: tuple          # country names, in code order
    term_steps: np.ndarray    # term of the partner's head, in steps
    next_turnover: np.ndarray  # step of the partner head's next change
    review_step: np.ndarray   # step within the year of its budget review
    limit: np.ndarray         # most partnerships it carries at once (portfolio)
    relations: np.ndarray     # relations of its country with Indonesia this step, in [0, 1]

    @property
    def n(self) -> int:
        return len(self.capacity)


@lru_cache(maxsize=1)
def country_table() -> pd.DataFrame:
    """Partner countries with their evidence (`coopsim/data/countries.csv`, sources in SOURCES.md):
    distance from Jakarta, population, GDP per capita, known partnerships, local term of office."""
    with _data_path("countries.csv").open() as f:
        return pd.read_csv(f).set_index("country", drop=False)


def country_weights(scenario: Scenario, countries: pd.DataFrame) -> pd.Series:
    """Where synthetic partners come from: a share `1 - gravity_share` follows the known
    partnerships by country, the rest a gravity weight population^a / distance^b.

    Args:
        scenario: its `partner_side` exponents and share.
        countries: the country table (`country_table()`).

    Returns:
        Weights summing to 1, indexed by country.
    """
    ps = scenario.partner_side
    return _weights(countries, ps.gravity_share, ps.population_exponent, ps.distance_exponent)


@lru_cache(maxsize=16)
def _pool_weights(share: float, population_exponent: float, distance_exponent: float) -> pd.Series:
    """`country_weights` of the package's country table (cached: the same for every run)."""
    return _weights(country_table(), share, population_exponent, distance_exponent)


def _weights(countries: pd.DataFrame, share: float, population_exponent: float,
             distance_exponent: float) -> pd.Series:
    known = countries["known_partnerships"].astype(float)
    gravity = (countries["population"].astype(float).fillna(0) ** population_exponent
               / countries["distance_km"].astype(float).clip(lower=100) ** distance_exponent)
    known_share = known / known.sum() if known.sum() else known * 0
    gravity_share = gravity / gravity.sum() if gravity.sum() else gravity * 0
    weights = (1 - share) * known_share + share * gravity_share
    return weights / weights.sum()


@lru_cache(maxsize=1)
def _known_partners() -> tuple[np.ndarray, np.ndarray]:
    """Names and countries of the distinct known foreign partners, in data order."""
    known = known_partnerships().drop_duplicates(["foreign_party", "country"])
    return known["foreign_party"].to_numpy(), known["country"].to_numpy()


@lru_cache(maxsize=16)
def _country_columns(default_term_years: float) -> tuple[dict, np.ndarray, np.ndarray, tuple]:
    """Per country of `country_table()`, by its row (code): the code of each name, log GDP per
    capita centred on the countries' mean (NaN where unknown) and the local term of office in
    years (cached, read-only: the same for every run)."""
    countries = country_table()
    log_gdp = np.log(countries["gdp_per_capita_usd"].astype(float))
    richer = (log_gdp - log_gdp.mean()).to_numpy()
    term = countries["local_term_years"].astype(float).fillna(default_term_years).to_numpy()
    for column in (richer, term):
        column.flags.writeable = False
    return {c: i for i, c in enumerate(countries.index)}, richer, term, tuple(countries.index)


def build_partners(scenario: Scenario, rng: np.random.Generator) -> PartnerState:
    p, ps = scenario.partners, scenario.partner_side
    known_names, known_countries = _known_partners()
    weights = _pool_weights(ps.gravity_share, ps.population_exponent, ps.distance_exponent)
    synth = (rng.choice(weights.index.to_numpy(), p.pool_size, p=weights.to_numpy())
             if p.pool_size else np.array([], dtype=str))
    names = np.concatenate([known_names, [f"{c} partner {i}" for i, c in enumerate(synth)]]).astype(object)
    country = np.concatenate([known_countries, synth]).astype(object)
    n = len(names)
    index, richer_by_code, term_by_code, country_names = _country_columns(ps.default_term_years)
    code = np.array([index.get(c, -1) for c in country], dtype=np.intp)
    if (code < 0).any():
        raise UserError(f"coopsim/data/countries.csv has no row for {sorted(set(country[code < 0]))}")
    ga = np.array([COUNTRY_GROWTH_AREA.get(c, 0) for c in country], dtype=np.int64)
    if not scenario.growth_areas.enabled:
        ga[:] = 0
    # richer countries' local governments have more resources (log GDP per capita, centred)
    richer = np.nan_to_num(richer_by_code[code])
    tr = scenario.traits
    capacity = unit(_beta(rng, p.capacity, n, tr.concentration) + ps.capacity_gdp_slope * richer)
    term = term_by_code[code]
    spy = scenario.simulation.steps_per_year
    term_steps = np.maximum(1, np.round(term * spy)).astype(np.int64)
    return PartnerState(name=names, country=country, capacity=capacity,
                        interest=_beta(rng, p.interest, n, tr.concentration),
                        openness=_beta(rng, p.data_openness, n, tr.concentration),
                        potential=rng.beta(tr.potential_shape, tr.potential_shape, (n, len(SECTORS))), growth_area=ga,
                        country_code=code, countries=country_names, term_steps=term_steps,
                        next_turnover=(rng.random(n) * term_steps).astype(np.int64),
                        review_step=rng.integers(0, spy, n),
                        limit=np.floor(ps.portfolio_base + ps.portfolio_per_capacity * capacity).astype(np.int64),
                        relations=np.ones(n))


def complementarity(region_potential: np.ndarray, partner_potential: np.ndarray,
                    base: float = 0.6) -> np.ndarray:
    """Usmar Salam's matching: value comes from strong helping weak or exchanging advantages;
    identical profiles add little. Per sector: the stronger side's potential, raised by the gap
    (`base` is the share of value with no gap: `matching.complementarity_base`).
    Returns (..., 7) sector values in [0, 1]."""
    strong = np.maximum(region_potential, partner_potential)
    gap = np.abs(region_potential - partner_potential)
    return strong * (base + (1 - base) * gap)


def find_region(table: pd.DataFrame, query: str) -> int:
    """Index of a region by name or ISO code, forgiving of case and of the
    'Kota'/'Kabupaten'/'Provinsi' prefix; a clear error with suggestions otherwise."""

    def norm(s: str) -> str:
        s = s.lower().replace("daerah istimewa", "di").replace("special region of", "di")
        for prefix in ("provinsi ", "kota ", "kabupaten ", "kab. ", "city of ", "regency of "):
            s = s.removeprefix(prefix)
        for suffix in (" regency", " city", " province"):
            s = s.removesuffix(suffix)
        return " ".join(s.split())

    q = norm(query)
    names = table["name"].astype(str).tolist()
    exact = [i for i, name in enumerate(names) if name.lower() == query.lower()]
    if exact:
        return exact[0]
    iso = table.index[(table["level"] == "province") & (table["province"].str.lower() == query.lower())]
    if len(iso):
        return int(iso[0])
    keys = [norm(n) for n in names] + [norm(n) for n in table.get("name_en", table["name"]).astype(str)]
    hits = [i % len(names) for i, k in enumerate(keys) if k == q]
    if hits:
        # prefer the province, then the city, for an ambiguous name (e.g. "Yogyakarta")
        order = {"province": 0, "city": 1, "regency": 2}
        return min(set(hits), key=lambda i: order.get(table["level"].iat[i], 3))
    # in the reader's language, with the same suggestions (`coopsim.config.checks.unknown_region`)
    raise UserError(unknown_region(query, names, table.get("name_en", table["name"]).astype(str).tolist()))
