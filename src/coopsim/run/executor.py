"""Run many points through a model function: serially, on persistent local worker processes,
or on Dask distributed, streaming results to Parquet chunk files that a killed sweep resumes.

Generic on purpose (sensitivity analysis, scenario discovery and calibration share it):

    target(params: dict[str, Any], seed: int) -> dict[str, float]

`target` is a picklable callable. Points are a table (pandas DataFrame, one row per point, in
index order) and a seed per point; seeds are chosen by the caller from the experiment seed and
the point index only, so results are identical whatever the backend, worker count or chunking.

Layout of `out_dir`:
    sweep.json                    what the chunks belong to (number of points, design key, chunk starts)
    chunks/chunk_000000.parquet   one file per finished chunk, written atomically (tmp + rename)
Each chunk row holds: index, seed, the point's parameters, the target's outputs, `error`
(empty when the run succeeded) and `seconds`. A run that raises is recorded with its inputs and
error text; the sweep goes on.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError

Target = Callable[[dict, int], dict]
BACKENDS = ("serial", "process", "dask")
CHUNK_DIR = "chunks"


# -- running one chunk (same code in every backend) -------------------------------------------
def run_chunk(target: Target, start: int, params: list[dict], seeds: Sequence[int]) -> list[dict]:
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
    return write_chunk(out_dir, k, run_chunk(target, start, params, seeds), params)


_WORKER_TARGET: Target | None = None


def _pool_init(target: Target) -> None:
    global _WORKER_TARGET
    _WORKER_TARGET = target


def _pool_run(out_dir: Path, k: int, start: int, params: list[dict], seeds: list[int]) -> tuple[int, list[dict]]:
    # the worker writes its own chunk: the parent only hands out work and counts
    return run_and_write_chunk(_WORKER_TARGET, out_dir, k, start, params, seeds)


# -- the sweep ----------------------------------------------------------------------------------
@dataclass
class SweepReport:
    n_points: int
    n_chunks: int
    skipped_chunks: int = 0          # finished before (--resume)
    ran_chunks: int = 0
    ran_points: int = 0
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    backend: str = "serial"
    workers: int = 1

    @property
    def n_failed(self) -> int:
        return len(self.failures)

    def headline(self) -> str:
        return (f"{self.n_points} runs ({self.skipped_chunks} of {self.n_chunks} chunks already done), "
                f"{self.seconds:.1f} s on {self.backend} x{self.workers}")

    def tell_failures(self, out: Path) -> int:
        """Say on stderr which runs failed and where they are listed; the command's exit code."""
        if not self.n_failed:
            return 0
        first = self.failures.iloc[0]
        print(f"{self.n_failed} run(s) failed; they are listed with their inputs in {out}/failures.csv. "
              f"First: point {int(first['index'])}: {first['error']}", file=sys.stderr)
        return 1


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
    return Path(out_dir) / CHUNK_DIR / f"chunk_{k:06d}.parquet"


def finished_chunks(out_dir: Path) -> set[int]:
    folder = Path(out_dir) / CHUNK_DIR
    if not folder.is_dir():
        return set()
    return {int(p.stem.split("_")[1]) for p in folder.glob("chunk_*.parquet")}


def _prepare(out_dir: Path, n_points: int, starts: list[int], key: str, resume: bool) -> set[int]:
    out_dir = Path(out_dir)
    (out_dir / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    state_file = out_dir / "sweep.json"
    state = {"n_points": n_points, "key": key, "chunk_starts": starts}
    done = finished_chunks(out_dir)
    if state_file.exists():
        old = _read_state(state_file)
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


def _read_state(state_file: Path) -> dict:
    state = json.loads(state_file.read_text())
    if "chunk_starts" not in state and state.get("chunk_size"):   # an older sweep.json: fixed-size chunks
        state = {"n_points": state["n_points"], "key": state.get("key", ""),
                 "chunk_starts": chunk_starts(state["n_points"], 1, state["chunk_size"])}
    return state


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (picklable, cheap, typed like the frame)."""
    columns = {name: frame[name].tolist() for name in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())] if len(frame.columns) else \
        [{} for _ in range(len(frame))]


def run_sweep(target: Target, points: pd.DataFrame, seeds: Sequence[int], out_dir: str | Path, *,
              backend: str = "serial", workers: int = 1, scheduler: str | None = None,
              chunk_size: int | None = None, resume: bool = False, key: str = "",
              progress: bool = True, desc: str = "runs",
              preload: Sequence[str] | None = None) -> SweepReport:
    """Run every point not already on disk; return what happened (failures included).

    `preload`: modules the local workers' forkserver imports once (default: the target's
    `preload` attribute, if any)."""
    if backend not in BACKENDS:
        raise UserError(f"unknown backend '{backend}'; choose from {', '.join(BACKENDS)}.")
    preload = tuple(getattr(target, "preload", ()) if preload is None else preload)
    points = points.reset_index(drop=True)
    clash = sorted(set(points.columns) & {"index", "seed", "error", "seconds"})
    if clash:
        raise ValueError(f"point columns may not be named {', '.join(clash)} (the executor's own columns)")
    seeds = np.asarray(seeds, dtype=np.int64)
    n = len(points)
    if len(seeds) != n:
        raise ValueError("one seed per point")
    workers = max(1, int(workers))
    out_dir = Path(out_dir)
    state_file = out_dir / "sweep.json"
    if chunk_size is None and resume and state_file.exists():
        starts = _read_state(state_file).get("chunk_starts", [])   # the chunking of the first session
    else:
        starts = chunk_starts(n, workers, chunk_size)
    ends = starts[1:] + [n]
    n_chunks = len(starts)
    done = _prepare(out_dir, n, starts, key, resume)
    todo = [k for k in range(n_chunks) if k not in done]
    report = SweepReport(n_points=n, n_chunks=n_chunks, skipped_chunks=n_chunks - len(todo),
                         backend=backend, workers=workers)

    records = _records(points)
    seed_list = seeds.tolist()

    def task(k: int):
        lo, hi = starts[k], ends[k]
        return lo, records[lo:hi], seed_list[lo:hi]

    done_points = sum(ends[k] - starts[k] for k in done)
    bar = _progress(total=n, initial=done_points, desc=desc, enabled=progress)
    t0 = time.perf_counter()
    failed: list[dict] = []

    def finish(runs: int, failed_runs: list[dict]) -> None:
        report.ran_chunks += 1
        report.ran_points += runs
        failed.extend(failed_runs)
        if failed and bar is not None:
            bar.set_postfix(failed=len(failed), refresh=False)
        if bar is not None:
            bar.update(runs)

    try:
        if not todo:
            pass
        elif backend == "serial":
            for k in todo:
                finish(*run_and_write_chunk(target, out_dir, k, *task(k)))
        elif backend == "process":
            _run_process(target, out_dir, todo, task, finish, workers, preload)
        else:
            _run_dask(target, out_dir, todo, task, finish, workers, scheduler)
    finally:
        if bar is not None:
            bar.close()
    report.seconds = time.perf_counter() - t0
    parts = [frame for frame in (read_failures(out_dir, chunks=done) if done else None,
                                 pd.DataFrame(failed) if failed else None) if frame is not None and len(frame)]
    report.failures = (pd.concat(parts, ignore_index=True).sort_values("index", kind="stable")
                       .reset_index(drop=True) if parts else _no_failures())
    return report


def _progress(total: int, initial: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="run", dynamic_ncols=True,
                smoothing=0.1, file=sys.stderr)


def worker_context(preload: Sequence[str]):
    """The multiprocessing context local workers start in: forked from a forkserver that has
    imported `preload` (the first call's list: the server lives for the session), else spawn."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Workers fork from a server that imported these once (Mesa costs ~0.9 s to import).
        ctx.set_forkserver_preload(["coopsim.run.executor", "pyarrow.parquet", *preload])
        return ctx
    return mp.get_context("spawn")


def warm_up(preload: Sequence[str] = ()) -> None:
    """Start the forkserver now (it imports `preload` once) so that its start-up overlaps with
    the caller's own work; later pools fork their workers from it in milliseconds."""
    ctx = worker_context(preload)
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _run_process(target, out_dir, todo, task, finish, workers, preload) -> None:
    ctx = worker_context(preload)
    in_flight = {}
    queue = iter(todo)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_pool_init,
                             initargs=(target,)) as pool:
        try:
            def submit_next() -> bool:
                k = next(queue, None)
                if k is None:
                    return False
                in_flight[pool.submit(_pool_run, out_dir, k, *task(k))] = k
                return True

            for _ in range(2 * workers):
                if not submit_next():
                    break
            while in_flight:
                finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for fut in finished:
                    in_flight.pop(fut)
                    finish(*fut.result())
                    submit_next()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _run_dask(target, out_dir, todo, task, finish, workers, scheduler) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UserError("the Dask backend needs dask[distributed]: pip install 'coopsim[cluster]'.") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise UserError(f"could not reach the Dask scheduler at {scheduler} ({exc}). Start one with "
                            f"'dask scheduler' and workers with 'dask worker {scheduler}'.") from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        target_future = client.scatter(target, broadcast=True)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        queue = iter(todo)
        futures = {}

        def submit_next(ac=None) -> None:
            k = next(queue, None)
            if k is None:
                return
            lo, params, sd = task(k)
            # rows come back to the client, which writes them: a cluster's workers need not share its disk
            fut = client.submit(run_chunk, target_future, lo, params, sd, pure=False, key=f"coopsim-chunk-{k}-{os.getpid()}-{time.time_ns()}")
            futures[fut.key] = k
            if ac is not None:
                ac.add(fut)
            return fut

        initial = [f for f in (submit_next() for _ in range(3 * n_workers)) if f is not None]
        ac = as_completed(initial)
        for fut in ac:
            k = futures.pop(fut.key)
            lo, params, _ = task(k)
            finish(*write_chunk(out_dir, k, fut.result(), params))
            fut.release()
            submit_next(ac)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- reading results back ------------------------------------------------------------------------
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


def _no_failures() -> pd.DataFrame:
    return pd.DataFrame(columns=["index", "seed", "error"])


def read_failures(out_dir: str | Path, chunks: set[int] | None = None) -> pd.DataFrame:
    """Runs that raised: index, seed, parameters, error (all chunks, or the given ones)."""
    table = _read_chunks(out_dir, chunks, columns=["index", "error"])
    if table is None:
        return _no_failures()
    errors = table.to_pandas()
    bad = errors.loc[errors["error"] != "", "index"]
    if bad.empty:
        return _no_failures()
    frame = _read_chunks(out_dir, chunks).to_pandas()
    frame = frame[frame["error"] != ""]
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("out:")])
    return frame.sort_values("index").reset_index(drop=True)
