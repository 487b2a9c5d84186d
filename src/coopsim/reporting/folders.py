"""Results folders: refuse to overwrite by accident, clear what a command owns on --force, and
write tables.

Every command that writes a folder starts here: `prepare_output` for one-shot commands (run,
compare, validate), `prepare_sweep_folder` for resumable sweeps (sensitivity, discover).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.run.executor import BACKENDS

__all__ = ["prepare_output", "prepare_sweep_folder", "write_tables", "write_samples"]


def prepare_output(folder: str | Path, force: bool = False, resume: bool = False) -> Path:
    """Create `folder`; refuse a non-empty one unless --force (or --resume)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {folder}: exists and is not a folder.")
    if folder.exists() and any(folder.iterdir()) and not (force or resume):
        raise UserError(f"--out {folder}: folder is not empty. Choose another folder, or add "
                        f"--force to overwrite what is there.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prepare_sweep_folder(out: Path, owned: Sequence[str], *, what: str, workers: int = 1,
                         backend: str | None = None, scheduler: str | None = None,
                         resume: bool = False, force: bool = False, resume_hint: str = "") -> str:
    """Check the options, clear what a sweep owns on --force, refuse a non-empty folder
    unless --resume, create it; returns the backend to use."""
    import shutil

    if resume and force:
        raise UserError(f"--resume and --force contradict each other: --resume continues the {what} in the "
                        "output folder, --force deletes it and starts over. Choose one.")
    backend = backend or ("dask" if scheduler else ("process" if workers > 1 else "serial"))
    if backend not in BACKENDS:
        raise UserError(f"unknown backend '{backend}'; choose from {', '.join(BACKENDS)}.")
    if scheduler and backend != "dask":
        raise UserError("--scheduler needs the Dask backend (leave --backend out or set it to dask).")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a folder.")
    if force:
        for name in owned:
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    elif out.exists() and any(out.iterdir()) and not resume:
        if (out / "manifest.json").exists() or (out / "runs").exists():
            raise UserError(f"{out}: already holds a {what}. Use --resume to continue it{resume_hint}, --force "
                            f"to delete it and start over, or another --out.")
        raise UserError(f"{out}: exists and is not empty; choose an empty or new folder for --out.")
    out.mkdir(parents=True, exist_ok=True)
    return backend


def write_samples(points: pd.DataFrame, seeds: np.ndarray, path: Path) -> None:
    """The design as run: one row per point with its index and seed (samples.parquet)."""
    samples = points.copy()
    samples.insert(0, "seed", seeds)
    samples.insert(0, "index", np.arange(len(samples)))
    samples.to_parquet(path, index=False)


def write_tables(tables: dict[str, pd.DataFrame], folder, csv: bool = False) -> None:
    """Each table as `NAME.parquet` (and `NAME.csv` with `csv`)."""
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        if csv:
            frame.to_csv(folder / f"{name}.csv", index=False)
