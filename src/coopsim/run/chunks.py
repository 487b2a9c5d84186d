"""Chunk files of a sweep: running a chunk of points, writing it atomically, the sweep's
layout (`sweep.json`), and reading finished results back.

Layout of a sweep's folder:
    sweep.json                    what the chunks belong to (number of points, design key, chunk starts)
    chunks/chunk_000000.parquet   one file per finished chunk, written atomically (tmp + rename)
Each chunk row holds: index, seed, the point's parameters, the target's outputs (`out:NAME`),
`error` (empty when the run succeeded) and `seconds`. A run that raises is recorded with its
inputs and error text; the sweep goes on.
"""

from __future__ import annotations

import json
import math
import os
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from coopsim.config.errors import UserError

__all__ = ["Target", "CHUNK_DIR", "MAX_CHUNK", "run_chunk", "write_chunk", "run_and_write_chunk",
           "chunk_starts", "chunk_path", "finished_chunks", "prepare_state", "read_state", "read_results",
           "read_failures", "no_failures"]

Target = Callable[[dict, int], dict]
CHUNK_DIR = "chunks"


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
    pq.write_table(pa.table(columns), tmp, compression="none", use_dictionary=False, write_statistics=False)
    os.replace(tmp, final)
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
    sweep finds the same chunks (sweep.json keeps them)."""
    starts, lo = [], 0
    while lo < n_points:
        starts.append(lo)
        lo += int(chunk_size) if chunk_size else \
            max(1, min(MAX_CHUNK, math.ceil((n_points - lo) / (4 * max(1, workers)))))
    return starts


def chunk_path(out_dir: Path, k: int) -> Path:
    """The file of chunk k."""
    return Path(out_dir) / CHUNK_DIR / f"chunk_{k:06d}.parquet"


def finished_chunks(out_dir: Path) -> set[int]:
    """Numbers of the chunks whose file is on disk."""
    folder = Path(out_dir) / CHUNK_DIR
    if not folder.is_dir():
        return set()
    return {int(p.stem.split("_")[1]) for p in folder.glob("chunk_*.parquet")}


def prepare_state(out_dir: Path, n_points: int, starts: list[int], key: str, resume: bool) -> set[int]:
    """Check (or write) sweep.json against this design; returns the finished chunks."""
    out_dir = Path(out_dir)
    (out_dir / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    state_file = out_dir / "sweep.json"
    state = {"n_points": n_points, "key": key, "chunk_starts": starts}
    done = finished_chunks(out_dir)
    if state_file.exists():
        old = read_state(state_file)
        if old != state and (resume or done):
            raise UserError(f"{out_dir}: holds runs of a different design ({old.get('n_points')} points in "
                            f"{len(old.get('chunk_starts', []))} chunks, key {old.get('key')}); this sweep has "
                            f"{n_points} points in {len(starts)} chunks, key {key}. Use another --out, or "
                            f"--force to start over.")
    elif done:
        raise UserError(f"{out_dir}: has chunk files but no sweep.json; use another --out or --force.")
    if not resume and done:
        raise UserError(f"{out_dir}: already holds {len(done)} finished chunk(s). Use --resume to continue "
                        f"that sweep, or --force to start over.")
    for tmp in (out_dir / CHUNK_DIR).glob("*.tmp*"):  # half-written by a killed sweep
        tmp.unlink(missing_ok=True)
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, state_file)
    return done


def read_state(state_file: Path) -> dict:
    """sweep.json (an older one with a fixed chunk size is translated)."""
    state = json.loads(state_file.read_text())
    if "chunk_starts" not in state and state.get("chunk_size"):   # an older sweep.json: fixed-size chunks
        state = {"n_points": state["n_points"], "key": state.get("key", ""),
                 "chunk_starts": chunk_starts(state["n_points"], 1, state["chunk_size"])}
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
