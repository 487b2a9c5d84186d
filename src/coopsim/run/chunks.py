"""Chunk files of a sweep: running a chunk of points, writing it atomically, the sweep's
layout (`sweep.json`), and reading finished results back.

Layout of a sweep's folder:
    sweep.json                    what the chunks belong to (number of points, design key, chunk
                                  starts) and the SHA-256 of each chunk file finished before
    chunks/chunk_000000.parquet   one file per finished chunk, written atomically (tmp + rename)
Each chunk row holds: index, seed, the point's parameters, the target's outputs (`out:NAME`),
`error` (empty when the run succeeded) and `seconds`. A run that raises is recorded with its
inputs and error text; the sweep goes on.

A resumed sweep trusts no file blindly (`prepare_state`): a chunk whose checksum is recorded
must match it; any other must hold exactly its points' indices, seeds and parameters
(`chunk_problem`). A damaged, truncated, empty or foreign chunk, a stray file and a damaged
sweep.json are reported and their runs run again, so the results equal an uninterrupted
sweep's.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from coopsim.config.errors import UserError

__all__ = ["Target", "CHUNK_DIR", "MAX_CHUNK", "run_chunk", "write_chunk", "run_and_write_chunk",
           "chunk_starts", "chunk_path", "finished_chunks", "file_digest", "chunk_problem", "load_state",
           "write_state", "prepare_state", "record_chunks", "read_state", "read_results", "read_failures",
           "no_failures"]

Target = Callable[[dict, int], dict]
CHUNK_DIR = "chunks"
_CHUNK_NAME = re.compile(r"chunk_(\d{6,})\.parquet")
_SHOWN = 10   # chunk files named one by one in a resumed sweep's warnings


def run_chunk(target: Target, start: int, params: list[dict], seeds: Sequence[int]) -> list[dict]:
    """Run the points of one chunk (point `start` onward); one result row per point."""
    rows = []
    for offset, (p, seed) in enumerate(zip(params, seeds)):
        t0 = time.perf_counter()
        row: dict[str, Any] = {"index": start + offset, "seed": int(seed)}
        try:
            out = target(dict(p), int(seed))
            for key, value in out.items():
                row[f"out:{key}"] = float(value)
            row["error"] = ""
        except Exception as exc:  # recorded, the sweep goes on
            tb = traceback.extract_tb(exc.__traceback__)
            where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
            row["error"] = f"{type(exc).__name__}: {exc}{where}"
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def write_chunk(out_dir: Path, k: int, rows: list[dict], params: list[dict]) -> tuple[int, list[dict]]:
    """Write chunk k atomically (tmp + rename); returns the number of runs and the failed ones
    (index, seed, parameters, error), so that nobody reads the files back to report them.

    Built with pyarrow directly: a pandas round trip costs ~7 ms per chunk, which the parent
    process would take from the workers on a machine with as many workers as cores."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    outputs = list(dict.fromkeys(key for row in rows for key in row if key.startswith("out:")))
    columns: dict[str, list] = {"index": [r["index"] for r in rows], "seed": [r["seed"] for r in rows]}
    for name in (params[0] if params else {}):
        columns[name] = [p[name] for p in params]
    for name in outputs:
        columns[name] = [r.get(name, math.nan) for r in rows]
    columns["error"] = [r["error"] for r in rows]
    columns["seconds"] = [r["seconds"] for r in rows]
    final = chunk_path(out_dir, k)
    tmp = final.with_suffix(f".tmp{os.getpid()}")
    # small files read back whole: no compression, dictionaries or statistics to compute
    try:
        pq.write_table(pa.table(columns), tmp, compression="none", use_dictionary=False, write_statistics=False)
        os.replace(tmp, final)
    finally:   # a full disk leaves no half-written file behind
        tmp.unlink(missing_ok=True)
    failed = [{"index": r["index"], "seed": r["seed"], **p, "error": r["error"], "seconds": r["seconds"]}
              for r, p in zip(rows, params) if r["error"]]
    return len(rows), failed


def run_and_write_chunk(target: Target, out_dir: Path, k: int, start: int, params: list[dict],
                        seeds: Sequence[int]) -> tuple[int, list[dict]]:
    """`run_chunk` then `write_chunk` (what a local worker does)."""
    return write_chunk(out_dir, k, run_chunk(target, start, params, seeds), params)


MAX_CHUNK = 128


def chunk_starts(n_points: int, workers: int, chunk_size: int | None = None) -> list[int]:
    """Where each chunk of the sweep begins (the last one ends at n_points).

    With `chunk_size`, chunks of that many runs. By default guided: each chunk takes a
    1/(4 x workers) share of the points not yet handed out (1..128 runs), so chunks shrink
    toward the end: few files and little bookkeeping while there is much left, workers
    finishing within one small chunk of each other at the end, and a kill losing at most 128
    runs per worker. The layout depends on the design only, never on timing, so a resumed
    sweep finds the same chunks (sweep.json keeps them).

    Raises:
        UserError: a chunk size below 1."""
    if chunk_size is not None and int(chunk_size) < 1:
        raise UserError(f"the chunk size (--chunk-size, execution.chunk_size) must be 1 or more, got {chunk_size}.")
    starts, lo = [], 0
    while lo < n_points:
        starts.append(lo)
        lo += int(chunk_size) if chunk_size else \
            max(1, min(MAX_CHUNK, math.ceil((n_points - lo) / (4 * max(1, workers)))))
    return starts


def chunk_path(out_dir: Path, k: int) -> Path:
    """The file of chunk k."""
    return Path(out_dir) / CHUNK_DIR / f"chunk_{k:06d}.parquet"


def _chunk_files(out_dir: Path) -> tuple[dict[int, Path], list[Path]]:
    """The chunk files on disk by number, and the files in chunks/ whose name is no chunk's."""
    folder = Path(out_dir) / CHUNK_DIR
    found: dict[int, Path] = {}
    strays: list[Path] = []
    if not folder.is_dir():
        return found, strays
    for path in sorted(folder.glob("chunk_*.parquet")):
        match = _CHUNK_NAME.fullmatch(path.name)
        if match and path.name == chunk_path(out_dir, int(match.group(1))).name:
            found[int(match.group(1))] = path
        else:
            strays.append(path)
    return found, strays


def finished_chunks(out_dir: Path) -> set[int]:
    """Numbers of the chunks whose file is on disk."""
    return set(_chunk_files(out_dir)[0])


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (what sweep.json records for each finished chunk)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _same(a: list, b: list) -> bool:
    """Equal lists, NaN equal to NaN."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))


def chunk_problem(path: Path, lo: int, hi: int, points: pd.DataFrame, seeds: Sequence[int]) -> str | None:
    """Why the file `path` is not the finished runs of points lo..hi-1 of this design.

    A chunk is accepted when it is a readable Parquet table with the executor's columns, one
    row per point, the points' indices, seeds and parameters in order.

    Args:
        path: the chunk file; lo, hi: its first point and one past its last.
        points, seeds: the whole design.

    Returns:
        The problem in words, or None when the chunk is right.
    """
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        return f"not a readable Parquet file ({type(exc).__name__})"
    missing = [c for c in ("index", "seed", "error", "seconds", *points.columns) if c not in table.column_names]
    if missing:
        return f"lacks the column(s) {', '.join(map(str, missing[:5]))}"
    if table.num_rows != hi - lo:
        return f"holds {table.num_rows} runs where this chunk has {hi - lo}"
    if table.column("index").to_pylist() != list(range(lo, hi)):
        return f"holds other points than {lo}..{hi - 1} (another chunk's file?)"
    if table.column("seed").to_pylist() != [int(s) for s in seeds[lo:hi]]:
        return "holds other seeds than this design's"
    for name in points.columns:
        if not _same(table.column(name).to_pylist(), points[name].iloc[lo:hi].tolist()):
            return f"holds other values of {name} than this design's"
    return None


def _state_problem(state) -> str | None:
    """Why a parsed sweep.json cannot be used (None when it can)."""
    if not isinstance(state, dict):
        return "not a JSON object"
    starts, n = state.get("chunk_starts"), state.get("n_points")
    if not isinstance(n, int) or not isinstance(starts, list) or not all(type(s) is int for s in starts):
        return "no whole number of points and list of chunk starts"
    if starts != sorted(set(starts)) or (starts and (starts[0] != 0 or starts[-1] >= n)) or (n and not starts):
        return "chunk starts that do not cover the points"
    if not isinstance(state.get("chunks", {}), dict):
        return "a chunk record that is not a table"
    return None


def load_state(out_dir: Path) -> tuple[dict | None, str | None]:
    """sweep.json of a sweep folder: (the state, None), (None, None) when there is none, or
    (None, the problem) when it is damaged."""
    state_file = Path(out_dir) / "sweep.json"
    if not state_file.exists():
        return None, None
    try:
        state = read_state(state_file)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, UserError) as exc:
        return None, f"unreadable ({type(exc).__name__})"
    problem = _state_problem(state)
    return (None, problem) if problem else (state, None)


def _design_differs(old: dict, state: dict, out_dir: Path) -> UserError:
    return UserError(f"{out_dir}: holds runs of a different design ({old.get('n_points')} points in "
                     f"{len(old.get('chunk_starts', []))} chunks, key {old.get('key')}); this sweep has "
                     f"{state['n_points']} points in {len(state['chunk_starts'])} chunks, key {state['key']}. "
                     f"Use another --out, or --force to start over.")


def _check_chunks(out_dir: Path, files: dict[int, Path], starts: list[int], points: pd.DataFrame,
                  seeds: Sequence[int], recorded: dict) -> tuple[dict[int, str], list[str]]:
    """Verify the chunk files of a resumed sweep; returns the good ones' digests and, in
    words, the files removed (to run again)."""
    ends = starts[1:] + [len(points)]
    good: dict[int, str] = {}
    removed: list[str] = []
    for k, path in files.items():
        digest = file_digest(path) if k < len(starts) else ""
        if k >= len(starts):
            problem = f"no chunk {k} in this design of {len(starts)} chunks"
        elif str(k) in recorded:
            problem = None if recorded[str(k)] == digest else "changed since it was written (checksum differs)"
        else:
            problem = chunk_problem(path, starts[k], ends[k], points, seeds)
        if problem:
            path.unlink()
            removed.append(f"{path.name}: {problem}")
        else:
            good[k] = digest
    return good, removed


def write_state(out_dir: Path, state: dict) -> None:
    """Write sweep.json atomically."""
    state_file = Path(out_dir) / "sweep.json"
    tmp = state_file.with_suffix(f".tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps(state))
        os.replace(tmp, state_file)
    finally:
        tmp.unlink(missing_ok=True)


def prepare_state(out_dir: Path, starts: list[int], key: str, resume: bool, points: pd.DataFrame,
                  seeds: Sequence[int]) -> tuple[set[int], list[str]]:
    """Check (or write) sweep.json against this design and, on --resume, verify every chunk
    file on disk: a damaged, foreign or stray one is removed, to be run again.

    Args:
        out_dir: the sweep folder.
        starts: where each chunk begins; key: what the design is.
        resume: continue the sweep in `out_dir`.
        points, seeds: the design (what each chunk must hold).

    Returns:
        The finished chunks, and warnings in words (damaged sweep.json, chunks to run again).

    Raises:
        UserError: the folder holds runs of another design, or chunks without --resume.
    """
    out_dir = Path(out_dir)
    (out_dir / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    state = {"n_points": len(points), "key": key, "chunk_starts": starts}
    old, damaged = load_state(out_dir)
    files, strays = _chunk_files(out_dir)
    if old is not None and {k: old.get(k) for k in state} != state and (resume or files):
        raise _design_differs(old, state, out_dir)
    if files and not resume:
        raise UserError(f"{out_dir}: already holds {len(files)} finished chunk(s). Use --resume to continue "
                        f"that sweep, or --force to start over.")
    warnings = [(f"{out_dir}/sweep.json is {f'damaged ({damaged})' if damaged else 'missing'}; every chunk "
                 f"file is checked against the design instead")] if old is None and files else []
    good, removed = _check_chunks(out_dir, files, starts, points, seeds, (old or {}).get("chunks", {}))
    for path in strays:
        path.unlink()
        removed.append(f"{path.name}: not a chunk file name")
    warnings += [f"{out_dir}/{CHUNK_DIR}/{line}; removed, its runs are run again" for line in removed[:_SHOWN]]
    if len(removed) > _SHOWN:
        warnings.append(f"{out_dir}/{CHUNK_DIR}: {len(removed) - _SHOWN} more chunk files did not match this "
                        f"design and were removed; their runs are run again")
    for tmp in (out_dir / CHUNK_DIR).glob("*.tmp*"):  # half-written by a killed sweep
        tmp.unlink(missing_ok=True)
    write_state(out_dir, {**state, "chunks": {str(k): d for k, d in sorted(good.items())}})
    return set(good), warnings


def record_chunks(out_dir: Path, chunks: Sequence[int]) -> None:
    """Add the checksums of finished chunks to sweep.json (a resumed sweep checks them)."""
    old, _ = load_state(out_dir)
    if old is None:
        return
    recorded = dict(old.get("chunks", {}))
    for k in chunks:
        path = chunk_path(out_dir, k)
        if path.exists():
            recorded[str(k)] = file_digest(path)
    write_state(out_dir, {**old, "chunks": recorded})


def read_state(state_file: Path) -> dict:
    """sweep.json (an older one with a fixed chunk size is translated)."""
    state = json.loads(state_file.read_text())
    if isinstance(state, dict) and "chunk_starts" not in state and state.get("chunk_size"):   # older: fixed size
        n, size = state["n_points"], state["chunk_size"]
        if not (type(n) is int and type(size) is int and 0 <= n // max(size, 1) <= 10**7):
            raise ValueError(f"{state_file}: n_points and chunk_size are not a layout")
        state = {"n_points": n, "key": state.get("key", ""), "chunk_starts": chunk_starts(n, 1, size)}
    return state


def _read_chunks(out_dir: str | Path, chunks: set[int] | None = None,
                 columns: list[str] | None = None):
    """Finished chunk files as one pyarrow table (None if there are none); chunks may differ in
    their output columns (a chunk whose runs all failed has none), missing values are null."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(out_dir) / CHUNK_DIR
    paths = sorted(folder.glob("chunk_*.parquet")) if chunks is None else \
        [chunk_path(out_dir, k) for k in sorted(chunks)]
    if not paths:
        return None
    tables = [pq.read_table(p, columns=columns) for p in paths]
    return pa.concat_tables(tables, promote_options="default")


def read_results(out_dir: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All finished rows, sorted by point index (outputs are the `out:NAME` columns)."""
    table = _read_chunks(out_dir)
    if table is None:
        return pd.DataFrame(columns=columns or ["index"])
    frame = table.to_pandas()
    if columns is not None:
        frame = frame.reindex(columns=columns)
    return frame.sort_values("index", kind="stable").reset_index(drop=True)


def no_failures() -> pd.DataFrame:
    """An empty failures table."""
    return pd.DataFrame(columns=["index", "seed", "error"])


def read_failures(out_dir: str | Path, chunks: set[int] | None = None) -> pd.DataFrame:
    """Runs that raised: index, seed, parameters, error (all chunks, or the given ones)."""
    table = _read_chunks(out_dir, chunks, columns=["index", "error"])
    if table is None:
        return no_failures()
    errors = table.to_pandas()
    bad = errors.loc[errors["error"] != "", "index"]
    if bad.empty:
        return no_failures()
    frame = _read_chunks(out_dir, chunks).to_pandas()
    frame = frame[frame["error"] != ""]
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("out:")])
    return frame.sort_values("index").reset_index(drop=True)
