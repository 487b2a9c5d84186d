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

On --resume every chunk file is verified first (`coopsim.run.chunks.prepare_state`): a damaged
or foreign one is removed with a warning (UserWarning) and run again. Before running, a design
of more than `MAX_POINTS` points, or one estimated (`check_budget`: one point timed here) to take
longer than `MAX_SECONDS`, is refused unless `limits=False` (the command line's --no-limits).
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.run.backends import BACKENDS
from coopsim.run.backends.process import warm_up, worker_context
from coopsim.run.chunks import (CHUNK_DIR, MAX_CHUNK, Target, chunk_starts, load_state, no_failures,
                                prepare_state, read_failures, read_results, record_chunks, run_chunk)

__all__ = ["run_sweep", "SweepReport", "read_results", "read_failures", "worker_context", "warm_up",
           "BACKENDS", "CHUNK_DIR", "MAX_CHUNK", "Target", "chunk_starts", "run_chunk", "check_budget",
           "check_scheduler", "duration_words", "MAX_POINTS", "MAX_SECONDS", "MEASURE_ABOVE"]

RESERVED = {"index", "seed", "error", "seconds"}   # the executor's own columns
#: Most points a sweep holds: every point is kept in memory as a row and a dict (~0.5 KB each).
MAX_POINTS = 10_000_000
#: Longest work a command starts without --no-limits (estimated wall time: 30 days).
MAX_SECONDS = 30 * 86_400.0
#: Work of more runs than this is timed (one run, before starting) to estimate how long it takes.
MEASURE_ABOVE = 1_000
_UNITS = (("years", 365.25 * 86_400), ("days", 86_400), ("hours", 3_600), ("minutes", 60), ("seconds", 1))


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




def duration_words(seconds: float) -> str:
    """A duration in words, two significant digits ("9,100 years", "3.5 hours").

    Args:
        seconds: the duration.

    Returns:
        The words.
    """
    for unit, size in _UNITS:
        if seconds >= 2 * size or unit == "seconds":
            x = seconds / size
            return f"{float(f'{x:.2g}'):,.0f} {unit}" if x >= 100 else f"{x:.2g} {unit}"
    return ""


def _count(n: int) -> str:
    return f"{n:,}" if n < 10_000_000 else f"{n:.2g}"


def _seconds_per_run(time_one: Callable[[], object]) -> float | None:
    """How long one run takes here (None when it raises: then nothing is estimated)."""
    t0 = time.perf_counter()
    try:
        time_one()
    except Exception:  # the run itself will report its error
        return None
    return time.perf_counter() - t0


def check_budget(n_runs: int, *, what: str, fewer: str, workers: int = 1,
                 time_one: Callable[[], object] | None = None, max_runs: int | None = None,
                 max_seconds: float | None = MAX_SECONDS) -> float | None:
    """Refuse, before it starts, work far beyond reason: more runs than one command can hold,
    or an estimated time over `max_seconds`.

    The estimate times one run (`time_one`) when there are more than `MEASURE_ABOVE` runs (or
    more than `max_runs`: a refusal says how long the work would take).

    Args:
        n_runs: the runs the work has.
        what: what is checked, for the message ("this design", "--reps 1000000").
        fewer: what the user can do instead ("Use fewer --reps").
        workers: runs at a time.
        time_one: makes one run (its result is dropped).
        max_runs: most runs allowed (None: no limit).
        max_seconds: longest estimated time allowed (None: no limit).

    Returns:
        The estimated wall time in seconds (None when not measured).

    Raises:
        UserError: the work is beyond a limit; the message says how long it would take and
            that --no-limits runs it anyway.
    """
    too_many = max_runs is not None and n_runs > max_runs
    per_run = _seconds_per_run(time_one) if time_one is not None and (n_runs > MEASURE_ABOVE or too_many) else None
    estimate = per_run * n_runs / max(1, workers) if per_run is not None else None
    said = f"{what} means {_count(n_runs)} runs"
    if estimate is not None:
        said += (f", about {duration_words(estimate)} here ({per_run:.2g} s a run on this machine, "
                 f"{max(1, workers)} at a time)")
    if too_many:
        raise UserError(f"{said}: more than the {max_runs:,} one command can hold in memory. {fewer}, or add "
                        f"--no-limits to try anyway.")
    if estimate is not None and max_seconds is not None and estimate > max_seconds:
        raise UserError(f"{said}: longer than the limit of {duration_words(max_seconds)}. {fewer}, or add "
                        f"--no-limits to run it anyway.")
    return estimate


def check_scheduler(address: str) -> None:
    """Refuse a Dask scheduler address that is not one (tcp://host:port, host:port, ...).

    Args:
        address: the address given (--scheduler).

    Raises:
        UserError: it cannot be an address; the message shows the form.
    """
    try:
        from distributed.comm import parse_address, parse_host_port
    except ImportError:   # the Dask backend says what to install
        return
    shown = address if len(address) <= 60 else address[:60] + "..."
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls", "ws", "wss", "ucx"):
            host, port = parse_host_port(location)
            if not host or any(ch.isspace() for ch in host) or not 0 < int(port) < 65536:
                raise ValueError("no host and port")
    except (ValueError, TypeError) as exc:
        raise UserError(f"--scheduler {shown!r}: not a Dask scheduler address ({exc}); give one like "
                        f"tcp://127.0.0.1:8786.") from None


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (picklable, cheap, typed like the frame)."""
    columns = {name: frame[name].tolist() for name in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())] if len(frame.columns) else \
        [{} for _ in range(len(frame))]



def _check_points(points: pd.DataFrame, seeds: Sequence[int], backend: str,
                  limits: bool) -> tuple[pd.DataFrame, np.ndarray]:
    if backend not in BACKENDS:
        raise UserError(f"unknown backend '{backend}'; choose from {', '.join(BACKENDS)}.")
    if limits:
        check_budget(len(points), what="this design", fewer="Use a smaller design", max_runs=MAX_POINTS)
    points = points.reset_index(drop=True)
    clash = sorted(set(points.columns) & RESERVED)
    if clash:
        raise ValueError(f"point columns may not be named {', '.join(clash)} (the executor's own columns)")
    seeds = np.asarray(seeds, dtype=np.int64)
    if len(seeds) != len(points):
        raise ValueError("one seed per point")
    return points, seeds


def _layout(out_dir: Path, n: int, workers: int, chunk_size: int | None, resume: bool) -> list[int]:
    """Chunk starts: those of the first session when resuming (if its sweep.json is sound),
    else a new guided layout."""
    if chunk_size is None and resume:
        state, _ = load_state(out_dir)
        if state is not None:
            return state["chunk_starts"]
    return chunk_starts(n, workers, chunk_size)


def _chunks_to_run(target: Target, points: pd.DataFrame, seeds: np.ndarray, out_dir: Path, *, workers: int,
                   chunk_size: int | None, resume: bool, key: str, limits: bool) -> tuple[list[int], set[int], list[int]]:
    """The chunk layout, the chunks verified finished and those to run; warns of chunks to run
    again and refuses a sweep estimated to take far too long (one point timed here)."""
    n = len(points)
    starts = _layout(out_dir, n, workers, chunk_size, resume)
    done, problems = prepare_state(out_dir, starts, key, resume, points, seeds)
    for problem in problems:
        warnings.warn(problem, UserWarning, stacklevel=3)
    todo = [k for k in range(len(starts)) if k not in done]
    if limits and todo:
        ends = starts[1:] + [n]
        lo = starts[todo[0]]
        check_budget(sum(ends[k] - starts[k] for k in todo), what="this sweep", workers=workers,
                     fewer="Use a smaller design or more workers", max_seconds=MAX_SECONDS,
                     time_one=lambda: target(_records(points.iloc[lo:lo + 1])[0], int(seeds[lo])))
    return starts, done, todo


def run_sweep(target: Target, points: pd.DataFrame, seeds: Sequence[int], out_dir: str | Path, *,
              backend: str = "serial", workers: int = 1, scheduler: str | None = None,
              chunk_size: int | None = None, resume: bool = False, key: str = "",
              progress: bool = True, desc: str = "runs",
              preload: Sequence[str] | None = None, limits: bool = True) -> SweepReport:
    """Run every point not already on disk (chunks verified on --resume; limits checked
    first); return what happened (failures included).

    Args:
        target: `target(params, seed) -> {output: float}`, picklable.
        points: one row per point, in index order; seeds: one per point.
        out_dir: the sweep folder (chunk files, sweep.json).
        backend: "serial", "process" or "dask"; workers: processes; scheduler: a Dask address.
        chunk_size: runs per chunk (default: guided, shrinking toward the end).
        resume: continue a sweep in `out_dir`; key: what the design is (a resumed sweep must match).
        progress, desc: a progress bar on stderr and its label.
        preload: modules the local workers' forkserver imports once (default: `target.preload`).
        limits: refuse designs beyond `MAX_POINTS` or `MAX_SECONDS` (False: --no-limits).

    Returns:
        A `SweepReport`. Results are read back with `read_results(out_dir)`.
    """
    points, seeds = _check_points(points, seeds, backend, limits)
    preload = tuple(getattr(target, "preload", ()) if preload is None else preload)
    workers, out_dir, n = max(1, int(workers)), Path(out_dir), len(points)
    starts, done, todo = _chunks_to_run(target, points, seeds, out_dir, workers=workers, chunk_size=chunk_size,
                                        resume=resume, key=key, limits=limits)
    ends = starts[1:] + [n]
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
    record_chunks(out_dir, todo)
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
