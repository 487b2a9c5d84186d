"""Command lines to fuzz every command with: option values of the wrong type, out of range or
absurd, missing and unknown arguments, and paths that are not what the command needs.

Each template builds a command line from a few shared fixtures (a tiny scenario, a tiny lever
scenario extending it, a small Ishigami experiment, a discovery file naming it) and names what
a refusal must mention: the option, or the file.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from fuzz.experiments import BASES, TINY
from fuzz.runner import Case
from fuzz.toml_text import dumps
from fuzz.values import LONG

REPS = ["0", "-1", "abc", "1.5", "", str(10 ** 12), "1"]
SEEDS = ["-1", "abc", str(2 ** 70), "", "0", "7"]
YEARS = ["0", "-5", "1000", "abc", "2"]
WORKERS = ["0", "-1", "abc", "1"]
CHUNKS = ["-1", "0", "abc", str(10 ** 9), "7"]
REGIONS = ["Narnia", "", LONG, "Region 3", "P0", "region 3"]
RANK_BY = ["nope", "", "signed", LONG]
POINTS = ["3", "-1", "abc", str(10 ** 12)]
PORTS = ["-1", "70000", "abc"]


def fixtures(folder: Path) -> dict[str, Path]:
    """The files the command lines use, written once into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"scenario": folder / "tiny.toml", "lever": folder / "lever.toml", "experiment": folder / "ish.toml",
             "discovery": folder / "disc.toml", "file": folder / "plain.txt", "empty": folder / "empty",
             "utf16": folder / "utf16.toml", "fifo": folder / "pipe.toml"}
    paths["scenario"].write_text(dumps(TINY))
    paths["lever"].write_text(dumps({"name": "lever", "extends": "tiny.toml", "levers": {"joint_committee": True}}))
    paths["experiment"].write_text(dumps(BASES["ishigami"]))
    paths["discovery"].write_text(dumps({"discovery": {"experiment": "ish.toml", "output": "y", "threshold": 1.0}}))
    paths["file"].write_text("not a folder\n")
    paths["empty"].mkdir(exist_ok=True)
    paths["utf16"].write_bytes(dumps(TINY).encode("utf-16"))
    if not paths["fifo"].exists():
        os.mkfifo(paths["fifo"])
    return paths


def _run(f, out, rng):
    option, values = rng.choice([("--reps", REPS), ("--seed", SEEDS), ("--years", YEARS)])
    value = rng.choice(values)
    argv = ["run", str(f["scenario"]), "--out", str(out), "--no-progress", option, value]
    if option != "--reps":
        argv += ["--reps", "1"]
    return argv, [option], []


def _run_paths(f, out, rng):
    what = rng.choice(["missing", "utf16", "fifo", "folder", "out under a file", "long out", "no scenario",
                       "unknown option", "empty out"])
    scenario = {"missing": f["empty"] / "nope.toml", "utf16": f["utf16"], "fifo": f["fifo"],
                "folder": f["empty"]}.get(what, f["scenario"])
    out = {"out under a file": f["file"] / "sub", "long out": out.parent / ("o" * 300), "empty out": ""}.get(what, out)
    argv = ["run", str(scenario), "--reps", "1", "--no-progress", "--out", str(out)]
    if what == "no scenario":
        return ["run", "--reps", "1"], ["scenario"], []
    if what == "unknown option":
        return argv + ["--repz", "3"], ["--repz"], []
    files = [scenario] if scenario != f["scenario"] else []
    return argv, (["--out"] if not files else []), files


def _compare(f, out, rng):
    option, values = rng.choice([("--reps", REPS[:4] + ["1000000000", "2"]), ("--region", REGIONS),
                                 ("--rank-by", RANK_BY), ("--workers", WORKERS), ("--seed", SEEDS)])
    argv = ["compare", str(f["scenario"]), str(f["lever"]), "--out", str(out), "--no-progress", "--no-report",
            option, rng.choice(values)]
    if option != "--reps":
        argv += ["--reps", "2"]
    return argv, [option, option.lstrip("-").replace("-", "_"), "region"], []


def _sensitivity(f, out, rng):
    option, values = rng.choice([("--workers", WORKERS), ("--chunk-size", CHUNKS), ("--backend", ["nope", "serial"]),
                                 ("--scheduler", ["not a url"]), ("--resume", None), ("--out", None)])
    argv = ["sensitivity", str(f["experiment"]), "--no-progress"]
    if option == "--out":
        return argv, ["--out"], []
    argv += ["--out", str(out)] + ([option] if values is None else [option, rng.choice(values)])
    if option != "--workers":
        argv += ["--workers", "1"]
    return argv, [option, "resume"], []


def _discover(f, out, rng):
    if rng.random() < 0.3:
        return ["discover", str(f["experiment"]), "--out", str(out)], [], [f["experiment"]]
    return ["discover", str(f["discovery"]), "--out", str(out), "--no-progress", "--workers", "1",
            "--points", rng.choice(POINTS)], ["--points"], []


def _report(f, out, rng):
    target = rng.choice([f["empty"] / "nope", f["file"], f["empty"], Path("/proc/self"), Path("/dev/zero"), f["fifo"]])
    return ["report", str(target)], [], [target]


def _scenarios(f, out, rng):
    target = rng.choice([f["file"], f["empty"] / "nope", f["fifo"], f["scenario"].parent, Path("/dev")])
    return ["scenarios", str(target)], [], [target]


def _validate(f, out, rng):
    if rng.random() < 0.5:
        return ["validate", str(f["scenario"]), "--reps", rng.choice(["0", "1", "-1", "abc"])], ["--reps"], []
    target = rng.choice([f["utf16"], f["fifo"], f["empty"] / "nope.toml"])
    return ["validate", str(target), "--reps", "2", "--out", str(out)], [], [target]


def _app(f, out, rng):
    if rng.random() < 0.5:
        return ["app", str(f["scenario"]), "--port", rng.choice(PORTS)], ["--port", "port"], []
    target = rng.choice([f["utf16"], f["fifo"], f["empty"] / "nope.toml", f["empty"]])
    return ["app", str(target), "--port", "-1"], [], [target]


def _top(f, out, rng):
    argv = rng.choice([["nope"], ["--version"], ["run", "--help"], ["--nope"], [LONG]])
    return argv, ([] if argv[0].startswith("--") or argv == ["run", "--help"] else ["command"]), []


TEMPLATES = {"run": (_run, 6), "run paths": (_run_paths, 5), "compare": (_compare, 5), "sensitivity": (_sensitivity, 5),
             "discover": (_discover, 2), "report": (_report, 2), "scenarios": (_scenarios, 2),
             "validate": (_validate, 2), "app": (_app, 2), "top": (_top, 1)}
ACCEPT = {"validate": (0, 1)}     # validate exits 1 when a pattern fails: an answer, not a crash
COMPLETE = {"run": ("manifest.json",), "run paths": ("manifest.json",), "compare": ("manifest.json",),
            "sensitivity": ("manifest.json",)}


def option_case(i: int, rng: random.Random, folder: Path, shared: dict[str, Path]) -> Case:
    """Case number `i`: a command line over the shared fixtures, its output going to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    name = rng.choices(list(TEMPLATES), weights=[w for _, w in TEMPLATES.values()])[0]
    argv, keys, files = TEMPLATES[name][0](shared, folder / "out", rng)
    label = name + ": " + " ".join(a if len(a) < 40 else a[:20] + "..." for a in argv[1:])
    case = Case("cli", i, label, argv, files, keys, folder, complete=COMPLETE.get(name, ()))
    case.accept = ACCEPT.get(argv[0] if argv else "", (0,))
    return case
