#!/usr/bin/env python3
"""Build src/coopsim/data/countries.csv: the pool of foreign partner countries.

Two steps (standard library only):

1. ``extract`` -- cut small extracts out of the full source files into
   tools/sources/ (run once; the extracts are kept in the repository):

       git -C <mirror of datasets/population> show 425fc447a53a26c767a15a7de60c4cc2478a0595:data/population.csv > /tmp/population.csv
       git -C <mirror of datasets/gdp>        show 822019c80142c162e4ca4eb1a63699ae36075078:data/gdp.csv > /tmp/gdp.csv
       git -C <mirror of mledoze/countries>   show 5e9f370050f83ad2ba4cb885f75d66114badf72c:countries.json > /tmp/mledoze.json
       git -C <mirror of restcountries/restcountries> show bfadee4f951682c29970e53677707bc558e80b74:src/main/resources/countriesV3.1.json > /tmp/rc31.json
       python tools/build_countries.py extract --population /tmp/population.csv \
           --gdp /tmp/gdp.csv --mledoze /tmp/mledoze.json --restcountries /tmp/rc31.json

2. ``build`` (the default) -- read the extracts and partnerships.csv and write
   countries.csv:

       python tools/build_countries.py build

Which countries: every country in partnerships.csv (its spelling kept); the
growth-area / ASEAN neighbours; New Zealand; and every UN member ranked in
the world's 35 most populous (World Bank, latest year) or 30 largest
economies (World Bank GDP in current US$, latest year), ranks counted among
UN members with Indonesia included, Indonesia itself then dropped.

The term-of-office table (TERMS) is hand-compiled; each entry names its
source, or says "judgement" where no law is cited.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = ROOT / "tools" / "sources"
PARTNERSHIPS = ROOT / "src" / "coopsim" / "data" / "partnerships.csv"
OUT = ROOT / "src" / "coopsim" / "data" / "countries.csv"

POP_EXTRACT = SOURCES_DIR / "wb_population_SP.POP.TOTL.csv"
GDP_EXTRACT = SOURCES_DIR / "wb_gdp_NY.GDP.MKTP.CD.csv"
MLEDOZE_EXTRACT = SOURCES_DIR / "mledoze_countries_extract.csv"
RC_EXTRACT = SOURCES_DIR / "restcountries_capitals_extract.csv"
EXTRACT_FROM_YEAR = 2010

# Origins of the extracts (also in src/coopsim/data/SOURCES.md).
ORIGINS = {
    "population": ("github.com/datasets/population", "data/population.csv",
                   "425fc447a53a26c767a15a7de60c4cc2478a0595"),
    "gdp": ("github.com/datasets/gdp", "data/gdp.csv",
            "822019c80142c162e4ca4eb1a63699ae36075078"),
    "mledoze": ("github.com/mledoze/countries", "countries.json",
                "5e9f370050f83ad2ba4cb885f75d66114badf72c"),
    "restcountries": ("github.com/restcountries/restcountries",
                      "src/main/resources/countriesV3.1.json",
                      "bfadee4f951682c29970e53677707bc558e80b74"),
}

JAKARTA = (-6.2088, 106.8456)
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

TOP_POPULATION_N = 35
TOP_GDP_N = 30

# partnerships.csv spelling -> ISO 3166-1 alpha-3
PARTNER_ISO3 = {
    "Australia": "AUS", "Belgium": "BEL", "Bulgaria": "BGR", "China": "CHN",
    "Cuba": "CUB", "Ecuador": "ECU", "France": "FRA", "Germany": "DEU",
    "Hungary": "HUN", "India": "IND", "Italy": "ITA", "Japan": "JPN",
    "Kazakhstan": "KAZ", "Lebanon": "LBN", "Malaysia": "MYS", "Mexico": "MEX",
    "Morocco": "MAR", "Mozambique": "MOZ", "Nepal": "NPL",
    "Netherlands": "NLD", "New Caledonia (France)": "NCL",
    "North Korea": "PRK", "Pakistan": "PAK", "Palestine": "PSE",
    "Papua New Guinea": "PNG", "Philippines": "PHL", "Russia": "RUS",
    "Saudi Arabia": "SAU", "South Africa": "ZAF", "South Korea": "KOR",
    "Sudan": "SDN", "Suriname": "SUR", "Taiwan": "TWN", "Thailand": "THA",
    "Turkey": "TUR", "Ukraine": "UKR", "United Kingdom": "GBR",
    "United States": "USA", "Uzbekistan": "UZB", "Vietnam": "VNM",
}
# Growth areas (BIMP-EAGA, IMT-GT, IMS-GT) and the land neighbour Timor-Leste
GROWTH_AREA = ["SGP", "BRN", "THA", "PHL", "MYS", "TLS"]
# ASEAN members (Timor-Leste admitted October 2025)
ASEAN = ["BRN", "KHM", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"]
NEIGHBOUR_EXTRA = ["NZL"]  # Pacific neighbour, not in the top lists
HOME = "IDN"

# Display names for countries not in partnerships.csv where mledoze's common
# name is not wanted.
NAME_OVERRIDE = {"TUR": "Turkey"}

NOTES = {
    "TWN": "Not in World Bank data: GDP per capita left empty; population from restcountries (year not stated).",
    "PSE": "World Bank 'West Bank and Gaza'; restcountries capital point (Ramallah) equals its country point.",
    "NCL": "French overseas collectivity (sui generis); partner Le Mont-Dore is a commune.",
    "PRK": "No World Bank GDP series.",
    "ISR": "No diplomatic relations with Indonesia. Capital as given by restcountries (Jerusalem).",
    "TLS": "Growth-area neighbour (land border).",
    "SDN": "Civil war since April 2023.",
    "MMR": "Military rule since 2021.",
    "EGY": "Local popular councils dissolved in 2011, not re-elected.",
}

# iso3 -> (usual term in years or None, what the term refers to, source)
TERMS = {
    "AUS": (4, "state parliaments", "State constitution acts: 4-year terms in all six states (Queensland since the 2016 referendum on fixed four-year terms)"),
    "BEL": (5, "regional parliaments (provincial councils: 6)", "judgement: regional parliaments elected every five years on European Parliament election day (1999-2024)"),
    "BGR": (4, "municipal mayors and councils (the 28 provinces have appointed governors)", "Constitution of Bulgaria (municipal councils and mayors elected for four years)"),
    "BRN": (None, "districts run by appointed district officers; no elected local tier", "judgement: no elected local government"),
    "CHN": (5, "provincial people's congresses and governments", "Constitution of the PRC Art. 98 (local people's congresses, five years) and Art. 106 (local governments, same term)"),
    "CUB": (5, "provincial governors", "Constitution of Cuba (2019) and Electoral Law No. 127 of 2019 (governors elected by municipal delegates for five years)"),
    "ECU": (4, "provincial prefects and councils", "Constitution of Ecuador (2008): prefects elected for four years"),
    "FRA": (6, "regional councils", "Code électoral, art. L336 (regional councillors elected for six years)"),
    "DEU": (5, "Land parliaments (15 of 16; Bremen 4)", "Land constitutions (judgement summarising: 5 years in all Länder except Bremen)"),
    "HUN": (5, "county assemblies and mayors", "Fundamental Law of Hungary (local elections every five years since 2014)"),
    "IND": (5, "state legislative assemblies", "Constitution of India Art. 172"),
    "ITA": (5, "regional councils and presidents", "Law 165/2004 (regional electoral framework, five-year term)"),
    "JPN": (4, "prefectural governors (and assemblies)", "Local Autonomy Act (地方自治法) Art. 140 (governors) and Art. 93 (assemblies)"),
    "KAZ": (5, "regional maslikhats (akims appointed)", "Constitution of Kazakhstan Art. 86 (maslikhats elected for five years)"),
    "LBN": (6, "municipal councils (governorates have appointed governors)", "Municipal Act, Decree-Law 118/1977 (six-year municipal term)"),
    "MYS": (5, "state legislative assemblies (maximum)", "Federal Constitution, Eighth Schedule (state constitutions: assembly dissolved after five years)"),
    "MEX": (6, "state governors", "Constitution of Mexico Art. 116 (governors serve at most six years)"),
    "MAR": (6, "regional councils", "Organic Law 111-14 on regions (six-year term)"),
    "MOZ": (5, "provincial governors and assemblies (elected since 2019)", "judgement: elected with the general elections (2019, 2024) since the 2018 constitutional revision"),
    "NPL": (5, "provincial assemblies", "Constitution of Nepal (2015): provincial assembly term five years"),
    "NLD": (4, "provincial councils (King's commissioner appointed for 6)", "Constitution of the Netherlands Art. 129 (four-year term of provincial and municipal councils)"),
    "NCL": (5, "Congress and provincial assemblies", "Organic Law 99-209 of 19 March 1999 on New Caledonia"),
    "PRK": (4, "provincial people's assemblies", "judgement: local people's assembly elections every four years (2015, 2019, 2023)"),
    "PAK": (5, "provincial assemblies", "Constitution of Pakistan Art. 107"),
    "PSE": (4, "local councils (governorates have appointed governors)", "judgement: local council elections 2012, 2017, 2021-22"),
    "PNG": (5, "provincial governors (the provincial MP) and assemblies", "Organic Law on Provincial Governments and Local-level Governments 1995 (governor is the provincial MP, elected every five years)"),
    "PHL": (3, "provincial governors", "Local Government Code of 1991 (RA 7160) Sec. 43; Constitution of 1987 Art. X Sec. 8"),
    "RUS": (5, "governors of federal subjects (maximum)", "Federal Law 414-FZ of 2021 on public power in the subjects (governor term set by regional law, not more than five years)"),
    "SAU": (None, "regional emirs appointed by royal order; no fixed term", "judgement: no elected first-tier government"),
    "ZAF": (5, "provincial legislatures", "Constitution of South Africa s.108"),
    "KOR": (4, "heads of metropolitan cities and provinces", "Local Autonomy Act (heads of local governments: four years, at most three consecutive terms)"),
    "SDN": (None, "state governors appointed since 2019; civil war", "judgement: no regular elected term"),
    "SUR": (5, "district and resort councils (district commissioners appointed)", "judgement: councils elected with the National Assembly every five years"),
    "TWN": (4, "special-municipality mayors and county magistrates", "Local Government Act (地方制度法): four-year terms"),
    "THA": (4, "Provincial Administrative Organisation presidents and councils (provincial governors appointed); Bangkok governor 4", "Provincial Administrative Organization Act B.E. 2540 (1997)"),
    "TUR": (5, "metropolitan mayors and provincial councils (governors appointed)", "Constitution of Turkey Art. 127 (local elections every five years)"),
    "UKR": (5, "oblast councils", "Constitution of Ukraine Art. 141"),
    "GBR": (4, "English councils (devolved legislatures of Scotland, Wales, Northern Ireland: 5)", "judgement: English local councils serve four years; Scottish Parliament and Senedd five"),
    "USA": (4, "state governors (48 states; New Hampshire and Vermont 2)", "State constitutions (judgement summarising)"),
    "UZB": (5, "regional Kengashes (hokims appointed)", "judgement: regional councils elected with the Oliy Majlis (2019, 2024)"),
    "VNM": (5, "provincial People's Councils", "Law on Organisation of Local Government (2015): People's Council term five years"),
    "SGP": (None, "city-state; no local or regional government", "judgement: no local tier"),
    "TLS": (None, "municipalities run by appointed administrators", "judgement: no elected first-tier government"),
    "KHM": (5, "provincial councils (indirectly elected; governors appointed)", "judgement: council elections 2009, 2014, 2019, 2024"),
    "LAO": (5, "provincial people's assemblies (governors appointed)", "judgement: elected with the National Assembly (2016, 2021)"),
    "MMR": (5, "region and state hluttaws", "Constitution of Myanmar (2008): same five-year term as the Union parliament; suspended since 2021"),
    "NZL": (3, "regional councils", "Local Electoral Act 2001 (triennial elections)"),
    "NGA": (4, "state governors", "Constitution of Nigeria (1999) s.180"),
    "BRA": (4, "state governors", "Constitution of Brazil (1988) Art. 28"),
    "BGD": (5, "zila parishads, city corporations", "judgement: local bodies serve five years"),
    "ETH": (5, "regional state councils", "judgement: elected with the federal parliament every five years"),
    "EGY": (None, "governors appointed by the President; no elected councils since 2011", "judgement: no elected first-tier government"),
    "COD": (5, "provincial assemblies and governors", "Constitution of the DRC (2006): provincial assemblies and governors, five years"),
    "IRN": (4, "city and village councils (provincial governors appointed)", "judgement: councils elected every four years"),
    "TZA": (5, "local government councils (regional commissioners appointed)", "judgement: councils elected with the general election every five years"),
    "KEN": (5, "county governors and assemblies", "Constitution of Kenya (2010) Art. 180; elected at the five-yearly general election"),
    "COL": (4, "department governors", "Constitution of Colombia Art. 303"),
    "UGA": (5, "district councils", "judgement: elected with the general election every five years"),
    "ESP": (4, "parliaments of the autonomous communities", "Statutes of autonomy (four-year legislatures)"),
    "DZA": (5, "provincial people's assemblies (walis appointed)", "judgement: five-year local mandate"),
    "IRQ": (4, "governorate councils", "Law of Governorates Not Incorporated into a Region, No. 21 of 2008 (four years); elections held irregularly"),
    "ARG": (4, "provincial governors", "Provincial constitutions (judgement summarising: four years)"),
    "CAN": (4, "provincial legislatures (fixed-date laws; maximum 5)", "Provincial fixed-election-date acts; Canadian Charter of Rights and Freedoms s.4 (maximum five years)"),
    "CHE": (4, "cantonal parliaments (most; some, e.g. Vaud and Geneva, 5)", "Cantonal constitutions (judgement summarising)"),
    "POL": (5, "voivodeship sejmiks", "judgement: 2018 amendment of the local government laws lengthened the term from four to five years (elections 2018, 2024)"),
    "SWE": (4, "regional councils", "Elections Act (2005:837): regional councils elected with the Riksdag every four years"),
    "IRL": (5, "county and city councils", "Local Government Act 2001 (local elections every five years)"),
    "AUT": (5, "Land parliaments (Upper Austria 6)", "Land constitutions (judgement summarising)"),
    "ISR": (5, "municipal councils and mayors (no regional tier)", "judgement: municipal elections every five years"),
    "ARE": (None, "emirates ruled by hereditary rulers", "judgement: no elected first-tier government"),
}

OUT_COLUMNS = [
    "country", "iso3", "capital", "lat", "lon", "coord_kind", "distance_km",
    "area_km2", "population", "population_year", "population_source",
    "gdp_per_capita_usd", "gdp_year", "known_partnerships", "inclusion",
    "local_term_years", "term_unit", "term_source", "notes",
]


# --------------------------------------------------------------------------
# step 1: extracts
# --------------------------------------------------------------------------
def extract(args: argparse.Namespace) -> None:
    SOURCES_DIR.mkdir(parents=True, exist_ok=True)
    mledoze = json.loads(Path(args.mledoze).read_text(encoding="utf-8"))
    iso3s = {c["cca3"] for c in mledoze}

    with open(MLEDOZE_EXTRACT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cca3", "name_common", "capital", "lat", "lon", "area",
                    "independent", "unMember"])
        for c in sorted(mledoze, key=lambda c: c["cca3"]):
            lat, lon = c.get("latlng") or ("", "")
            w.writerow([c["cca3"], c["name"]["common"], ";".join(c.get("capital", [])),
                        lat, lon, c.get("area", ""), c.get("independent"),
                        c.get("unMember")])

    rc = json.loads(Path(args.restcountries).read_text(encoding="utf-8"))
    with open(RC_EXTRACT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cca3", "capital", "capital_lat", "capital_lon", "population"])
        for c in sorted(rc, key=lambda c: c["cca3"]):
            ll = (c.get("capitalInfo") or {}).get("latlng") or ("", "")
            w.writerow([c["cca3"], ";".join(c.get("capital", [])), ll[0], ll[1],
                        c.get("population", "")])

    for src, dst in ((args.population, POP_EXTRACT), (args.gdp, GDP_EXTRACT)):
        with open(src, newline="", encoding="utf-8") as fi, \
                open(dst, "w", newline="", encoding="utf-8") as fo:
            r = csv.DictReader(fi)
            w = csv.writer(fo, lineterminator="\n")
            w.writerow(["Country Name", "Country Code", "Year", "Value"])
            for row in r:
                if row["Country Code"] in iso3s and int(row["Year"]) >= EXTRACT_FROM_YEAR:
                    w.writerow([row["Country Name"], row["Country Code"], row["Year"], row["Value"]])
    for p in (MLEDOZE_EXTRACT, RC_EXTRACT, POP_EXTRACT, GDP_EXTRACT):
        print(f"wrote {p.relative_to(ROOT)} ({p.stat().st_size:,} bytes)")


# --------------------------------------------------------------------------
# step 2: build
# --------------------------------------------------------------------------
def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def read_series(path: Path) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Value"] == "":
                continue
            out.setdefault(row["Country Code"], {})[int(row["Year"])] = float(row["Value"])
    return out


def top_n(series: dict[str, dict[int, float]], codes: set[str], n: int) -> tuple[int, list[str]]:
    year = max(y for c in codes if c in series for y in series[c])
    ranked = sorted((c for c in codes if year in series.get(c, {})),
                    key=lambda c: -series[c][year])
    return year, ranked[:n]


def build(_args: argparse.Namespace) -> None:
    with open(MLEDOZE_EXTRACT, newline="", encoding="utf-8") as f:
        meta = {r["cca3"]: r for r in csv.DictReader(f)}
    with open(RC_EXTRACT, newline="", encoding="utf-8") as f:
        caps = {r["cca3"]: r for r in csv.DictReader(f)}
    pop = read_series(POP_EXTRACT)
    gdp = read_series(GDP_EXTRACT)

    with open(PARTNERSHIPS, newline="", encoding="utf-8") as f:
        counts = Counter(r["country"] for r in csv.DictReader(f))
    unknown = set(counts) - set(PARTNER_ISO3)
    if unknown:
        sys.exit(f"partnerships.csv countries without an ISO3 mapping: {sorted(unknown)}")

    # World ranks among UN members (Indonesia holds one rank, then is dropped)
    un_members = {c for c, r in meta.items() if r["unMember"] == "True"}
    pop_year, top_pop = top_n(pop, un_members, TOP_POPULATION_N)
    gdp_year_rank, top_gdp = top_n(gdp, un_members, TOP_GDP_N)
    top_pop = [c for c in top_pop if c != HOME]
    top_gdp = [c for c in top_gdp if c != HOME]

    reasons: dict[str, list[str]] = {}
    names: dict[str, str] = {}

    def add(iso: str, reason: str, name: str | None = None) -> None:
        reasons.setdefault(iso, [])
        if reason not in reasons[iso]:
            reasons[iso].append(reason)
        if name:
            names[iso] = name
        names.setdefault(iso, NAME_OVERRIDE.get(iso, meta[iso]["name_common"]))

    for name, iso in PARTNER_ISO3.items():
        if counts.get(name):
            add(iso, "partnerships", name)
    for iso in GROWTH_AREA:
        add(iso, "growth_area")
    for iso in ASEAN:
        add(iso, "asean")
    for iso in NEIGHBOUR_EXTRA:
        add(iso, "neighbour")
    for iso in top_pop:
        add(iso, f"top{TOP_POPULATION_N}_population_{pop_year}")
    for iso in top_gdp:
        add(iso, f"top{TOP_GDP_N}_gdp_{gdp_year_rank}")
    # Cambodia and Laos are in by ASEAN membership alone.

    missing_terms = set(reasons) - set(TERMS)
    if missing_terms:
        sys.exit(f"no TERMS entry for: {sorted(missing_terms)}")

    iso_to_partner_name = {v: k for k, v in PARTNER_ISO3.items()}
    rows = []
    for iso in reasons:
        m, c = meta[iso], caps.get(iso, {})
        if c.get("capital_lat"):
            lat, lon, kind = float(c["capital_lat"]), float(c["capital_lon"]), "capital"
            capital = c["capital"].split(";")[0]
        else:
            lat, lon, kind = float(m["lat"]), float(m["lon"]), "centroid"
            capital = m["capital"].split(";")[0]
        p = pop.get(iso, {})
        if p:
            py = max(p)
            population, population_year = int(round(p[py])), py
            population_source = "World Bank SP.POP.TOTL"
        elif c.get("population"):
            population, population_year = int(c["population"]), ""
            population_source = "restcountries countriesV3.1.json (year not stated)"
        else:
            population, population_year, population_source = "", "", ""
        g = gdp.get(iso, {})
        g_years = [y for y in g if y in p]
        if g_years:
            gy = max(g_years)
            gdp_pc, gdp_year = round(g[gy] / p[gy], 1), gy
        else:
            gdp_pc, gdp_year = "", ""
        years, unit, source = TERMS[iso]
        rows.append({
            "country": iso_to_partner_name.get(iso, names[iso]),
            "iso3": iso,
            "capital": capital,
            "lat": lat,
            "lon": lon,
            "coord_kind": kind,
            "distance_km": int(round(haversine_km(JAKARTA, (lat, lon)))),
            "area_km2": m["area"],
            "population": population,
            "population_year": population_year,
            "population_source": population_source,
            "gdp_per_capita_usd": gdp_pc,
            "gdp_year": gdp_year,
            "known_partnerships": counts.get(iso_to_partner_name.get(iso, ""), 0),
            "inclusion": ";".join(reasons[iso]),
            "local_term_years": "" if years is None else years,
            "term_unit": unit,
            "term_source": source,
            "notes": NOTES.get(iso, ""),
        })

    rows.sort(key=lambda r: (-r["known_partnerships"], r["country"]))
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=OUT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    # checks
    assert len({r["country"] for r in rows}) == len(rows), "duplicate country"
    assert len({r["iso3"] for r in rows}) == len(rows), "duplicate iso3"
    assert sum(r["known_partnerships"] for r in rows) == sum(counts.values())
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} rows "
          f"(population ranking year {pop_year}, GDP ranking year {gdp_year_rank})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    ex = sub.add_parser("extract", help="cut extracts from the full source files")
    ex.add_argument("--population", required=True, help="datasets/population data/population.csv")
    ex.add_argument("--gdp", required=True, help="datasets/gdp data/gdp.csv")
    ex.add_argument("--mledoze", required=True, help="mledoze/countries countries.json")
    ex.add_argument("--restcountries", required=True, help="restcountries countriesV3.1.json")
    sub.add_parser("build", help="write countries.csv from the extracts (default)")
    args = ap.parse_args()
    if args.cmd == "extract":
        extract(args)
    else:
        build(args)


if __name__ == "__main__":
    main()
