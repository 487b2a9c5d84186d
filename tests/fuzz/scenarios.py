"""Scenario files to fuzz `coopsim run` with: a small valid scenario (one year, a synthetic
population), spoiled one way or a few ways at once.

Kinds of case (chosen with fixed weights):
- values: 1-3 keys set to a valid, wrongly typed, out-of-range or non-finite value;
- names: codes, countries, populations, levels and pinned cases that may not exist;
- unknown: misspelt keys and tables;
- encoding, syntax, shape: the file's bytes or text spoiled;
- special: the path is not a readable file;
- extends: the file extends something odd.
"""

from __future__ import annotations

import copy
import os
import random
from pathlib import Path

from fuzz import files
from fuzz.runner import Case
from fuzz.schema import case_params, scenario_params
from fuzz.toml_text import dumps
from fuzz.values import LONG, MUTATIONS, valid

BASE = {"name": "fz", "description": "a fuzzed scenario",
        "simulation": {"years": 1, "population": "synthetic", "synthetic_regions": 30,
                       "seed_known_partnerships": False}}
KINDS = {"values": 40, "names": 20, "unknown": 6, "encoding": 7, "syntax": 7, "shape": 6, "special": 6,
         "extends": 8}
CODES = [["XX-YY"], ["Narnia"], ["ID-JT"], ["id-yo"], [], ["P0"], [LONG], ["ID-YO", "ID-YO"]]
COUNTRIES = ["Narnia", "China", "china", "Egypt", "", LONG, "Singapore"]
LEVEL_SETS = [[], ["city"], ["province"], ["province", "province"], ["state"], ["regency", "city"]]
REGIONS = ["Region 3", "P0", "p0", "ID-YO", "Kota Yogyakarta", "DI Yogyakarta", "Narnia", "", LONG, "Region 99999"]
CSV_ROWS = "name,level,province,island_group,population,area_km2,hdi\n"
CSVS = {
    "good": CSV_ROWS + "A,province,P1,Jawa,1000000,1000,70\nB,city,P1,Jawa,200000,100,\nC,regency,P1,Jawa,300000,900,71\n",
    "text hdi": CSV_ROWS + "A,province,P1,Jawa,1000000,1000,high\n",
    "empty": "",
    "header only": CSV_ROWS,
    "bad level": CSV_ROWS + "A,state,P1,Jawa,1000,10,70\n",
    "negative population": CSV_ROWS + "A,province,P1,Jawa,-5,10,70\n",
    "not a table": 'a,"b\n',
}


def _set(data: dict, path: str, value) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return
    node[parts[-1]] = value


def _values(data: dict, rng: random.Random) -> tuple[list[str], list[str]]:
    params = scenario_params()
    labels, keys = [], []
    for _ in range(rng.randint(1, 3)):
        p = rng.choice(params)
        how = rng.choices(list(MUTATIONS), weights=[3, 3, 3, 1])[0]
        v = MUTATIONS[how](p, rng)
        _set(data, p.path, v)
        labels.append(f"{p.path} = {str(v)[:40]!r} ({how})")
        keys.append(p.path)
    return labels, keys


def _a_case(rng: random.Random) -> tuple[dict, str]:
    case = {"name": rng.choice(["Kyoto-like", "c", "", LONG[:300]]), "region": rng.choice(REGIONS),
            "partner": rng.choice(["Kyoto Prefecture", "New partner", "", LONG[:200]])}
    label = f"case region {case['region'][:30]!r}"
    if rng.random() < 0.5:
        p = rng.choice(case_params())
        how = rng.choice(list(MUTATIONS))
        case[p.path] = MUTATIONS[how](p, rng) if p.kind != "int" or how != "valid" else valid(p, rng)
        label += f", {p.path} = {str(case[p.path])[:30]!r} ({how})"
    if rng.random() < 0.3:
        case["signed_year"] = rng.choice([10 ** 30, 1800, 2024, 1985, 2300, -1])
        label += f", signed_year {case['signed_year']}"
    if rng.random() < 0.1:
        del case[rng.choice(["name", "region", "partner"])]
        label += ", a required key missing"
    return case, label


def _names(data: dict, folder: Path, rng: random.Random) -> tuple[list[str], list[str], list[Path]]:
    """Names and codes that must exist; returns labels, keys and extra files a message may name."""
    choice = rng.choice(["codes", "country", "population", "levels", "cases", "name"])
    if choice == "codes":
        key = rng.choice(["elections.unelected_heads", "central.diplomat_regions"])
        _set(data, key, rng.choice(CODES))
        return [f"{key} = {str(data[key.split('.')[0]][key.split('.')[1]])[:40]}"], [key], []
    if choice == "country":
        value = rng.choice(COUNTRIES)
        _set(data, "shock.downturn_country", value)
        _set(data, "shock.downturn_year", 2025)
        return [f"downturn_country {value[:30]!r}"], ["shock.downturn_country"], []
    if choice == "levels":
        value = rng.choice(LEVEL_SETS)
        _set(data, "simulation.levels", value)
        return [f"levels {value}"], ["simulation.levels"], []
    if choice == "cases":
        cases = [_a_case(rng) for _ in range(rng.randint(1, 2))]
        data["cases"] = [c for c, _ in cases]
        if rng.random() < 0.3:
            data["simulation"]["population"] = "indonesia"
            data["simulation"]["levels"] = ["province"]
        return [label for _, label in cases], ["cases["], []
    if choice == "name":
        data["name"] = rng.choice(["", LONG, "../../x", "a/b", "con", "名前", " "])
        return [f"name {data['name'][:20]!r}"], ["name"], []
    return _population(data, folder, rng)


def _population(data: dict, folder: Path, rng: random.Random) -> tuple[list[str], list[str], list[Path]]:
    kind = rng.choice(list(CSVS) + ["indonesia", "/etc/passwd", "folder", "fifo", "missing", "binary"])
    csv = folder / "regions.csv"
    if kind in CSVS:
        csv.write_text(CSVS[kind])
    elif kind == "folder":
        csv.mkdir()
    elif kind == "fifo":
        os.mkfifo(csv)
    elif kind == "binary":
        csv.write_bytes(bytes(rng.randrange(256) for _ in range(500)))
    elif kind in ("indonesia", "/etc/passwd"):
        csv = Path(kind)
    data["simulation"]["population"] = str(csv)
    if kind == "indonesia":
        data["simulation"]["population"] = "indonesia"
    return [f"population {kind}"], ["simulation.population"], [csv]


def _unknown(data: dict, rng: random.Random) -> tuple[list[str], list[str]]:
    what = rng.choice(["key", "table", "long key", "case key"])
    if what == "key":
        _set(data, "regions.hr_capacty", 0.5)
        return ["misspelt key regions.hr_capacty"], ["regions.hr_capacty"]
    if what == "table":
        data["simulaton"] = {"years": 3}
        return ["misspelt table [simulaton]"], ["simulaton"]
    if what == "long key":
        data["regions"] = {LONG: 1}
        return ["a 5000-character key"], ["regions.xxxx"]
    data["cases"] = [{"name": "c", "region": "Region 1", "partner": "p", "partnr_budget": True}]
    return ["misspelt case key"], ["partnr_budget"]


def scenario_case(i: int, rng: random.Random, folder: Path, chain_length: int) -> Case:
    """Case number `i`: a scenario file in `folder` and the `coopsim run` command line."""
    folder.mkdir(parents=True, exist_ok=True)
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    data = copy.deepcopy(BASE)
    path, labels, keys, named = folder / "s.toml", [], [], []
    if kind == "values":
        labels, keys = _values(data, rng)
    elif kind == "names":
        labels, keys, named = _names(data, folder, rng)
    elif kind == "unknown":
        labels, keys = _unknown(data, rng)
    text = dumps(data)
    if kind in ("values", "names", "unknown"):
        path.write_text(text)
    elif kind == "encoding":
        enc = rng.choice(files.ENCODINGS)
        path.write_bytes(files.encoded(text, enc, rng))
        labels = [f"encoding {enc}"]
    elif kind == "syntax":
        how = rng.choice(files.SYNTAX)
        path.write_text(files.broken(text, how, rng))
        labels = [f"syntax: {how}"]
    elif kind == "shape":
        how = rng.choice(files.SHAPES)
        path.write_text(files.shaped(text, how, rng, deep=rng.choice([40, 600, 1000])))
        labels = [f"shape: {how}"]
    elif kind == "special":
        how = rng.choice(files.SPECIAL)
        path, named = files.special(folder, how, text)
        labels = [f"not a file: {how}"]
    else:
        how = rng.choice(files.EXTENDS)
        path, named = files.chain(folder, data, how, rng, chain_length if rng.random() < 0.5 else 8)
        labels, keys = [f"extends: {how}"], (["extends"] if how in ("dot", "empty", "number", "missing",
                                                                     "cycle", "self", "folder", "fifo") else [])
    argv = ["run", str(path), "--reps", "1", "--out", str(folder / "out"), "--no-progress"]
    return Case("scenario", i, "; ".join(labels), argv, [path, *named], keys, folder)
