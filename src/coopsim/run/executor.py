"""Run many points through a model function: serially, on persistent local worker processes,
or on Dask distributed, streaming results to Parquet chunk files that a killed sweep resumes.

Generic on purpose (sensitivity analysis, scenario discovery, calibration and comparisons
share it):

    target(params: dict[str, Any], seed: int) -> dict[str, float]

`target` is a picklable callable. Points are a table (pandas DataFrame, one row per point, in
index order) and a seed per point; seeds are chosen by the caller from the experiment seed and
the point index only (`coopsim.run.seeds`), so results are identical whatever the backend,
worker count or chunking. Chunk files and their layout: `coopsim.run.chunks`; backends: one
module each in `coopsim.run.backends`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.run.backends import BACKENDS
from coopsim.run.backends.process import warm_up, worker_context
from coopsim.run.chunks import (CHUNK_DIR, MAX_CHUNK, Target, chunk_starts, no_failures, prepare_state,
                                read_failures, read_results, read_state, run_chunk)

__all__ = ["run_sweep", "SweepReport", "read_results", "read_failures", "worker_context", "warm_up",
           "BACKENDS", "CHUNK_DIR", "MAX_CHUNK", "Target", "chunk_starts", "run_chunk"]

RESERVED = {"index", "seed", "error", "seconds"}   # the executor's own columns


@dataclass
class SweepReport:
    """What a sweep did: points, chunks (reused and run), failures, time, backend."""
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
        """Runs that raised."""
        return len(self.failures)

    def headline(self) -> str:
        """One line for the terminal."""
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




def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (picklable, cheap, typed like the frame)."""
    columns = {name: frame[name].tolist() for name in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())] if len(frame.columns) else \
        [{} for _ in range(len(frame))]



def _check_points(points: pd.DataFrame, seeds: Sequence[int], backend: str) -> tuple[pd.DataFrame, np.ndarray]:
    if backend not in BACKENDS:
        raise UserError(f"unknown backend '{backend}'; choose from {', '.join(BACKENDS)}.")
    points = points.reset_index(drop=True)
    clash = sorted(set(points.columns) & RESERVED)
    if clash:
        raise ValueError(f"point columns may not be named {', '.join(clash)} (the executor's own columns)")
    seeds = np.asarray(seeds, dtype=np.int64)
    if len(seeds) != len(points):
        raise ValueError("one seed per point")
    return points, seeds


def _layout(out_dir: Path, n: int, workers: int, chunk_size: int | None, resume: bool) -> list[int]:
    """Chunk starts: those of the first session when resuming, else a new guided layout."""
    state_file = out_dir / "sweep.json"
    if chunk_size is None and resume and state_file.exists():
        return read_state(state_file).get("chunk_starts", [])
    return chunk_starts(n, workers, chunk_size)


def run_sweep(target: Target, points: pd.DataFrame, seeds: Sequence[int], out_dir: str | Path, *,
              backend: str = "serial", workers: int = 1, scheduler: str | None = None,
              chunk_size: int | None = None, resume: bool = False, key: str = "",
              progress: bool = True, desc: str = "runs",
              preload: Sequence[str] | None = None) -> SweepReport:
    """Run every point not already on disk; return what happened (failures included).

    Args:
        target: `target(params, seed) -> {output: float}`, picklable.
        points: one row per point, in index order; seeds: one per point.
        out_dir: the sweep folder (chunk files, sweep.json).
        backend: "serial", "process" or "dask"; workers: processes; scheduler: a Dask address.
        chunk_size: runs per chunk (default: guided, shrinking toward the end).
        resume: continue a sweep in `out_dir`; key: what the design is (a resumed sweep must match).
        progress, desc: a progress bar on stderr and its label.
        preload: modules the local workers' forkserver imports once (default: `target.preload`).

    Returns:
        A `SweepReport`. Results are read back with `read_results(out_dir)`.
    """
    points, seeds = _check_points(points, seeds, backend)
    preload = tuple(getattr(target, "preload", ()) if preload is None else preload)
    workers, out_dir, n = max(1, int(workers)), Path(out_dir), len(points)
    starts = _layout(out_dir, n, workers, chunk_size, resume)
    ends = starts[1:] + [n]
    done = prepare_state(out_dir, n, starts, key, resume)
    todo = [k for k in range(len(starts)) if k not in done]
    report = SweepReport(n_points=n, n_chunks=len(starts), skipped_chunks=len(starts) - len(todo),
                         backend=backend, workers=workers)
    records, seed_list = _records(points), seeds.tolist()

    def task(k: int):
        lo, hi = starts[k], ends[k]
        return lo, records[lo:hi], seed_list[lo:hi]

    bar = _progress(total=n, initial=sum(ends[k] - starts[k] for k in done), desc=desc, enabled=progress)
    failed: list[dict] = []

    def finish(runs: int, failed_runs: list[dict]) -> None:
        report.ran_chunks += 1
        report.ran_points += runs
        failed.extend(failed_runs)
        if bar is not None:
            if failed:
                bar.set_postfix(failed=len(failed), refresh=False)
            bar.update(runs)

    t0 = time.perf_counter()
    try:
        _dispatch(backend, target, out_dir, todo, task, finish, workers, preload, scheduler)
    finally:
        if bar is not None:
            bar.close()
    report.seconds = time.perf_counter() - t0
    report.failures = _failures(out_dir, done, failed)
    return report


def _dispatch(backend, target, out_dir, todo, task, finish, workers, preload, scheduler) -> None:
    """Hand the chunks still to do to the chosen backend."""
    if not todo:
        return
    if backend == "serial":
        from coopsim.run.backends.serial import run_serial

        run_serial(target, out_dir, todo, task, finish)
    elif backend == "process":
        from coopsim.run.backends.process import run_process

        run_process(target, out_dir, todo, task, finish, workers, preload)
    else:
        from coopsim.run.backends.dask import run_dask

        run_dask(target, out_dir, todo, task, finish, workers, scheduler)


def _failures(out_dir: Path, done: set[int], failed: list[dict]) -> pd.DataFrame:
    """Failed runs of earlier sessions (read from their chunks) and of this one, by index."""
    parts = [frame for frame in (read_failures(out_dir, chunks=done) if done else None,
                                 pd.DataFrame(failed) if failed else None) if frame is not None and len(frame)]
    return (pd.concat(parts, ignore_index=True).sort_values("index", kind="stable")
            .reset_index(drop=True) if parts else no_failures())


def _progress(total: int, initial: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="run", dynamic_ncols=True,
                smoothing=0.1, file=sys.stderr)
