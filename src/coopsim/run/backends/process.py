"""The local process backend: persistent worker processes forked from a warm forkserver; each
worker writes its own chunk files, the parent only hands out work and counts.

Workers die with the process that started them, even when it is killed with SIGKILL: each
watches its parent's sentinel (`multiprocessing.parent_process()`) and exits when it closes.
The forkserver and multiprocessing's resource tracker then end by themselves, since they run
only while some process still holds their pipes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import Sequence

from coopsim.run.chunks import Target, run_and_write_chunk

__all__ = ["worker_context", "warm_up", "run_process", "exit_with_parent"]

_ORPHAN_EXIT_CODE = 70  # EX_SOFTWARE: how a worker whose parent died ends

_WORKER_TARGET: Target | None = None


def exit_with_parent() -> None:
    """In a worker process: end it as soon as the process that started it is gone (killed, even
    with SIGKILL, or crashed), instead of running its queued chunks and then waiting forever.

    A daemon thread waits on the parent's sentinel (ready once the parent has exited) and ends
    the process at once; a chunk being written is left unfinished, as a kill would leave it.
    Does nothing in the main process.
    """
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait_ready([parent.sentinel])
        os._exit(_ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="coopsim-exit-with-parent", daemon=True).start()


def _pool_init(target: Target) -> None:
    global _WORKER_TARGET
    _WORKER_TARGET = target
    exit_with_parent()


def _pool_run(out_dir: Path, k: int, start: int, params: list[dict], seeds: list[int]) -> tuple[int, list[dict]]:
    # the worker writes its own chunk: the parent only hands out work and counts
    return run_and_write_chunk(_WORKER_TARGET, out_dir, k, start, params, seeds)


def worker_context(preload: Sequence[str]):
    """The multiprocessing context local workers start in: forked from a forkserver that has
    imported `preload` (the first call's list: the server lives for the session), else spawn."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Workers fork from a server that imported these once (Mesa costs ~0.9 s to import).
        ctx.set_forkserver_preload(["coopsim.run.backends.process", "pyarrow.parquet", *preload])
        return ctx
    return mp.get_context("spawn")


def warm_up(preload: Sequence[str] = ()) -> None:
    """Start the forkserver now (it imports `preload` once) so that its start-up overlaps with
    the caller's own work; later pools fork their workers from it in milliseconds."""
    ctx = worker_context(preload)
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def run_process(target, out_dir, todo, task, finish, workers, preload) -> None:
    """Run chunks `todo` on `workers` local processes (two chunks in flight per worker)."""
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
