"""Fingerprints of what the shipped commands compute, to prove a refactoring changes no number.

    python tests/identity/fingerprint.py [--src DIR] [--out FILE]

Runs, through the command line (`coopsim.cli.main`, in a fresh process each), every shipped
scenario (3 replications), the Ishigami experiment and a small Morris experiment, a small
scenario discovery, a small `compare` and `coopsim validate` at test size, then hashes the
numbers they write: every Parquet table's columns, dtypes and values; every CSV's columns but
the prose ones (labels, verdict words); the numbers of Markdown and text files, in order, with
run times removed). Figures, manifests (dates, versions, commit)
and timings are left out. `--src` points at another checkout's `src/` (e.g. a `git worktree`
of the pre-refactoring commit), run from that checkout's root so its relative paths resolve.

`tests/identity/golden.json` holds the fingerprints of the commit before the architecture
refactoring; `tests/test_identity.py` recomputes them and compares. A change that is meant to
change results (a model change) regenerates the file: `make golden`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = {"reps": 3, "morris_trajectories": 4, "morris_years": 4, "ishigami_n": 256,
         "discover_points": 60, "discover_years": 4, "compare_reps": 3, "validate_reps": 2}
# Time-dependent words in Markdown/text outputs ("in 12 s", "12.3 s", "seconds").
_TIMES = re.compile(r"\d+(\.\d+)?\s*(s|seconds)\b")
_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?%?")
# CSV columns that hold words for readers, not results.
PROSE_COLUMNS = {"label", "verdict", "words", "rule", "check", "target", "description", "mechanism"}


def _hash_parquet(path: Path) -> str:
    import pandas as pd

    frame = pd.read_parquet(path)
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:20]


def _hash_csv(path: Path) -> str:
    """Every column but the prose ones (words may be reworded; numbers and codes may not)."""
    import pandas as pd

    frame = pd.read_csv(path)
    frame = frame.drop(columns=[c for c in frame.columns if c in PROSE_COLUMNS])
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:20]


def _hash_numbers(path: Path) -> str:
    """The numbers of a text (summary.md, cart_tree.txt), in order, run times left out."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not _TIMES.search(line)]
    numbers = [_NUMBER.findall(line) for line in lines]
    return hashlib.sha256(json.dumps([n for n in numbers if n]).encode()).hexdigest()[:20]


def fingerprint_folder(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Hash of every table in `folder` (recursively), by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel.startswith("runs/") or any(s in rel for s in skip):
            continue
        if path.suffix == ".parquet":
            out[rel] = _hash_parquet(path)
        elif path.suffix == ".csv":
            out[rel] = _hash_csv(path)
        elif path.suffix in (".md", ".txt"):
            out[rel] = _hash_numbers(path)
    return out


def _cli(src: Path, root: Path, args: list[str]) -> None:
    """`coopsim ARGS` from `src`, in `root`, in a fresh process (as a user runs it)."""
    code = (f"import sys; sys.path.insert(0, {str(src)!r}); sys.argv = ['coopsim'] + {args!r}; "
            "from coopsim.cli import main; sys.exit(main(sys.argv[1:]))")
    # PYTHONPATH too: worker processes (forkserver, Dask) must import the same checkout
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    allowed = (0, 1) if args[0] == "validate" else (0,)  # validate exits 1 when a pattern fails
    if done.returncode not in allowed:
        raise RuntimeError(f"coopsim {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def fingerprints(src: Path, root: Path, work: Path, only: str | None = None,
                 parallel: int = 2) -> dict[str, dict[str, str]]:
    """Fingerprints of every command (or those whose name starts with `only`: run, sensitivity,
    discover, compare, validate). The commands run `parallel` at a time (each in its own process
    and folder: the results do not depend on it)."""
    from concurrent.futures import ThreadPoolExecutor

    def wanted(command: str) -> bool:
        return only is None or command.startswith(only)

    def run(scenario: Path) -> dict:
        folder = work / f"run_{scenario.stem}"
        _cli(src, root, ["run", str(scenario), "--reps", str(SIZES["reps"]), "--seed", "1",
                         "--out", str(folder), "--no-progress"])
        return {f"run {scenario.name}": fingerprint_folder(folder)}

    def validate() -> dict:
        _cli(src, root, ["validate", "--reps", str(SIZES["validate_reps"]), "--out", str(work / "validate")])
        return {"validate": fingerprint_folder(work / "validate")}

    _short_scenario(root, work)
    jobs = [lambda s=s: run(s) for s in sorted((root / "scenarios").glob("*.toml")) if wanted("run")]
    jobs += [lambda f=f: f(src, root, work) for name, f in (("sensitivity", _sensitivity), ("discover", _discover),
                                                          ("compare", _compare)) if wanted(name)]
    jobs += [validate] if wanted("validate") else []
    out: dict[str, dict[str, str]] = {}
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        for part in pool.map(lambda job: job(), jobs):
            out.update(part)
    return out


def _short_scenario(root: Path, work: Path) -> Path:
    path = work / "short.toml"
    path.write_text(f'name = "short"\nextends = {json.dumps(str(root / "scenarios" / "baseline.toml"))}\n'
                    f"[simulation]\nyears = {SIZES['morris_years']}\n")
    return path


def _sensitivity(src: Path, root: Path, work: Path) -> dict:
    out = {}
    ishigami = work / "ishigami.toml"
    text = (root / "experiments" / "ishigami.toml").read_text()
    ishigami.write_text(re.sub(r"(?m)^n = \d+", f"n = {SIZES['ishigami_n']}", text))
    _cli(src, root, ["sensitivity", str(ishigami), "--out", str(work / "ishigami"), "--workers", "1",
                     "--no-progress"])
    out["sensitivity ishigami"] = fingerprint_folder(work / "ishigami")

    morris = work / "morris.toml"
    text = (root / "experiments" / "obstacles_morris.toml").read_text()
    text = text.replace('"../scenarios/baseline.toml"', json.dumps(str(work / "short.toml")))
    morris.write_text(re.sub(r"(?m)^n = \d+", f"n = {SIZES['morris_trajectories']}", text))
    _cli(src, root, ["sensitivity", str(morris), "--out", str(work / "morris"), "--workers", "2",
                     "--no-progress"])
    out["sensitivity morris"] = fingerprint_folder(work / "morris")
    return out


def _discover(src: Path, root: Path, work: Path) -> dict:
    conditions = (root / "experiments" / "failure_conditions.toml").read_text()
    conditions = re.sub(r'(?m)^scenario = .*$', f"scenario = {json.dumps(str(work / 'short.toml'))}",
                        conditions)
    (work / "failure_conditions.toml").write_text(conditions)
    (work / "discovery.toml").write_text((root / "experiments" / "failure_discovery.toml").read_text())
    _cli(src, root, ["discover", str(work / "discovery.toml"), "--out", str(work / "discover"),
                     "--points", str(SIZES["discover_points"]), "--workers", "1", "--no-progress"])
    return {"discover failure_discovery": fingerprint_folder(work / "discover")}


def _compare(src: Path, root: Path, work: Path) -> dict:
    out = {}
    _cli(src, root, ["compare", "scenarios/baseline.toml", "scenarios/joint_committee.toml",
                     "scenarios/dedicated_budget.toml", "--reps", str(SIZES["compare_reps"]),
                     "--out", str(work / "compare"), "--no-report", "--no-progress"])
    out["compare"] = fingerprint_folder(work / "compare")
    _cli(src, root, ["compare", "scenarios/baseline.toml", "scenarios/joint_committee.toml",
                     "--region", "DI Yogyakarta", "--reps", str(SIZES["compare_reps"]),
                     "--out", str(work / "compare_region"), "--no-report", "--no-progress"])
    out["compare --region"] = fingerprint_folder(work / "compare_region")
    return out


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(here / "src"), help="the src/ folder of the checkout to run")
    parser.add_argument("--root", default=None, help="that checkout's root (default: the parent of --src)")
    parser.add_argument("--out", default="-", help="write the fingerprints here (JSON); - prints them")
    parser.add_argument("--only", default=None, help="only the commands starting with this word (run, "
                        "sensitivity, discover, compare, validate)")
    parser.add_argument("--compare", default=None, help="a fingerprint file to compare with; exit 1 on any difference")
    args = parser.parse_args(argv)
    src = Path(args.src).resolve()
    root = Path(args.root).resolve() if args.root else src.parent
    with tempfile.TemporaryDirectory(prefix="coopsim-identity-") as tmp:
        result = fingerprints(src, root, Path(tmp), only=args.only)
    text = json.dumps(result, indent=1, sort_keys=True) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
    if args.compare:
        expected = json.loads(Path(args.compare).read_text())
        if args.only:
            expected = {k: v for k, v in expected.items() if k.startswith(args.only)}
        diffs = differences(expected, result)
        for line in diffs:
            print(line)
        print("identical" if not diffs else f"{len(diffs)} difference(s)")
        return 1 if diffs else 0
    return 0


def differences(expected: dict, actual: dict) -> list[str]:
    """One line per command/file whose fingerprint differs, is missing or is new."""
    out = []
    for command in sorted(set(expected) | set(actual)):
        e, a = expected.get(command, {}), actual.get(command, {})
        for name in sorted(set(e) | set(a)):
            if e.get(name) != a.get(name):
                out.append(f"{command}: {name}: expected {e.get(name)}, got {a.get(name)}")
    return out


if __name__ == "__main__":
    sys.exit(main())
