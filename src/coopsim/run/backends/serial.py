"""The serial backend: chunks one after another in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from coopsim.run.chunks import Target, run_and_write_chunk

__all__ = ["run_serial"]


def run_serial(target: Target, out_dir: Path, todo: list[int], task: Callable, finish: Callable) -> None:
    """Run chunks `todo` here, in order."""
    for k in todo:
        finish(*run_and_write_chunk(target, out_dir, k, *task(k)))
