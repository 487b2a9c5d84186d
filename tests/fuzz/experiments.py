"""Experiment files to fuzz `coopsim sensitivity` with: three small valid experiments (the
Ishigami target; the model on a tiny scenario file next to the experiment; the model on the
shipped "baseline" made tiny by a policy), spoiled one way or two ways at once.
"""

from __future__ import annotations

import copy
import math
import os
import random
from pathlib import Path

from fuzz import files
from fuzz.runner import Case
from fuzz.toml_text import dumps
from fuzz.values import LONG

TINY = {"name": "tiny", "simulation": {"years": 2, "population": "synthetic", "synthetic_regions": 40,
                                       "seed_known_partnerships": False},
        "behaviour": {"exploration_rate": 1.0}}
TINY_OVERRIDES = {"simulation.years": 2, "simulation.population": "synthetic", "simulation.synthetic_regions": 40,
                  "simulation.seed_known_partnerships": False, "behaviour.exploration_rate": 1.0}
_INPUTS = [{"path": "regions.hr_capacity", "bounds": [0.1, 0.9]}, {"path": "regions.data_quality", "bounds": [0.1, 0.9]}]
BASES = {
    "ishigami": {"name": "fz", "outputs": ["y"], "target": {"kind": "ishigami"},
                 "method": {"name": "sobol", "n": 16, "bootstrap": 10, "convergence": False},
                 "inputs": [{"path": x, "bounds": [-math.pi, math.pi]} for x in ("x1", "x2", "x3")]},
    "model": {"name": "fz", "scenario": "tiny.toml", "outputs": ["signed"],
              "method": {"name": "morris", "n": 4, "bootstrap": 10, "convergence": False}, "inputs": _INPUTS},
    "shipped": {"name": "fz", "scenario": "baseline", "outputs": ["signed"],
                "method": {"name": "morris", "n": 4, "bootstrap": 10, "convergence": False}, "inputs": _INPUTS,
                "policies": [{"name": "tiny", "overrides": TINY_OVERRIDES}]},
}
NAN, INF = float("nan"), float("inf")
# (key as messages name it, where in the data, hostile or valid values)
SETTINGS = [
    ("method.n", ("method", "n"), [0, 1, 3, 100, 2 ** 40, -16, 16.0, "16", NAN, 8]),
    ("method.name", ("method", "name"), ["fast", "", 1, "SOBOL"]),
    ("method.levels", ("method", "levels"), [3, 0, 1000, 6, True]),
    ("method.bootstrap", ("method", "bootstrap"), [5, 10 ** 9, 20, 1.5]),
    ("method.conf_level", ("method", "conf_level"), [0, 1, 1.5, NAN, 0.9]),
    ("method.also", ("method", "also"), [["pawn"], ["x"], "pawn", []]),
    ("method.convergence", ("method", "convergence"), ["no", 1, True]),
    ("stochasticity.replications", ("stochasticity", "replications"), [0, 10 ** 6, 2, "2", -1]),
    ("stochasticity.seed_as_input", ("stochasticity", "seed_as_input"), [True, 1, "yes"]),
    ("target.a", ("target", "a"), [NAN, INF, "7", 7, 1e308]),
    ("target.noise", ("target", "noise"), [INF, -1.0, NAN, 1.0]),
    ("target.kind", ("target", "kind"), ["nope", 3]),
    ("execution.chunk_size", ("execution", "chunk_size"), [0, -1, 10 ** 9, 5]),
    ("seed", ("seed",), [0, -1, 2 ** 63, 1.5, "1", 42]),
    ("name", ("name",), ["", LONG, 3, "../../x"]),
    ("dummy", ("dummy",), ["yes", 1, False]),
    ("outputs", ("outputs",), [[], ["happiness"], ["signed", "signed"], [LONG], "signed", ["y"], ["benefits"]]),
    ("colour", ("colour",), ["red"]),
]
INPUT_EDITS = [
    ("path", ["regions.hr_capacty", "x4", "regions", "regions.hr_capacity.x", "", LONG, "elections.unelected_heads",
              "simulation.population", "levers.joint_committee", "simulation.years"]),
    ("bounds", [[0.9, 0.1], [-INF, 0.5], [NAN, 1.0], [0, 1, 2], [], ["a", "b"], [0, 10 ** 30], [0.1, 1.9],
                [0.0, 1.0], [1, 3], [0, 300], [True, False]]),
    ("dist", ["triang", "norm", "truncnorm", "logunif", "gamma", ""]),
    ("peak", [0.5, 1.0, 1.5, NAN]),
    ("mean", [0.5, NAN, "0.5"]),
    ("sd", [0.1, INF, 0, -1.0]),
    ("name", ["dummy", "seed", "hr_capacity", "data_quality", LONG]),
    ("group", ["g", "", 3]),
    ("label", [LONG, 3]),
]
POLICY_EDITS = [
    {"regions.hr_capacty": 0.5}, {"levers.joint_committee": 1}, {"levers.joint_committee": True},
    {"simulation.population": "missing.csv"}, {"shock.downturn_country": "Narnia"},
    {"elections.unelected_heads": ["XX-YY"]}, {"regions.hr_capacity": 0.5}, {"regions.budget_level": NAN},
    {"cases": [{"name": "c", "region": "Narnia", "partner": "p"}]}, {"simulation": 3}, {LONG: 1},
]
SCENARIO_REFS = ["baseline", "baseline.toml", "../scenarios/baseline.toml", "nope", "", ".", LONG,
                 "../../etc/passwd", "sub", "pipe.toml", "/dev/zero", "tiny.toml"]


def _edit_setting(data: dict, rng: random.Random) -> tuple[str, str]:
    key, where, values = rng.choice(SETTINGS)
    node = data
    for part in where[:-1]:
        node = node.setdefault(part, {})
    node[where[-1]] = value = rng.choice(values)
    return f"{key} = {str(value)[:40]!r}", key


def _edit_input(data: dict, rng: random.Random) -> tuple[str, str]:
    k = rng.randrange(len(data["inputs"]))
    field, values = rng.choice(INPUT_EDITS)
    data["inputs"][k] = dict(data["inputs"][k], **{field: rng.choice(values)})
    return f"inputs[{k}].{field} = {str(data['inputs'][k][field])[:40]!r}", "inputs"


def _edit_policy(data: dict, rng: random.Random) -> tuple[str, str]:
    overrides = rng.choice(POLICY_EDITS)
    extra = {"name": rng.choice(["p", "", "tiny", LONG]), "overrides": {**(data.get("policies") or [{}])[0].get(
        "overrides", {}), **overrides}}
    data["policies"] = (data.get("policies") or []) + [extra]
    return f"policy {extra['name'][:20]!r} overrides {str(overrides)[:60]}", "polic"


def _edit_scenario_ref(data: dict, folder: Path, rng: random.Random) -> tuple[str, str, list[Path]]:
    ref = rng.choice(SCENARIO_REFS)
    if ref == "sub":
        (folder / "sub").mkdir(exist_ok=True)
    elif ref == "pipe.toml":
        os.mkfifo(folder / "pipe.toml")
    elif ref == "tiny.toml" and data.get("target", {}).get("kind") != "ishigami":
        (folder / "tiny.toml").write_bytes(files.encoded(dumps(TINY), rng.choice(files.ENCODINGS), rng))
    data["scenario"] = ref
    return f"scenario = {ref[:40]!r}", "scenario", [folder / ref]


def _spoil(data: dict, folder: Path, rng: random.Random) -> tuple[list[str], list[str], list[Path]]:
    labels, keys, named = [], [], []
    for _ in range(rng.choice([1, 1, 2])):
        what = rng.choices(["setting", "input", "policy", "scenario"], weights=[5, 5, 2, 2])[0]
        if what == "scenario":
            label, key, more = _edit_scenario_ref(data, folder, rng)
            named += more
        else:
            label, key = {"setting": _edit_setting, "input": _edit_input, "policy": _edit_policy}[what](data, rng)
        labels.append(label)
        keys.append(key)
    return labels, keys, named


def experiment_case(i: int, rng: random.Random, folder: Path) -> Case:
    """Case number `i`: an experiment file in `folder` and the `coopsim sensitivity` command line."""
    folder.mkdir(parents=True, exist_ok=True)
    base = rng.choices(list(BASES), weights=[4, 4, 1])[0]
    data = copy.deepcopy(BASES[base])
    (folder / "tiny.toml").write_text(dumps(TINY))
    path, labels, keys, named = folder / "e.toml", [f"{base}"], [], [folder / "tiny.toml"]
    kind = rng.choices(["spoiled", "encoding", "syntax", "shape", "special", "valid"], weights=[70, 6, 6, 5, 5, 8])[0]
    if kind == "spoiled":
        more, keys, named_more = _spoil(data, folder, rng)
        labels += more
        named += named_more
    text = dumps(data)
    if kind in ("spoiled", "valid"):
        path.write_text(text)
    elif kind == "encoding":
        enc = rng.choice(files.ENCODINGS)
        path.write_bytes(files.encoded(text, enc, rng))
        labels.append(f"encoding {enc}")
    elif kind == "syntax":
        how = rng.choice(files.SYNTAX)
        path.write_text(files.broken(text, how, rng))
        labels.append(f"syntax: {how}")
    elif kind == "shape":
        how = rng.choice(files.SHAPES)
        path.write_text(files.shaped(text, how, rng, deep=rng.choice([40, 1000])))
        labels.append(f"shape: {how}")
    else:
        how = rng.choice(files.SPECIAL)
        path, _ = files.special(folder, how, text)
        labels.append(f"not a file: {how}")
    argv = ["sensitivity", str(path), "--out", str(folder / "out"), "--workers", "1", "--no-progress"]
    return Case("experiment", i, "; ".join(labels), argv, [path, *named], keys, folder)
