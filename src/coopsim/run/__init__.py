"""Layer 3, run: running the model many times. Seeds (seeds.py: one scheme), one run and
replications (runner.py), sweep targets (targets.py), the resumable sweep executor
(executor.py, chunks.py) and its backends (backends/: serial, process, dask), the traced and
tracked runs that validation and comparison step through, and the EMA Workbench adapter."""

__all__: list[str] = []
