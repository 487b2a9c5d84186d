"""The Dask backend: a LocalCluster on 127.0.0.1, or an existing scheduler. Rows come back to
the client, which writes the chunk files: a cluster's workers need not share its disk."""

from __future__ import annotations

import os
import time

from coopsim.config.errors import UserError
from coopsim.run.chunks import run_chunk, write_chunk

__all__ = ["run_dask"]


def run_dask(target, out_dir, todo, task, finish, workers, scheduler) -> None:
    """Run chunks `todo` on Dask (three chunks in flight per worker)."""
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
