"""Where a sweep's chunks run: one backend per module (serial, local worker processes, Dask).

Each backend takes the same arguments: the target, the sweep folder, the chunk numbers to
run, `task(k) -> (start, params, seeds)` and `finish(runs, failed_runs)` to call as each chunk
completes; the executor (`coopsim.run.executor.run_sweep`) chooses one by name.
"""

BACKENDS = ("serial", "process", "dask")

__all__ = ["BACKENDS"]
