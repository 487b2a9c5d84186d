"""The network at the start of a run: the known partnerships of the data and the named cases
a scenario pins (e.g. a Kyoto-like and an Ismailiya-like partnership of Yogyakarta)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from coopsim.model.mechanisms.matching import edge_data
from coopsim.model.partnerships import ACTIVE, EXPLORATION, LOI, STAGNANT
from coopsim.model.population import (ECONOMIC_SECTORS, SECTORS, complementarity, find_region, institutionalisation,
                                      indonesia_regions, known_partnerships)

__all__ = ["SEEDED_TERM_YEARS", "seed_known_partnerships", "seed_cases", "add_signed", "add_partner",
           "known_rows", "documented_features", "apply_documented_features", "documented_committee"]

# Known partnerships signed before the start are in a five-year term (the usual MoU term).
SEEDED_TERM_YEARS = 5


def seed_known_partnerships(model, only: int | None = None, rng: np.random.Generator | None = None) -> None:
    """The known partnerships of `partnerships.csv` start the network: exploratory ones as
    explorations, LoIs as letters of intent, dormant ones dormant, the rest signed.

    Args:
        model: the model being built.
        only: seed this region's only (a profile re-seeds its region once its traits are set);
            by default every region's but those of the scenario's `[[profiles]]`, whose draws
            are made all the same, so profiling a region moves no other region's start.
        rng: the stream to draw from (default: the run's `seeding` stream).
    """
    columns = _known_columns(tuple(model.params.simulation.levels))
    if columns:
        region, partner, stage, years = columns
        profiled = [find_region(model.regions.table, p.region) for p in model.params.profiles]
        keep = region == only if only is not None else ~np.isin(region, profiled)
        add_signed(model, region, partner, stage, years, rng or model.streams["seeding"], known=True, keep=keep)

def add_signed(model, region, partner, stage, years, rng, known=False, keep=None, now=None) -> np.ndarray:
    """Partnerships that exist at the start, with programs matched to both potential maps;
    with `keep` (a mask), only those rows, drawing for every row all the same. With `now` (a
    step of a hindcast) they are signed now: their first term starts today."""
    spy, start = model.steps_per_year, model.params.simulation.start_year
    m = model.params.matching
    n_programs = np.clip(1 + rng.binomial(m.extra_programs, m.program_probability, len(region)), 1, len(SECTORS))
    signed_year = np.array([y if y is not None else start - rng.integers(1, 20) for y in years])
    if keep is not None:
        region, partner, stage, n_programs, signed_year = (x[keep] for x in (region, partner, stage, n_programs,
                                                                               signed_year))
    values = complementarity(model.regions.potential[region], model.partners.potential[partner],
                             model.params.matching.complementarity_base)
    order = np.argsort(-values, axis=1)
    programs = np.zeros_like(values, dtype=bool)
    for j in range(len(SECTORS)):
        programs[np.arange(len(region)), order[:, j]] = j < n_programs
    data = edge_data(model, region, partner)
    t_signed = (signed_year - start) * spy
    term = np.full(len(region), SEEDED_TERM_YEARS)
    # the current term ends at the next five-year anniversary after the start
    term_end = t_signed + (np.floor(-t_signed / (term * spy)) + 1) * term * spy
    if now is not None:
        t_signed, term_end = np.full(len(region), now), now + term * spy
    start_step = 0 if now is None else now
    signed = (stage == ACTIVE) | (stage == STAGNANT)
    edges = model.partnerships
    rows = edges.add(region, partner, stage=stage, t_stage=start_step,
                     t_explore=np.minimum(t_signed - spy, start_step),
                     t_loi=np.where(stage >= LOI, np.minimum(t_signed - 1, start_step), edges.NEVER),
                     t_mou=np.where(signed, t_signed, edges.NEVER),
                     t_stagnant=np.where(stage == STAGNANT, 0, edges.NEVER),
                     term_years=term, term_end=np.where(signed, term_end, 0),
                     data=data, clarity=data, comp=(values * programs).sum(axis=1) / n_programs,
                     sponsor=model.regions.leader_commitment[region],
                     engagement=model.partners.interest[partner], n_programs=n_programs,
                     obligation=model.regions.legal[region] / 2, known=known,
                     committee=model.regions.joint_committee[region] | (known & documented_committee(
                         model, region, partner)),
                     dedicated=model.regions.dedicated_budget[region])
    edges.programs[rows] = programs
    edges.economic_share[rows] = (programs & ECONOMIC_SECTORS).sum(axis=1) / n_programs
    return rows

def seed_cases(model) -> None:
    """Named partnerships pinned by the scenario (e.g. a Kyoto-like and an Ismailiya-like)."""
    edges, p = model.partnerships, model.partners
    for case in model.params.cases:
        region = find_region(model.regions.table, case.region)
        matches = np.flatnonzero(p.name == case.partner)
        if len(matches):
            partner = int(matches[0])
        else:
            partner = add_partner(model, case.partner, case.country)
        p.capacity[partner], p.interest[partner] = case.partner_capacity, case.partner_interest
        existing = [i for i in range(edges.n) if edges.region[i] == region and edges.partner[i] == partner]
        if existing:
            row = np.array(existing[:1])
        else:
            year = case.signed_year if case.signed_year is not None else model.params.simulation.start_year
            row = add_signed(model, np.array([region]), np.array([partner]), np.array([ACTIVE]),
                                   [year], model.streams["seeding"])
        values = complementarity(model.regions.potential[region], p.potential[partner],
                                 model.params.matching.complementarity_base)
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
        edges.case[row] = len(model.case_names)
        model.case_names.append(case.name)

def add_partner(model, name: str, country: str, rng: np.random.Generator | None = None) -> int:
    """A partner a scenario names that is not in the pool (a case's, a profile's); returns its
    index. Its traits are set by the caller; its head's term and portfolio follow the defaults.

    Args:
        model: the model being built.
        name, country: the partner's name and country.
        rng: the stream its potential map is drawn from (default: the seeding stream).
    """
    p, rng, ps = model.partners, rng or model.streams["seeding"], model.params.partner_side
    if country not in p.countries:
        p.countries = p.countries + (country,)
    for field, value in (("name", name), ("country", country)):
        setattr(p, field, np.append(getattr(p, field), value).astype(object))
    for field in ("capacity", "interest", "openness"):
        setattr(p, field, np.append(getattr(p, field), 0.5))
    p.potential = np.vstack([p.potential, rng.beta(2, 2, (1, len(SECTORS)))])
    p.growth_area = np.append(p.growth_area, 0)
    p.country_code = np.append(p.country_code, p.countries.index(country))
    term = max(1, round(ps.default_term_years * model.steps_per_year))
    p.term_steps = np.append(p.term_steps, term)
    p.next_turnover = np.append(p.next_turnover, term)
    p.review_step = np.append(p.review_step, 0)
    p.limit = np.append(p.limit, int(ps.portfolio_base + ps.portfolio_per_capacity * p.capacity[-1]))
    p.relations = np.append(p.relations, 1.0)
    return p.n - 1


def known_rows(levels: tuple[str, ...]) -> list[tuple[int, int, int, int | None]]:
    """(region, partner, stage, year signed or None) of the known partnerships of
    `partnerships.csv` for Indonesia's regions at these levels (partner indices as
    `build_partners` orders them: the known ones first)."""
    return _known_rows(levels)


@lru_cache(maxsize=1)
def documented_features() -> pd.DataFrame:
    """Documented institutional features (`coopsim/data/documented_features.csv`: a region's
    cooperation bureau, a known partnership's joint committee), each with its source."""
    with resources.files("coopsim").joinpath("data", "documented_features.csv").open() as f:
        return pd.read_csv(f, dtype=str).fillna("")


def apply_documented_features(model) -> None:
    """Set the documented features as inputs: bureaus on their regions now, joint committees on
    their known partnerships whenever those are signed (`documented_committee`)."""
    bureaus, _ = _documented(tuple(model.params.simulation.levels))
    r = model.regions
    r.bureau[list(bureaus)] = True
    r.institutionalisation = institutionalisation(model.params, r.bureau, r.legal, r.mid_term_plan)


def documented_committee(model, region: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Whether each (region, partner) known partnership has a documented joint committee."""
    _, committees = _documented(tuple(model.params.simulation.levels))
    names = model.partners.name
    return np.array([(int(a), names[b]) in committees for a, b in zip(region, partner)], dtype=bool)


@lru_cache(maxsize=8)
def _documented(levels: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    """The documented features resolved for Indonesia's regions at these levels: region indices
    with a bureau, and (region index, partner name) pairs with a joint committee."""
    table = indonesia_regions()
    index = _region_lookup(table[table["level"].isin(levels)].reset_index(drop=True))
    bureaus, committees = set(), set()
    for rec in documented_features().itertuples():
        region = index.get((rec.indonesian_level, rec.indonesian_province_iso, rec.indonesian_party))
        if region is not None and rec.feature == "cooperation_bureau":
            bureaus.add(region)
        elif region is not None and rec.feature == "joint_committee":
            committees.add((region, rec.foreign_party))
    return frozenset(bureaus), frozenset(committees)


@lru_cache(maxsize=8)
def _known_rows(levels: tuple[str, ...]) -> list[tuple[int, int, int, int | None]]:
    """(region, partner, stage, year signed) of the known partnerships, for Indonesia's
    regions at these levels. Partner indices follow `build_partners` (known ones first)."""
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


@lru_cache(maxsize=8)
def _known_columns(levels: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """`_known_rows` as columns (region, partner, stage, year), or () when there are none
    (cached, read-only)."""
    rows = _known_rows(levels)
    if not rows:
        return ()
    columns = tuple(np.array(x) for x in zip(*rows))
    for column in columns:
        column.flags.writeable = False
    return columns


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
