"""Options that several commands share."""

from __future__ import annotations

import os
import sys

from coopsim.config.errors import UserError
from coopsim.run.executor import BACKENDS

__all__ = ["add_sweep_arguments", "check_workers", "command_line"]


def add_sweep_arguments(parser, resume_help: str = "continue a killed sweep in --out") -> None:
    """The options every sweep command shares (sensitivity, discover)."""
    parser.add_argument("--out", required=True, help="results folder")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: every core); 1 runs serially")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (tcp://host:8786); runs there")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="serial, process (local worker pool) or dask (a LocalCluster of --workers "
                             "on 127.0.0.1 unless --scheduler); default: dask with --scheduler, else "
                             "process when --workers > 1, else serial")
    parser.add_argument("--resume", action="store_true", help=resume_help)
    parser.add_argument("--force", action="store_true", help="delete earlier results in --out first")
    parser.add_argument("--chunk-size", type=int, default=None, help="runs per chunk file (default: automatic)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def check_workers(workers: int) -> None:
    """A clear error for a worker count below 1."""
    if workers < 1:
        raise UserError(f"--workers must be 1 or more, got {workers}.")


def command_line(name: str) -> str | None:
    """`coopsim NAME ARGS...` as typed, for the manifest (None when not run from the shell)."""
    return " ".join(["coopsim", name, *sys.argv[2:]]) if len(sys.argv) > 2 else None
