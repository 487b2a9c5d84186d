"""Checks of a whole scenario against what exists: names and codes a field alone cannot check.

A scenario may name provinces (`elections.unelected_heads`, `central.diplomat_regions`), a
country (`shock.downturn_country`), regions of its pinned `[[cases]]`, and a table of regions
(`simulation.population`). Each must exist in the population the scenario runs, or the model
would silently ignore it; a scenario file that sets nothing would run the defaults as
"unnamed". `check_scenario` refuses all of these with a `UserError` naming the file and key, in
the words of the message catalogues (`scenario.*`, `case.*`, `regions.*`, `region.*` in
`errors.po`), so it reads in Bahasa Indonesia or English.

The places known are read from the package data (`coopsim/data/*.csv`), or from the regions
CSV a scenario names, which `read_regions_table` reads and checks (the model reads it through
the same function), so a bad table is refused when the scenario loads, not in every run.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coopsim.config.errors import Text, UserError
from coopsim.config.toml import MAX_TABLE_BYTES, excerpt, read_user_text

if TYPE_CHECKING:  # scenario.py calls this module; the type is only for annotations
    from coopsim.config.scenario import Scenario

__all__ = ["GROWTH_AREA_COUNTRIES", "LEVELS", "MAX_NAME", "Places", "REGION_COLUMNS", "check_scenario", "indonesia_places",
           "partner_countries", "places_of", "read_regions_table", "region_key", "unknown_region"]

#: The longest scenario name (it names the results folder and titles every figure).
MAX_NAME = 100
#: Levels of regional government.
LEVELS = ("province", "regency", "city")
#: Columns of a regions CSV (`simulation.population`); hdi may be missing or empty.
REGION_COLUMNS = ("name", "level", "province", "island_group", "population", "area_km2", "hdi")

#: Countries of the synthetic partner pool's growth-area neighbours (besides the known partners').
GROWTH_AREA_COUNTRIES = ("Malaysia", "Thailand", "Singapore", "Brunei", "Philippines")
_PREFIXES = ("provinsi ", "kota ", "kabupaten ", "kab. ", "city of ", "regency of ")
_SUFFIXES = (" regency", " city", " province")


def region_key(name: str) -> str:
    """A region's name as it is matched: lower case, without the Kota/Kabupaten/Provinsi
    prefix or the regency/city/province suffix, 'DI' for 'Daerah Istimewa'.

    Args:
        name: a region's name as written ("Kota Yogyakarta", "Special Region of Yogyakarta").

    Returns:
        The matching key ("yogyakarta", "di yogyakarta").
    """
    s = name.lower().replace("daerah istimewa", "di").replace("special region of", "di")
    for prefix in _PREFIXES:
        s = s.removeprefix(prefix)
    for suffix in _SUFFIXES:
        s = s.removesuffix(suffix)
    return " ".join(s.split())


@dataclass(frozen=True)
class Places:
    """The regions and provinces of one population, as a scenario may name them.

    Attributes:
        provinces: province codes (ISO codes for Indonesia, the `province` column of a CSV).
        regions: (name, other name, level, province code) of every regional government.
    """

    provinces: frozenset[str]
    regions: tuple[tuple[str, str, str, str], ...]
    synthetic: int = 0   # a synthetic population of this many regions: "Region 0", ...

    def region_known(self, query: str, levels: list[str]) -> bool:
        """Whether `query` names a region taking part (as `coopsim.model.population.find_region`
        matches names: exact, a province's code, or the same `region_key`)."""
        q, key = query.lower(), region_key(query)
        number = q.removeprefix("region ")
        if self.synthetic and number.isascii() and number.isdigit() and number == str(int(number)):
            return int(number) < self.synthetic
        if self.synthetic:
            return "province" in levels and (query in self.provinces or query.upper() in self.provinces)
        rows = [r for r in self.regions if r[2] in levels]
        return any(q == name.lower() or (level == "province" and q == code.lower())
                   or key in (region_key(name), region_key(other)) for name, other, level, code in rows)

    def suggest(self, query: str, levels: list[str]) -> str:
        """Up to three names of regions taking part close to `query` ('none close' otherwise)."""
        return ", ".join(self.close(query, levels)) or "none close"

    def close(self, query: str, levels: list[str]) -> list[str]:
        """Up to three names of regions taking part close to `query` (none when none is close)."""
        names = sorted({r[0] for r in self.regions if r[2] in levels}) or [f"Region {i}" for i in range(
            min(self.synthetic, 3))]
        return difflib.get_close_matches(query, names, n=3, cutoff=0.6)


def unknown_region(query: str, names: Sequence[str], other_names: Sequence[str] = ()) -> Text:
    """The sentence for a name that matches no region (`region.unknown`), with up to three close
    names as `coopsim.model.population.find_region` suggests them (or 'none close').

    Args:
        query: the name asked for.
        names: the regions' names.
        other_names: their other names (English), one for each of `names`, or none.

    Returns:
        A `Text` put into words in the reader's language.
    """
    names = [str(n) for n in names]
    keys = [region_key(n) for n in names] + [region_key(str(n)) for n in other_names]
    close = difflib.get_close_matches(region_key(query), keys, n=3, cutoff=0.6)
    found = ", ".join(sorted({names[keys.index(c) % len(names)] for c in close}))
    return Text("region.unknown", query=excerpt(query), suggestion=found or Text("region.none_close"))


def _package_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of the package data."""
    with resources.files("coopsim").joinpath("data", name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def indonesia_places() -> Places:
    """Indonesia's 38 provinces (ISO codes) and 552 regional governments (package data)."""
    provinces = _package_rows("provinces.csv")
    regions = [("Provinsi " + p["name_id"], p["name"], "province", p["iso_code"]) for p in provinces]
    regions += [(r["name_id"], r["name_id"], r["level"], r["province_iso"]) for r in _package_rows("regencies.csv")]
    return Places(frozenset(p["iso_code"] for p in provinces), tuple(regions))


@lru_cache(maxsize=1)
def partner_countries() -> frozenset[str]:
    """Countries with foreign partners: those of the known partnerships and of the pool's country
    table (`countries.csv`)."""
    return (frozenset(r["country"] for r in _package_rows("partnerships.csv"))
            | {r["country"] for r in _package_rows("countries.csv")} | set(GROWTH_AREA_COUNTRIES))


@lru_cache(maxsize=8)
def _synthetic_places(n: int) -> Places:
    """A synthetic population of n regions: "Region 0", ..., provinces "P0", ... (n // 15 of them)."""
    return Places(frozenset(f"P{k}" for k in range(max(1, n // 15))), (), synthetic=n)


def _file_version(path: str) -> tuple | None:
    """(modification time, size) of a file, to read it again only when it changed."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size


def read_regions_table(path: str | os.PathLike) -> Any:
    """A regions CSV (`simulation.population`), checked: columns, levels, positive numbers.

    Args:
        path: the CSV file.

    Returns:
        A pandas DataFrame with the file's columns (population and area as numbers, hdi as
        numbers or NaN); shared between calls, so copy it before changing it.

    Raises:
        UserError: naming the file: it cannot be read as UTF-8 text (a folder, a pipe, binary),
            is not a CSV table, has no rows, lacks a column, has a level other than province,
            regency or city, a population or area that is not a positive number, or an hdi that
            is not a number.
    """
    return _regions_table(str(path), _file_version(str(path)))


@lru_cache(maxsize=8)
def _regions_table(path: str, version: tuple | None) -> Any:
    """`read_regions_table` for one version of the file."""
    import pandas as pd

    del version  # part of the cache key only
    shown, needs = excerpt(path, 400), Text("regions.needs", columns=", ".join(REGION_COLUMNS))
    text = read_user_text(path, "regions", Text("regions.missing_hint", needs=needs), limit=MAX_TABLE_BYTES)
    try:
        table = pd.read_csv(io.StringIO(text), dtype={c: str for c in ("name", "level", "province", "island_group")})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UserError(Text("regions.not_csv", shown=shown, detail=excerpt(" ".join(str(exc).split()), 120),
                             needs=needs)) from None
    missing = [c for c in REGION_COLUMNS if c not in table.columns and c != "hdi"]
    if missing:
        raise UserError(Text("regions.missing_columns", shown=shown, columns=excerpt(", ".join(missing)), needs=needs))
    if table.empty:
        raise UserError(Text("regions.no_rows", shown=shown, needs=needs))
    bad = sorted(set(table["level"].fillna("(empty)")) - set(LEVELS))
    if bad:
        raise UserError(Text("regions.bad_level", shown=shown, found=excerpt(", ".join(bad)), allowed=", ".join(LEVELS)))
    for col in [c for c in ("population", "area_km2", "hdi") if c in table]:
        table[col] = _numbers(table[col], shown, col)
    return table


def _numbers(column: Any, shown: str, col: str) -> Any:
    """A column as numbers: positive and finite (population, area) or finite or empty (hdi)."""
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    finite = np.isfinite(values)
    wrong = (column.notna() & ~finite) if col == "hdi" else (~finite | (values <= 0))
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        what = Text("regions.hold.numbers_or_empty") if col == "hdi" else Text("regions.hold.positive")
        raise UserError(Text("regions.not_numbers", shown=shown, column=col, what=what, row=row + 2,
                             value=excerpt(str(column.iat[row]))))
    return values


def _csv_places(path: str) -> Places:
    """The provinces and regions of a regions CSV (checked by `read_regions_table`)."""
    table = read_regions_table(path)
    regions = tuple((str(n), str(n), str(lv), str(pr)) for n, lv, pr in
                    zip(table["name"], table["level"], table["province"]))
    return Places(frozenset(r[3] for r in regions), regions)


def places_of(scenario: "Scenario", origin: str) -> Places:
    """The places of the population a scenario runs.

    Args:
        scenario: the validated scenario.
        origin: its file, starting any message.

    Returns:
        Indonesia's places, a synthetic population's ("Region 0", ..., provinces "P0", ...) or
        those of the regions CSV named by `simulation.population`.

    Raises:
        UserError: the regions CSV cannot be read or is not a regions table (naming the
            scenario file, the key and the CSV).
    """
    sim = scenario.simulation
    if sim.population == "indonesia":
        return indonesia_places()
    if sim.population == "synthetic":
        return _synthetic_places(sim.synthetic_regions)
    try:
        return _csv_places(sim.population)
    except UserError as err:
        raise UserError(Text("scenario.population_csv", origin=origin, problem=err.message)) from None


def _check_codes(scenario: "Scenario", places: Places, origin: str) -> None:
    """Province codes name provinces of the population (Indonesia's codes are the defaults, so
    they are accepted in any population, where they match nothing)."""
    known = places.provinces | indonesia_places().provinces
    for key, codes in (("elections.unelected_heads", scenario.elections.unelected_heads),
                       ("central.diplomat_regions", scenario.central.diplomat_regions)):
        bad = [c for c in codes if c not in known]
        if bad:
            shown = ", ".join(sorted(places.provinces)[:40]) + (" ..." if len(places.provinces) > 40 else "")
            raise UserError(Text("error.at_key", origin=origin, key=key, problem=Text(
                "scenario.not_province_code", codes=excerpt(", ".join(bad)),
                population=excerpt(scenario.simulation.population), known=shown)))


def _check_country(scenario: "Scenario", origin: str) -> None:
    """`shock.downturn_country` and each `[[relations]]` country is a country with partners
    (known, pooled or a case's)."""
    known = partner_countries() | {c.country for c in scenario.cases if c.country}
    named = [("shock.downturn_country", scenario.shock.downturn_country)]
    named += [(f"relations[{i}].country", ep.country) for i, ep in enumerate(scenario.relations)]
    for key, country in named:
        if country is not None and country not in known:
            close = difflib.get_close_matches(country, sorted(known), n=3, cutoff=0.6)
            hint = Text("scenario.did_you_mean_country", names=", ".join(close)) if close else ""
            raise UserError(Text("error.at_key", origin=origin, key=key, problem=Text(
                "scenario.no_partner_country", country=excerpt(country), hint=hint, known=", ".join(sorted(known)))))


def _check_cases(scenario: "Scenario", places: Places, origin: str) -> None:
    """Each pinned case names a region taking part and a year within the run's reach."""
    sim = scenario.simulation
    last = sim.start_year + sim.years
    for k, case in enumerate(scenario.cases):
        where = f"cases[{k}] ({excerpt(case.name, 40)})"
        if case.signed_year is not None and not 1900 <= case.signed_year <= last:
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}.signed_year", problem=Text(
                "case.year_outside", year=excerpt(case.signed_year), last=last)))
        levels = list(sim.levels)
        if not places.region_known(case.region, levels):
            close = ", ".join(places.close(case.region, levels)) or Text("region.none_close")
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}.region", problem=Text(
                "case.region_unknown", region=excerpt(case.region), levels=", ".join(sim.levels),
                population=excerpt(sim.population), suggestion=close)))


def check_scenario(scenario: "Scenario", origin: str) -> None:
    """Refuse a scenario whose names and codes do not exist, or that sets nothing at all.

    Args:
        scenario: a scenario validated field by field (`coopsim.config.scenario`).
        origin: the file (or option) it came from, starting every message.

    Raises:
        UserError: naming the file, the key, what was written and what exists.
    """
    if not scenario.model_fields_set - {"source_file"}:
        raise UserError(Text("scenario.sets_nothing", origin=origin))
    name = scenario.name
    if not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise UserError(Text("error.at_key", origin=origin, key="name", problem=Text(
            "scenario.bad_name", name=repr(excerpt(name)), longest=MAX_NAME)))
    if not scenario.simulation.levels:
        raise UserError(Text("scenario.no_levels", origin=origin, levels=", ".join(LEVELS)))
    sim = scenario.simulation
    if sim.hindcast_from is not None and sim.hindcast_from >= sim.start_year:
        raise UserError(Text("scenario.hindcast_late", origin=origin, value=sim.hindcast_from, start=sim.start_year))
    places = places_of(scenario, origin)
    _check_codes(scenario, places, origin)
    _check_country(scenario, origin)
    _check_cases(scenario, places, origin)
